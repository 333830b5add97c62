// A small futex lock usable before libc is initialised and from inside malloc.
// Valid when zero-filled, so global instances need no constructor to run.
#pragma once

#include <atomic>
#include <cstdint>

#include "support/check.h"

namespace dm {

class Mutex {
 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() {
    uint32_t expected = kUnlocked;
    if (__builtin_expect(state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire), 1)) return;
    lock_slow();
  }
  bool try_lock() {
    uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire);
  }
  void unlock() {
    uint32_t previous = state_.exchange(kUnlocked, std::memory_order_release);
    if (DM_UNLIKELY(previous != kLocked)) unlock_slow(previous);
  }
  // For the child after fork: the forking thread held every lock; nobody else exists.
  void reset_after_fork() { state_.store(kUnlocked, std::memory_order_relaxed); }

 private:
  static constexpr uint32_t kUnlocked = 0, kLocked = 1, kContended = 2;
  void lock_slow();
  void unlock_slow(uint32_t previous);  // wakes a waiter; checks that the lock was held
  std::atomic<uint32_t> state_{kUnlocked};
};

class ScopedLock {
 public:
  explicit ScopedLock(Mutex& m) : m_(m) { m_.lock(); }
  ~ScopedLock() { m_.unlock(); }
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;

 private:
  Mutex& m_;
};

}  // namespace dm
