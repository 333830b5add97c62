/* possible leak: the only pointer left points into the middle of the block. */
#include <stdlib.h>

static char* cursor;  /* points 16 bytes into the buffer */

__attribute__((noinline)) void open_buffer(void) {
  char* buffer = malloc(256);
  cursor = buffer + 16;
}

int main(void) {
  open_buffer();
  return cursor[0] == 'x';
}
