// The dynamic loader's own allocations (link maps, TLS blocks and the DTV,
// dlopen's bookkeeping, dlerror strings) are the runtime's, not the program's:
// they are never reported as leaks, and what they point to is reachable, as
// LeakSanitizer rules. An allocation is the loader's when the code that
// called the allocator lies in the loader's image.
#pragma once

#include <cstdint>

namespace dm {

// Finds the loader's image from the auxiliary vector. Allocates nothing;
// safe from the first malloc on.
void loader_range_init();

extern uintptr_t g_loader_start;
extern uintptr_t g_loader_size;

inline bool called_from_loader(uintptr_t return_address) { return return_address - g_loader_start < g_loader_size; }

}  // namespace dm
