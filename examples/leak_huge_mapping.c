/* Still reachable: the only pointer to a heap block is stored in one page of
 * a 64 GiB MAP_NORESERVE reservation that is otherwise never touched. The
 * leak scan reads such a mapping only where pages are resident, so the scan
 * finds the pointer and stays fast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RESERVED ((size_t)64 << 30)
#define TOUCHED_AT ((size_t)37 << 30) /* one page, deep inside */

static char* reservation;

__attribute__((noinline)) void make_reserved(void) {
  char* block = malloc(300);
  strcpy(block, "a block found through a huge mapping");
  *(char**)(reservation + TOUCHED_AT + 128) = block;
}

int main(void) {
  reservation = mmap(NULL, RESERVED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reservation == MAP_FAILED) {
    perror("mmap 64 GiB");
    return 2;
  }
  make_reserved();
  printf("the reservation holds: %s\n", *(const char**)(reservation + TOUCHED_AT + 128));
  return 0;
}
