/* Root regions: block A (64 bytes) is lost (nothing points to it) and holds
 * the only pointer to block B (48 bytes). Registering the part of A that
 * holds the pointer as a root region (debugmalloc_register_root_region) makes
 * B reachable; A itself stays definitely lost. With LEAK_CASE=unregister a
 * leak check runs while the region is registered, then the region is
 * unregistered before exit, and B is indirectly lost again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <debugmalloc/debugmalloc.h>

struct table {
  char name[16];
  void* entry; /* bytes 16..24: the registered region */
  char pad[40];
};

static const void* region_start_xor; /* the region's start, disguised: not a pointer */
#define DISGUISE ((unsigned long)0x5a5a5a5a5a5a5a5aul)

__attribute__((noinline)) void* make_entry(void) { return calloc(1, 48); }

__attribute__((noinline)) void make_table_with_root_region(void) {
  struct table* volatile a = calloc(1, sizeof(struct table));
  strcpy(a->name, "table");
  a->entry = make_entry();
  debugmalloc_register_root_region(&a->entry, sizeof a->entry);
  region_start_xor = (const void*)((unsigned long)&a->entry ^ DISGUISE);
  a = NULL;
}

int main(void) {
  const char* how = getenv("LEAK_CASE");
  make_table_with_root_region();
  if (how != NULL && strcmp(how, "unregister") == 0) {
    /* While registered: only the table is lost (64 bytes). */
    fprintf(stderr, "debugmalloc_leak_check() while registered returned %zu\n", debugmalloc_leak_check());
    const void* start = (const void*)((unsigned long)region_start_xor ^ DISGUISE);
    int found = debugmalloc_unregister_root_region(start, sizeof(void*));
    fprintf(stderr, "debugmalloc_unregister_root_region() returned %d\n", found);
    start = NULL;
  }
  printf("a lost table holds the only pointer to an entry\n");
  return 0;
}
