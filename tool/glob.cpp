// Shell-style glob matching with `*` and `?`.
#include "glob.h"

namespace dm {

bool globMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  // Where to resume after the last '*': that star may swallow one more character.
  std::size_t starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace dm
