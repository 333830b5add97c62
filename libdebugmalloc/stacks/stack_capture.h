// Backtrace capture behind one small interface, so the unwinder can change
// without touching callers. Frames are return addresses, innermost first,
// starting at the program's call into the allocator (the allocator's own
// frames are skipped).
#pragma once

#include <cstddef>
#include <cstdint>

#include "stacks/fast_unwind.h"
#include "stacks/stack_depot.h"

namespace dm {

// Captures (stack_depth frames from the options) and stores the stack in the
// depot; 0 when stacks are off, or inside the library's own work.
StackId record_stack(const CallerFrame& caller);

void stack_capture_init();
// Releases the calling thread's memo of recent stacks (thread exit).
void stack_capture_thread_exit();

}  // namespace dm
