// Use after free of large blocks, caught by the MMU: while a freed LARGE block
// waits in the quarantine its pages are protected, so any read or write of it
// faults. This SIGSEGV/SIGBUS handler recognises such a fault, reports a
// use-after-free with the faulting stack and the block's allocation and free
// stacks, then lets the signal take its default course (the process dies, as
// it would have with glibc, which unmaps large blocks when they are freed).
// Any other fault goes to the handler that was there before.
#pragma once

namespace dm {

// Installs the handler (once, at start-up).
void install_fault_handler();

}  // namespace dm
