// Offline symbolization of frames the library could not name, with libdwfl.
#pragma once

#include "model.h"

#include <string>
#include <vector>

namespace dmtool {

// Demangles a C++ symbol name ("_Z..."); other names are returned as they are.
std::string demangle(const std::string& name);

struct SymbolizeOptions {
  // Where separate debug files are looked up by build-id (".build-id/xx/yyyy.debug" under it).
  std::string debugRoot = "/usr/lib/debug";
};

// Fills the function, file and line of every frame that lacks them, from the module's file
// on disk, but only when its build-id is the one recorded (a rebuilt binary would give wrong
// names), else from the separate debug file found by build-id. Each distinct (module, offset)
// is one Frame, so each is looked up once. Names the library wrote mangled are demangled.
// Modules that cannot be used are named once in `warnings`.
void symbolize(Model& model, const SymbolizeOptions& options, std::vector<std::string>& warnings);

// Demangles the function names the library wrote mangled (done by symbolize() too).
void demangleNames(Model& model);

}  // namespace dmtool
