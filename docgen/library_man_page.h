// debugmalloc(7): the preloaded library's man page, generated from the options table.
#pragma once

#include <cstdio>
#include <string>

namespace docgen {

struct LibraryPageFacts {
  std::string version;  // the project's, for the page footer
};

void write_library_man_page(std::FILE* out, const LibraryPageFacts& facts);

}  // namespace docgen
