/* heap-buffer-underflow: a write just before the start of a block. */
#include <stdlib.h>

__attribute__((noinline)) int* make_table(size_t n) { return calloc(n, sizeof(int)); }

__attribute__((noinline)) void clear_from(int* table, int first) {
  for (int i = first; i < 4; ++i) table[i] = 0; /* first == -1 writes before the block */
}

int main(int argc, char** argv) {
  (void)argv;
  int* table = make_table(4);
  clear_from(table, argc - 2); /* -1 when run without arguments */
  free(table);
  return 0;
}
