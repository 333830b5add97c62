/* heap-buffer-overflow: one byte written past the end of a 13-byte block. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_name(void) { return malloc(13); }

__attribute__((noinline)) void fill_name(char* name) {
  strcpy(name, "hello, world!"); /* 13 characters + the terminating NUL = 14 bytes */
}

int main(void) {
  char* name = make_name();
  fill_name(name);
  free(name);
  return 0;
}
