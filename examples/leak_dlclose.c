/* A leak whose allocation stack runs through a library unloaded before exit:
 * the report keeps the library as a module (path, build-id) so that the frame
 * is still symbolized. Usage: example-leak-dlclose PATH/TO/libexample-plugin.so */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* plugin = dlopen(argv[1], RTLD_NOW);
  if (plugin == NULL) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  void (*run)(void) = (void (*)(void))dlsym(plugin, "plugin_run");
  run();
  dlclose(plugin);
  return 0;
}
