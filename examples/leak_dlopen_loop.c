/* A clean program: loads and unloads a small library (LEAK_DLOPEN_PLUGIN, the
 * path of libexample-leak-dlopen-plugin.so, set at build time) 50 times, and
 * asks dlerror() why a missing library failed to load. What the dynamic
 * loader allocates for that is not the program's: no definite, indirect or
 * possible leak. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  int loaded = 0;
  for (int i = 0; i < 50; ++i) {
    void* plugin = dlopen(LEAK_DLOPEN_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (plugin == NULL) {
      printf("dlopen: %s\n", dlerror());
      return 2;
    }
    const char* (*greeting)(void) = (const char* (*)(void))dlsym(plugin, "plugin_greeting");
    if (greeting != NULL && strcmp(greeting(), "loaded") == 0) ++loaded;
    dlclose(plugin);
  }
  void* missing = dlopen("/nonexistent/libdebugmalloc-no-such-plugin.so", RTLD_NOW);
  const char* why = dlerror();
  printf("loaded %d times; missing library: %s; %s\n", loaded, missing == NULL ? "not loaded" : "loaded?!",
         why != NULL ? why : "(no dlerror)");
  return 0;
}
