// Allocations that are the runtime's, not the program's, by rule:
// - the dynamic loader's own (link maps, TLS blocks and the DTV, dlopen's
//   bookkeeping, dlerror strings), made from the loader's image;
// - the C++ runtime's start-up allocations (libstdc++'s emergency exception
//   pool), made from its image before the library's own start-up, while the
//   libraries it depends on initialise.
// They are never reported as leaks, and what they point to is reachable, as
// LeakSanitizer rules for the loader; Valgrind frees them at exit instead.
#pragma once

#include <cstdint>

namespace dm {

// Finds both images (the loader's from the auxiliary vector, the C++
// runtime's from one of its functions). Allocates nothing.
void runtime_ranges_init();
// The library's own start-up is done: the C++ runtime's allocations are the program's from now on.
void runtime_started();

struct CodeRange {
  uintptr_t start = 0;
  uintptr_t size = 0;
  bool contains(uintptr_t pc) const { return pc - start < size; }
};
extern CodeRange g_loader_code;
extern CodeRange g_cxx_runtime_start_code;  // empty once runtime_started()

inline bool runtime_allocation(uintptr_t return_address) {
  return g_loader_code.contains(return_address) || g_cxx_runtime_start_code.contains(return_address);
}

}  // namespace dm
