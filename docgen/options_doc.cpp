// The documentation generated from libdebugmalloc/support/options.inc, the one table of options:
//   options-doc > docs/options.md                      (a test checks the file is current)
//   options-doc --man7 --version V      debugmalloc(7) in roff (built, then installed)
#include <cstdio>
#include <cstring>
#include <string>

#include "library_man_page.h"
#include "options_markdown.h"

namespace {

int usage(const char* problem) {
  std::fprintf(stderr,
               "options-doc: %s\nusage: options-doc                                    (docs/options.md)\n"
               "       options-doc --man7 --version V                    (debugmalloc(7))\n",
               problem);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) {
    docgen::write_options_markdown(stdout);
    return 0;
  }
  if (std::strcmp(argv[1], "--man7") != 0) return usage(("unknown argument: " + std::string(argv[1])).c_str());
  docgen::LibraryPageFacts facts;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return usage(("missing value after " + std::string(argv[i])).c_str());
    if (std::strcmp(argv[i], "--version") == 0) {
      facts.version = argv[i + 1];
    } else {
      return usage(("unknown argument: " + std::string(argv[i])).c_str());
    }
  }
  if (facts.version.empty()) return usage("--man7 needs --version");
  docgen::write_library_man_page(stdout, facts);
  return 0;
}
