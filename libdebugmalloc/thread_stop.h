// Stopping the other threads for a leak scan, without ptrace: each thread gets
// a signal whose handler records its stack pointer and thread pointer (its
// registers are saved by the kernel in the signal frame, on its own stack)
// and waits until the scan is over. This works in containers, seccomp
// sandboxes and under a debugger, where ptrace-based stop-the-world fails.
//
// Thread-safety: one stop at a time (the caller serialises). The handler takes
// no lock and calls only async-signal-safe functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

struct ThreadState {
  int tid = 0;
  bool stopped = false;  // answered the signal in time
  uintptr_t sp = 0;      // stack pointer inside its signal handler
  uintptr_t tp = 0;      // thread pointer (TCB), for its TLS
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

// The calling thread's thread pointer.
inline uintptr_t current_thread_pointer() {
  uintptr_t tp;
  asm volatile("mov %%fs:0, %0" : "=r"(tp));
  return tp;
}

}  // namespace dm
