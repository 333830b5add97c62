/* definite leaks: 100 blocks of 13 bytes allocated in a loop and never freed:
 * one group with a count and a byte total, not 100 entries. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* copy_name(const char* name) {
  char* copy = malloc(13);
  strncpy(copy, name, 12);
  copy[12] = '\0';
  return copy;
}

int main(void) {
  for (int i = 0; i < 100; ++i) copy_name("temporary");
  return 0;
}
