// debugmalloc(1), made from the tool's own help so that its flags cannot go stale:
//   tool-man-page --tool build/bin/debugmalloc --version V > debugmalloc.1
// Each subcommand's help becomes a section: its description, its option groups, then its
// EXAMPLES, EXIT STATUS and ENVIRONMENT.
#include <sys/wait.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "help_text.h"
#include "roff.h"

namespace {

using docgen::HelpEntry;
using docgen::HelpLine;
using docgen::HelpSection;

const char* const kSubcommands[] = {"run", "report"};

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The help text of `tool ARGS --help`, or nullopt (with a message) when the tool fails.
std::optional<std::string> help_of(const std::string& tool, const std::string& args) {
  std::string command = shell_quote(tool) + (args.empty() ? "" : " " + args) + " --help";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    std::fprintf(stderr, "tool-man-page: cannot run %s: %s\n", command.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  int status = ::pclose(pipe);
  if (status != 0 || text.empty()) {
    std::fprintf(stderr, "tool-man-page: `%s` failed (status %d) or printed nothing\n", command.c_str(), status);
    return std::nullopt;
  }
  return text;
}

std::string bold(const std::string& text) { return "\\fB" + docgen::roff_plain(text) + "\\fR"; }

void option_list(std::FILE* out, const std::vector<HelpEntry>& entries) {
  for (const HelpEntry& entry : entries) {
    std::fprintf(out, ".TP\n%s\n%s\n", docgen::roff_option_tag(entry.tag).c_str(),
                 docgen::roff_text(entry.text).c_str());
  }
}

// "0  no findings" or "NO_COLOR  no colour ...": a term, two spaces, its meaning.
bool split_term(const std::string& line, std::string* term, std::string* meaning) {
  std::size_t gap = line.find("  ");
  if (gap == std::string::npos || gap == 0 || line.substr(0, gap).find(' ') != std::string::npos) return false;
  *term = line.substr(0, gap);
  *meaning = line.substr(line.find_first_not_of(' ', gap));
  return true;
}

// A man-page section of the help as roff. DESCRIPTION is filled into paragraphs; elsewhere a
// line followed by deeper lines, or a "term  meaning" line, is a .TP item, other lines keep
// their breaks. In EXAMPLES the commands are bold.
void prose(std::FILE* out, const HelpSection& section) {
  const bool description = section.title == "DESCRIPTION";
  const bool examples = section.title == "EXAMPLES";
  bool in_item = false;  // after a .TP, plain lines need a .PP to leave the list
  const std::vector<HelpLine>& lines = section.lines;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const HelpLine& line = lines[i];
    if (line.text.empty()) {
      std::fprintf(out, ".PP\n");
      in_item = false;
      continue;
    }
    if (description) {
      std::fprintf(out, "%s\n", docgen::roff_text(line.text).c_str());
      continue;
    }
    std::string term, meaning;
    if (i + 1 < lines.size() && lines[i + 1].indent > line.indent && !lines[i + 1].text.empty()) {
      std::fprintf(out, ".TP\n%s\n", examples ? bold(line.text).c_str() : docgen::roff_text(line.text).c_str());
      while (i + 1 < lines.size() && lines[i + 1].indent > line.indent && !lines[i + 1].text.empty())
        std::fprintf(out, "%s\n", docgen::roff_text(lines[++i].text).c_str());
      in_item = true;
    } else if (!examples && split_term(line.text, &term, &meaning)) {
      std::fprintf(out, ".TP\n%s\n%s\n", bold(term).c_str(), docgen::roff_text(meaning).c_str());
      in_item = true;
    } else {
      if (in_item) std::fprintf(out, ".PP\n");
      in_item = false;
      std::fprintf(out, "%s\n.br\n", examples ? bold(line.text).c_str() : docgen::roff_text(line.text).c_str());
    }
  }
}

std::string first_line(const HelpSection* section, const std::string& fallback) {
  if (section == nullptr) return fallback;
  for (const HelpLine& line : section->lines)
    if (!line.text.empty()) return line.text;
  return fallback;
}

// "debugmalloc run [OPTIONS] ..." with the command in bold.
std::string synopsis_line(const std::string& synopsis, const char* subcommand) {
  std::string command = std::string("debugmalloc ") + subcommand;
  if (!synopsis.starts_with(command)) return docgen::roff_plain(synopsis);
  return bold(command) + docgen::roff_plain(synopsis.substr(command.size()));
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "EXIT STATUS" -> "Exit status", for a subsection.
std::string sentence_case(const std::string& title) {
  std::string out = title;
  for (std::size_t i = 1; i < out.size(); ++i)
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  return out;
}

void subcommand_section(std::FILE* out, const char* name, const std::vector<HelpSection>& help) {
  std::fprintf(out, ".SH %s\n", docgen::roff_argument(upper(std::string("debugmalloc ") + name)).c_str());
  if (const HelpSection* description = docgen::find_section(help, "DESCRIPTION")) prose(out, *description);
  for (const HelpSection& section : help) {
    if (!section.is_option_group || section.entries.empty()) continue;
    // CLI11 calls the arguments that are not options "Positionals".
    std::string title = section.title == "Positionals" ? "Arguments" : section.title;
    std::fprintf(out, ".SS %s\n", docgen::roff_argument(title).c_str());
    option_list(out, section.entries);
  }
  for (const HelpSection& section : help) {
    // The synopsis has its own section above; "see also" points at --help, which the page replaces.
    if (section.is_option_group || section.title.empty() || section.title == "DESCRIPTION" ||
        section.title == "SYNOPSIS" || section.title == "SEE ALSO")
      continue;
    std::fprintf(out, ".SS %s\n", docgen::roff_argument(sentence_case(section.title)).c_str());
    prose(out, section);
  }
}

int write_page(const std::string& tool, const std::string& version) {
  std::optional<std::string> top_text = help_of(tool, "");
  if (!top_text) return 1;
  std::vector<HelpSection> top = docgen::parse_help(*top_text);
  std::vector<std::vector<HelpSection>> subcommands;
  for (const char* name : kSubcommands) {
    std::optional<std::string> text = help_of(tool, name);
    if (!text) return 1;
    subcommands.push_back(docgen::parse_help(*text));
  }

  // "debugmalloc: find heap errors ..." -> the NAME line.
  std::string summary = first_line(&top.front(), "debugmalloc: a malloc debugger");
  if (std::size_t colon = summary.find(": "); colon != std::string::npos) summary = summary.substr(colon + 2);

  std::FILE* out = stdout;
  std::fprintf(out, ".TH DEBUGMALLOC 1 \"\" \"debugmalloc %s\" \"User Commands\"\n",
               docgen::roff_plain(version).c_str());
  std::fprintf(out, ".\\\" Generated from the tool's --help by docgen/tool_man_page.cpp; do not edit.\n");
  std::fprintf(out, ".nh\n.ad l\n");  // no hyphens inside option names and paths
  std::fprintf(out, ".SH NAME\ndebugmalloc \\- %s\n", docgen::roff_text(summary).c_str());
  std::fprintf(out, ".SH SYNOPSIS\n.nf\n");
  for (std::size_t i = 0; i < subcommands.size(); ++i) {
    std::string fallback = std::string("debugmalloc ") + kSubcommands[i] + " [OPTIONS]";
    std::string synopsis = first_line(docgen::find_section(subcommands[i], "SYNOPSIS"), fallback);
    std::fprintf(out, "%s\n", synopsis_line(synopsis, kSubcommands[i]).c_str());
  }
  std::fprintf(out, "%s [%s] [%s]\n.fi\n", bold("debugmalloc").c_str(), bold("--help").c_str(),
               bold("--version").c_str());

  std::fprintf(out, ".SH DESCRIPTION\n");
  std::fprintf(out, "%s\n",
               docgen::roff_text("`debugmalloc` runs programs under `libdebugmalloc.so`, the malloc "
                                 "debugger and leak checker described in `debugmalloc`(7), and reads, "
                                 "merges and renders the report files it leaves. Its commands:")
                   .c_str());
  if (const HelpSection* commands = docgen::find_section(top, "Subcommands")) {
    for (const HelpEntry& entry : commands->entries)
      std::fprintf(out, ".TP\n%s\n%s\n", bold("debugmalloc " + entry.tag).c_str(),
                   docgen::roff_text(entry.text).c_str());
  }
  if (const HelpSection* options = docgen::find_section(top, "Options")) {
    std::fprintf(out, ".PP\nWithout a command:\n");
    option_list(out, options->entries);
  }
  for (std::size_t i = 0; i < subcommands.size(); ++i) subcommand_section(out, kSubcommands[i], subcommands[i]);
  std::fprintf(out, ".SH \"SEE ALSO\"\n.BR debugmalloc (7),\n.BR ld.so (8),\n.BR valgrind (1)\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tool, version;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tool") == 0) {
      tool = argv[i + 1];
    } else if (std::strcmp(argv[i], "--version") == 0) {
      version = argv[i + 1];
    }
  }
  if (tool.empty() || version.empty() || argc != 5) {
    std::fprintf(stderr, "usage: tool-man-page --tool PATH-OF-debugmalloc --version V > debugmalloc.1\n");
    return 2;
  }
  return write_page(tool, version);
}
