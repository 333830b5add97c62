// The rows of libdebugmalloc/support/options.inc, the one table of options, as data for the
// documentation generators (docs/options.md, debugmalloc(7)).
#pragma once

#include <string>

namespace docgen {

struct OptionRow {
  const char* type;           // bool, uint or string
  const char* name;           // as written in DEBUGMALLOC_OPTIONS
  const char* default_value;  // the default as written in the table (strings with their quotes)
  const char* help;
};

#define DM_DOCGEN_STR(x) #x
#define DM_OPTION(type, name, def, help) {#type, #name, DM_DOCGEN_STR(def), help},
inline constexpr OptionRow kOptionRows[] = {
#include "support/options.inc"
};
#undef DM_OPTION
#undef DM_DOCGEN_STR

// The default as a user writes it: 0/1 for booleans, strings without quotes, "(empty)" for "".
inline std::string default_text(const OptionRow& row) {
  std::string t = row.default_value;
  if (std::string(row.type) == "bool") return t == "true" ? "1" : "0";
  if (t.size() >= 2 && t.front() == '"') t = t.substr(1, t.size() - 2);
  return t.empty() ? "(empty)" : t;
}

}  // namespace docgen
