/* A plugin that leaks: loaded with dlopen and unloaded with dlclose by
 * leak_dlclose.c before the process exits. Its frames must still be named. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* plugin_make_greeting(void) {
  char* greeting = malloc(40);
  strcpy(greeting, "hello from a plugin that is gone");
  return greeting;
}

void plugin_run(void) { plugin_make_greeting(); /* leaked */ }
