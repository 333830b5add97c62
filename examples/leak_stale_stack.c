/* A leak check on demand scans the stack from where the program called it,
 * with the registers the program had there. A function formats a pointer to
 * a 1337-byte block with snprintf and fprintf (which copy it into their
 * frames, below the caller's), drops the pointer and returns: those copies
 * are dead, and debugmalloc_leak_check() must find the block lost (it returns
 * 1337). Meanwhile the only pointer to a 128-byte block is in a callee-saved
 * register (r13) across the call: that block is not lost.
 *
 * Built with optimisation, so that the pointer in r13 has no copy on the stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <debugmalloc/debugmalloc.h>

char* kept; /* the register's block, stored here only after the check */

__attribute__((noinline)) void leak_after_printing(void) {
  char* volatile block = malloc(1337);
  memset(block, 'z', 1337);
  char text[64];
  snprintf(text, sizeof text, "%p %p %p", (void*)block, (void*)block, (void*)block);
  fprintf(stderr, "formatted %p (%zu characters)\n", (void*)block, strlen(text));
  block = NULL;
}

__attribute__((noinline)) char* make_kept_in_register(void) {
  char* block = malloc(128);
  memset(block, 'k', 128);
  return block;
}

int main(void) {
  leak_after_printing();
#if defined(__x86_64__)
  register char* keep asm("r13") = make_kept_in_register();
  __asm__ volatile("" : "+r"(keep)); /* only in r13 during the check */
#else
  char* keep = make_kept_in_register();
#endif
  size_t lost = debugmalloc_leak_check();
  __asm__ volatile("" ::"r"(keep));
  kept = keep;
  fprintf(stderr, "debugmalloc_leak_check() returned %zu\n", lost);
  puts("leaked one block after printing its address, kept one in a register, checked");
  return 0;
}
