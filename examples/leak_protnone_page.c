/* An anonymous mapping of two pages holds a pointer to a heap block in each.
 * The program then makes the second page PROT_NONE: the block pointed to from
 * there is definitely lost (a page that cannot be read is not a root, and
 * reading it must not crash the scan); the block pointed to from the first,
 * still readable page is still reachable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char* pages;

__attribute__((noinline)) void make_kept(void) {
  char* block = malloc(96);
  strcpy(block, "kept");
  *(char**)(pages + 64) = block; /* first page: stays readable */
}

__attribute__((noinline)) void make_hidden(size_t page_size) {
  char* block = malloc(160);
  strcpy(block, "hidden");
  *(char**)(pages + page_size + 64) = block; /* second page: made PROT_NONE */
}

int main(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) return 2;
  make_kept();
  make_hidden(page);
  if (mprotect(pages + page, page, PROT_NONE) != 0) return 3;
  printf("one page readable, one PROT_NONE\n");
  return 0;
}
