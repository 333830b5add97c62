/* leaky.c: loses a block (a definite leak); harmless without the tool. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_buffer(void) { return strdup("never freed"); }

int main(void) {
  char* buffer = make_buffer();
  buffer = NULL;
  return buffer != NULL;
}
