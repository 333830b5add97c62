// _exit and _Exit end the process without exit handlers, so without the heap
// check at exit: an overflow the program made just before would go unreported.
// The interposed _exit/_Exit (entry/exit_interpose.cpp) call this first: the
// live blocks' guards are checked (not the leak scan, not the quarantine: the
// process is leaving at once), then the real _exit ends the process with the
// status the program gave. Not in a vfork child (it shares its parent's memory:
// the parent checks its own heap), and not when the library's own exit handler
// is ending the process (it checked already).
#pragma once

namespace dm {

// At start-up: notes this process's id (and a fork handler keeps it current).
void underscore_exit_init();
// The library's exit handler runs: a later _exit is its own, already checked.
void note_exit_handler_started();
// The check above, once per process.
void check_before_underscore_exit();

}  // namespace dm
