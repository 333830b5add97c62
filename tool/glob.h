// Shell-style glob matching with `*` and `?` (suppression patterns).
#pragma once

#include <string_view>

namespace dm {

// True when `pattern` matches all of `text`. `*` matches any run of characters (also '/'),
// `?` any one character; everything else matches itself. Linear backtracking, so a
// pathological pattern cannot take exponential time.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace dm
