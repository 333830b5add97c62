// The text that `debugmalloc --help`, `debugmalloc run --help` and `debugmalloc report --help`
// print (CLI11's layout with the tool's man-page-like formatter), read back into sections, so
// that debugmalloc(1) is made from the tool itself and its flags cannot go stale.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace docgen {

struct HelpEntry {
  std::string tag;   // "-f,--format FORMAT:{text,json}", "--no-leaks", "PATH ...", "run"
  std::string text;  // the description, continuation lines joined with spaces
};

struct HelpLine {
  int indent = 0;  // spaces beyond the section's own two
  std::string text;
};

// One block of the help: an option group ("Output:") holds entries; an upper-case section
// ("EXIT STATUS") holds lines as written; the lines before the first of either have no title.
struct HelpSection {
  std::string title;  // without the group's trailing ':'
  bool is_option_group = false;
  std::vector<HelpEntry> entries;
  std::vector<HelpLine> lines;
};

std::vector<HelpSection> parse_help(std::string_view help);

// The section with `title`, or nullptr.
const HelpSection* find_section(const std::vector<HelpSection>& sections, std::string_view title);

}  // namespace docgen
