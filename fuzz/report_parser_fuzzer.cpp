// libFuzzer target: report file parser, then merge, grouping and every renderer on what it accepted.
#include "grouping.h"
#include "model.h"
#include "parse_error.h"
#include "render.h"
#include "report_parser.h"
#include "suppressions.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (dm::EndRule rule : {dm::EndRule::Optional, dm::EndRule::Required}) {
    dm::ReportFile report;
    try {
      report = dm::parseReport(text, "fuzz.report", rule);
    } catch (const dm::InputError&) {
      continue;  // rejected with a message: what the parser should do with bad input
    }
    // Whatever the parser accepts must be safe for the rest of the pipeline.
    dm::Model model;
    model.add(report);
    model.add(report);  // the same file twice: merging must dedupe by content
    dm::Suppressions suppressions = dm::Suppressions::parse("leak:*a*\nerror:m?in\n", "fuzz.supp");
    for (unsigned depth : {0u, 1u}) {
      dm::GroupOptions options;
      options.groupFrames = depth;
      options.suppressions = depth ? &suppressions : nullptr;
      dm::Findings findings = dm::groupFindings(model, options);
      dm::RenderOptions renderOptions;
      renderOptions.sourceContext = 0;  // never read files named by fuzz input
      for (dm::Format f : {dm::Format::Text, dm::Format::Json, dm::Format::Sarif, dm::Format::Html,
                           dm::Format::Xml, dm::Format::Junit}) {
        std::ostringstream out;
        dm::render(f, out, model, findings, renderOptions);
      }
    }
  }
  return 0;
}
