// Lazy initialisation and fork handlers.
#include "core/init.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cstring>

#include "findings/errors.h"
#include "findings/fault_handler.h"
#include "findings/kernel_held.h"
#include "support/check.h"
#include "support/internal_arena.h"
#include "heap/large.h"
#include "heap/page_guard.h"
#include "stacks/loader.h"
#include "support/options.h"
#include "core/process_exit.h"
#include "core/quarantine.h"
#include "heap/registry.h"
#include "findings/root_regions.h"
#include "findings/report_writer.h"
#include "stacks/stack_capture.h"
#include "stacks/stack_depot.h"
#include "findings/suppressions.h"
#include "stacks/symbolize.h"
#include "heap/thread_cache.h"
#include "core/thread_exit.h"
#include "core/underscore_exit.h"
#include "findings/thread_stop.h"
#include "heap/zones.h"

namespace dm {

constinit std::atomic<int> g_init_state{0};
constinit bool g_forked_child = false;

namespace {

constinit std::atomic<int> g_init_thread{0};

void check_page_size() {
  if (static_cast<size_t>(getpagesize()) != kPageSize) {
    static const char msg[] = "debugmalloc: unsupported page size (only 4096 is supported)\n";
    os_write_all(2, msg, sizeof msg - 1);
    _exit(127);
  }
}

// Fork: the forking thread takes every internal lock, in the order the code
// nests them, so that no other thread holds one at the moment of the fork;
// both sides release them (the child resets them: it is single-threaded).
void before_fork() {
  errors_lock();
  quarantine_lock();
  central_lock_all();
  large_lock_all();
  page_guard_lock();
  registry().mutex().lock();
  root_regions_lock();
  thread_cache_lock_all();
  depot_lock_all();
  symbolizer_lock();
  internal_arena_lock();
}

void after_fork_parent() {
  internal_arena_unlock();
  symbolizer_unlock();
  depot_unlock_all();
  thread_cache_unlock_all();
  root_regions_unlock();
  registry().mutex().unlock();
  page_guard_unlock();
  large_unlock_all();
  central_unlock_all();
  quarantine_unlock();
  errors_unlock();
}

void after_fork_child() {
  g_forked_child = true;
  internal_arena_reset_after_fork();
  symbolizer_reset_after_fork();
  depot_reset_after_fork();
  thread_cache_reset_after_fork();
  root_regions_reset_after_fork();
  registry().mutex().reset_after_fork();
  large_reset_after_fork();
  page_guard_reset_after_fork();
  central_reset_after_fork();
  quarantine_reset_after_fork();
  errors_after_fork_child();
  report_after_fork_child();
  kernel_held_after_fork_child();
}

// Runs after libc is ready (pthread_atfork and on_exit may allocate, so they
// are not called from inside the first malloc): fork handlers, the report
// file's journal, and the exit handler.
__attribute__((constructor)) void start_up() {
  ensure_initialized();
  runtime_started();
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
  keep_stderr();
  install_fault_handler();
  page_guard_load_sites();
  underscore_exit_init();
  if (g_options.print_suppressions) os_write_all(2, builtin_suppressions(), strlen(builtin_suppressions()));
  report_start();
  register_exit_handler();
}

}  // namespace

void initialize_slow() {
  int expected = 0;
  if (g_init_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    g_init_thread.store(os_gettid(), std::memory_order_relaxed);
    check_page_size();
    initialize_options();
    page_guard_init();
    runtime_ranges_init();
    DM_CHECK(internal_arena_init());  // reports and symbolization allocate from it
    stack_capture_init();
    thread_exit_init();
    thread_stop_init();
    g_init_state.store(2, std::memory_order_release);
    return;
  }
  // Another thread is initialising; a call from inside our own initialisation proceeds.
  while (g_init_state.load(std::memory_order_acquire) != 2) {
    if (g_init_thread.load(std::memory_order_relaxed) == os_gettid()) return;
    sched_yield();
  }
}

}  // namespace dm
