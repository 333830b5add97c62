// Requests larger than memory but not bugs: programs and test suites probe
// them on purpose. They fail with NULL and ENOMEM, as with the C library
// (unless the kernel commits that much), and nothing is reported.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void try_malloc(const char* what, size_t size) {
  errno = 0;
  void* p = malloc(size);
  printf("malloc(%s): %s\n", what, p != NULL ? "a block" : errno == ENOMEM ? "NULL, ENOMEM" : "NULL, not ENOMEM");
  free(p);
}

int main(void) {
  size_t memory = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
  try_malloc("1 << 45", (size_t)1 << 45);
  try_malloc("4 x physical memory", 4 * memory);
  try_malloc("(1 << 46) + 1", ((size_t)1 << 46) + 1);
  try_malloc("1 << 62", (size_t)1 << 62);
  try_malloc("SIZE_MAX / 2", SIZE_MAX / 2);
  errno = 0;
  void* p = calloc((size_t)1 << 31, (size_t)1 << 31);
  printf("calloc(1 << 31, 1 << 31): %s\n", p != NULL ? "a block" : errno == ENOMEM ? "NULL, ENOMEM" : "NULL, not ENOMEM");
  free(p);
  return 0;
}
