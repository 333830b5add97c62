// Valgrind suppression files mean the same to the library (`suppressions` option) and to the
// tool (`--suppressions`): each text below gives the same rules and the same warned lines on
// both sides, through each side's own public function (common/valgrind_suppression.h is what
// they share). Also: the .supp files Debian's valgrind package ships read without a warning.
//
// The library's rules stay in its process-wide list: every pattern here names a function
// "zz_contract_*", so that none matches a frame of another test run in the same process.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "findings/suppressions.h"
#include "parse_error.h"
#include "suppressions.h"

namespace {

// What one side made of a text: rules added, the lines it warned about, and the `{` line of an
// entry left open (the tool refuses the file there; the library warns and goes on).
struct Outcome {
  size_t rules = 0;
  std::vector<int> warned;
  int unterminated = 0;
  bool operator==(const Outcome&) const = default;
};

std::string describe(const Outcome& o) {
  std::ostringstream s;
  s << o.rules << " rules, warned lines [";
  for (int l : o.warned) s << " " << l;
  s << " ], unterminated at " << o.unterminated;
  return s.str();
}

// "NAME:LINE: " at the start of each warning (after the library's "debugmalloc: ").
std::vector<int> warned_lines(const std::vector<std::string>& warnings, const std::string& prefix) {
  std::vector<int> lines;
  std::regex line_no("^" + prefix + "contract\\.supp:([0-9]+): ");
  for (const std::string& w : warnings) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(w, m, line_no)) << w;
    if (!m.empty()) lines.push_back(std::stoi(m[1]));
  }
  return lines;
}

Outcome tool_outcome(const std::string& text) {
  Outcome o;
  try {
    dmtool::Suppressions s = dmtool::Suppressions::parse(text, "contract.supp");
    o.rules = s.rules().size() + s.valgrindRules().size();
    o.warned = warned_lines(s.warnings(), "");
  } catch (const dmtool::InputError& e) {
    o.unterminated = static_cast<int>(e.line());
  }
  return o;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The library: add_suppressions counts the rules it added and warns on stderr, one line each.
// Its rules point into the text, which therefore is never freed.
Outcome library_outcome(const std::string& text, std::string* stderr_text = nullptr) {
  char* kept = strdup(text.c_str());
  testing::internal::CaptureStderr();
  Outcome o;
  o.rules = dm::add_suppressions(kept, text.size(), "contract.supp");
  std::string warnings = testing::internal::GetCapturedStderr();
  if (stderr_text) *stderr_text = warnings;
  std::vector<std::string> lines = lines_of(warnings);
  // An entry left open is one warning, the last one, naming its `{`.
  if (!lines.empty() && lines.back().find("has no closing '}'") != std::string::npos) {
    o.unterminated = warned_lines({lines.back()}, "debugmalloc: ")[0];
    lines.pop_back();
  }
  o.warned = warned_lines(lines, "debugmalloc: ");
  return o;
}

struct Case {
  const char* what;
  std::string text;
  Outcome outcome;
};

std::vector<Case> table() {
  return {
      {"one entry", "{\n  n\n  Memcheck:Leak\n  fun:zz_contract_a\n}\n", {1, {}, 0}},
      {"every Memcheck kind with an entry of its own",
       "{\nn\nMemcheck:Addr8\nfun:zz_contract_a\n}\n{\nn\nMemcheck:Free\nfun:zz_contract_a\n}\n"
       "{\nn\nMemcheck:Overlap\nfun:zz_contract_a\n}\n{\nn\nMemcheck:Param\nread(buf)\nfun:zz_contract_a\n}\n"
       "{\nn\nMemcheck:FishyValue\nmalloc(size)\nfun:zz_contract_a\n}\n{\nn\nMemcheck:Cond\nfun:zz_contract_a\n}\n"
       "{\nn\nMemcheck:Value8\nobj:zz_contract_a\n}\n{\nn\nMemcheck:Jump\nsrc:zz_contract_a.c:3\n}\n",
       {8, {}, 0}},
      {"mixed with KIND:PATTERN lines",
       "leak:zz_contract_b\n{\nn\nMemcheck:Leak\nmatch-leak-kinds: definite\n...\nfun:zz_contract_c\n}\n"
       "error:zz_contract_d\n",
       {3, {}, 0}},
      {"other tools' entries are skipped without a word",
       "{\nn\nHelgrind:Race\nfun:zz_contract_e\n}\n{\nn\ndrd:ConflictingAccess\nfun:x\n  anything\n}\n",
       {0, {}, 0}},
      {"comments and blank lines inside an entry",
       "{\n# c\n\nn\n# c\nMemcheck:Leak\n\n# c\nfun:zz_contract_f\n# c\n}\n",
       {1, {}, 0}},
      {"a bad frame line leaves its entry out, the next one applies",
       "{\nn\nMemcheck:Leak\nfun:zz_contract_g\nfnu:zz_contract_g\n}\n{\nn\nMemcheck:Leak\nfun:zz_contract_h\n}\n",
       {1, {5}, 0}},
      {"an unknown kind", "{\nn\nMemcheck:Lake\nfun:zz_contract_i\n}\nleak:zz_contract_i\n", {1, {3}, 0}},
      {"no TOOL:KIND colon", "{\nn\nMemcheck\nfun:zz_contract_i\n}\n", {0, {3}, 0}},
      {"a bad leak kind", "{\nn\nMemcheck:Leak\nmatch-leak-kinds: lost\nfun:zz_contract_j\n}\n", {0, {4}, 0}},
      {"a Param entry without its parameter line", "{\nn\nMemcheck:Param\nfun:zz_contract_k\n}\n", {0, {4}, 0}},
      {"no frame lines", "{\nn\nMemcheck:Leak\n}\n", {0, {4}, 0}},
      {"only `...`", "{\nn\nMemcheck:Leak\n...\n}\n", {0, {5}, 0}},
      {"an empty entry", "{\n}\n", {0, {2}, 0}},
      {"a stray '}'", "}\nleak:zz_contract_l\n", {1, {1}, 0}},
      {"a missing '}' before the next entry",
       "{\na\nMemcheck:Leak\nfun:zz_contract_m\n{\nb\nMemcheck:Leak\nfun:zz_contract_n\n}\n",
       {1, {5}, 0}},
      {"several broken entries, each named",
       "{\nn\nMemcheck:Addr4\nsrc:zz_contract.c:x\n}\n{\nn\nMemcheck:FishyValue\nmalloc\nfun:zz_contract_o\n}\n"
       "{\nn\nMemcheck:Leak\nfun:zz_contract_p\n}\n",
       {1, {4, 9}, 0}},
      {"a mangled name with wildcards: kept, with a note",
       "{\nn\nMemcheck:Leak\nfun:_ZN11zz_contract*\n}\n",
       {1, {4}, 0}},
      {"an entry left open at the end", "leak:zz_contract_q\n{\nn\nMemcheck:Leak\nfun:zz_contract_q\n", {1, {}, 2}},
  };
}

TEST(ValgrindSyntax, BothSidesReadEachTextAlike) {
  for (const Case& c : table()) {
    SCOPED_TRACE(c.what);
    Outcome tool = tool_outcome(c.text);
    Outcome library = library_outcome(c.text);
    // The tool refuses a file with an entry left open: it adds no rule then.
    Outcome tool_expected = c.outcome;
    if (tool_expected.unterminated != 0) tool_expected = Outcome{0, {}, c.outcome.unterminated};
    EXPECT_EQ(tool, tool_expected) << "the tool: " << describe(tool);
    EXPECT_EQ(library, c.outcome) << "the library: " << describe(library);
  }
}

// The same words on both sides: "FILE:LINE: "TEXT": why".
TEST(ValgrindSyntax, BothSidesSayTheSame) {
  const std::string text = "{\nn\nMemcheck:Addr4\nfnu:zz_contract_r\n}\n";
  dmtool::Suppressions s = dmtool::Suppressions::parse(text, "contract.supp");
  ASSERT_EQ(s.warnings().size(), 1u);
  EXPECT_EQ(s.warnings()[0], std::string("contract.supp:4: \"fnu:zz_contract_r\": ") + dm::valgrind_problem::kNotFrame);
  std::string printed;
  library_outcome(text, &printed);
  EXPECT_EQ(printed, "debugmalloc: " + s.warnings()[0] + "\n");
}

// The .supp files of Debian's valgrind package: every entry is read (Memcheck's kept, other
// tools' skipped) and no valid line gets a warning.
std::vector<std::filesystem::path> debian_supp_files() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/usr/libexec/valgrind", "/usr/lib/valgrind", "/usr/lib/x86_64-linux-gnu/valgrind"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".supp") files.push_back(entry.path());
  }
  return files;
}

// Entries counted without the parser: a `{` line opens one; the first line after its name line
// that is neither blank nor a comment says the tools.
void count_entries(const std::string& text, size_t* memcheck, size_t* others) {
  std::vector<std::string> lines;
  for (std::string line : lines_of(text)) {
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  for (size_t i = 0; i + 2 < lines.size(); ++i) {
    if (lines[i] != "{") continue;
    std::string tools = lines[i + 2].substr(0, lines[i + 2].find(':'));
    bool is_memcheck = ("," + tools + ",").find(",Memcheck,") != std::string::npos;
    ++*(is_memcheck ? memcheck : others);
  }
}

TEST(ValgrindSyntax, DebiansSuppressionFilesReadWithoutAWarning) {
  std::vector<std::filesystem::path> files = debian_supp_files();
  if (files.empty()) GTEST_SKIP() << "valgrind is not installed (scripts/setup-deps.sh installs it)";
  size_t all_entries = 0;
  for (const std::filesystem::path& path : files) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    size_t memcheck = 0, others = 0;
    count_entries(text, &memcheck, &others);
    all_entries += memcheck + others;

    dmtool::Suppressions tool = dmtool::Suppressions::parse(text, path.string());
    EXPECT_TRUE(tool.warnings().empty()) << tool.warnings()[0];
    EXPECT_TRUE(tool.rules().empty());
    EXPECT_EQ(tool.valgrindRules().size(), memcheck);
    EXPECT_EQ(tool.otherToolEntries(), others);

    std::string warnings;
    char* kept = strdup(text.c_str());
    testing::internal::CaptureStderr();
    size_t added = dm::add_suppressions(kept, text.size(), path.c_str());
    warnings = testing::internal::GetCapturedStderr();
    EXPECT_EQ(added, memcheck);
    EXPECT_EQ(warnings, "");
  }
  // default.supp alone has well over a hundred (Memcheck's, Helgrind's, DRD's).
  EXPECT_GT(all_entries, 100u);
}

}  // namespace
