// Process identity from /proc/self.
#include "support/process_info.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "support/platform.h"

namespace dm {

namespace {

constinit ProcessInfo g_info;
constinit char g_exe[4096] = {};
constinit char g_cwd[4096] = {};
constinit char g_argv[16384] = {};

size_t read_small_file(const char* path, char* buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t len = 0;
  for (ssize_t n; len < cap && (n = read(fd, buf + len, cap - len)) > 0;) len += static_cast<size_t>(n);
  close(fd);
  return len;
}

// Field 22 of /proc/self/stat; the command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
uint64_t read_start_time() {
  char buf[1024];
  size_t len = read_small_file("/proc/self/stat", buf, sizeof buf - 1);
  buf[len] = '\0';
  size_t close_paren = 0;
  for (size_t i = 0; i < len; ++i)
    if (buf[i] == ')') close_paren = i;
  int field = 2;
  uint64_t value = 0;
  for (size_t i = close_paren + 1; i < len; ++i) {
    if (buf[i] == ' ') {
      ++field;
      continue;
    }
    if (field == 22 && buf[i] >= '0' && buf[i] <= '9') value = value * 10 + static_cast<uint64_t>(buf[i] - '0');
  }
  return value;
}

}  // namespace

const char* executable_path() {
  if (g_exe[0] == '\0') {
    ssize_t n = readlink("/proc/self/exe", g_exe, sizeof g_exe - 1);
    g_exe[n > 0 ? n : 0] = '\0';
  }
  return g_exe;
}

const ProcessInfo& process_info_refresh() {
  g_info.pid = os_getpid();
  g_info.ppid = static_cast<int>(getppid());
  g_info.start = read_start_time();
  g_info.time = static_cast<int64_t>(::time(nullptr));
  g_exe[0] = '\0';
  g_info.exe = executable_path();
  if (getcwd(g_cwd, sizeof g_cwd) == nullptr) g_cwd[0] = '\0';
  g_info.cwd = g_cwd;
  g_info.argv_len = read_small_file("/proc/self/cmdline", g_argv, sizeof g_argv - 1);
  g_argv[g_info.argv_len] = '\0';
  g_info.argv = g_argv;
  return g_info;
}

const ProcessInfo& process_info() {
  if (g_info.pid == 0) process_info_refresh();
  return g_info;
}

}  // namespace dm
