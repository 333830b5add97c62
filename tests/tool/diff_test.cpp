// Unit tests of --diff: baselines from JSON output and from report files.
#include "baseline.h"
#include "parse_error.h"
#include "render.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <sstream>

namespace dmtool {
namespace {

using test::fixture;

Model load(const std::string& dir) {
  LoadResult r = loadReports({fixture(dir)}, {});
  Model m;
  for (const ReportFile& f : r.reports) m.add(f);
  demangleNames(m);
  return m;
}

TEST(Diff, NothingIsNewAgainstItsOwnJsonOutput) {
  Model m = load("multi");
  Findings all = groupFindings(m, {});
  std::ostringstream json;
  renderJson(json, m, all, {});
  Baseline b = baselineFromJson(json.str(), "base.json", 0);
  EXPECT_EQ(b.keys.size(), all.errors.size() + all.leaks.size());
  GroupOptions o;
  o.baseline = &b;
  Findings diff = groupFindings(m, o);
  EXPECT_TRUE(diff.errors.empty());
  EXPECT_TRUE(diff.leaks.empty());
  EXPECT_EQ(diff.inBaseline, all.errors.size() + all.leaks.size());
  EXPECT_FALSE(failing(diff, FailOn{}));
}

TEST(Diff, OnlyNewGroupsRemain) {
  Baseline b = loadBaseline(fixture("basic"), 0, {}, nullptr);  // report files as the baseline
  Model m;
  for (const char* dir : {"basic", "multi"}) {
    LoadResult r = loadReports({fixture(dir)}, {});
    for (const ReportFile& f : r.reports) m.add(f);
  }
  demangleNames(m);
  GroupOptions o;
  o.baseline = &b;
  Findings f = groupFindings(m, o);
  EXPECT_EQ(f.errors.size(), 3u);  // the multi fixture's
  EXPECT_EQ(f.leaks.size(), 1u);
  EXPECT_EQ(f.inBaseline, 7u);
}

TEST(Diff, GroupFramesAppliesToTheBaselineToo) {
  Model m = load("multi");
  std::ostringstream json;
  renderJson(json, m, groupFindings(m, {}), {});
  Baseline b = baselineFromJson(json.str(), "base.json", 1);
  GroupOptions o;
  o.groupFrames = 1;
  o.baseline = &b;
  EXPECT_TRUE(groupFindings(m, o).leaks.empty());
}

TEST(Diff, BadBaselinesAreRefusedWithTheirName) {
  EXPECT_THROW(baselineFromJson("{\"tool\":\"other\"}", "b.json", 0), InputError);
  EXPECT_THROW(baselineFromJson("{\"tool\":\"debugmalloc\",\"format_version\":2}", "b.json", 0), InputError);
  EXPECT_THROW(
      baselineFromJson("{\"tool\":\"debugmalloc\",\"format_version\":1,\"errors\":[{\"kind\":\"nope\"}]}", "b.json", 0),
      InputError);
  EXPECT_THROW(loadBaseline("/no/such/baseline", 0, {}, nullptr), InputError);
}

}  // namespace
}  // namespace dmtool
