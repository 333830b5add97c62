// Finding report files under the paths given and reading them, in parallel.
#pragma once

#include "report_file.h"

#include <string>
#include <vector>

namespace dmtool {

struct LoadOptions {
  bool keepGoing = false;  // skip unreadable files with a warning instead of failing
  unsigned jobs = 0;       // parser threads; 0 = one per core
};

struct LoadResult {
  std::vector<ReportFile> reports;    // ordered by (start time, pid, exec generation, path)
  std::vector<std::string> warnings;  // one line each, already naming the file
};

// True for the names a report directory holds: *.report, *.incomplete, *.journal.
bool isReportFileName(const std::string& name);

// Files named directly are taken as they are; directories are searched recursively.
// Throws InputError for a path that does not exist.
std::vector<std::string> expandPaths(const std::vector<std::string>& paths, std::vector<std::string>& warnings);

// Reads every file. Without keepGoing, throws the InputError of the first bad file
// (in path order, so the message does not depend on thread timing).
LoadResult loadReports(const std::vector<std::string>& paths, const LoadOptions& options);

}  // namespace dmtool
