// Prints docs/options.md from libdebugmalloc/support/options.inc, the one table of
// options: `options-doc > docs/options.md`. A test checks the file is current.
#include <cstdio>
#include <string>

namespace {

std::string markdown_cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string default_text(const char* type, const char* text) {
  std::string t = text;
  if (std::string(type) == "bool") return t == "true" ? "1" : "0";
  if (t.size() >= 2 && t.front() == '"') t = t.substr(1, t.size() - 2);
  return t.empty() ? "(empty)" : t;
}

}  // namespace

int main() {
  std::printf("# Options of libdebugmalloc.so\n\n");
  std::printf("<!-- Generated from libdebugmalloc/support/options.inc by docgen/options_doc.cpp; do not edit. -->\n\n");
  std::printf(
      "Set them in `DEBUGMALLOC_OPTIONS` as `name=value` pairs separated by `:` or `,`, for example\n"
      "`DEBUGMALLOC_OPTIONS=leaks=1:quarantine_mb=16`. `DEBUGMALLOC_OPTIONS=help=1` prints this table.\n"
      "The ft_malloc conventions' variables are read too: `FtLeaks=1` (leaks), `FtMallocErrorAbort=1` "
      "(abort_on_error),\n"
      "`FtMallocScribble=0/1` (scribble); `DEBUGMALLOC_OPTIONS` wins when both set an option.\n"
      "An unknown name or a malformed value gets one line on stderr and the program runs on.\n"
      "In set-uid and set-gid programs the environment is ignored and the defaults apply.\n\n");
  std::printf("| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
#define DM_STR(x) #x
#define DM_OPTION(type, name, def, help)                                                                          \
  std::printf("| `%s` | %s | %s | %s |\n", #name, #type, markdown_cell(default_text(#type, DM_STR(def))).c_str(), \
              markdown_cell(help).c_str());
#include "support/options.inc"
#undef DM_OPTION
  return 0;
}
