/* dlopen/dlclose a small library 50 times, calling into it each time. All of
   that is clean; one block allocated in leak_after_loop is really lost. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) void leak_after_loop(void) {
  char* lost = malloc(77);
  memset(lost, 'd', 77);
  lost = NULL;
}

static __attribute__((noinline)) void scrub_stack(void) {
  volatile char junk[8192];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
    return 2;
  }
  long sum = 0;
  for (int i = 0; i < 50; ++i) {
    void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      fprintf(stderr, "dlopen: %s\n", dlerror());
      return 1;
    }
    int (*work)(int) = (int (*)(int))dlsym(handle, "plugin_work");
    if (!work) {
      fprintf(stderr, "dlsym: %s\n", dlerror());
      return 1;
    }
    sum += work(i);
    if (dlclose(handle) != 0) {
      fprintf(stderr, "dlclose: %s\n", dlerror());
      return 1;
    }
  }
  leak_after_loop();
  scrub_stack();
  printf("sum %ld\n", sum);
  return 0;
}
