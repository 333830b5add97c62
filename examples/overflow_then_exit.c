/* heap-buffer-overflow followed by _exit(): no exit handlers run, yet the
 * overflow is reported: the library checks the live blocks' guards before
 * _exit and _Exit end the process (with guard_pages=all it faults at once). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) char* make_label(void) { return malloc(32); }

__attribute__((noinline)) void write_label(char* label) {
  memset(label, '-', 32);
  label[32] = '\0'; /* one past the end */
}

int main(void) {
  char* label = make_label();
  write_label(label);
  _exit(0);
}
