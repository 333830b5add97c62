/* One leak of every kind, and one more for a suppressions file to hide:
 *   definite   the 48-byte table lose_table() forgets,
 *   indirect   its 4 rows of 64 bytes (make_row), reachable only through it,
 *   possible   a 200-byte buffer only pointed to 16 bytes in (open_cursor),
 *   reachable  a 512-byte block a global still points to (load_settings),
 *   definite   100 bytes in keep_forever(), for `leak:keep_forever`. */
#include <stdlib.h>

struct table {
  void* rows[4];
  long size[2];
};

static char* cursor;
static void* settings;

__attribute__((noinline)) void* make_row(void) { return calloc(1, 64); }

__attribute__((noinline)) void lose_table(void) {
  struct table* t = calloc(1, sizeof *t);
  for (int i = 0; i < 4; ++i) t->rows[i] = make_row();
}

__attribute__((noinline)) void open_cursor(void) {
  char* buffer = calloc(1, 200);
  cursor = buffer + 16;
}

__attribute__((noinline)) void load_settings(void) { settings = calloc(1, 512); }

__attribute__((noinline)) void keep_forever(void) {
  void* volatile block = calloc(1, 100);
  (void)block;
}

int main(void) {
  lose_table();
  open_cursor();
  load_settings();
  keep_forever();
  return cursor[0] == 'x' || settings == NULL;
}
