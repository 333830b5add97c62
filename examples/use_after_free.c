/* use-after-free: a write into a block after it was freed. */
#include <stdlib.h>
#include <string.h>

struct session {
  char user[32];
  int logged_in;
};

__attribute__((noinline)) struct session* open_session(void) {
  struct session* s = malloc(sizeof *s);
  strcpy(s->user, "alice");
  s->logged_in = 1;
  return s;
}

__attribute__((noinline)) void close_session(struct session* s) { free(s); }

__attribute__((noinline)) void logout(struct session* s) { s->logged_in = 0; /* s was already closed */ }

int main(void) {
  struct session* s = open_session();
  close_session(s);
  logout(s);
  return 0;
}
