// Thread cache creation, refill/flush slow paths and thread-exit cleanup.
#include "heap/thread_cache.h"

#include "support/check.h"
#include "support/object_pool.h"

namespace dm {

__thread ThreadCache* t_cache __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

constexpr int kMaxBatch = 64;
constexpr size_t kBinBytes = 64 * 1024;  // a bin holds about this many bytes of slots

constinit ObjectPool<ThreadCache> g_cache_pool;
constinit Mutex g_list_mu;
constinit ThreadCache* g_live_caches = nullptr;
using CacheHook = void (*)(ThreadCache*);
constinit CacheHook g_on_create = nullptr;

uint32_t bin_capacity(int cls) {
  size_t n = kBinBytes / class_slot_size(cls);
  if (n < 2) n = 2;
  if (n > 2 * kMaxBatch) n = 2 * kMaxBatch;
  return static_cast<uint32_t>(n);
}

void drain(ThreadCache* tc) {
  void* batch[kMaxBatch];
  for (int cls = 0; cls < kNumClasses; ++cls) {
    ThreadCache::Bin& bin = tc->bins[cls];
    while (bin.head != nullptr) {
      int n = 0;
      while (n < kMaxBatch && bin.head != nullptr) {
        batch[n++] = bin.head;
        bin.head = free_link(bin.head);
      }
      central_give(cls, batch, n);
    }
    bin.count = 0;
  }
}

void unlink_cache(ThreadCache* tc) {
  ScopedLock lock(g_list_mu);
  ThreadCache** p = &g_live_caches;
  while (*p != nullptr && *p != tc) p = &(*p)->next_cache;
  DM_CHECK(*p == tc);  // a live cache is on the list (else the pool would hand out a listed cache)
  *p = tc->next_cache;
}

ThreadCache* create_cache() {
  ThreadCache* tc = g_cache_pool.acquire();
  if (tc == nullptr) return nullptr;
  for (int cls = 0; cls < kNumClasses; ++cls) tc->bins[cls].capacity = bin_capacity(cls);
  {
    ScopedLock lock(g_list_mu);
    tc->next_cache = g_live_caches;
    g_live_caches = tc;
  }
  t_cache = tc;
  if (g_on_create != nullptr) g_on_create(tc);
  return tc;
}

}  // namespace

ThreadCache* current_thread_cache() {
  ThreadCache* tc = t_cache;
  if (tc == nullptr) tc = create_cache();
  return tc == kDeadCache ? nullptr : tc;
}

void thread_cache_init(void (*on_create)(ThreadCache*)) { g_on_create = on_create; }

void thread_cache_release(ThreadCache* tc) {
  for (QuarantineBatch* batch : tc->quarantine_batch)
    DM_CHECK(batch == nullptr);  // else its blocks would never leave the quarantine
  t_cache = kDeadCache;  // frees later in this thread's exit go straight to central
  drain(tc);
  unlink_cache(tc);
  g_cache_pool.release(tc);
}

void* thread_cache_refill(int cls) {
  ThreadCache* tc = t_cache;
  if (tc == nullptr) tc = create_cache();
  if (tc == nullptr || tc == kDeadCache) {
    void* slot = nullptr;
    return central_take(cls, &slot, 1) == 1 ? slot : nullptr;
  }
  ThreadCache::Bin& bin = tc->bins[cls];
  void* batch[kMaxBatch];
  int want = static_cast<int>(bin.capacity / 2);
  if (want < 1) want = 1;
  int n = central_take(cls, batch, want);
  if (n == 0) return nullptr;
  for (int i = 1; i < n; ++i) {
    free_link(batch[i]) = bin.head;
    bin.head = batch[i];
  }
  bin.count += static_cast<uint32_t>(n - 1);
  return batch[0];
}

void thread_cache_flush(int cls, void* slot) {
  ThreadCache* tc = t_cache;
  if (tc == nullptr) tc = create_cache();
  if (tc == nullptr || tc == kDeadCache) {
    central_give(cls, &slot, 1);
    return;
  }
  // Full bin: send half of it, plus this slot, back to central.
  ThreadCache::Bin& bin = tc->bins[cls];
  void* batch[kMaxBatch + 1];
  int n = 0;
  batch[n++] = slot;
  uint32_t keep = bin.capacity / 2;
  while (bin.count > keep && n < kMaxBatch + 1) {
    batch[n++] = bin.head;
    bin.head = free_link(bin.head);
    --bin.count;
  }
  central_give(cls, batch, n);
}

void thread_cache_drain_current() {
  ThreadCache* tc = t_cache;
  if (reinterpret_cast<uintptr_t>(tc) > 1) drain(tc);
}

void thread_cache_lock_all() {
  g_list_mu.lock();
  g_cache_pool.mutex().lock();
}

void thread_cache_unlock_all() {
  g_cache_pool.mutex().unlock();
  g_list_mu.unlock();
}

void thread_cache_reset_after_fork() {
  g_cache_pool.mutex().reset_after_fork();
  g_list_mu.reset_after_fork();
  // Caches of threads that do not exist in the child keep their slots: those
  // slots are merely unavailable, never handed out twice.
}

}  // namespace dm
