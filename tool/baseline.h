// Reading the baseline of --diff: report files, a directory of them, or a previous JSON output.
#pragma once

#include "grouping.h"
#include "inputs.h"
#include "symbolizer.h"

#include <string>

namespace dmtool {

// The group keys of the baseline, computed with the same --group-frames depth and allocation
// wrappers (Model::allocFns) as the run they are compared with. Throws InputError naming the
// file on bad input.
Baseline loadBaseline(const std::string& path, unsigned groupFrames, const LoadOptions& load,
                      const SymbolizeOptions* symbolizeOptions, const std::string& allocFns = "");

// From the text of a `debugmalloc report --format json` output.
Baseline baselineFromJson(const std::string& text, const std::string& path, unsigned groupFrames,
                          const std::string& allocFns = "");

// True when `text` looks like a JSON output rather than a report file (one JSON object
// whose "tool" is "debugmalloc").
bool looksLikeJsonOutput(const std::string& text);

}  // namespace dmtool
