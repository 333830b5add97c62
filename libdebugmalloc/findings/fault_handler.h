// Bad accesses caught by the MMU, at the instruction. Inaccessible pages the
// library keeps around blocks (heap/page_guard.h: a large block's last page,
// page-guarded blocks' slots) and over freed blocks (quarantined large blocks,
// retired page-guarded slots) make a bad read or write fault; this SIGSEGV
// handler recognises such a fault and reports it:
//
//   - heap-buffer-overflow / heap-buffer-underflow (a live block's guard
//     page), or use-after-free (a freed block, or the pages around one);
//   - read or write (x86-64's page-fault error code in the ucontext);
//   - where: "N bytes after / before / inside the B-byte block";
//   - the stack of the faulting instruction (through libc's memcpy and kin,
//     and signal frames), the allocation stack and the free stack.
//
// Then the signal takes its default course: the process dies of it (a core
// dump where enabled), as it would have of an access to unmapped memory.
// Threads that fault at once each get their report before the first dies.
//
// Any other SIGSEGV goes to the program's own handler (the one it installed
// before the library, or after: entry/signal_interpose.cpp keeps the
// library's handler first and records the program's here), or to the default
// action. The handler runs on an alternate signal stack when the thread has
// one (SA_ONSTACK); it reports on a stack of its own, so a small alternate
// stack suffices.
//
// Locks: classifying a fault takes none (registry lookups are lock-free); the
// report takes the stack depot's insert lock and the report lock, like any
// report. The library's own code never touches an inaccessible page, so the
// faulting thread holds neither, unless the program's own signal handler
// interrupted the library and then made the bad access (a known limit: that
// report would wait forever; abort_on_error does not help).
#pragma once

#include <signal.h>

namespace dm {

// Installs the handler (once, at start-up), keeping what was there as the program's.
void install_fault_handler();

// Whether the handler is installed: then SIGSEGV dispositions the program sets
// are recorded as the program's (program_segv_action), not installed.
bool fault_handler_installed();

// sigaction(SIGSEGV, act, old) as the program sees it: `old` receives the
// program's disposition, `act` (when not null) replaces it. Returns 0.
int program_segv_action(const struct sigaction* act, struct sigaction* old);

// The C library's sigaction, bypassing the library's interposed one.
int real_sigaction(int signo, const struct sigaction* act, struct sigaction* old);

}  // namespace dm
