/* At exit, the only pointer to a block (into its middle, 8 bytes in) is in a
 * callee-saved register, r13, kept there across the call to exit(). The
 * program can still use it, so the block is not definitely lost (Valgrind:
 * possibly lost). Built with optimisation so that no copy stays on the stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_kept_in_register(void) {
  char* block = malloc(120);
  memset(block, 'r', 120);
  return block;
}

int main(void) {
  puts("keeping a pointer in r13 across exit()");
  fflush(stdout);
#if defined(__x86_64__)
  register char* keep asm("r13") = make_kept_in_register() + 8;
  __asm__ volatile("" : "+r"(keep)); /* in r13 from here to the call */
#else
  static char* keep;
  keep = make_kept_in_register() + 8;
#endif
  exit(0);
}
