/* A program that ends in the ways a report file must survive.
 *   report_subject abort        a double free, then abort()
 *   report_subject _exit        a double free, then _exit(3)
 *   report_subject leaks N      N distinct leak sites (a slow final report), then exit
 *   report_subject children N   N concurrent children, each with one double free
 *   report_subject exec         a double free, then exec of `true`
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static void double_free(void) {
  void* p = malloc(32);
  free(p);
  free(p);
}

/* Distinct call stacks: each recursion depth is a different leak site. */
__attribute__((noinline)) static void leak_at_depth(int depth) {
  if (depth == 0) {
    malloc(24);
    return;
  }
  leak_at_depth(depth - 1);
  __asm__ volatile("" ::: "memory"); /* keep the call from becoming a jump */
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  int n = argc > 2 ? atoi(argv[2]) : 0;
  if (strcmp(mode, "abort") == 0) {
    double_free();
    abort();
  }
  if (strcmp(mode, "_exit") == 0) {
    double_free();
    _exit(3);
  }
  if (strcmp(mode, "leaks") == 0) {
    for (int i = 0; i < n; ++i) leak_at_depth(i % 60);
    for (int i = 0; i < n; ++i) malloc((size_t)(16 + i)); /* sizes differ, stacks the same */
    return 0;
  }
  if (strcmp(mode, "children") == 0) {
    for (int i = 0; i < n; ++i) {
      if (fork() == 0) {
        double_free();
        _exit(0) ; /* no exit handlers: the journal stays, with the error */
      }
    }
    for (int i = 0; i < n; ++i) wait(NULL);
    return 0;
  }
  if (strcmp(mode, "exec") == 0) {
    double_free();
    execlp("true", "true", (char*)NULL);
    return 1;
  }
  return 2;
}
