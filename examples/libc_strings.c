/* Range checks in the C library's string functions: a string copied into a
 * buffer one byte short, a string without its NUL, a search and a comparison
 * that run off the end, a copy of a freed string. Each is reported at the call
 * (built with -fno-builtin, so that the calls are not inlined). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

__attribute__((noinline)) char* make_buffer(size_t n) { return malloc(n); }

/* "report.txt" is 10 characters: with its NUL, 11 bytes into 10. */
__attribute__((noinline)) void set_name(char* dst, const char* src) { strcpy(dst, src); }

/* The 8 bytes were filled with memcpy, without a NUL: strlen reads past them. */
__attribute__((noinline)) size_t name_length(const char* name) { return strlen(name); }

/* Appends ".bak" to a name that already fills its buffer. */
__attribute__((noinline)) void add_suffix(char* name) { strcat(name, ".bak"); }

/* strncpy writes all n bytes: n is the source's size, not the 12-byte destination's. */
__attribute__((noinline)) void copy_fixed(char* dst, const char* src) { strncpy(dst, src, 16); }

/* Looks for a '.' that is not there, in an unterminated name. */
__attribute__((noinline)) const char* find_extension(const char* name) { return strchr(name, '.'); }

/* Compares an unterminated name with a longer string that starts the same. */
__attribute__((noinline)) int is_default(const char* name) { return strcmp(name, "defaults-file") == 0; }

/* Keeps a copy of a name that was already freed. */
__attribute__((noinline)) char* keep_name(const char* name) { return strdup(name); }

/* L"title" is 5 wide characters: with its NUL, 24 bytes into 20. */
__attribute__((noinline)) void set_title(wchar_t* dst, const wchar_t* src) { wcscpy(dst, src); }

int main(void) {
  char* name = make_buffer(10);
  set_name(name, "report.txt");
  char* raw = make_buffer(8);
  memcpy(raw, "defaults", 8);
  printf("length: %s\n", name_length(raw) >= 8 ? "8 or more" : "short"); /* past 8: whatever follows */
  char* full = make_buffer(8);
  strcpy(full, "archive");
  add_suffix(full);
  char* fixed = make_buffer(12);
  copy_fixed(fixed, "short");
  printf("extension: %s\n", find_extension(raw) ? "yes" : "no");
  printf("default: %d\n", is_default(raw));
  char* old = make_buffer(16);
  strcpy(old, "temporary");
  free(old);
  free(keep_name(old));
  wchar_t* title = (wchar_t*)make_buffer(5 * sizeof(wchar_t));
  set_title(title, L"title");
  free(title);
  free(fixed);
  free(full);
  free(raw);
  free(name);
  return 0;
}
