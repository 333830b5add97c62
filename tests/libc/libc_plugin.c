/* Calls the checked C library functions from its constructor: linked into
 * dm_libc_early (so that it runs before libdebugmalloc's own start-up), and
 * loaded by dm_libc_contexts with dlopen (under the dynamic loader's lock). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char* greeting;

__attribute__((noinline)) static void overflow_in_constructor(char* block) {
  memcpy(block, "0123456789abcdefXYZ", 19); /* 3 bytes past the 16-byte block */
}

__attribute__((constructor)) static void plugin_start(void) {
  char* block = malloc(16);
  memcpy(block, "0123456789abcdef", 16);
  size_t n = strnlen(block, 16);
  char* copy = strdup("plugin");
  char text[64];
  snprintf(text, sizeof text, "%s-%zu", copy, n);
  char* resolved = realpath("/", NULL);
  greeting = malloc(strlen(text) + strlen(resolved) + 1);
  strcpy(greeting, text);
  strcat(greeting, resolved);
  if (getenv("LIBC_PLUGIN_OVERFLOW") != NULL) overflow_in_constructor(block);
  free(resolved);
  free(copy);
  free(block);
}

const char* plugin_greeting(void) { return greeting; }
