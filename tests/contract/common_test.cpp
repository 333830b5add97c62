// Unit tests of the shared contract's own code (common/): the kind tables and lookups,
// the glob matcher and the frame-match rule that both the library and the tool call.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "common/glob.h"
#include "common/kinds.h"
#include "common/suppression_rule.h"

namespace {

bool glob(std::string_view pattern, std::string_view text) {
  return dm::glob_match(pattern.data(), pattern.size(), text.data(), text.size());
}

TEST(Kinds, NumberingIsTheReportFiles) {
  // Appended kinds keep every earlier kind's number (report files and suppression bits use them).
  EXPECT_EQ(static_cast<int>(dm::ErrorKind::kHeapBufferOverflow), 0);
  EXPECT_EQ(static_cast<int>(dm::ErrorKind::kHeapCorruption), 6);
  EXPECT_EQ(static_cast<int>(dm::ErrorKind::kAllocationSizeTooBig), 7);
  EXPECT_EQ(static_cast<int>(dm::ErrorKind::kCallocOverflow), 8);
  EXPECT_EQ(static_cast<int>(dm::LeakKind::kDefinite), 0);
  EXPECT_EQ(static_cast<int>(dm::LeakKind::kReachable), 3);
  EXPECT_STREQ(dm::error_kind_name(dm::ErrorKind::kHeapBufferOverflow), "heap-buffer-overflow");
  EXPECT_STREQ(dm::error_kind_name(dm::ErrorKind::kCallocOverflow), "calloc-overflow");
  EXPECT_STREQ(dm::leak_kind_name(dm::LeakKind::kDefinite), "definite");
  EXPECT_STREQ(dm::leak_kind_name(dm::LeakKind::kReachable), "reachable");
  EXPECT_STREQ(dm::leak_kind_phrase(dm::LeakKind::kDefinite), "definitely lost");
  EXPECT_STREQ(dm::leak_kind_phrase(dm::LeakKind::kReachable), "still reachable");
}

TEST(Kinds, EveryNameLooksUpItsKindAndNothingElseDoes) {
  std::set<std::string> names;
  for (int k = 0; k < dm::kNumErrorKinds; ++k) {
    std::string name = dm::kErrorKindNames[k];
    EXPECT_TRUE(names.insert(name).second) << name;
    dm::ErrorKind kind{};
    EXPECT_TRUE(dm::error_kind_from_name(name.data(), name.size(), &kind)) << name;
    EXPECT_EQ(kind, static_cast<dm::ErrorKind>(k));
    // A prefix, a longer word, or the name with its NUL are not names.
    EXPECT_FALSE(dm::error_kind_from_name(name.data(), name.size() - 1, &kind)) << name;
    EXPECT_FALSE(dm::error_kind_from_name((name + "x").data(), name.size() + 1, &kind)) << name;
    EXPECT_FALSE(dm::error_kind_from_name(name.c_str(), name.size() + 1, &kind)) << name;
  }
  for (int k = 0; k < dm::kNumLeakKinds; ++k) {
    std::string name = dm::kLeakKindNames[k];
    EXPECT_TRUE(names.insert(name).second) << name;
    dm::LeakKind kind{};
    EXPECT_TRUE(dm::leak_kind_from_name(name.data(), name.size(), &kind)) << name;
    EXPECT_EQ(kind, static_cast<dm::LeakKind>(k));
    dm::ErrorKind error{};
    EXPECT_FALSE(dm::error_kind_from_name(name.data(), name.size(), &error)) << name;
  }
  dm::ErrorKind untouched = dm::ErrorKind::kDoubleFree;
  EXPECT_FALSE(dm::error_kind_from_name("", 0, &untouched));
  EXPECT_FALSE(dm::error_kind_from_name("Double-Free", 11, &untouched));
  EXPECT_EQ(untouched, dm::ErrorKind::kDoubleFree);
  static_assert(dm::same_word("leak", "leak", 4) && !dm::same_word("leak", "lea", 3));
}

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob("*", ""));
  EXPECT_TRUE(glob("*", "anything/at/all"));
  EXPECT_TRUE(glob("", ""));
  EXPECT_FALSE(glob("", "x"));
  EXPECT_TRUE(glob("foo", "foo"));
  EXPECT_FALSE(glob("foo", "foobar"));
  EXPECT_TRUE(glob("foo*", "foobar"));
  EXPECT_TRUE(glob("*bar", "foobar"));
  EXPECT_TRUE(glob("f?o*r", "foobar"));
  EXPECT_FALSE(glob("f?o", "fo"));
  EXPECT_TRUE(glob("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(glob("*a*b*c*", "xxaxxcxxbxx"));
  EXPECT_TRUE(glob("std::vector<*>::push_back*", "std::vector<int>::push_back(int const&)"));
  EXPECT_TRUE(glob("**", "x"));
  EXPECT_TRUE(glob("?", "*"));
}

// A '*' in the text is an ordinary character: the pattern's '*' is still a wildcard there.
TEST(Glob, StarsInTheText) {
  EXPECT_TRUE(glob("*", "*x"));
  EXPECT_TRUE(glob("a*", "a*b"));
  EXPECT_TRUE(glob("*operator*", "Matrix::operator*(Matrix const&)"));
  EXPECT_FALSE(glob("a*c", "a*b"));
}

TEST(Glob, LengthsNotTerminators) {
  const char text[] = "libfoo.so.1\0trailing";
  EXPECT_TRUE(dm::glob_match("libfoo*", 7, text, 11));
  EXPECT_FALSE(dm::glob_match("*trailing", 9, text, 11));
  EXPECT_TRUE(dm::glob_match("libfoo*tail", 7, text, 11));  // the pattern's first 7 bytes only
  static_assert(dm::glob_match("a?c*", 4, "abcdef", 6));
}

TEST(Glob, PathologicalPatternsStayFast) {
  std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(glob(pattern, text));  // would be exponential with naive recursion
}

dm::FrameText frame(std::string_view function, std::string_view file, std::string_view module) {
  dm::FrameText f;
  f.function = function.data();
  f.function_length = function.size();
  f.file = file.data();
  f.file_length = file.size();
  f.module = module.data();
  f.module_length = module.size();
  return f;
}

bool matches(std::string_view pattern, const dm::FrameText& f) {
  return dm::suppression_matches_frame(pattern.data(), pattern.size(), f);
}

TEST(FrameMatch, FunctionWholeAndPathsWholeOrByLastComponent) {
  dm::FrameText f = frame("ns::Pool<int>::grab()", "/home/u/src/pool.h", "/opt/lib/libfoo.so.1");
  EXPECT_TRUE(matches("ns::Pool<*>::grab()", f));
  EXPECT_FALSE(matches("grab*", f));  // the function name as a whole
  EXPECT_TRUE(matches("/home/u/src/pool.h", f));
  EXPECT_TRUE(matches("pool.h", f));  // the last component
  EXPECT_TRUE(matches("*/src/*", f));
  EXPECT_FALSE(matches("src/pool.h", f));  // neither the whole path nor its last component
  EXPECT_TRUE(matches("libfoo.so*", f));
  EXPECT_TRUE(matches("/opt/lib/*", f));
  EXPECT_FALSE(matches("opt", f));
}

TEST(FrameMatch, UnknownFieldsMatchNothing) {
  dm::FrameText nothing;
  EXPECT_FALSE(matches("*", nothing));
  EXPECT_FALSE(matches("", nothing));
  EXPECT_TRUE(matches("*", frame("", "", "/bin/app")));
  EXPECT_TRUE(matches("app", frame("", "", "/bin/app")));
  EXPECT_TRUE(matches("main", frame("main", "", "")));
}

TEST(SuppressionRule, WhatEachKindOfRuleAppliesTo) {
  using dm::ErrorKind;
  using dm::SuppressionScope;
  EXPECT_TRUE(dm::suppression_applies_to_leak(SuppressionScope::kAnyLeak));
  EXPECT_FALSE(dm::suppression_applies_to_leak(SuppressionScope::kAnyError));
  EXPECT_FALSE(dm::suppression_applies_to_leak(SuppressionScope::kOneError));
  for (int k = 0; k < dm::kNumErrorKinds; ++k) {
    auto kind = static_cast<ErrorKind>(k);
    EXPECT_TRUE(dm::suppression_applies_to_error(SuppressionScope::kAnyError, ErrorKind{}, kind));
    EXPECT_FALSE(dm::suppression_applies_to_error(SuppressionScope::kAnyLeak, kind, kind));
    EXPECT_EQ(dm::suppression_applies_to_error(SuppressionScope::kOneError, ErrorKind::kDoubleFree, kind),
              kind == ErrorKind::kDoubleFree);
  }
}

TEST(SuppressionRule, TokenizesIntoViewsOfTheLine) {
  const std::string text = "  double-free : vendor_release_handle  ";
  dm::SuppressionLine line = dm::parse_suppression_line(text.data(), text.size());
  ASSERT_EQ(line.status, dm::SuppressionLine::Status::kRule);
  EXPECT_EQ(line.scope, dm::SuppressionScope::kOneError);
  EXPECT_EQ(line.error_kind, dm::ErrorKind::kDoubleFree);
  EXPECT_EQ(std::string(line.kind, line.kind_length), "double-free");
  EXPECT_EQ(std::string(line.pattern, line.pattern_length), "vendor_release_handle");
  EXPECT_EQ(std::string(line.line, line.line_length), "double-free : vendor_release_handle");
  EXPECT_GE(line.pattern, text.data());  // views, not copies
  EXPECT_LT(line.pattern, text.data() + text.size());

  auto status = [](std::string_view s) { return dm::parse_suppression_line(s.data(), s.size()).status; };
  EXPECT_EQ(status("# leak:x"), dm::SuppressionLine::Status::kSkip);
  EXPECT_EQ(status(" \t"), dm::SuppressionLine::Status::kSkip);
  EXPECT_EQ(status("leak x"), dm::SuppressionLine::Status::kNoColon);
  EXPECT_EQ(status("lake:x"), dm::SuppressionLine::Status::kUnknownKind);
  EXPECT_EQ(status("lake:"), dm::SuppressionLine::Status::kUnknownKind);  // the kind is judged first
  EXPECT_EQ(status("leak: "), dm::SuppressionLine::Status::kNoPattern);
  static_assert(dm::parse_suppression_line("error:x", 7).scope == dm::SuppressionScope::kAnyError);
}

}  // namespace
