// Finding libdebugmalloc.so next to the tool, and the environment a program runs under it with.
#include "preload.h"

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <unistd.h>

extern char** environ;

namespace dmtool {
namespace fs = std::filesystem;

// The path from the installed tool's directory to the installed library's, set by the build
// (GNUInstallDirs: bindir to libdir, e.g. "../lib/x86_64-linux-gnu").
#ifndef DM_LIBDIR_FROM_BINDIR
#define DM_LIBDIR_FROM_BINDIR "../lib"
#endif

std::optional<std::string> findPreloadLibrary(std::vector<std::string>& tried) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  fs::path bindir = self.parent_path();
  // Where this build installs it first; then the build tree's lib/ and the usual other layouts,
  // for a tool copied or installed by other means.
  for (fs::path dir :
       {bindir / DM_LIBDIR_FROM_BINDIR, bindir / "../lib", bindir / "../lib/x86_64-linux-gnu", bindir / "../lib64"}) {
    std::string candidate = (dir.lexically_normal() / "libdebugmalloc.so").string();
    if (std::find(tried.begin(), tried.end(), candidate) != tried.end()) continue;
    tried.push_back(candidate);
    if (::access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> childEnvironment(const std::string& library, const std::string& options) {
  std::vector<std::string> env;
  std::string preload = library, dmOptions;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("LD_PRELOAD=")) {
      std::string_view rest = entry.substr(11);
      if (!rest.empty()) preload += ":" + std::string(rest);
    } else if (entry.starts_with("DEBUGMALLOC_OPTIONS=")) {
      dmOptions = std::string(entry.substr(20));
    } else {
      env.emplace_back(entry);
    }
  }
  if (!options.empty()) dmOptions = dmOptions.empty() ? options : dmOptions + ":" + options;
  env.push_back("LD_PRELOAD=" + preload);
  env.push_back("DEBUGMALLOC_OPTIONS=" + dmOptions);
  return env;
}

}  // namespace dmtool
