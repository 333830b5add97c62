// Allocation sizes that are certainly bugs: sizes with the top bit set, that
// is negative values passed as a size. Each call is reported; the program gets
// NULL and ENOMEM, as with the C library, and goes on.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void show(const char* what, const void* p) {
  printf("%s: %s, errno %s\n", what, p == NULL ? "NULL" : "a block", errno == ENOMEM ? "ENOMEM" : "not ENOMEM");
}

// A caller that lets an error value through as a size.
static void* allocate_buffer(size_t size) {
  errno = 0;
  return malloc(size);
}

// A payload length computed as record - header, with a header longer than the
// record: -4, which malloc sees as 18446744073709551612.
static char* copy_payload(int record_len, int header_len) {
  int payload = record_len - header_len;
  errno = 0;
  return malloc(payload);
}

int main(void) {
  void* buffer = allocate_buffer((size_t)-1);
  show("malloc((size_t)-1)", buffer);
  char* payload = copy_payload(3, 7);
  show("malloc(3 - 7)", payload);
  free(buffer);
  free(payload);
  puts("still running");
  return 0;
}
