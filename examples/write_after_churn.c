/* use-after-free, a write, long after the free: 64 MiB of 64 KiB blocks churn
 * through the quarantine in between. Each size band has its own quarantine
 * budget, so the small block is still held and the write is found (at exit, or
 * when the block leaves); with guard_pages=all, at the instruction. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_flag(void) { return malloc(64); }

__attribute__((noinline)) void set_flag(char* flag) { flag[8] = 1; }

int main(void) {
  char* flag = make_flag();
  free(flag);
  for (int i = 0; i < 1024; ++i) {
    char* chunk = malloc(64 * 1024);
    chunk[0] = (char)i;
    free(chunk);
  }
  set_flag(flag); /* write after free */
  printf("done\n");
  return 0;
}
