/* Allocation wrappers (the alloc_fns option): every block comes from xmalloc, named like
 * libiberty's (a built-in wrapper), directly or through a second layer of the program's own
 * wrappers, my_xzalloc and my_xstrdup. With alloc_fns=my_x* the findings are named after
 * the callers (make_record, copy_name, make_label); with alloc_fns=- after xmalloc.
 *
 * - make_record leaks 32 bytes twice from one call site, once through xmalloc and once
 *   through my_xzalloc: one group when both wrappers are skipped, two otherwise;
 * - copy_name leaks 7 bytes through my_xstrdup;
 * - make_label's block is overflowed by one byte in main, found when main frees it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void* (*allocator)(size_t);

__attribute__((noinline)) void* xmalloc(size_t size) {
  void* p = malloc(size);
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

__attribute__((noinline)) void* my_xzalloc(size_t size) {
  void* p = xmalloc(size);
  memset(p, 0, size);
  return p;
}

__attribute__((noinline)) char* my_xstrdup(const char* text) {
  size_t size = strlen(text) + 1;
  return memcpy(xmalloc(size), text, size);
}

__attribute__((noinline)) void* make_record(allocator allocate) {
  return allocate(32); /* the one call site of both records */
}

__attribute__((noinline)) char* copy_name(const char* name) { return my_xstrdup(name); }

__attribute__((noinline)) char* make_label(void) { return my_xstrdup("widget"); }

__attribute__((noinline)) void forget_records(void) {
  void* records[2];
  for (int i = 0; i < 2; ++i) records[i] = make_record(i == 0 ? xmalloc : my_xzalloc);
  records[0] = records[1] = NULL; /* two definite leaks of 32 bytes */
  char* name = copy_name("gadget");
  name[0] = 'G';
  name = NULL; /* a definite leak of 7 bytes */
  (void)records;
  (void)name;
}

int main(void) {
  forget_records();
  char* label = make_label();
  label[7] = '!'; /* "widget" is 7 bytes with its NUL: one past the end */
  free(label);    /* the overflow is found here */
  return 0;
}
