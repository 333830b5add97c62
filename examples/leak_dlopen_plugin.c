/* A small shared library that leak_dlopen_loop.c loads and unloads 50 times.
 * It allocates and frees on every load: nothing of it is a leak. */
#include <stdlib.h>
#include <string.h>

static char* greeting;

__attribute__((constructor)) static void plugin_load(void) {
  greeting = malloc(32);
  strcpy(greeting, "loaded");
}

__attribute__((destructor)) static void plugin_unload(void) {
  free(greeting);
  greeting = NULL;
}

const char* plugin_greeting(void) { return greeting; }
