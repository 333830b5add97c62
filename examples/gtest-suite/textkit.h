// textkit.h: a tiny text library with three planted heap bugs, tested by textkit_test.cpp.
// Each bug is harmless under glibc (the suite passes without debugmalloc) and found by
// debugmalloc's GoogleTest listener, which fails the test that triggers it.
#ifndef TEXTKIT_H
#define TEXTKIT_H

#include <stddef.h>

#include <string>

namespace textkit {

// Words of a text, each a malloc'd string; release with free_words().
struct Words {
  char** items = nullptr;
  size_t count = 0;
};
Words split(const char* text, char separator);
void free_words(Words& words);

// Distinct words of `text` (BUG: leaks when there are fewer than two words).
size_t count_distinct(const char* text, char separator);

// "dir/file" in a malloc'd string (BUG: one byte too small when a '/' is added).
char* join_path(const char* dir, const char* file);

// Splits "key=value" into malloc'd *key and *value; false without a '=' (BUG: then
// *key is freed but left set, and a caller that frees it frees it twice).
bool parse_pair(const char* text, char** key, char** value);

// Messages of the failed parses so far, newest last (kept for the process's lifetime).
size_t error_count();
const char* error_message(size_t index);

std::string to_upper(const std::string& text);

}  // namespace textkit

#endif  // TEXTKIT_H
