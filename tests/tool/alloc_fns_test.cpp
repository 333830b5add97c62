// Unit tests of allocation wrappers in the tool (--alloc-fns, a process's alloc_fns): the frame
// that names a finding, grouping from that frame, the wrapper list in effect, and the baseline.
#include "baseline.h"
#include "frames.h"
#include "markup.h"
#include "render.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <sstream>

namespace dmtool {
namespace {

using test::reportText;

// A symbolized frame of /app at `line` of a.c (the offset follows the line, so that frames
// differ by content).
std::string frame(const std::string& function, int line) {
  return R"({"pc":"0x5)" + std::to_string(line) + R"(","module":1,"offset":"0x)" + std::to_string(line) +
         R"(","function":")" + function + R"(","file":"/src/a.c","line":)" + std::to_string(line) + "}";
}

// One process: a definite leak of `bytes` per stack, each stack a list of frames.
std::string leaks(const std::vector<std::vector<std::string>>& stacks, int bytes, const std::string& options = "",
                  int pid = 100) {
  std::string body = R"({"t":"module","id":1,"path":"/app","build_id":null})"
                     "\n";
  for (std::size_t s = 0; s < stacks.size(); ++s) {
    std::string frames;
    for (const std::string& f : stacks[s]) frames += (frames.empty() ? "" : ",") + f;
    body += R"({"t":"stack","id":)" + std::to_string(s + 1) + R"(,"frames":[)" + frames + "]}\n";
    body += R"({"t":"leak","kind":"definite","bytes":)" + std::to_string(bytes) + R"(,"blocks":1,"stack":)" +
            std::to_string(s + 1) + "}\n";
  }
  std::string text = reportText(body, pid);
  if (!options.empty()) {  // into the process record, as the library writes it
    auto brace = text.find('}');
    text.insert(brace, R"(,"options":")" + options + "\"");
  }
  return text;
}

Model modelWith(const std::vector<std::string>& texts, const std::string& commandLine) {
  std::vector<ReportFile> reports;
  for (const std::string& t : texts) reports.push_back(parseReport(t, "t.report", EndRule::Required));
  Model m;
  for (const ReportFile& r : reports) m.add(r);
  m.allocFns = effectiveAllocFns(commandLine, reports);
  return m;
}

// One call site (make_record, line 37, called from main line 56) reached through xmalloc (a
// built-in wrapper) and through my_xzalloc, a second layer over xmalloc.
const std::vector<std::vector<std::string>> kTwoWrappers = {
    {frame("xmalloc", 17), frame("make_record", 37), frame("main", 56)},
    {frame("xmalloc", 17), frame("my_xzalloc", 26), frame("make_record", 37), frame("main", 56)},
};

TEST(AllocFns, OneCallSiteThroughTwoWrappersIsOneGroupNamedAfterTheCaller) {
  Model m = modelWith({leaks(kTwoWrappers, 32)}, "my_x*");
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.leaks[0].bytes, 64u);
  EXPECT_EQ(f.leaks[0].blocks, 2u);
  EXPECT_EQ(siteName(m, f.leaks[0].stack), "make_record (a.c:37)");
  // The group keeps a whole stack, wrappers included.
  EXPECT_EQ(frameText(m, m.stack(*f.leaks[0].stack).front()).substr(0, 8), "xmalloc ");
  EXPECT_EQ(f.leaks[0].key.find("xmalloc"), std::string::npos) << f.leaks[0].key;
}

TEST(AllocFns, WithoutTheProgramsWrapperTheSecondLayerNamesItsGroup) {
  Model m = modelWith({leaks(kTwoWrappers, 32)}, "");
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.leaks.size(), 2u);
  EXPECT_EQ(siteName(m, f.leaks[0].stack), "make_record (a.c:37)");  // xmalloc is a built-in
  EXPECT_EQ(siteName(m, f.leaks[1].stack), "my_xzalloc (a.c:26)");
}

TEST(AllocFns, ADashDropsTheBuiltIns) {
  Model m = modelWith({leaks(kTwoWrappers, 32)}, "-");
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.leaks.size(), 2u);
  EXPECT_EQ(siteName(m, f.leaks[0].stack), "xmalloc (a.c:17)");
  EXPECT_EQ(siteName(m, f.leaks[1].stack), "xmalloc (a.c:17)");
}

TEST(AllocFns, GroupFramesCountFromTheNamingFrame) {
  // Two callers of make_record: one group on one frame, two on all of them.
  Model m = modelWith({leaks({{frame("xmalloc", 17), frame("make_record", 37), frame("main", 56)},
                              {frame("xmalloc", 17), frame("make_record", 37), frame("main", 57)}},
                             8)},
                      "");
  GroupOptions one;
  one.groupFrames = 1;
  Findings f = groupFindings(m, one);
  ASSERT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.leaks[0].key, leakGroupKey(LeakKind::kDefinite, "make_record @ a.c:37"));
  EXPECT_EQ(groupFindings(m, {}).leaks.size(), 2u);
}

TEST(AllocFns, TheProcessesWrappersAreAddedToTheCommandLines) {
  Model m = modelWith({leaks(kTwoWrappers, 32, "leaks=1:alloc_fns=my_x*:exitcode=0")}, "");
  EXPECT_EQ(m.allocFns, "my_x*");
  EXPECT_EQ(groupFindings(m, {}).leaks.size(), 1u);
  // Two processes and the command line: every glob; the built-ins unless the command line drops them.
  std::vector<ReportFile> reports = {parseReport(leaks({}, 0, "alloc_fns=a*,b"), "1.report", EndRule::Required),
                                     parseReport(leaks({}, 0, "alloc_fns=-,c", 101), "2.report", EndRule::Required),
                                     parseReport(leaks({}, 0, "leaks=1", 102), "3.report", EndRule::Required)};
  EXPECT_EQ(effectiveAllocFns("d", reports), "d,a*,b,c");
  EXPECT_EQ(effectiveAllocFns("-,d", reports), "-,d,a*,b,c");
  EXPECT_EQ(effectiveAllocFns("", reports), "a*,b,c");
  // Every process ran without the built-ins, and the command line says nothing: without them.
  reports.pop_back();
  reports.erase(reports.begin());
  EXPECT_EQ(effectiveAllocFns("", reports), "-,c");
  EXPECT_EQ(effectiveAllocFns("", {}), "");
}

TEST(AllocFns, AStackOfWrappersIsNamedAfterItsFirstAndOneOfTheRuntimeAfterItsTop) {
  Model m = modelWith({leaks({{frame("xmalloc", 17), frame("my_xzalloc", 26)}}, 8)}, "my_x*");
  EXPECT_EQ(topUserFrame(m, m.stacks.at(0)), std::optional<std::size_t>(0));
  std::string runtime = reportText(
      R"({"t":"module","id":1,"path":"/lib/libc.so.6","build_id":null})"
      "\n"
      R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":1,"offset":"0x1","function":"__vasprintf_internal"}]})"
      "\n");
  Model r = modelWith({runtime}, "");
  EXPECT_EQ(topUserFrame(r, r.stacks.at(0)), std::nullopt);
}

TEST(AllocFns, AJsonBaselineIsKeyedWithTheSameWrappers) {
  Model m = modelWith({leaks(kTwoWrappers, 32)}, "my_x*");
  std::ostringstream json;
  renderJson(json, m, groupFindings(m, {}), {});
  // The run merged both records into one group named after make_record; read back without the
  // wrappers, the baseline's group is named after xmalloc and is another group.
  Baseline same = baselineFromJson(json.str(), "base.json", 0, m.allocFns);
  Baseline other = baselineFromJson(json.str(), "base.json", 0, "-");
  GroupOptions withSame;
  withSame.baseline = &same;
  EXPECT_TRUE(groupFindings(m, withSame).leaks.empty());
  GroupOptions withOther;
  withOther.baseline = &other;
  EXPECT_EQ(groupFindings(m, withOther).leaks.size(), 1u);
}

}  // namespace
}  // namespace dmtool
