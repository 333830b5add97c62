/* 120,000 live blocks with guard_pages=all: more than the kernel's limit of
 * mappings per process (vm.max_map_count) allows guard pages for. The library
 * gives guard pages to as many as the limit allows, warns once, and allocates
 * the rest with guard bytes: every allocation succeeds. */
#include <stdio.h>
#include <stdlib.h>

#define BLOCKS 120000

int main(void) {
  static char* blocks[BLOCKS];
  long sum = 0;
  for (int i = 0; i < BLOCKS; ++i) {
    blocks[i] = calloc(1, 48);
    if (blocks[i] == NULL) return 1;
    blocks[i][47] = (char)i;
  }
  for (int i = 0; i < BLOCKS; ++i) sum += blocks[i][47];
  for (int i = 0; i < BLOCKS; ++i) free(blocks[i]);
  printf("%d blocks, sum %ld\n", BLOCKS, sum);
  return 0;
}
