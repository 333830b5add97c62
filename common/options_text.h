// The text of DEBUGMALLOC_OPTIONS, "name=value:name=value" (',' also separates), as the
// library reads it (support/options.cpp) and as the tool reads it back from a report's
// process record (its `options` member), so that both find the same value for a name.
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

#include <stddef.h>

namespace dm {

constexpr bool is_option_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// The length of the value that starts at `value`: it ends at ':', at the end of the text, or at
// a ',' that starts the next "name=" (so that list values such as leak_kinds=definite,indirect
// and alloc_fns=xmalloc,g_malloc* keep their commas).
constexpr size_t option_value_length(const char* value, size_t length) {
  size_t i = 0;
  for (; i < length && value[i] != ':'; ++i) {
    if (value[i] != ',') continue;
    size_t j = i + 1;
    while (j < length && is_option_name_char(value[j])) ++j;
    if (j > i + 1 && j < length && value[j] == '=') break;
  }
  return i;
}

// Finds the value of option `name` in `text`; the last one wins, as when the library parses it.
// Returns false when the text does not set it.
constexpr bool find_option_value(const char* text, size_t length, const char* name, size_t name_length,
                                 const char** value, size_t* value_length) {
  bool found = false;
  size_t p = 0;
  while (p < length) {
    if (text[p] == ':' || text[p] == ',' || text[p] == ' ') {
      ++p;
      continue;
    }
    size_t name_begin = p;
    while (p < length && text[p] != '=' && text[p] != ':' && text[p] != ',') ++p;
    if (p == length || text[p] != '=') continue;  // no '=value': the library warns and skips it
    size_t this_name_length = p - name_begin;
    ++p;
    size_t n = option_value_length(text + p, length - p);
    bool same = this_name_length == name_length;
    for (size_t i = 0; same && i < name_length; ++i) same = text[name_begin + i] == name[i];
    if (same) {
      *value = text + p;
      *value_length = n;
      found = true;
    }
    p += n;
  }
  return found;
}

}  // namespace dm
