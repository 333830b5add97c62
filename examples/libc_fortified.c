/* The fortified forms that _FORTIFY_SOURCE builds call (__memcpy_chk,
 * __strcpy_chk, __sprintf_chk, ...): glibc checks only the destination against
 * the size the compiler knew. debugmalloc checks the source too, and freed
 * blocks, which the compiler cannot know about. Built with -O2
 * -D_FORTIFY_SOURCE=2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_buffer(void) { return malloc(16); }

/* 24 bytes copied out of a 16-byte block into a 64-byte array: glibc's check
 * sees the array, which is large enough; the source is read past its end. */
__attribute__((noinline)) void copy_out(const char* src, size_t n) {
  char local[64];
  memcpy(local, src, n);
  printf("copied %zu: %.4s\n", n, local);
}

/* A freed block is still 32 bytes to the compiler. */
__attribute__((noinline)) void rename_freed(const char* name) {
  char* block = malloc(32);
  free(block);
  strcpy(block, name);
}

__attribute__((noinline)) void number_freed(int n) {
  char* block = malloc(32);
  free(block);
  sprintf(block, "n=%d", n);
}

int main(int argc, char** argv) {
  (void)argv;
  char* buffer = make_buffer();
  memset(buffer, 'x', 16);
  copy_out(buffer, 16 + 8 * (size_t)argc);
  rename_freed(argc > 5 ? "long name" : "name");
  number_freed(argc);
  free(buffer);
  return 0;
}
