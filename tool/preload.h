// Finding libdebugmalloc.so next to the tool, and the environment a program runs under it with.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dmtool {

// The library, relative to the running tool (/proc/self/exe): build tree `build/bin` ->
// `build/lib`, installed `PREFIX/bin` -> `PREFIX/lib` or `PREFIX/lib/x86_64-linux-gnu`.
// `tried` receives the paths looked at, for the error message.
std::optional<std::string> findPreloadLibrary(std::vector<std::string>& tried);

// `environ` with LD_PRELOAD = library first, then the existing list, and DEBUGMALLOC_OPTIONS
// = the existing value, then `options` (the library lets later settings win).
std::vector<std::string> childEnvironment(const std::string& library, const std::string& options);

}  // namespace dmtool
