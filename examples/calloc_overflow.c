// calloc and reallocarray whose count * size overflows size_t: each call is
// reported; the program gets NULL and ENOMEM, as with the C library, the
// block given to reallocarray stays as it was, and the program goes on.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void show(const char* what, const void* p) {
  printf("%s: %s, errno %s\n", what, p == NULL ? "NULL" : "a block", errno == ENOMEM ? "ENOMEM" : "not ENOMEM");
}

// 2^40 rows of 2^40 bytes: 2^80 bytes, which wraps to 0 in size_t.
static void* make_grid(size_t rows, size_t row_bytes) {
  errno = 0;
  return calloc(rows, row_bytes);
}

static int* grow_table(int* table, size_t count) {
  errno = 0;
  return reallocarray(table, count, sizeof *table);
}

int main(void) {
  void* grid = make_grid((size_t)1 << 40, (size_t)1 << 40);
  show("calloc(1 << 40, 1 << 40)", grid);
  int* table = calloc(16, sizeof *table);
  table[0] = 42;
  int* bigger = grow_table(table, (size_t)1 << 62);
  show("reallocarray(table, 1 << 62, 4)", bigger);
  printf("the table still holds %d\n", table[0]);
  free(grid);
  free(table);
  puts("still running");
  return 0;
}
