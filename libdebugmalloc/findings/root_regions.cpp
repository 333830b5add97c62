// A fixed table of registered root regions.
#include "findings/root_regions.h"

#include "support/mutex.h"
#include "support/platform.h"

namespace dm {

namespace {

constexpr size_t kMaxRegions = 1024;
constinit Mutex g_mu;
constinit RootRange g_regions[kMaxRegions] = {};
constinit size_t g_count = 0;

}  // namespace

bool register_root_region(uintptr_t begin, size_t size) {
  if (size == 0) return true;
  ScopedLock lock(g_mu);
  if (g_count == kMaxRegions) {
    static const char msg[] = "debugmalloc: too many root regions registered (1024); this one is ignored\n";
    os_write_all(2, msg, sizeof msg - 1);
    return false;
  }
  g_regions[g_count++] = RootRange{begin, begin + size};
  return true;
}

bool unregister_root_region(uintptr_t begin, size_t size) {
  ScopedLock lock(g_mu);
  for (size_t i = 0; i < g_count; ++i) {
    if (g_regions[i].begin != begin || g_regions[i].end != begin + size) continue;
    g_regions[i] = g_regions[--g_count];
    return true;
  }
  return false;
}

void copy_root_regions(MmapVector<RootRange>* out) {
  ScopedLock lock(g_mu);
  for (size_t i = 0; i < g_count; ++i) out->push_back(g_regions[i]);
}

void root_regions_lock() { g_mu.lock(); }
void root_regions_unlock() { g_mu.unlock(); }
void root_regions_reset_after_fork() { g_mu.reset_after_fork(); }

}  // namespace dm
