/* memcpy-param-overlap: memcpy and strcpy given overlapping source and
 * destination, where the C standard leaves the result undefined (memmove is
 * the function for that). Found in the heap and on the stack alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Removes the first character by copying the rest over it: overlapping. */
__attribute__((noinline)) void drop_first(char* text, size_t n) { memcpy(text, text + 1, n - 1); }

/* Prefixes "> " by copying the string 2 bytes further: overlapping. */
__attribute__((noinline)) void quote(char* text) { strcpy(text + 2, text); }

/* The same with memmove: defined, not reported. */
__attribute__((noinline)) void drop_first_safely(char* text, size_t n) { memmove(text, text + 1, n - 1); }

int main(void) {
  char* text = malloc(16);
  strcpy(text, "xhello");
  drop_first(text, 7);
  drop_first_safely(text, 6);
  char line[32] = "quoted";
  quote(line);
  printf("%s %s\n", text, line);
  free(text);
  return 0;
}
