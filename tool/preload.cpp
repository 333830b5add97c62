// Finding libdebugmalloc.so next to the tool, and the environment a program runs under it with.
#include "preload.h"

#include <filesystem>
#include <string_view>
#include <unistd.h>

extern char** environ;

namespace dmtool {
namespace fs = std::filesystem;

std::optional<std::string> findPreloadLibrary(std::vector<std::string>& tried) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  fs::path prefix = self.parent_path().parent_path();
  for (const char* dir : {"lib", "lib/x86_64-linux-gnu", "lib64"}) {
    fs::path candidate = prefix / dir / "libdebugmalloc.so";
    tried.push_back(candidate.string());
    if (::access(candidate.c_str(), R_OK) == 0) return candidate.string();
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
