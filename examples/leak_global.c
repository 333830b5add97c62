/* still reachable: a global still points to the block at exit. Not a leak
 * by default (leak_kinds=definite,indirect), listed with leak_kinds=all. */
#include <stdlib.h>

static void* config;

__attribute__((noinline)) void load_config(void) { config = calloc(1, 512); }

int main(void) {
  load_config();
  return 0;
}
