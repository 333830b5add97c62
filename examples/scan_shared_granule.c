/* Still reachable: a large heap block lives in a mapping of its own whose size
 * is not a whole number of 64 KiB granules, so the mapping ends inside its last
 * granule. The kernel may place another mapping in the rest of that granule (a
 * shared object's .data or .bss, any mmap); here the program maps a page there
 * itself (MAP_FIXED_NOREPLACE right at the large block's mapping end) and keeps
 * in it the only pointer to a 72-byte block (make_held_next_door). The leak
 * scan must skip the large block's mapping only, not the whole granule: the
 * small block is still reachable, not lost.
 *
 * LEAK_CASE is the large block's size in bytes (default 200000). The program
 * prints where the large block's mapping ends (past the library's inaccessible
 * guard page, when there is one) and where the page was mapped. When that
 * mapping ends on a granule boundary, or the address after it is taken, it
 * prints a SKIP line and exits 0: the test then tries another size. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define GRANULE ((uintptr_t)64 * 1024)

static char* large; /* keeps the large block live */

/* The end of the mapping that holds `inside`, extended over the one-page
 * inaccessible anonymous mapping right after it (the library's guard page);
 * 0 when no mapping holds `inside`. */
static uintptr_t mapping_end(uintptr_t inside, uintptr_t page) {
  FILE* maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return 0;
  char line[512];
  uintptr_t end = 0;
  while (fgets(line, sizeof line, maps) != NULL) {
    unsigned long lo, hi, offset, inode;
    unsigned major, minor;
    char perms[5];
    if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &lo, &hi, perms, &offset, &major, &minor, &inode) != 7) continue;
    if (end == 0) {
      if (lo <= inside && inside < hi) end = hi;
      continue;
    }
    /* The line after the block's mapping (the lines are in address order). */
    if (lo == end && hi - lo == page && strcmp(perms, "---p") == 0 && inode == 0) end = hi;
    break;
  }
  fclose(maps);
  return end;
}

__attribute__((noinline)) void make_held_next_door(char* page) {
  char* block = malloc(72);
  strcpy(block, "a block found from the large block's last granule");
  *(char**)(page + 64) = block; /* its only pointer */
}

int main(void) {
  const char* text = getenv("LEAK_CASE");
  size_t size = text != NULL ? strtoul(text, NULL, 10) : 200000;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  large = malloc(size);
  if (large == NULL) return 2;
  memset(large, 'L', size);
  uintptr_t end = mapping_end((uintptr_t)large + size - 1, page);
  if (end == 0) {
    fprintf(stderr, "no mapping holds the large block\n");
    return 3;
  }
  if (end % GRANULE == 0) {
    printf("SKIP: size %zu: the large block's mapping ends on a granule boundary (0x%lx)\n", size, (unsigned long)end);
    return 0;
  }
  void* next_door =
      mmap((void*)end, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (next_door == MAP_FAILED || next_door != (void*)end) {
    int error = errno;
    if (next_door != MAP_FAILED) munmap(next_door, page); /* a kernel without MAP_FIXED_NOREPLACE: a hint */
    printf("SKIP: size %zu: no page could be mapped at 0x%lx, the large block's mapping end (%s)\n", size,
           (unsigned long)end, next_door == MAP_FAILED ? strerror(error) : "placed elsewhere");
    return 0;
  }
  make_held_next_door(next_door);
  printf("size %zu: the large block's mapping ends at 0x%lx; page mapped at 0x%lx\n", size, (unsigned long)end,
         (unsigned long)(uintptr_t)next_door);
  return 0;
}
