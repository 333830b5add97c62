// Unit tests of the renderers: the JSON contract, escaping in markup, SARIF and JUnit shape.
#include "grouping.h"
#include "inputs.h"
#include "render.h"
#include "suppressions.h"
#include "symbolizer.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace dmtool {
namespace {

using json = nlohmann::json;

struct Loaded {
  Model model;
  Findings findings;
};

Loaded load(std::initializer_list<const char*> dirs) {
  Loaded l;
  for (const char* dir : dirs) {
    LoadResult r = loadReports({test::fixture(dir)}, {});
    for (const ReportFile& f : r.reports) l.model.add(f);
  }
  demangleNames(l.model);
  l.findings = groupFindings(l.model, {});
  return l;
}

std::string rendered(Format format, const Loaded& l, RenderOptions options = {}) {
  std::ostringstream out;
  render(format, out, l.model, l.findings, options);
  return out.str();
}

std::set<std::string> keysOf(const json& j) {
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  return keys;
}

void expectFrame(const json& f) {
  ASSERT_TRUE(f.is_object());
  EXPECT_EQ(keysOf(f), (std::set<std::string>{"function", "file", "line", "module", "offset"}));
  EXPECT_TRUE(f["function"].is_string() || f["function"].is_null());
  EXPECT_TRUE(f["file"].is_string() || f["file"].is_null());
  EXPECT_TRUE(f["line"].is_number_unsigned() || f["line"].is_null());
  EXPECT_TRUE(f["module"].is_string() || f["module"].is_null());
  if (f["offset"].is_string()) {
    EXPECT_EQ(f["offset"].get<std::string>().rfind("0x", 0), 0u);
  } else {
    EXPECT_TRUE(f["offset"].is_null());
  }
}

void expectStack(const json& s) {
  ASSERT_TRUE(s.is_array());
  for (const json& f : s) expectFrame(f);
}

// The JSON contract (docs/report-format.md), member by member (extra members are allowed only where noted).
void expectContract(const json& j) {
  EXPECT_EQ(j["tool"], "debugmalloc");
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(keysOf(j), (std::set<std::string>{"tool", "format_version", "processes", "errors", "leaks", "summary"}));
  for (const json& p : j["processes"]) {
    EXPECT_TRUE(p["pid"].is_number_integer());
    EXPECT_TRUE(p["command"].is_string());
    EXPECT_TRUE(p["report_file"].is_string());
  }
  for (const json& e : j["errors"]) {
    for (const char* k : {"kind", "count", "pids", "message", "stack", "alloc_stack", "free_stack"})
      EXPECT_TRUE(e.contains(k)) << k;
    EXPECT_TRUE(e["kind"].is_string());
    EXPECT_TRUE(e["count"].is_number_unsigned());
    EXPECT_TRUE(e["pids"].is_array());
    EXPECT_TRUE(e["message"].is_string());
    expectStack(e["stack"]);
    expectStack(e["alloc_stack"]);
    expectStack(e["free_stack"]);
  }
  for (const json& l : j["leaks"]) {
    EXPECT_EQ(keysOf(l), (std::set<std::string>{"kind", "bytes", "blocks", "pids", "stack"}));
    EXPECT_TRUE(l["bytes"].is_number_unsigned());
    expectStack(l["stack"]);
  }
  const json& s = j["summary"];
  EXPECT_TRUE(s["errors"].is_number_unsigned());
  EXPECT_EQ(keysOf(s["leaked_bytes"]), (std::set<std::string>{"definite", "indirect", "possible", "reachable"}));
}

TEST(JsonOutput, FollowsTheContract) {
  Loaded l = load({"basic", "multi"});
  json j = json::parse(rendered(Format::Json, l));
  expectContract(j);
  EXPECT_EQ(j["processes"].size(), 6u);
  EXPECT_EQ(j["processes"][0]["command"], "./app --input 'data file.txt'");
  EXPECT_EQ(j["summary"]["errors"], 10);
  EXPECT_EQ(j["summary"]["leaked_bytes"]["definite"], 6500);
  // Unknown values are null, never invented.
  const json& top = j["leaks"][0]["stack"][0];
  EXPECT_TRUE(top["file"].is_null());
  EXPECT_TRUE(top["line"].is_null());
}

TEST(JsonOutput, EmptyInputIsStillTheContract) {
  Loaded l;
  l.findings = groupFindings(l.model, {});
  json j = json::parse(rendered(Format::Json, l));
  expectContract(j);
  EXPECT_TRUE(j["errors"].empty());
}

TEST(Markup, EveryReportStringIsEscaped) {
  Loaded l = load({"multi"});
  for (Format f : {Format::Html, Format::Xml, Format::Junit}) {
    std::string out = rendered(f, l);
    EXPECT_EQ(out.find("delete[] <T>"), std::string::npos);
    EXPECT_NE(out.find("delete[] &lt;T&gt; &amp; &quot;friends&quot;"), std::string::npos);
    EXPECT_EQ(out.find("std::vector<std::pair"), std::string::npos);
  }
}

TEST(Html, SelfContained) {
  std::string out = rendered(Format::Html, load({"basic", "multi"}));
  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* external : {"https://", "<link", "src=", "@import", "url("}) {
    EXPECT_EQ(out.find(external), std::string::npos) << external;
  }
  // The only URL is the SVG namespace, which is not fetched.
  EXPECT_EQ(out.find("http://"), out.find("http://www.w3.org/2000/svg"));
  EXPECT_NE(out.find("<svg id=\"leak-chart\""), std::string::npos);
  EXPECT_NE(out.find("<details"), std::string::npos);
}

TEST(ValgrindXml, KindsAndLeakRecords) {
  std::string out = rendered(Format::Xml, load({"basic"}));
  EXPECT_NE(out.find("<protocolversion>4</protocolversion>"), std::string::npos);
  EXPECT_NE(out.find("<kind>InvalidFree</kind>"), std::string::npos);
  EXPECT_NE(out.find("<kind>InvalidWrite</kind>"), std::string::npos);
  EXPECT_NE(out.find("<kind>Leak_DefinitelyLost</kind>"), std::string::npos);
  EXPECT_NE(out.find("<kind>Leak_StillReachable</kind>"), std::string::npos);
  EXPECT_NE(out.find("<leakedbytes>1300</leakedbytes>\n    <leakedblocks>100</leakedblocks>"), std::string::npos);
  EXPECT_NE(out.find("<dir>/fixture/src</dir>\n      <file>app.c</file>\n      <line>5</line>"), std::string::npos);
}

TEST(Junit, FailuresFollowFailOn) {
  Loaded l = load({"basic"});
  std::string out = rendered(Format::Junit, l);
  EXPECT_NE(out.find("tests=\"7\" failures=\"5\""), std::string::npos) << out;  // possible, reachable pass
  RenderOptions errorsOnly;
  std::string bad;
  errorsOnly.failOn = *FailOn::parse("errors", bad);
  EXPECT_NE(rendered(Format::Junit, l, errorsOnly).find("tests=\"7\" failures=\"3\""), std::string::npos);
  Loaded empty;
  std::string clean = rendered(Format::Junit, empty);
  EXPECT_NE(clean.find("tests=\"1\" failures=\"0\""), std::string::npos);
  EXPECT_NE(clean.find("name=\"no heap errors or leaks\""), std::string::npos);
}

TEST(Sarif, RequiredMembersOfSarif210) {
  RenderOptions o;
  o.sourceRoot = "/fixture";
  json j = json::parse(rendered(Format::Sarif, load({"basic", "multi"}), o));
  EXPECT_EQ(j["version"], "2.1.0");
  EXPECT_TRUE(j["$schema"].is_string());
  ASSERT_EQ(j["runs"].size(), 1u);
  const json& run = j["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "debugmalloc");
  const json& rules = run["tool"]["driver"]["rules"];
  std::set<std::string> ruleIds;
  for (const json& r : rules) {
    EXPECT_TRUE(r["id"].is_string());
    EXPECT_TRUE(r["shortDescription"]["text"].is_string());
    ruleIds.insert(r["id"]);
  }
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///fixture/");
  ASSERT_EQ(run["results"].size(), 11u);
  for (const json& r : run["results"]) {
    EXPECT_TRUE(ruleIds.count(r["ruleId"].get<std::string>()));
    EXPECT_EQ(rules[r["ruleIndex"].get<std::size_t>()]["id"], r["ruleId"]);
    EXPECT_TRUE(r["message"]["text"].is_string());
    std::string level = r["level"];
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note");
    EXPECT_TRUE(r["partialFingerprints"].is_object());
    for (const json& loc : r["locations"]) {
      const json& art = loc["physicalLocation"]["artifactLocation"];
      EXPECT_TRUE(art["uri"].is_string());
      if (art.contains("uriBaseId")) {
        EXPECT_NE(art["uri"].get<std::string>()[0], '/');
      }
      if (loc["physicalLocation"].contains("region")) {
        EXPECT_GE(loc["physicalLocation"]["region"]["startLine"], 1);
      }
    }
  }
  // The use-after-free's location (the most frequent error comes first) is the top user frame, relative to the source
  // root.
  const json& first = run["results"][0];
  EXPECT_EQ(first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/net/worker.cpp");
}

// One error of each bad-request kind, found in read_record.
Loaded badRequests() {
  std::string body =
      R"({"t":"module","id":1,"path":"/fixture/bin/app","build_id":null})"
      "\n"
      R"({"t":"stack","id":1,"frames":[{"pc":"0x1200","module":1,"offset":"0x1200","function":"read_record","file":"/fixture/src/r.c","line":9}]})"
      "\n"
      R"({"t":"stack","id":2,"frames":[{"pc":"0x1300","module":1,"offset":"0x1300","function":"make_grid","file":"/fixture/src/g.c","line":4}]})"
      "\n"
      R"j({"t":"error","kind":"allocation-size-too-big","count":2,"api":"malloc()","address":null,"block":null,"size":null,"offset":null,"bad_bytes":0,"message":"malloc(18446744073709551615): the requested size has its top bit set (a negative value passed as a size)","stack":1,"alloc_stack":null,"free_stack":null})j"
      "\n"
      R"j({"t":"error","kind":"calloc-overflow","count":1,"api":"calloc()","address":null,"block":null,"size":null,"offset":null,"bad_bytes":0,"message":"calloc(1099511627776, 1099511627776): the total size, 1099511627776 * 1099511627776, does not fit in size_t","stack":2,"alloc_stack":null,"free_stack":null})j"
      "\n";
  Loaded l;
  l.model = test::modelOf({test::reportText(body)});
  l.findings = groupFindings(l.model, {});
  return l;
}

TEST(BadRequests, EveryFormatNamesTheKinds) {
  Loaded l = badRequests();
  ASSERT_EQ(l.findings.errors.size(), 2u);
  EXPECT_EQ(l.findings.errors[0].kind, ErrorKind::kAllocationSizeTooBig);  // the most frequent first
  EXPECT_EQ(l.findings.errors[1].kind, ErrorKind::kCallocOverflow);

  std::string text = rendered(Format::Text, l);
  EXPECT_NE(
      text.find("ERROR: allocation-size-too-big: malloc(18446744073709551615): the requested size has its top bit set"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("ERROR: calloc-overflow: calloc(1099511627776, 1099511627776)"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("\n    allocation-size-too-big +2\n"))) << text;  // the summary
  EXPECT_TRUE(std::regex_search(text, std::regex("\n    calloc-overflow +1\n"))) << text;

  json j = json::parse(rendered(Format::Json, l));
  expectContract(j);
  EXPECT_EQ(j["errors"][0]["kind"], "allocation-size-too-big");
  EXPECT_EQ(j["errors"][1]["kind"], "calloc-overflow");
  EXPECT_TRUE(j["errors"][0]["alloc_stack"].empty());

  json sarif = json::parse(rendered(Format::Sarif, l));
  const json& run = sarif["runs"][0];
  std::map<std::string, std::string> names;
  for (const json& r : run["tool"]["driver"]["rules"]) names[r["id"]] = r["name"];
  EXPECT_EQ(names["allocation-size-too-big"], "AllocationSizeTooBig");
  EXPECT_EQ(names["calloc-overflow"], "CallocOverflow");
  ASSERT_EQ(run["results"].size(), 2u);
  EXPECT_EQ(run["results"][0]["ruleId"], "allocation-size-too-big");
  EXPECT_EQ(run["results"][0]["level"], "error");
  EXPECT_EQ(run["results"][1]["ruleId"], "calloc-overflow");

  // Memcheck's name for a negative size argument (calloc's arguments too).
  std::string xml = rendered(Format::Xml, l);
  EXPECT_EQ(xml.find("<kind>InvalidWrite</kind>"), std::string::npos) << xml;
  std::size_t first = xml.find("<kind>FishyValue</kind>");
  ASSERT_NE(first, std::string::npos) << xml;
  EXPECT_NE(xml.find("<kind>FishyValue</kind>", first + 1), std::string::npos) << xml;

  std::string junit = rendered(Format::Junit, l);
  EXPECT_NE(junit.find("debugmalloc.errors.allocation-size-too-big"), std::string::npos) << junit;
  EXPECT_NE(junit.find("debugmalloc.errors.calloc-overflow"), std::string::npos) << junit;
  EXPECT_NE(junit.find("failures=\"2\""), std::string::npos) << junit;

  std::string html = rendered(Format::Html, l);
  EXPECT_NE(html.find("data-kind=\"allocation-size-too-big\""), std::string::npos);
  EXPECT_NE(html.find("data-kind=\"calloc-overflow\""), std::string::npos);
}

// They are errors: --fail-on errors (the default) fails on them, a leak-only list does not.
TEST(BadRequests, AreErrorsForFailOn) {
  Loaded l = badRequests();
  EXPECT_TRUE(failing(l.findings, FailOn{}));
  std::string bad;
  EXPECT_TRUE(failing(l.findings, *FailOn::parse("errors", bad)));
  EXPECT_FALSE(failing(l.findings, *FailOn::parse("definite,indirect", bad)));
}

TEST(Text, ColourOnlyWhenAsked) {
  Loaded l = load({"basic"});
  EXPECT_EQ(rendered(Format::Text, l).find("\x1b["), std::string::npos);
  RenderOptions colour;
  colour.color = true;
  EXPECT_NE(rendered(Format::Text, l, colour).find("\x1b[1;31mERROR: double-free"), std::string::npos);
}

TEST(FailOnList, ParsesWordsAndRefusesUnknownOnes) {
  std::string bad;
  auto f = FailOn::parse("errors,possible", bad);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->errors);
  EXPECT_TRUE(f->names(LeakKind::kPossible));
  EXPECT_FALSE(f->names(LeakKind::kDefinite));
  EXPECT_FALSE(FailOn::parse("errors,lost", bad));
  EXPECT_EQ(bad, "lost");
  auto none = FailOn::parse("none", bad);
  ASSERT_TRUE(none);
  EXPECT_FALSE(failing(load({"basic"}).findings, *none));
}

}  // namespace
}  // namespace dmtool
