// Unit tests of the report file parser: valid files, every kind of bad input, journals.
#include "parse_error.h"
#include "report_parser.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cstring>

namespace dmtool {
namespace {

using test::fixture;
using test::reportText;

std::string errorOf(const std::string& text, const std::string& path = "x.report", EndRule rule = EndRule::Required) {
  try {
    parseReport(text, path, rule);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Parser, ReadsEveryRecordOfAFinishedReport) {
  ReportFile r = readReport(fixture("basic/debugmalloc-4242-100-0.report"));
  EXPECT_EQ(r.process.pid, 4242);
  EXPECT_EQ(r.process.command, (std::vector<std::string>{"./app", "--input", "data file.txt"}));
  EXPECT_EQ(r.modules.size(), 3u);
  EXPECT_EQ(r.modules[0].buildId, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(r.stacks.size(), 7u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].kind, ErrorKind::kDoubleFree);
  EXPECT_EQ(r.errors[0].count, 2u);
  EXPECT_EQ(*r.errors[0].address, 0x7f0000000a30u);
  EXPECT_FALSE(r.errors[2].stack.has_value());  // heap check at exit: no detection stack
  ASSERT_EQ(r.leaks.size(), 4u);
  EXPECT_EQ(r.leaks[0].indirectBlocks, 37u);
  EXPECT_EQ(r.suppressed.leakBytes, 48u);
  ASSERT_TRUE(r.end);
  EXPECT_EQ(*r.end->forcedExitCode, 23);
  const RawFrame& f = r.stacks[0].frames[0];
  EXPECT_EQ(f.pc, 0x55d0c8a01157u);
  EXPECT_EQ(*f.offset, 0x1157u);
  EXPECT_EQ(*f.function, "make_buffer");
  EXPECT_EQ(*f.line, 4);
  EXPECT_FALSE(r.stacks[0].frames[2].file.has_value());
}

TEST(Parser, JournalWithCutShortLastLineIsIncompleteNotAnError) {
  ReportFile r = readReport(fixture("multi/debugmalloc-5003.journal"));
  EXPECT_TRUE(r.incomplete());
  EXPECT_TRUE(r.truncatedTail);
  EXPECT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].offset, -4);
}

TEST(Parser, UnknownMembersAndRecordTypesAreIgnored) {
  ReportFile r = readReport(fixture("multi/debugmalloc-5001-210-0.report"));
  EXPECT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.leaks.size(), 1u);
}

TEST(Parser, EndRuleFollowsTheFileName) {
  EXPECT_EQ(endRuleFor("a/debugmalloc-1-2-0.report"), EndRule::Required);
  EXPECT_EQ(endRuleFor("a/debugmalloc-1.journal"), EndRule::Optional);
  EXPECT_EQ(endRuleFor("a/debugmalloc-1-2-0.incomplete"), EndRule::Optional);
}

struct BadCase {
  const char* file;
  const char* message;  // the complaint names the file, the line, and this
};

class BadFixture : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadFixture, OneClearErrorNamingFileAndLine) {
  std::string path = fixture(std::string("bad/") + GetParam().file);
  try {
    readReport(path);
    FAIL() << "accepted " << path;
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind(path, 0), 0u) << what;
    EXPECT_NE(what.find(GetParam().message), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Parser, BadFixture,
    ::testing::Values(
        BadCase{"empty.report", ": empty file"}, BadCase{"truncated.report", ":2: truncated"},
        BadCase{"cut-short.report", ":2: truncated: the last line is cut short"},
        BadCase{"future-version.report", ":1: process record: written by a newer debugmalloc (report format version 2"},
        BadCase{"not-a-report.report", ":1: not a debugmalloc report"},
        BadCase{"corrupted.report", ":2: not valid JSON (column"},
        BadCase{"forward-reference.report", ":2: error record: \"stack\" refers to stack 9, not defined before"},
        BadCase{"unknown-kind.report", ":2: error record: unknown error kind \"stack-overflow\""}));

TEST(Parser, RejectsBadMembersPrecisely) {
  EXPECT_NE(errorOf(reportText(R"({"t":"module","id":1,"path":5})"
                               "\n"))
                .find(":2: module record: member \"path\" must be a string"),
            std::string::npos);
  EXPECT_NE(errorOf(reportText(R"({"t":"stack","id":1,"frames":[{"pc":"12"}]})"
                               "\n"))
                .find("stack frame #0 record: member \"pc\" is not a \"0x...\" hexadecimal value"),
            std::string::npos);
  EXPECT_NE(errorOf(reportText(R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":3}]})"
                               "\n"))
                .find("refers to module 3, not defined before"),
            std::string::npos);
  EXPECT_NE(errorOf(reportText(R"({"t":"leak","kind":"definite","bytes":-1,"blocks":1})"
                               "\n"))
                .find("\"bytes\" must not be negative"),
            std::string::npos);
  EXPECT_NE(errorOf(reportText(R"({"t":"leak","kind":"lost","bytes":1,"blocks":1})"
                               "\n"))
                .find("unknown leak kind \"lost\""),
            std::string::npos);
  EXPECT_NE(errorOf(reportText(R"({"t":"stack","id":1,"frames":[]})"
                               "\n"
                               R"({"t":"stack","id":1,"frames":[]})"
                               "\n"))
                .find(":3: stack record: stack id 1 is defined twice"),
            std::string::npos);
  EXPECT_NE(errorOf(reportText("") + R"({"t":"leak","kind":"definite","bytes":1,"blocks":1})"
                                     "\n")
                .find(":3: leak record: nothing may follow the \"end\" record"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"t":"module","id":1})"
                    "\n")
                .find(":1: not a debugmalloc report (the first record must be \"process\")"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"t":"process","format":"other","version":1,"pid":1})"
                    "\n")
                .find("\"format\" is not \"debugmalloc-report\""),
            std::string::npos);
  EXPECT_NE(errorOf("[1,2]\n").find("not a debugmalloc report"), std::string::npos);
  EXPECT_NE(errorOf(std::string("\x7f"
                                "ELF\x02\x01",
                                6))
                .find("not a debugmalloc report"),
            std::string::npos);
}

TEST(Parser, NulBytesAreNotJson) {
  std::string text = reportText(std::string(R"({"t":"suppressed","errors":1})") + std::string(3, '\0') + "\n");
  EXPECT_NE(errorOf(text).find(":2: not valid JSON (column 30: a NUL byte)"), std::string::npos) << errorOf(text);
}

TEST(Parser, AJournalNeedsNoEndButAReportDoes) {
  std::string text = reportText(R"({"t":"leak","kind":"definite","bytes":8,"blocks":1,"stack":null})"
                                "\n",
                                7, false);
  EXPECT_NE(errorOf(text, "x.report").find("truncated"), std::string::npos);
  ReportFile r = parseReport(text, "x.journal", EndRule::Optional);
  EXPECT_TRUE(r.incomplete());
  EXPECT_FALSE(r.truncatedTail);
  // A line cut short in the middle of a journal is corruption, not a cut-short tail.
  std::string middle = reportText(R"({"t":"leak","kin)"
                                  "\n"
                                  R"({"t":"leak","kind":"definite","bytes":8,"blocks":1})"
                                  "\n",
                                  7, false);
  EXPECT_NE(errorOf(middle, "x.journal", EndRule::Optional).find(":2: not valid JSON"), std::string::npos);
}

// The bad-request kinds came later: they are appended, so every earlier kind keeps its number.
TEST(Parser, ReadsTheBadRequestKinds) {
  EXPECT_EQ(static_cast<int>(ErrorKind::kHeapCorruption), 6);
  EXPECT_EQ(static_cast<int>(ErrorKind::kAllocationSizeTooBig), 7);
  EXPECT_EQ(static_cast<int>(ErrorKind::kCallocOverflow), 8);
  for (int k = 0; k < dm::kNumErrorKinds; ++k) {
    ErrorKind parsed{};
    const char* name = dm::kErrorKindNames[k];
    EXPECT_TRUE(dm::error_kind_from_name(name, std::strlen(name), &parsed)) << name;
    EXPECT_EQ(parsed, static_cast<ErrorKind>(k)) << name;
  }
  std::string body =
      R"({"t":"stack","id":1,"frames":[{"pc":"0x55d0c8a01157","module":null,"offset":null,"function":"read_record","file":"/src/r.c","line":9}]})"
      "\n"
      R"j({"t":"error","kind":"allocation-size-too-big","count":2,"api":"malloc()","address":null,"block":null,"size":null,"offset":null,"bad_bytes":0,"message":"malloc(18446744073709551615): the requested size has its top bit set (a negative value passed as a size)","stack":1,"alloc_stack":null,"free_stack":null})j"
      "\n"
      R"j({"t":"error","kind":"calloc-overflow","count":1,"api":"calloc()","address":null,"block":null,"size":null,"offset":null,"bad_bytes":0,"message":"calloc(1099511627776, 1099511627776): the total size, 1099511627776 * 1099511627776, does not fit in size_t","stack":1,"alloc_stack":null,"free_stack":null})j"
      "\n";
  ReportFile r = parseReport(reportText(body), "x.report", EndRule::Required);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].kind, ErrorKind::kAllocationSizeTooBig);
  EXPECT_EQ(r.errors[0].count, 2u);
  EXPECT_FALSE(r.errors[0].address.has_value());
  EXPECT_FALSE(r.errors[0].block.has_value());
  EXPECT_TRUE(r.errors[0].stack.has_value());
  EXPECT_FALSE(r.errors[0].allocStack.has_value());
  EXPECT_EQ(r.errors[1].kind, ErrorKind::kCallocOverflow);
}

TEST(Parser, HugeNumbersAndDeepNestingAreRejectedNotCrashed) {
  EXPECT_NE(errorOf(reportText(R"({"t":"leak","kind":"definite","bytes":99999999999999999999999,"blocks":1})"
                               "\n")),
            "");
  std::string deep(100000, '[');
  EXPECT_NE(errorOf(reportText(deep + "\n")), "");
}

}  // namespace
}  // namespace dmtool
