/* double-free: the same block freed twice. */
#include <stdlib.h>

__attribute__((noinline)) void* make_buffer(void) { return malloc(64); }
__attribute__((noinline)) void release_buffer(void* buffer) { free(buffer); }

int main(void) {
  void* buffer = make_buffer();
  release_buffer(buffer);
  release_buffer(buffer);
  return 0;
}
