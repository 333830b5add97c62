// Backtrace capture behind one small interface, so the unwinder can change
// without touching callers. Frames are return addresses, innermost first,
// starting at the program's call into the allocator (the allocator's own
// frames are skipped).
#pragma once

#include <cstddef>
#include <cstdint>

#include "stack_depot.h"

namespace dm {

// Fills `frames` with at most `max` return addresses of the calling thread,
// starting with `caller` (the return address of the entry point the program
// called). Returns the number of frames (0 if capture is off or failed).
uint32_t capture_stack(uintptr_t* frames, uint32_t max, uintptr_t caller);

// Captures (stack_depth frames from the options) and stores the stack in the depot.
StackId record_stack(uintptr_t caller);

void stack_capture_init();

}  // namespace dm
