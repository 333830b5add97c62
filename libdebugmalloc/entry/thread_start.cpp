// pthread_create, interposed so that every thread the program starts gets the
// library's alternate signal stack before it runs any of the program's code
// (thread_stop.h says why), even a thread that never allocates.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>

#include "core/init.h"
#include "support/platform.h"
#include "findings/thread_stop.h"

namespace {

using StartFn = void* (*)(void*);
using CreateFn = int (*)(pthread_t*, const pthread_attr_t*, StartFn, void*);

constinit std::atomic<CreateFn> g_real_create{nullptr};

void* debugmalloc_thread_start(void* slot) {
  auto* h = static_cast<dm::ThreadHandoff*>(slot);
  void* arg = h->arg;
  h->arg = nullptr;  // a free slot keeps nothing alive
  StartFn start = h->start.exchange(nullptr, std::memory_order_acq_rel);
  dm::thread_stop_thread_start(/*new_thread=*/true);
  return start(arg);
}

dm::ThreadHandoff* claim_handoff(StartFn start, void* arg) {
  for (dm::ThreadHandoff& h : dm::g_thread_handoffs) {
    StartFn expected = nullptr;
    // The new thread reads the slot only after pthread_create, so the
    // argument may follow the routine.
    if (h.start.load(std::memory_order_relaxed) != nullptr) continue;
    if (!h.start.compare_exchange_strong(expected, start, std::memory_order_acq_rel)) continue;
    h.arg = arg;
    return &h;
  }
  return nullptr;
}

}  // namespace

DM_EXPORT int pthread_create(pthread_t* thread, const pthread_attr_t* attr, StartFn start, void* arg) {
  CreateFn real = g_real_create.load(std::memory_order_acquire);
  if (real == nullptr) {
    real = reinterpret_cast<CreateFn>(dlsym(RTLD_NEXT, "pthread_create"));
    g_real_create.store(real, std::memory_order_release);
  }
  dm::ThreadHandoff* h = claim_handoff(start, arg);
  if (h == nullptr) return real(thread, attr, start, arg);  // too many starting at once: no alternate stack
  int result = real(thread, attr, debugmalloc_thread_start, h);
  if (result != 0) {
    h->arg = nullptr;
    h->start.store(nullptr, std::memory_order_release);
  }
  return result;
}
