/* Range checks in the C library's memory functions: each call below reads or
 * writes outside a heap block, and is reported at the call, before the C
 * library touches the memory (built with -fno-builtin, so that the calls are
 * not inlined). Later reports at free() show the damage the writes did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_header(void) { return malloc(16); }

/* A length taken from the input, 4 bytes too long: 20 bytes written into 16. */
__attribute__((noinline)) void copy_header(char* dst, const char* src, size_t n) { memcpy(dst, src, n); }

/* An index that went to -4: 8 bytes written from 4 bytes before the block. */
__attribute__((noinline)) void clear_prefix(char* block) { memset(block - 4, 0, 8); }

/* 24 bytes compared, of a 16-byte block. */
__attribute__((noinline)) int same_record(const char* a, const char* b) { return memcmp(a, b, 24) == 0; }

/* A search in a block already freed. */
__attribute__((noinline)) int has_newline(const char* block, size_t n) { return memchr(block, '\n', n) != NULL; }

int main(void) {
  char input[32] = "DMH1 0016 0000 crc32 and more";
  char* header = make_header();
  copy_header(header, input, 20);
  clear_prefix(header);
  printf("same: %d\n", same_record(header, input));
  char* old = make_header();
  memcpy(old, input, 16);
  free(old);
  printf("newline: %d\n", has_newline(old, 16));
  free(header);
  return 0;
}
