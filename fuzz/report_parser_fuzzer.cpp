// libFuzzer target: report file parser, then merge, grouping and every renderer on what it accepted.
#include "grouping.h"
#include "json_lite.h"
#include "model.h"
#include "parse_error.h"
#include "render.h"
#include "report_parser.h"
#include "suppressions.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <sstream>
#include <string>

// The hand-written JSON reader must accept exactly what nlohmann::json accepts (apart from
// nesting deeper than its limit): checked line by line.
static void differential(std::string_view text) {
  dmtool::json_lite::Document doc;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    bool ours = doc.parse(line);
    bool theirs = !nlohmann::json::parse(line.begin(), line.end(), nullptr, false).is_discarded();
    if (ours != theirs) {
      int depth = 0, maxDepth = 0;
      for (char c : line) {
        if (c == '[' || c == '{') maxDepth = std::max(maxDepth, ++depth);
        if (c == ']' || c == '}') --depth;
      }
      // Allowed: we refuse nesting beyond our limit, and NUL bytes (nlohmann stops at one).
      bool allowed = theirs && !ours &&
                     (maxDepth > dmtool::json_lite::Document::kMaxDepth || line.find('\0') != std::string_view::npos);
      if (!allowed) std::abort();
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  differential(text);
  for (dmtool::EndRule rule : {dmtool::EndRule::Optional, dmtool::EndRule::Required}) {
    dmtool::ReportFile report;
    try {
      report = dmtool::parseReport(text, "fuzz.report", rule);
    } catch (const dmtool::InputError&) {
      continue;  // rejected with a message: what the parser should do with bad input
    }
    // Whatever the parser accepts must be safe for the rest of the pipeline.
    dmtool::Model model;
    model.add(report);
    model.add(report);  // the same file twice: merging must dedupe by content
    dmtool::Suppressions suppressions = dmtool::Suppressions::parse("leak:*a*\nerror:m?in\n", "fuzz.supp");
    for (unsigned depth : {0u, 1u}) {
      dmtool::GroupOptions options;
      options.groupFrames = depth;
      options.suppressions = depth ? &suppressions : nullptr;
      dmtool::Findings findings = dmtool::groupFindings(model, options);
      dmtool::RenderOptions renderOptions;
      renderOptions.sourceContext = 0;  // never read files named by fuzz input
      for (dmtool::Format f : {dmtool::Format::Text, dmtool::Format::Json, dmtool::Format::Sarif, dmtool::Format::Html,
                               dmtool::Format::Xml, dmtool::Format::Junit}) {
        std::ostringstream out;
        dmtool::render(f, out, model, findings, renderOptions);
      }
    }
  }
  return 0;
}
