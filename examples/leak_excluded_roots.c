/* Blocks excluded from leak reports are roots: what they point to is not
 * lost either. A 64-byte block points to two 32-byte blocks, which both
 * point to one 48-byte block; nothing else points to any of them. The first
 * block is excluded with debugmalloc_ignore_object() (LEAK_CASE=ignore, the
 * default) or allocated between debugmalloc_disable_leaks() and
 * debugmalloc_enable_leaks() (LEAK_CASE=disable). No block is a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <debugmalloc/debugmalloc.h>

struct holder {
  void* children[2];
  char name[48];
};

__attribute__((noinline)) struct holder* make_root(int disable) {
  if (disable) debugmalloc_disable_leaks();
  struct holder* root = malloc(sizeof *root);
  if (disable) debugmalloc_enable_leaks();
  strcpy(root->name, "root");
  return root;
}

__attribute__((noinline)) void** make_child(void) { return calloc(4, sizeof(void*)); }
__attribute__((noinline)) char* make_grandchild(void) { return calloc(1, 48); }

__attribute__((noinline)) void build_and_forget(int disable) {
  struct holder* root = make_root(disable);
  char* grandchild = make_grandchild();
  for (int i = 0; i < 2; ++i) {
    void** child = make_child();
    child[0] = grandchild;
    root->children[i] = child;
  }
  if (!disable) debugmalloc_ignore_object(root);
}

int main(void) {
  const char* how = getenv("LEAK_CASE");
  int disable = how != NULL && strcmp(how, "disable") == 0;
  build_and_forget(disable);
  printf("excluded a block with %s\n", disable ? "debugmalloc_disable_leaks" : "debugmalloc_ignore_object");
  return 0;
}
