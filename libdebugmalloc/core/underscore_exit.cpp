// The heap check before _exit and _Exit.
#include "core/underscore_exit.h"

#include <pthread.h>

#include <atomic>

#include "core/init.h"
#include "findings/heap_check.h"
#include "support/internal_arena.h"
#include "support/options.h"
#include "support/platform.h"

namespace dm {

namespace {

// The pid this image belongs to: a vfork child (no fork handlers run) has another.
constinit std::atomic<int> g_pid{0};
constinit std::atomic<bool> g_done{false};

void after_fork_in_child() {
  g_pid.store(os_getpid(), std::memory_order_relaxed);
  g_done.store(false, std::memory_order_relaxed);
}

}  // namespace

void underscore_exit_init() {
  g_pid.store(os_getpid(), std::memory_order_relaxed);
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
}

void note_exit_handler_started() { g_done.store(true, std::memory_order_release); }

void check_before_underscore_exit() {
  if (g_init_state.load(std::memory_order_acquire) != 2 || in_internal_code()) return;
  if (g_pid.load(std::memory_order_relaxed) != os_getpid()) return;  // a vfork child, or before start-up
  if (g_done.exchange(true, std::memory_order_acq_rel)) return;
  if (g_options.check_at_exit) check_heap("the heap check at _exit", CallerFrame{}, /*include_quarantine=*/false);
}

}  // namespace dm
