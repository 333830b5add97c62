// docs/options.md from the options table; a test keeps the checked-in file current.
#include "options_markdown.h"

#include <string>

#include "options_table.h"

namespace docgen {
namespace {

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

void write_options_markdown(std::FILE* out) {
  std::fprintf(out, "# Options of libdebugmalloc.so\n\n");
  std::fprintf(out,
               "<!-- Generated from libdebugmalloc/support/options.inc by docgen/options_doc.cpp; do not edit. "
               "-->\n\n");
  std::fprintf(out,
               "Set them in `DEBUGMALLOC_OPTIONS` as `name=value` pairs separated by `:` or `,`, for example\n"
               "`DEBUGMALLOC_OPTIONS=leaks=1:quarantine_mb=16`. `DEBUGMALLOC_OPTIONS=help=1` prints this table.\n"
               "The ft_malloc conventions' variables are read too: `FtLeaks=1` (leaks), `FtMallocErrorAbort=1` "
               "(abort_on_error),\n"
               "`FtMallocScribble=0/1` (scribble); `DEBUGMALLOC_OPTIONS` wins when both set an option.\n"
               "An unknown name or a malformed value gets one line on stderr and the program runs on.\n"
               "In set-uid and set-gid programs the environment is ignored and the defaults apply.\n\n");
  std::fprintf(out, "| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
  for (const OptionRow& row : kOptionRows) {
    std::fprintf(out, "| `%s` | %s | %s | %s |\n", row.name, row.type, markdown_cell(default_text(row)).c_str(),
                 markdown_cell(row.help).c_str());
  }
}

}  // namespace docgen
