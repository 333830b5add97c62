/* The shared library dlopen_loop loads and unloads: it allocates in its
   constructor and frees in its destructor, and has thread-local data, so
   each dlopen makes the loader do some bookkeeping of its own. */
#include <stdlib.h>
#include <string.h>

static char* plugin_state;
static __thread int plugin_calls;

__attribute__((constructor)) static void plugin_init(void) {
  plugin_state = malloc(64);
  strcpy(plugin_state, "plugin state");
}

__attribute__((destructor)) static void plugin_fini(void) {
  free(plugin_state);
  plugin_state = NULL;
}

int plugin_work(int x) {
  ++plugin_calls;
  char* tmp = malloc(32);
  tmp[0] = (char)x;
  int r = tmp[0] + (int)strlen(plugin_state) + plugin_calls;
  free(tmp);
  return r;
}
