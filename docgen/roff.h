// Writing man pages: text made safe for roff, shared by the generators of debugmalloc(1) and debugmalloc(7).
#pragma once

#include <string>
#include <string_view>

namespace docgen {

// `text` as roff running text: backslashes and hyphens escaped (so options stay ASCII '-' when
// copied), a leading '.' or '\'' made literal, `quoted` spans set in bold.
std::string roff_text(std::string_view text);

// `text` as the argument of a one-line request such as .SH or .TP's tag, without the `quoted`
// bold (the caller chooses the font).
std::string roff_plain(std::string_view text);

// `text` as one double-quoted argument of a request (.SS "Report files"), quotes inside escaped.
std::string roff_argument(std::string_view text);

// An option's tag for .TP: the names ("-f,--format") in bold, the rest ("FILE") in italics.
std::string roff_option_tag(std::string_view names_and_value);

}  // namespace docgen
