/* Range checks on the destination of the C library's formatted output:
 * sprintf into a buffer too small for the text, snprintf told a size larger
 * than the buffer, vsprintf into a freed buffer. Reported at the call (built
 * with -fno-builtin, so that the calls are not inlined). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_buffer(size_t n) { return malloc(n); }

/* "id-00000042" is 11 characters: with its NUL, 12 bytes into 8. */
__attribute__((noinline)) void format_id(char* dst, int id) { sprintf(dst, "id-%08d", id); }

/* The size passed is a constant from elsewhere (64); the buffer has 16 bytes. */
__attribute__((noinline)) void format_path(char* dst, const char* dir) { snprintf(dst, 64, "%s/config.ini", dir); }

__attribute__((noinline)) void log_to(char* dst, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  vsprintf(dst, format, ap);
  va_end(ap);
}

int main(void) {
  char* id = make_buffer(8);
  format_id(id, 42);
  char* path = make_buffer(16);
  format_path(path, "/etc/example");
  char* line = make_buffer(32);
  free(line);
  log_to(line, "%s: %d", "status", 7);
  printf("formatted\n");
  free(path);
  free(id);
  return 0;
}
