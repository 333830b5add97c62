// LARGE block mappings and their reuse cache.
#include "heap/large.h"

#include "heap/page_guard.h"
#include "support/mutex.h"
#include "support/object_pool.h"
#include "support/platform.h"

namespace dm {

namespace {

constexpr size_t kCacheMaxEntries = 8;
constexpr size_t kCacheMaxBytes = 64 * 1024 * 1024;
constexpr size_t kCacheMaxBlock = 16 * 1024 * 1024;

constinit Mutex g_large_mu;
constinit ObjectPool<LargeMeta> g_large_pool;
constinit LargeMeta* g_cache = nullptr;
constinit size_t g_cache_entries = 0;
constinit size_t g_cache_bytes = 0;

// A cached mapping that fits without wasting more than a quarter of it; lock held.
LargeMeta* take_cached(size_t map_size, size_t align) {
  for (LargeMeta** p = &g_cache; *p != nullptr; p = &(*p)->cache_next) {
    LargeMeta* m = *p;
    if (m->size >= map_size && m->size - map_size <= m->size / 4 && m->start % align == 0) {
      *p = m->cache_next;
      m->cache_next = nullptr;
      --g_cache_entries;
      g_cache_bytes -= m->size;
      return m;
    }
  }
  return nullptr;
}

void destroy(LargeMeta* m) {
  registry().remove(m);
  os_unmap_span(reinterpret_cast<void*>(m->start), m->size);
  if (m->guard_rear != 0) mapping_budget_give(1);
  g_large_pool.release(m);
}

// Makes the mapping's last page inaccessible, so that a block right-aligned
// against it faults on overflow; not when the kernel's mapping budget is spent
// (the page then holds more guard bytes).
void protect_last_page(LargeMeta* m) {
  if (m->size <= kPageSize || !mapping_budget_take(1)) return;
  os_protect(reinterpret_cast<void*>(m->start + m->size - kPageSize), kPageSize, false);
  m->guard_rear = static_cast<uint32_t>(kPageSize);
}

}  // namespace

LargeMeta* large_map(size_t map_size, size_t align) {
  if (align < kGranule) align = kGranule;
  {
    ScopedLock lock(g_large_mu);
    if (LargeMeta* cached = take_cached(map_size, align)) return cached;
  }
  void* memory = os_map_aligned(map_size, align, /*committed=*/true);
  if (memory == nullptr) return nullptr;
  LargeMeta* m = g_large_pool.acquire();
  if (m == nullptr) {
    os_unmap_span(memory, map_size);
    return nullptr;
  }
  m->kind = ZoneKind::kLarge;
  m->start = reinterpret_cast<uintptr_t>(memory);
  m->size = map_size;
  m->fresh = true;
  protect_last_page(m);
  if (!registry().add(m)) {
    if (m->guard_rear != 0) mapping_budget_give(1);
    os_unmap_span(memory, map_size);
    g_large_pool.release(m);
    return nullptr;
  }
  return m;
}

void large_unmap(LargeMeta* m) {
  // The mapping stays registered while cached, so a late free of it is still
  // recognised (its header says available) rather than taken for a foreign pointer.
  LargeMeta* evict = nullptr;
  {
    ScopedLock lock(g_large_mu);
    if (m->size > kCacheMaxBlock) {
      evict = m;
    } else {
      m->cache_next = g_cache;
      g_cache = m;
      ++g_cache_entries;
      g_cache_bytes += m->size;
      // Over budget: drop the oldest entries (the tail of the list).
      while (g_cache_entries > kCacheMaxEntries || g_cache_bytes > kCacheMaxBytes) {
        LargeMeta** p = &g_cache;
        while ((*p)->cache_next != nullptr) p = &(*p)->cache_next;
        LargeMeta* oldest = *p;
        *p = nullptr;
        --g_cache_entries;
        g_cache_bytes -= oldest->size;
        oldest->cache_next = evict;
        evict = oldest;
      }
    }
  }
  while (evict != nullptr) {
    LargeMeta* next = evict->cache_next;
    destroy(evict);
    evict = next;
  }
}

void large_lock_all() {
  g_large_mu.lock();
  g_large_pool.mutex().lock();
}

void large_unlock_all() {
  g_large_pool.mutex().unlock();
  g_large_mu.unlock();
}

void large_reset_after_fork() {
  g_large_pool.mutex().reset_after_fork();
  g_large_mu.reset_after_fork();
}

}  // namespace dm
