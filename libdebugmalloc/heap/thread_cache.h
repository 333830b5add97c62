// Per-thread caches of free slots, one bin per size class: the hot path of
// malloc and free touches no lock. Bins refill from and flush to the central
// lists in batches. A slot freed by another thread simply goes to the freeing
// thread's cache (slots are interchangeable within a class).
//
// Thread-safety: a cache is used only by its thread. Thread exit releases it
// (core/thread_exit.cpp); later calls on that thread go straight to central.
#pragma once

#include <cstdint>

#include "support/platform.h"
#include "heap/size_class.h"
#include "heap/zones.h"

namespace dm {

struct QuarantineBatch;
inline constexpr int kQuarantineBands = 3;  // the quarantine's size bands (core/quarantine.cpp)

struct ThreadCache {
  struct Bin {
    void* head = nullptr;
    uint32_t count = 0;
    uint32_t capacity = 0;
  };
  Bin bins[kNumClasses];
  QuarantineBatch* quarantine_batch[kQuarantineBands] = {};  // per size band: frees gathered before joining the quarantine
  ThreadCache* next_cache = nullptr;            // in the list of live caches
};

// The calling thread's cache: nullptr before first use, kDeadCache after its thread's exit began.
extern __thread ThreadCache* t_cache __attribute__((tls_model("initial-exec")));
inline ThreadCache* const kDeadCache = reinterpret_cast<ThreadCache*>(1);

void* thread_cache_refill(int cls);            // slow path of pop
void thread_cache_flush(int cls, void* slot);  // slow path of push

// A free slot of class `cls`, or nullptr when out of memory.
DM_ALWAYS_INLINE void* thread_cache_pop(int cls) {
  ThreadCache* tc = t_cache;
  if (DM_LIKELY(reinterpret_cast<uintptr_t>(tc) > 1)) {
    ThreadCache::Bin& bin = tc->bins[cls];
    void* slot = bin.head;
    if (DM_LIKELY(slot != nullptr)) {
      bin.head = free_link(slot);
      --bin.count;
      return slot;
    }
  }
  return thread_cache_refill(cls);
}

DM_ALWAYS_INLINE void thread_cache_push(int cls, void* slot) {
  ThreadCache* tc = t_cache;
  if (DM_LIKELY(reinterpret_cast<uintptr_t>(tc) > 1)) {
    ThreadCache::Bin& bin = tc->bins[cls];
    if (DM_LIKELY(bin.count < bin.capacity)) {
      free_link(slot) = bin.head;
      bin.head = slot;
      ++bin.count;
      return;
    }
  }
  thread_cache_flush(cls, slot);
}

// The calling thread's cache, created on first use; nullptr after the thread's exit began.
ThreadCache* current_thread_cache();

// Gives every slot of the calling thread's cache back to central.
void thread_cache_drain_current();

// Called once at initialisation: `on_create` learns of each thread's first cache (the thread
// lifecycle above this layer hooks thread exit there).
void thread_cache_init(void (*on_create)(ThreadCache*));

// At the thread's exit: gives the cache's slots back to central and retires it; the thread's
// later frees go straight to central. The caller has emptied tc->quarantine_batch.
void thread_cache_release(ThreadCache* tc);
void thread_cache_lock_all();
void thread_cache_unlock_all();
void thread_cache_reset_after_fork();

}  // namespace dm
