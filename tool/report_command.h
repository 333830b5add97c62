// `debugmalloc report`: its options and the pipeline read -> merge -> symbolize -> group -> render.
#pragma once

#include "model.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dmtool {

// Exit statuses of `debugmalloc report` (docs/user-guide.md).
inline constexpr int kExitClean = 0;     // nothing that --fail-on names
inline constexpr int kExitFindings = 1;  // findings
inline constexpr int kExitBadInput = 2;  // bad usage or unreadable input

struct ReportSettings {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;  // "" = the default stream, "-" = stdout
  std::string color = "auto";
  std::vector<std::string> suppressionFiles;
  std::string failOn = "errors,definite,indirect";
  unsigned groupFrames = 0;
  std::string allocFns;  // --alloc-fns: allocation wrappers added to the built-ins ("-" drops them)
  unsigned sourceContext = 2;
  std::string diff;
  bool keepGoing = false;
  unsigned jobs = 0;
  std::string sourceRoot;  // SARIF; "" = the current directory
  std::string debugRoot = "/usr/lib/debug";
  bool symbolize = true;
};

// What `run` needs to know besides the exit status.
struct ReportOutcome {
  std::vector<Process> processes;
};

// Declares the options that shape a report (shared by `report` and `run`).
void addReportOptions(CLI::App& app, ReportSettings& settings, bool forRun);

// Runs the pipeline and writes the output. `textToStderr`: where output goes without
// --output (stderr for `run`, so that it does not mix with the program's stdout).
// Returns 0, 1 or 2; messages for status 2 are printed on stderr.
int executeReport(const ReportSettings& settings, bool toStderr, ReportOutcome* outcome = nullptr);

}  // namespace dmtool
