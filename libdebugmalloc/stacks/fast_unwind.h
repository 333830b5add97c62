// A fast stack walker for the allocator's hot path: DWARF CFI rules (cfi.h)
// cached per return address in a process-wide table, so that walking a
// frame costs a hash lookup and two loads. Frames it cannot walk (signal
// trampolines, DWARF expressions, code without unwind tables) make it give
// up, and the caller falls back to libunwind.
//
// Thread-safety: lock-free lookups; a torn cache entry fails its check and is
// recomputed. dlclose invalidates every cached rule (fast_unwind_forget_all).
#pragma once

#include <cstdint>

namespace dm {

// Where unwinding starts: the program's frame that called the allocator.
struct CallerFrame {
  uintptr_t ip = 0;   // return address into the program
  uintptr_t sp = 0;   // the program's stack pointer after that call returns (our entry's CFA)
  uintptr_t rbp = 0;  // the program's frame pointer register at the call
};

// Every stack word a walk read, with the value it had: a walk is a pure
// function of its start registers, these words and the (fixed) unwind rules,
// so when all of them are unchanged, so is the stack.
struct WalkReads {
  static constexpr uint32_t kMax = 128;  // two per frame at most
  uint32_t count = 0;
  // Whether the start rbp mattered (a frame found its CFA from it before any
  // frame reloaded rbp from the stack): optimised code uses rbp as a general
  // register, whose value changes from call to call without changing the stack.
  bool start_rbp_used = false;
  uintptr_t address[kMax];
  uintptr_t value[kMax];
};

// Fills `frames` with at most `max` return addresses starting at `start.ip`.
// Returns the number of frames, or -1 when a frame could not be walked. With
// `reads`, records the stack words it read.
int fast_unwind(const CallerFrame& start, uintptr_t* frames, uint32_t max, WalkReads* reads = nullptr);

// Drops every cached rule and module (a library was unloaded).
void fast_unwind_forget_all();

// Releases the calling thread's rule cache (thread exit).
void fast_unwind_thread_exit();

}  // namespace dm

// The calling entry point's CallerFrame. Entry points are built with frame
// pointers: rbp points at the saved rbp, the return address sits above it.
#define DM_CALLER_FRAME()                                                          \
  (::dm::CallerFrame{reinterpret_cast<uintptr_t>(__builtin_return_address(0)),     \
                     reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) + 16, \
                     *reinterpret_cast<const uintptr_t*>(__builtin_frame_address(0))})
