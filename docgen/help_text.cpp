// Reading CLI11's help text back into sections: a line at column 0 opens a section (a group
// when it ends with ':', a man-page section when it is upper case); option lines are
// "  TAG   description", with the description on the next, deeper line when TAG is long.
#include "help_text.h"

#include <algorithm>
#include <cctype>

namespace docgen {
namespace {

int leading_spaces(std::string_view line) {
  int n = 0;
  while (n < static_cast<int>(line.size()) && line[static_cast<std::size_t>(n)] == ' ') ++n;
  return n;
}

std::string trim(std::string_view text) {
  std::size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return "";
  std::size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

bool is_upper_case_title(std::string_view line) {
  bool letter = false;
  for (char c : line) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
    letter = letter || std::isupper(static_cast<unsigned char>(c));
  }
  return letter;
}

// CLI11 spells a positional as "PATH TEXT ... REQUIRED": its name, and "..." when repeatable.
std::string positional_tag(const std::string& tag) {
  std::string name = tag.substr(0, tag.find(' '));
  return tag.find("...") != std::string::npos ? name + " ..." : name;
}

void add_option_line(HelpSection& section, std::string_view line) {
  int indent = leading_spaces(line);
  std::string text = trim(line);
  if (indent > 2 && !section.entries.empty()) {  // the description of the entry above, or more of it
    std::string& description = section.entries.back().text;
    description += description.empty() ? text : " " + text;
    return;
  }
  HelpEntry entry;
  std::size_t gap = text.find("  ");  // the tag ends where the column of descriptions starts
  entry.tag = trim(text.substr(0, gap));
  if (gap != std::string::npos) entry.text = trim(text.substr(gap));
  if (!entry.tag.starts_with("-")) entry.tag = positional_tag(entry.tag);
  section.entries.push_back(std::move(entry));
}

}  // namespace

std::vector<HelpSection> parse_help(std::string_view help) {
  std::vector<HelpSection> sections(1);  // the untitled lines before the first section
  std::size_t pos = 0;
  while (pos < help.size()) {
    std::size_t nl = help.find('\n', pos);
    std::string_view line = help.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? help.size() : nl + 1;

    if (!line.empty() && line.front() != ' ') {
      std::string title = trim(line);
      if (title.ends_with(":")) {
        sections.push_back({title.substr(0, title.size() - 1), true, {}, {}});
        continue;
      }
      if (is_upper_case_title(title)) {
        sections.push_back({title, false, {}, {}});
        continue;
      }
      sections.front().lines.push_back({0, title});  // the tool's one-line summary, usage, footer
      continue;
    }
    HelpSection& section = sections.back();
    if (section.is_option_group) {
      if (!trim(line).empty()) add_option_line(section, line);
    } else {
      section.lines.push_back({std::max(0, leading_spaces(line) - 2), trim(line)});
    }
  }
  // Blank lines that only separate sections carry nothing.
  for (HelpSection& section : sections) {
    while (!section.lines.empty() && section.lines.back().text.empty()) section.lines.pop_back();
  }
  return sections;
}

const HelpSection* find_section(const std::vector<HelpSection>& sections, std::string_view title) {
  for (const HelpSection& section : sections)
    if (section.title == title) return &section;
  return nullptr;
}

}  // namespace docgen
