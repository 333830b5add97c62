// textkit.cpp: the tiny text library of the example suite; the three bugs are marked "BUG".
#include "textkit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

namespace textkit {
namespace {

// The error log: messages live until the process exits, by design (a static array of
// malloc'd strings, so they stay reachable and are not leaks).
constexpr size_t kMaxErrors = 64;
const char* g_errors[kMaxErrors];
size_t g_error_count = 0;

void log_error(const char* message) {
  if (g_error_count < kMaxErrors) g_errors[g_error_count++] = strdup(message);
}

}  // namespace

Words split(const char* text, char separator) {
  Words words;
  size_t capacity = 1;
  for (const char* c = text; *c != '\0'; ++c) capacity += *c == separator;
  words.items = static_cast<char**>(malloc(capacity * sizeof(char*)));
  for (const char* start = text; *start != '\0';) {
    const char* end = strchr(start, separator);
    size_t length = end != nullptr ? static_cast<size_t>(end - start) : strlen(start);
    if (length > 0) words.items[words.count++] = strndup(start, length);
    start += length + (end != nullptr ? 1 : 0);
  }
  return words;
}

void free_words(Words& words) {
  for (size_t i = 0; i < words.count; ++i) free(words.items[i]);
  free(words.items);
  words = Words{};
}

size_t count_distinct(const char* text, char separator) {
  Words words = split(text, separator);  // BUG leak
  if (words.count < 2) return words.count;  // returns without free_words(words)
  size_t distinct = 0;
  for (size_t i = 0; i < words.count; ++i) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = strcmp(words.items[i], words.items[j]) == 0;
    distinct += seen ? 0 : 1;
  }
  free_words(words);
  return distinct;
}

char* join_path(const char* dir, const char* file) {
  size_t dir_length = strlen(dir);
  size_t file_length = strlen(file);
  bool add_slash = dir_length > 0 && dir[dir_length - 1] != '/';
  // No room for the '/' that may be added: the terminating NUL lands one byte past the
  // block (under glibc, in the block's rounding slack: unnoticed).
  char* path = static_cast<char*>(malloc(dir_length + file_length + 1));  // BUG overflow
  memcpy(path, dir, dir_length);
  if (add_slash) path[dir_length++] = '/';
  memcpy(path + dir_length, file, file_length + 1);
  return path;
}

bool parse_pair(const char* text, char** key, char** value) {
  const char* equals = strchr(text, '=');
  *key = strndup(text, equals != nullptr ? static_cast<size_t>(equals - text) : strlen(text));
  *value = nullptr;
  if (equals == nullptr) {
    // *key is freed but not reset, so a caller that frees it (as after a successful
    // parse) frees it again. Under glibc, log_error() below gets this very memory back
    // at once, so the caller's free() silently frees the log's message instead;
    // debugmalloc keeps freed blocks out of circulation and catches it.
    free(*key);  // BUG double-free
    log_error("missing '='");
    return false;
  }
  *value = strdup(equals + 1);
  return true;
}

size_t error_count() { return g_error_count; }

const char* error_message(size_t index) { return index < g_error_count ? g_errors[index] : nullptr; }

std::string to_upper(const std::string& text) {
  std::string upper = text;
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return upper;
}

}  // namespace textkit
