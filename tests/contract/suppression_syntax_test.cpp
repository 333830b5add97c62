// One suppression file means the same to the library (`suppressions` option) and to the
// tool (`--suppressions`): each line is a rule, ignored, or refused by both, through each
// side's own public function (common/suppression_rule.h is what they share).
//
// The library's rules stay in its process-wide list: every pattern here starts with
// "zz_contract_" so that none matches a frame of another test run in the same process.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/kinds.h"
#include "common/suppression_rule.h"
#include "findings/suppressions.h"
#include "parse_error.h"
#include "suppressions.h"

namespace {

enum class Outcome { kRule, kIgnored, kRefused };

const char* describe_outcome(Outcome o) {
  return o == Outcome::kRule ? "a rule" : o == Outcome::kIgnored ? "ignored" : "refused";
}

// The tool: Suppressions::parse throws on a line it refuses.
Outcome tool_outcome(const std::string& text, std::string* pattern) {
  try {
    dmtool::Suppressions s = dmtool::Suppressions::parse(text, "contract.supp");
    if (s.rules().empty()) return Outcome::kIgnored;
    *pattern = s.rules().back().pattern;
    return Outcome::kRule;
  } catch (const dmtool::InputError&) {
    return Outcome::kRefused;
  }
}

// The library: add_suppressions counts the rules it added and warns on stderr about a
// line it refuses. Its rules point into the text, which therefore is never freed.
Outcome library_outcome(const std::string& text) {
  char* kept = strdup(text.c_str());
  testing::internal::CaptureStderr();
  size_t added = dm::add_suppressions(kept, text.size(), "contract.supp");
  std::string warnings = testing::internal::GetCapturedStderr();
  if (added != 0) {
    EXPECT_EQ(warnings, "");
    return Outcome::kRule;
  }
  if (warnings.empty()) return Outcome::kIgnored;
  EXPECT_NE(warnings.find("contract.supp:1: "), std::string::npos) << warnings;
  return Outcome::kRefused;
}

struct Line {
  std::string text;
  Outcome outcome;
  std::string pattern;  // of a rule, as trimmed
};

std::vector<Line> table() {
  std::vector<Line> lines = {
      {"leak:zz_contract_foo", Outcome::kRule, "zz_contract_foo"},
      {"error:zz_contract_*", Outcome::kRule, "zz_contract_*"},
      {"  leak:zz_contract_a  ", Outcome::kRule, "zz_contract_a"},
      {"\tleak:\tzz_contract_b\r", Outcome::kRule, "zz_contract_b"},
      {"leak : zz_contract_c", Outcome::kRule, "zz_contract_c"},
      {"heap-buffer-overflow :zz_contract_d", Outcome::kRule, "zz_contract_d"},
      {"leak:zz_contract_a:b", Outcome::kRule, "zz_contract_a:b"},  // the first colon ends KIND
      {"leak:zz_contract_e # not a comment", Outcome::kRule, "zz_contract_e # not a comment"},
      {"leak:zz_contract_*/third party/*", Outcome::kRule, "zz_contract_*/third party/*"},
      {"", Outcome::kIgnored, ""},
      {"   ", Outcome::kIgnored, ""},
      {"\t\r", Outcome::kIgnored, ""},
      {"# a comment", Outcome::kIgnored, ""},
      {"   # an indented comment: leak:x", Outcome::kIgnored, ""},
      {"#leak:zz_contract_f", Outcome::kIgnored, ""},
      {"leak", Outcome::kRefused, ""},
      {"no colon here", Outcome::kRefused, ""},
      {"leak:", Outcome::kRefused, ""},
      {"leak:   ", Outcome::kRefused, ""},
      {"error:\t\r", Outcome::kRefused, ""},
      {":zz_contract_g", Outcome::kRefused, ""},
      {"  :zz_contract_g", Outcome::kRefused, ""},
      {"leaks:zz_contract_h", Outcome::kRefused, ""},
      {"Leak:zz_contract_h", Outcome::kRefused, ""},
      {"errors:zz_contract_h", Outcome::kRefused, ""},
      {"stack-overflow:zz_contract_h", Outcome::kRefused, ""},
      {"double-free-x:zz_contract_h", Outcome::kRefused, ""},
      {"double:zz_contract_h", Outcome::kRefused, ""},
      {"definite:zz_contract_h", Outcome::kRefused, ""},  // leak kinds are not rule kinds
      {"heap buffer overflow:zz_contract_h", Outcome::kRefused, ""},
  };
  // Every error kind names a rule, on both sides.
  for (const char* kind : dm::kErrorKindNames)
    lines.push_back({std::string(kind) + ":zz_contract_k", Outcome::kRule, "zz_contract_k"});
  return lines;
}

TEST(SuppressionSyntax, BothSidesAcceptAndRefuseTheSameLines) {
  for (const Line& line : table()) {
    SCOPED_TRACE("line \"" + line.text + "\"");
    std::string pattern;
    Outcome tool = tool_outcome(line.text, &pattern);
    Outcome library = library_outcome(line.text);
    EXPECT_EQ(tool, line.outcome) << "the tool: " << describe_outcome(tool);
    EXPECT_EQ(library, line.outcome) << "the library: " << describe_outcome(library);
    if (line.outcome == Outcome::kRule) {
      EXPECT_EQ(pattern, line.pattern);
      dm::SuppressionLine parsed = dm::parse_suppression_line(line.text.data(), line.text.size());
      EXPECT_EQ(std::string(parsed.pattern, parsed.pattern_length), line.pattern);
    }
  }
}

// Lines are split at '\n' (a '\r' before it is trimmed): both count the same rules in a file.
TEST(SuppressionSyntax, BothSidesReadAWholeFileAlike) {
  const std::string file =
      "# built for the contract test\r\n"
      "leak:zz_contract_one\r\n"
      "\r\n"
      "   error : zz_contract_two\n"
      "use-after-free:zz_contract_three";  // no final newline
  dmtool::Suppressions tool = dmtool::Suppressions::parse(file, "contract.supp");
  ASSERT_EQ(tool.rules().size(), 3u);
  EXPECT_EQ(tool.rules()[0].pattern, "zz_contract_one");
  EXPECT_EQ(tool.rules()[1].scope, dm::SuppressionScope::kAnyError);
  EXPECT_EQ(tool.rules()[2].scope, dm::SuppressionScope::kOneError);
  EXPECT_EQ(tool.rules()[2].errorKind, dm::ErrorKind::kUseAfterFree);
  EXPECT_EQ(tool.rules()[2].origin, "contract.supp:5");
  char* kept = strdup(file.c_str());
  testing::internal::CaptureStderr();
  EXPECT_EQ(dm::add_suppressions(kept, file.size(), "contract.supp"), 3u);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// The library warns about a refused line with its file and number and goes on; the tool
// refuses the file, naming the same line.
TEST(SuppressionSyntax, BothSidesNameTheRefusedLine) {
  const std::string file = "leak:zz_contract_ok\n# fine\nnot a rule\n";
  try {
    dmtool::Suppressions::parse(file, "contract.supp");
    ADD_FAILURE() << "the tool accepted a file with a malformed line";
  } catch (const dmtool::InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("contract.supp:3: ", 0), 0u) << e.what();
  }
  char* kept = strdup(file.c_str());
  testing::internal::CaptureStderr();
  EXPECT_EQ(dm::add_suppressions(kept, file.size(), "contract.supp"), 1u);
  std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(warnings.rfind("debugmalloc: contract.supp:3: malformed suppression", 0), 0u) << warnings;
}

}  // namespace
