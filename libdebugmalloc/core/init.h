// Start-up: the library initialises itself lazily on its first call, which can
// come from the dynamic loader before libc's constructors have run. Global
// state is valid zero-filled, so nothing depends on constructor order.
#pragma once

#include <atomic>

#include "support/platform.h"

namespace dm {

extern std::atomic<int> g_init_state;  // 0: not started, 1: running, 2: done
extern bool g_forked_child;            // this image is a fork of another (no exec since)
void initialize_slow();

DM_ALWAYS_INLINE void ensure_initialized() {
  if (DM_UNLIKELY(g_init_state.load(std::memory_order_acquire) != 2)) initialize_slow();
}

}  // namespace dm
