// Thread exit: the one place that knows every per-thread structure of the lower layers.
#include "core/thread_exit.h"

#include <pthread.h>

#include "stacks/fast_unwind.h"
#include "core/quarantine.h"
#include "stacks/stack_capture.h"
#include "heap/thread_cache.h"
#include "findings/thread_stop.h"

namespace dm {

namespace {

constinit pthread_key_t g_exit_key = 0;

void on_thread_exit(void* value) {
  auto* tc = static_cast<ThreadCache*>(value);
  t_cache = kDeadCache;  // from here on this thread's frees go straight to central
  quarantine_flush_thread_batches(tc->quarantine_batch);
  thread_cache_release(tc);
  fast_unwind_thread_exit();
  stack_capture_thread_exit();
}

// A thread's first cache: its exit must run on_thread_exit, and a thread the library did not
// start (the main thread, or one created before it was loaded) joins the leak scan's stop.
void on_first_cache(ThreadCache* tc) {
  pthread_setspecific(g_exit_key, tc);
  thread_stop_thread_start(/*new_thread=*/false);
}

}  // namespace

void thread_exit_init() {
  pthread_key_create(&g_exit_key, on_thread_exit);
  thread_cache_init(on_first_cache);
}

}  // namespace dm
