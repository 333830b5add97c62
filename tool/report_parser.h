// Reads one report file (docs/report-format.md; names and version from common/report_format.h)
// into a ReportFile.
#pragma once

#include "report_file.h"

#include <string>
#include <string_view>

namespace dmtool {

// How strictly the end of the file is judged.
enum class EndRule {
  Required,  // a finished `.report`: the `end` record must be the last line
  Optional,  // a journal (`.journal`, `.incomplete`, or any other name): no `end` means the
             // process died; a last line cut short (no newline, not JSON) is ignored
};

// The rule a file name implies.
EndRule endRuleFor(std::string_view path);

// Parses the text of a report. Throws InputError naming `path` and the line on bad input;
// never crashes or loops on any input (fuzzed: fuzz/report_parser_fuzzer.cpp).
ReportFile parseReport(std::string_view text, const std::string& path, EndRule rule);

// Reads and parses the file at `path` (InputError when it cannot be read).
ReportFile readReport(const std::string& path);

}  // namespace dmtool
