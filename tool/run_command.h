// `debugmalloc run`: run a program under libdebugmalloc.so, then render the merged report.
#pragma once

#include "report_command.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dmtool {

struct RunSettings {
  ReportSettings report;
  std::optional<unsigned> quarantineMb, stackDepth, redzone;
  std::string guardPages;                // sample, all, site, off ("" = the library's default)
  std::optional<unsigned> sampleRate;    // sample_rate
  std::string guardSites;                // guard_sites=FILE
  bool abortOnError = false;
  std::string suppressions;
  std::string leakKinds;
  unsigned exitcode = 23;
  bool noLeaks = false;
  std::vector<std::string> passThrough;  // --option name=value
  std::string reportDir;
  bool keepReports = false;
  std::string library;  // "" = found next to the tool
};

// Declares the subcommand's options on `app` (the `run` subcommand).
void addRunOptions(CLI::App& app, RunSettings& settings);

// The DEBUGMALLOC_OPTIONS string that `settings` asks for (report_dir excluded).
std::string libraryOptions(const RunSettings& settings);

// Runs `command` (PROG ARGS...) and returns the tool's exit status.
int executeRun(RunSettings settings, const std::vector<std::string>& command);

}  // namespace dmtool
