/* A program with its own pool: the only pointers to several malloc'd blocks
   are kept inside an anonymous mmap region, as an arena allocator or an
   interpreter's object pool does. Those blocks are still reachable at exit
   (Valgrind scans every mapped region of the client). One block's pointer is
   really dropped: that one is the leak both tools must report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define POOL_SLOTS 16

struct pool {
  void* slots[POOL_SLOTS];
  size_t used;
};

static struct pool* pool_create(void) {
  void* region = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  /* The pool header sits in the middle of the region, not at its start. */
  return (struct pool*)((char*)region + 4096);
}

static __attribute__((noinline)) void pool_keep(struct pool* p, size_t size) {
  char* block = malloc(size);
  memset(block, 'p', size);
  p->slots[p->used++] = block;
}

static __attribute__((noinline)) void pool_keep_list(struct pool* p) {
  /* A two-node list whose head is in the pool: the second node is reachable
     through the first one only. */
  void** head = malloc(2 * sizeof(void*));
  head[0] = malloc(48);
  head[1] = NULL;
  p->slots[p->used++] = head;
}

static __attribute__((noinline)) void leak_dropped_block(void) {
  char* lost = malloc(100);
  memset(lost, 'x', 100);
  lost = NULL; /* the only pointer is gone */
}

static __attribute__((noinline)) void scrub_stack(void) {
  volatile char junk[8192];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = 0;
}

int main(void) {
  struct pool* p = pool_create();
  for (size_t i = 0; i < 6; ++i) pool_keep(p, 32 + 16 * i);
  pool_keep_list(p);
  leak_dropped_block();
  scrub_stack();
  size_t total = 0;
  for (size_t i = 0; i < p->used; ++i) total += p->slots[i] != NULL;
  printf("pool holds %zu blocks\n", total);
  p = NULL;
  return 0;
}
