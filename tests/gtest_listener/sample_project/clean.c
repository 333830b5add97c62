/* clean.c: allocates and frees; prints a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* text = malloc(32);
  strcpy(text, "clean program");
  puts(text);
  free(text);
  return 0;
}
