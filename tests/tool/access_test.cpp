// The optional `access` member of error records ("read" / "write", from faults on the
// library's guard pages and from the libc range checks): parsed, part of an error's group,
// shown by every renderer, kept by --diff.
#include "baseline.h"
#include "grouping.h"
#include "parse_error.h"
#include "render.h"
#include "report_parser.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace dmtool {
namespace {

using test::reportText;

const char* kStacks =
    R"({"t":"stack","id":1,"frames":[{"pc":"0x55d0c8a01157","module":null,"offset":null,"function":"read_pixel","file":"/src/p.c","line":9}]})"
    "\n"
    R"({"t":"stack","id":2,"frames":[{"pc":"0x55d0c8a01257","module":null,"offset":null,"function":"make_image","file":"/src/p.c","line":3}]})"
    "\n";

// An overflow caught at the instruction; `access` is written as given, or left out when null.
std::string faultRecord(const char* access) {
  std::string member = access != nullptr ? std::string(R"("access":")") + access + R"(",)" : std::string();
  return std::string(R"({"t":"error","kind":"heap-buffer-overflow","count":1,"api":"a read of a protected page",)"
                     R"("address":"0x7f0000001000","block":"0x7f0000000fc0","size":64,"offset":64,"bad_bytes":0,)") +
         member +
         R"("message":"read 0 bytes after the 64-byte block at 0x7f0000000fc0","stack":1,"alloc_stack":2,"free_stack":null})"
         "\n";
}

std::string errorOf(const std::string& text) {
  try {
    parseReport(text, "x.report", EndRule::Required);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Access, ParsedWhenPresentUnknownWhenAbsentOrNull) {
  ReportFile r = parseReport(reportText(std::string(kStacks) + faultRecord("read") + faultRecord("write") +
                                        faultRecord(nullptr)),
                             "x.report", EndRule::Required);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].access, Access::Read);
  EXPECT_EQ(r.errors[1].access, Access::Write);
  EXPECT_EQ(r.errors[2].access, Access::Unknown);
  std::string null_member = std::string(kStacks) + faultRecord(nullptr);
  null_member.insert(null_member.find(R"("message")"), R"("access":null,)");
  EXPECT_EQ(parseReport(reportText(null_member), "x.report", EndRule::Required).errors[0].access, Access::Unknown);
}

TEST(Access, AnyOtherValueIsRefusedByName) {
  std::string text = errorOf(reportText(std::string(kStacks) + faultRecord("execute")));
  EXPECT_NE(text.find(":4: error record: member \"access\" must be \"read\", \"write\" or null, not \"execute\""),
            std::string::npos)
      << text;
}

TEST(Access, AReadAndAWriteAtOneSiteAreTwoGroups) {
  Model m = test::modelOf({reportText(std::string(kStacks) + faultRecord("read") + faultRecord("write")),
                           reportText(std::string(kStacks) + faultRecord("read"), 101)});
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.errors.size(), 2u);
  EXPECT_EQ(f.errors[0].access, Access::Read);  // most frequent first
  EXPECT_EQ(f.errors[0].count, 2u);
  EXPECT_EQ(f.errors[1].access, Access::Write);
  EXPECT_NE(f.errors[0].key, f.errors[1].key);
  // Without an access the key is what it always was.
  EXPECT_EQ(errorGroupKey(ErrorKind::kHeapBufferOverflow, "s", "a"),
            errorGroupKey(ErrorKind::kHeapBufferOverflow, "s", "a", Access::Unknown));
}

std::string rendered(Format format, const Model& m, const Findings& f) {
  std::ostringstream out;
  render(format, out, m, f, {});
  return out.str();
}

TEST(Access, EveryRendererShowsIt) {
  Model m = test::modelOf({reportText(std::string(kStacks) + faultRecord("write") + faultRecord(nullptr))});
  Findings f = groupFindings(m, {});
  ASSERT_EQ(f.errors.size(), 2u);
  std::string text = rendered(Format::Text, m, f);
  EXPECT_NE(text.find("ERROR: heap-buffer-overflow (write): read 0 bytes after"), std::string::npos) << text;
  EXPECT_NE(text.find("ERROR: heap-buffer-overflow: read 0 bytes after"), std::string::npos) << text;
  auto j = nlohmann::json::parse(rendered(Format::Json, m, f));
  EXPECT_EQ(j["errors"][0]["access"], "write");
  EXPECT_FALSE(j["errors"][1].contains("access"));  // optional: absent when unknown
  std::string html = rendered(Format::Html, m, f);
  EXPECT_NE(html.find("data-access=\"write\""), std::string::npos);
  EXPECT_NE(html.find("heap-buffer-overflow (write)</span>"), std::string::npos);
  auto sarif = nlohmann::json::parse(rendered(Format::Sarif, m, f));
  EXPECT_EQ(sarif["runs"][0]["results"][0]["properties"]["access"], "write");
}

TEST(Access, DiffKeepsReadsAndWritesApart) {
  Model base = test::modelOf({reportText(std::string(kStacks) + faultRecord("read"))});
  std::ostringstream json;
  renderJson(json, base, groupFindings(base, {}), {});
  Baseline b = baselineFromJson(json.str(), "base.json", 0);
  Model now = test::modelOf({reportText(std::string(kStacks) + faultRecord("read") + faultRecord("write"))});
  GroupOptions o;
  o.baseline = &b;
  Findings f = groupFindings(now, o);
  ASSERT_EQ(f.errors.size(), 1u);  // the write is new, the read is not
  EXPECT_EQ(f.errors[0].access, Access::Write);
  EXPECT_EQ(f.inBaseline, 1u);
}

}  // namespace
}  // namespace dmtool
