// Shell-style glob matching with `*` and `?` (suppression patterns), on strings given
// as pointer and length. Shared by the library and the tool; no STL, no allocation.
#pragma once

#include <stddef.h>

namespace dm {

// True when `pattern` matches all of `text`. `*` matches any run of characters (also '/'),
// `?` any one character; everything else matches itself. Backtracks only to the last
// `*`, so it takes O(pattern * text) steps at worst, never exponential time.
constexpr bool glob_match(const char* pattern, size_t pattern_length, const char* text, size_t text_length) {
  size_t p = 0, t = 0;
  // Where to resume after the last '*': that star swallows one more character.
  bool have_star = false;
  size_t star_p = 0, star_t = 0;
  while (t < text_length) {
    if (p < pattern_length && pattern[p] == '*') {
      have_star = true;
      star_p = p++;
      star_t = t;
    } else if (p < pattern_length && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (have_star) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern_length && pattern[p] == '*') ++p;
  return p == pattern_length;
}

}  // namespace dm
