// The stack of a faulting instruction, from the registers the kernel saved in
// the signal's ucontext: the fast CFI walker first, libunwind (which steps
// through signal frames, e.g. a fault inside the program's own handler on an
// alternate signal stack) when the walker gives up.
//
// Async-signal-safety: called from the SIGSEGV handler; it takes no lock but
// the stack depot's insert lock, and libunwind runs under ScopedInternal.
#pragma once

#include "stacks/stack_depot.h"

namespace dm {

// The stack from the interrupted context `ucontext` (a ucontext_t*), innermost
// first; frame 0 is the faulting instruction's address + 1 (stored as return
// addresses are: symbolization looks up the address - 1). 0 when stacks are off.
StackId record_fault_stack(const void* ucontext);

}  // namespace dm
