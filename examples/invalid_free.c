/* invalid-free: pointers that malloc never returned: the stack, a global, the
 * inside of a block, and the same through realloc. */
#include <stdio.h>
#include <stdlib.h>

static char global_buffer[32];

__attribute__((noinline)) void release(void* p) { free(p); }

int main(void) {
  char local[16];
  release(local);
  release(global_buffer);
  char* block = malloc(100);
  release(block + 10);
  void* moved = realloc(block + 20, 200); /* also invalid: returns NULL, block untouched */
  printf("realloc of an interior pointer returned %s\n", moved == NULL ? "NULL" : "a block");
  free(block);
  return 0;
}
