// The table of loaded objects (path, load base, end, build-id), kept for
// reports: frames are written as module + offset so that `debugmalloc report`
// can symbolize them later, elsewhere. A library that is dlclose'd stays in the
// table, marked unloaded, so frames captured in it still resolve.
//
// Thread-safety: refresh and lookups take the table's lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

struct Module {
  uint32_t id;        // 1-based, stable for the process's life
  uintptr_t base;     // load bias: offsets are relative to it
  uintptr_t end;      // end of its last segment
  const char* path;   // copied: valid after unload
  char build_id[65];  // hex, empty if none
  bool unloaded;
};

// Adds newly loaded objects and marks vanished ones unloaded.
void modules_refresh();
// Copies the module holding `pc` (loaded ones first) into `out`; false if none.
bool module_for(uintptr_t pc, Module* out);

}  // namespace dm
