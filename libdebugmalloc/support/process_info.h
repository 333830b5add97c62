// What the report says about the process: ids, start time, executable, working
// directory and command line, read from /proc without allocating.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  uint64_t start = 0;  // clock ticks since boot (/proc/self/stat field 22), unchanged by exec
  int64_t time = 0;    // Unix time when read
  const char* exe = "";
  const char* cwd = "";
  const char* argv = "";  // NUL-separated arguments
  size_t argv_len = 0;
};

// Reads the current process's information (again after fork: the pid changes).
const ProcessInfo& process_info_refresh();
const ProcessInfo& process_info();

// The absolute path of the running executable (/proc/self/exe).
const char* executable_path();

}  // namespace dm
