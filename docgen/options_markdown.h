// docs/options.md: the options table as Markdown.
#pragma once

#include <cstdio>

namespace docgen {

void write_options_markdown(std::FILE* out);

}  // namespace docgen
