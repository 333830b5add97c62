// Unit tests of merging and grouping: stacks compared by content across files and processes.
#include "frames.h"
#include "grouping.h"
#include "inputs.h"
#include "parse_error.h"
#include "test_util.h"

#include <gtest/gtest.h>

namespace dmtool {
namespace {

using test::fixture;
using test::modelOf;
using test::reportText;

// A report with one definite leak from a stack of `frames` offsets in module "/m/app".
std::string leakReport(int pid, const std::string& base, std::vector<std::string> offsets, int bytes,
                       const std::string& stackId = "7") {
  std::string frames;
  for (const std::string& off : offsets) {
    if (!frames.empty()) frames += ",";
    frames += R"({"pc":")" + base + off.substr(2) + R"(","module":3,"offset":")" + off +
              R"(","function":null,"file":null,"line":null})";
  }
  return reportText(R"({"t":"module","id":3,"path":"/m/app","base":"0x1","end":"0x2","build_id":null})"
                    "\n"
                    R"({"t":"stack","id":)" +
                        stackId + R"(,"frames":[)" + frames + "]}\n" + R"({"t":"leak","kind":"definite","bytes":)" +
                        std::to_string(bytes) + R"(,"blocks":1,"stack":)" + stackId + "}\n",
                    pid);
}

TEST(Grouping, SameOffsetsInDifferentProcessesAreOneGroupWhateverThePcsAndIds) {
  Model m = modelOf(
      {leakReport(1, "0x5500", {"0x10", "0x20"}, 100, "1"), leakReport(2, "0x5600", {"0x10", "0x20"}, 50, "99")});
  EXPECT_EQ(m.stacks.size(), 1u);
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.leaks[0].bytes, 150u);
  EXPECT_EQ(f.leaks[0].blocks, 2u);
  EXPECT_EQ(f.leaks[0].pids, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(f.leakedBytes[0], 150u);
}

TEST(Grouping, DifferentStacksAreSeparateUnlessGroupFramesCutsThem) {
  Model m = modelOf({leakReport(1, "0x5500", {"0x10", "0x20"}, 100), leakReport(2, "0x5500", {"0x10", "0x30"}, 10)});
  EXPECT_EQ(groupFindings(m, {}).leaks.size(), 2u);
  GroupOptions top1;
  top1.groupFrames = 1;
  Findings f = groupFindings(m, top1);
  ASSERT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.leaks[0].bytes, 110u);
}

TEST(Grouping, SymbolizedFramesCompareByFunctionFileAndLine) {
  // Two builds of the same code: offsets differ, function/file/line agree.
  auto report = [](int pid, const char* offset, const char* dir) {
    return reportText(std::string(R"({"t":"module","id":1,"path":")") + dir +
                          R"(/app","build_id":null})"
                          "\n" +
                          R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":1,"offset":")" + offset +
                          R"(","function":"f","file":")" + dir +
                          R"(/src/a.c","line":3}]})"
                          "\n" +
                          R"({"t":"error","kind":"double-free","count":1,"message":"m","stack":1,"alloc_stack":null})"
                          "\n",
                      pid);
  };
  Model m = modelOf({report(1, "0x100", "/ci/one"), report(2, "0x200", "/ci/two")});
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].count, 2u);
}

TEST(Grouping, ErrorsGroupByKindDetectionAndAllocationStack) {
  LoadResult r = loadReports({fixture("multi")}, {});
  Model m;
  for (const ReportFile& f : r.reports) m.add(f);
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[0].kind, ErrorKind::kUseAfterFree);  // most frequent first
  EXPECT_EQ(f.errors[0].count, 4u);
  EXPECT_EQ(f.errors[0].pids, (std::vector<std::int64_t>{5001, 5002}));
  EXPECT_EQ(f.errorCount, 6u);
  ASSERT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.leaks[0].bytes, 5200u);
  EXPECT_EQ(f.leaks[0].pids.size(), 3u);
  EXPECT_EQ(m.processes.size(), 5u);
  EXPECT_TRUE(m.processes.back().incomplete);
  EXPECT_EQ(f.suppressed.errors, 1u);  // the library's own count
}

TEST(Grouping, LeaksSortDefiniteFirstThenLargest) {
  LoadResult r = loadReports({fixture("basic")}, {});
  Model m;
  m.add(r.reports.at(0));
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.leaks.size(), 4u);
  EXPECT_EQ(f.leaks[0].kind, LeakKind::kDefinite);
  EXPECT_EQ(f.leaks[3].kind, LeakKind::kReachable);
}

TEST(Inputs, DirectoriesAreSearchedAndBadFilesSkippedUnderKeepGoing) {
  LoadOptions keepGoing{true, 2};
  LoadResult r = loadReports({fixture("bad"), fixture("basic")}, keepGoing);
  EXPECT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.warnings.size(), 8u);
  EXPECT_THROW(loadReports({fixture("bad")}, {}), InputError);
  EXPECT_THROW(loadReports({fixture("no-such-dir")}, {}), InputError);
}

TEST(Inputs, CommandLineIsJoinedAndQuotedOnlyWhenNeeded) {
  EXPECT_EQ(joinCommand({"./prog", "a", "b"}), "./prog a b");
  EXPECT_EQ(joinCommand({"sh", "-c", "echo hi"}), "sh -c 'echo hi'");
  EXPECT_EQ(joinCommand({"x", "it's"}), "x 'it'\\''s'");
}

TEST(Frames, RuntimeFramesAreNotTheUsersCode) {
  std::string body =
      R"({"t":"module","id":1,"path":"/usr/lib/libdebugmalloc.so","build_id":null})"
      "\n"
      R"({"t":"module","id":2,"path":"/home/u/app","build_id":null})"
      "\n"
      R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":1,"offset":"0x1","function":"malloc"},)"
      R"j({"pc":"0x2","module":2,"offset":"0x2","function":"std::vector<int>::push_back(int const&)","file":"/usr/include/c++/12/bits/stl_vector.h","line":1},)j"
      R"({"pc":"0x3","module":2,"offset":"0x3","function":"main","file":"/home/u/a.c","line":2}]})"
      "\n";
  Model m = modelOf({reportText(body)});
  EXPECT_EQ(topUserFrame(m, m.stacks[0]), 2u);
}

}  // namespace
}  // namespace dmtool
