/* Linked with libdm-libc-plugin: the plugin's constructor runs before
 * libdebugmalloc's own (the loader starts a program's libraries first), so its
 * calls are served before the library resolved the C library's functions. */
#include <stdio.h>

const char* plugin_greeting(void);

int main(void) {
  printf("early: %s\n", plugin_greeting());
  return 0;
}
