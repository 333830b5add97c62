/* use-after-free, a read: a small block read after it was freed. Its free fill
 * only shows writes; with guard_pages=all its pages become inaccessible when it
 * is freed, and the read faults at the instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
  char user[24];
  int id;
};

__attribute__((noinline)) struct session* open_session(int id) {
  struct session* s = malloc(sizeof *s);
  strcpy(s->user, "alice");
  s->id = id;
  return s;
}

__attribute__((noinline)) void close_session(struct session* s) { free(s); }

__attribute__((noinline)) int session_id(const struct session* s) { return s->id; }

int main(void) {
  struct session* s = open_session(42);
  close_session(s);
  printf("session %d\n", session_id(s)); /* read after free */
  return 0;
}
