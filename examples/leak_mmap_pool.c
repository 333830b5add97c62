/* Still reachable, not lost: the only pointer to a heap block is kept in an
 * anonymous mmap region (a custom pool). Every readable, writable mapping is
 * a leak root, as in Valgrind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void** pool; /* the pool itself is found from here; the block only from the pool */

__attribute__((noinline)) void make_pooled(void) {
  char* block = malloc(200);
  strcpy(block, "a block kept in a pool");
  pool[37] = block;
}

int main(void) {
  pool = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pool == MAP_FAILED) return 2;
  make_pooled();
  printf("the pool holds: %s\n", (const char*)pool[37]);
  return 0;
}
