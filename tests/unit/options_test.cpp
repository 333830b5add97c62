// Options: the table parses every type, separators, list values, and reports each problem once.
#include "support/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dm {
namespace {

std::vector<std::string> g_warnings;
void collect(const char* line, size_t n) { g_warnings.emplace_back(line, n); }

struct Parsed {
  Options options;
  char storage[1024];
  bool ok;
  explicit Parsed(const char* text) {
    g_warnings.clear();
    ok = parse_options(text, &options, storage, sizeof storage, collect);
  }
};

TEST(Options, DefaultsDetectByDefault) {
  Options o;
  EXPECT_TRUE(o.scribble);
  EXPECT_EQ(o.quarantine_mb, 16u);
  EXPECT_EQ(o.redzone, 16u);
  EXPECT_GE(o.stack_depth, 30u);
  EXPECT_EQ(o.exitcode, 23u);
  EXPECT_FALSE(o.abort_on_error);
}

TEST(Options, ParsesEveryTypeAndBothSeparators) {
  Parsed p("leaks=1:quarantine_mb=0x10,log_path=/tmp/x.log:scribble=false");
  EXPECT_TRUE(p.ok);
  EXPECT_TRUE(p.options.leaks);
  EXPECT_EQ(p.options.quarantine_mb, 16u);
  EXPECT_STREQ(p.options.log_path, "/tmp/x.log");
  EXPECT_FALSE(p.options.scribble);
  EXPECT_TRUE(g_warnings.empty());
}

TEST(Options, ListValuesKeepTheirCommas) {
  Parsed p("leak_kinds=definite,indirect,possible,exitcode=3");
  EXPECT_TRUE(p.ok);
  EXPECT_STREQ(p.options.leak_kinds, "definite,indirect,possible");
  EXPECT_EQ(p.options.exitcode, 3u);
}

TEST(Options, EachProblemGetsOneLineAndTheRestStillApplies) {
  Parsed p("bogus=1:redzone=abc:stack_depth=99999999999999999999999:exitcode=7:noequals");
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(g_warnings.size(), 4u);
  EXPECT_NE(g_warnings[0].find("unknown option 'bogus'"), std::string::npos);
  EXPECT_NE(g_warnings[1].find("'redzone'"), std::string::npos);
  EXPECT_NE(g_warnings[2].find("'stack_depth'"), std::string::npos);
  EXPECT_NE(g_warnings[3].find("'noequals'"), std::string::npos);
  EXPECT_EQ(p.options.exitcode, 7u);
  EXPECT_EQ(p.options.redzone, 16u) << "a bad value keeps the default";
  for (const auto& w : g_warnings) EXPECT_EQ(w.back(), '\n');
}

TEST(Options, OutOfRangeValuesAreClamped) {
  Parsed p("stack_depth=1000:redzone=100000");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.options.stack_depth, 64u);
  EXPECT_EQ(p.options.redzone, 2048u);
}

TEST(Options, LongStringsDoNotOverflowStorage) {
  std::string text = "log_path=" + std::string(5000, 'x');
  Parsed p(text.c_str());
  EXPECT_FALSE(p.ok);
  EXPECT_STREQ(p.options.log_path, "stderr");
}

}  // namespace
}  // namespace dm
