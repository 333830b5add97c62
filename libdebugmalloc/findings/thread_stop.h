// Stopping the other threads for a leak scan, without ptrace: each thread gets
// a signal whose handler records its registers and stack pointer and waits
// until the scan is over. This works in containers, seccomp sandboxes and
// under a debugger, where ptrace-based stop-the-world fails.
//
// The handler runs on an alternate signal stack that the library gives every
// thread it knows (unless the program set one of its own, which then serves):
// a thread running on a tiny stack (a fiber's, a coroutine's) has no room for
// the kernel's signal frame, several KiB with the AVX-512 state. The program
// never sees the library's stack (thread_stop_sigaltstack), and the one it
// sets is a root of the leak scan: the kernel holds its only pointer.
//
// Thread-safety: one stop at a time (the caller serialises). The handler takes
// no lock and calls only async-signal-safe functions.
#pragma once

#include <signal.h>

#include <cstddef>
#include <cstdint>

#include <atomic>

namespace dm {

struct ThreadState {
  int tid = 0;
  bool stopped = false;     // answered the signal in time
  uintptr_t sp = 0;         // stack pointer where the signal interrupted it
  uintptr_t regs[16] = {};  // its general-purpose registers there
  uintptr_t alt_stacks[2] = {};  // thread_stop_signal_stacks, as the thread saw them
};

class WorldStop {
 public:
  WorldStop();   // stops every other thread (waits at most about a second)
  ~WorldStop();  // lets them run again
  WorldStop(const WorldStop&) = delete;
  WorldStop& operator=(const WorldStop&) = delete;

  size_t size() const { return count_; }
  const ThreadState& operator[](size_t i) const { return threads_[i]; }

 private:
  ThreadState* threads_ = nullptr;
  size_t count_ = 0;
};

// The calling thread's alternate signal stack: installed when it starts (or
// at its first allocation, for threads the library did not see start) unless
// it has one, removed when it exits. thread_stop_init comes first, once.
// `new_thread`: called first thing in a thread the library started, which
// cannot have one yet.
void thread_stop_init();
// Start routines and arguments on their way to new threads (pthread_create is
// interposed in thread_start.cpp): a slot is free while its routine is null.
// Lock-free, so a fork never finds it held. Until a new thread runs, its
// argument's only copy may be here: the leak scan reads the table as a root.
struct ThreadHandoff {
  std::atomic<void* (*)(void*)> start{nullptr};
  void* arg = nullptr;
};
inline constexpr size_t kThreadHandoffs = 1024;
extern ThreadHandoff g_thread_handoffs[kThreadHandoffs];
void thread_stop_thread_start(bool new_thread);
void thread_stop_thread_exit();

// The program's sigaltstack (interposed in entry/; `real` is libc's): the
// library's stack stays out of the program's sight. Setting a stack replaces
// the library's for the thread (the stop handler, SA_ONSTACK, then runs on the
// program's); disabling it puts the library's back; asking reports "disabled"
// while the library's is in place.
using SigaltstackFn = int (*)(const stack_t*, stack_t*);
int thread_stop_sigaltstack(const stack_t* ss, stack_t* old, SigaltstackFn real);
// The calling thread's alternate signal stack as the kernel has it and as the
// program last set it through sigaltstack (which differ while an SS_AUTODISARM
// stack is in use); 0 for none. Async-signal-safe.
void thread_stop_signal_stacks(uintptr_t out[2]);

}  // namespace dm
