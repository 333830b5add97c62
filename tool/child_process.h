// Running the program under test: fork + execvp, signal forwarding, and its exit status.
#pragma once

#include <string>
#include <vector>

namespace dmtool {

struct ChildResult {
  bool started = false;   // false: exec failed (`error` says why; status 126 or 127)
  int exitCode = 0;       // valid when !signaled
  bool signaled = false;  // killed by `signal`
  int signal = 0;
  int pid = 0;
  std::string error;
};

// Runs argv[0] (searched in PATH) with `environment` and the tool's stdin/stdout/stderr.
// While it runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to the tool with kill() are
// forwarded to it, and those from the terminal (which the child receives itself) are not
// sent twice; either way the tool survives them and reports.
ChildResult runChild(const std::vector<std::string>& argv, const std::vector<std::string>& environment);

}  // namespace dmtool
