// Root regions the program registers (debugmalloc_register_root_region, or
// LeakSanitizer's __lsan_register_root_region): memory the leak scan reads as
// roots although it would not otherwise (a region inside a heap block, or
// memory the tool does not see as a root).
//
// Thread-safety: register/unregister/copy take one leaf lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "findings/leak_roots.h"

namespace dm {

// False when the table is full (a message says so).
bool register_root_region(uintptr_t begin, size_t size);
// False when no region with exactly that start and size was registered.
bool unregister_root_region(uintptr_t begin, size_t size);
// Appends the registered regions to `out` (before other threads stop).
void copy_root_regions(MmapVector<RootRange>* out);

void root_regions_lock();
void root_regions_unlock();
void root_regions_reset_after_fork();

}  // namespace dm
