// Slow paths of the futex lock (Drepper's three-state mutex with a short spin).
#include "support/mutex.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dm {

namespace {
void futex(std::atomic<uint32_t>* word, int op, uint32_t value) {
  int saved = errno;
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op | FUTEX_PRIVATE_FLAG, value, nullptr, nullptr, 0);
  errno = saved;
}
}  // namespace

void Mutex::lock_slow() {
  // A short spin covers the common case of a lock held for a few instructions.
  for (int i = 0; i < 100; ++i) {
    uint32_t expected = kUnlocked;
    if (state_.load(std::memory_order_relaxed) == kUnlocked &&
        state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire))
      return;
    __builtin_ia32_pause();
  }
  // Mark contended and sleep until the holder wakes us.
  while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) futex(&state_, FUTEX_WAIT, kContended);
}

void Mutex::unlock_slow(uint32_t previous) {
  DM_CHECK(previous == kContended);  // not kUnlocked: unlocking a lock nobody holds
  futex(&state_, FUTEX_WAKE, 1);
}

}  // namespace dm
