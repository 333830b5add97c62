// System call wrappers used by the allocator: mappings, writes, ids.
#include "support/platform.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "support/check.h"
#include "support/own_memory.h"

namespace dm {

namespace {
// Keeps errno as the caller saw it: a successful malloc must not change errno.
class ErrnoGuard {
 public:
  ErrnoGuard() : saved_(errno) {}
  ~ErrnoGuard() { errno = saved_; }

 private:
  int saved_;
};
}  // namespace

namespace {
// Single granules given back, kept for the next os_map of one (per-thread
// caches and signal stacks come and go with threads): their pages are
// released, so they read as zero like a fresh mapping, but reusing one costs
// no mmap and no trimming. Lock-free, so a fork never finds it held.
constexpr size_t kSpareGranules = 64;
constinit std::atomic<void*> g_spare_granules[kSpareGranules] = {};

void* take_spare_granule() {
  for (auto& slot : g_spare_granules)
    if (slot.load(std::memory_order_relaxed) != nullptr)
      if (void* p = slot.exchange(nullptr, std::memory_order_acquire)) return p;
  return nullptr;
}

bool keep_spare_granule(void* p) {
  for (auto& slot : g_spare_granules) {
    if (slot.load(std::memory_order_relaxed) != nullptr) continue;
    void* expected = nullptr;
    if (slot.compare_exchange_strong(expected, p, std::memory_order_release)) return true;
  }
  return false;
}
}  // namespace

// The library's metadata: whole granules, recorded in the own-memory map so
// that the leak scan never takes the tool's bookkeeping for the program's roots.
void* os_map(size_t size) {
  size_t rounded = align_up(size, kMapGranule);
  if (rounded == kMapGranule)
    if (void* spare = take_spare_granule()) return spare;
  void* p = os_map_aligned(rounded, kMapGranule);
  if (p != nullptr) own_memory_add(reinterpret_cast<uintptr_t>(p), rounded);
  return p;
}

void* os_map_aligned(size_t size, size_t align, bool committed) {
  DM_CHECK(is_power_of_two(align) && align >= kPageSize);
  ErrnoGuard keep;
  if (size + align < size) return nullptr;
  // Map more than needed, then trim both ends to the aligned window.
  size_t padded = size + align - kPageSize;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | (committed ? 0 : MAP_NORESERVE);
  void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = align_up(start, align);
  if (aligned > start) munmap(raw, aligned - start);
  uintptr_t end = start + padded;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  return reinterpret_cast<void*>(aligned);
}

namespace {
// While the leak scan runs, the tool's own mappings must not disappear: the
// scan took a snapshot of the process's mappings, and memory that stopped
// being the tool's would be read as a root. Unmaps wait until it is over.
// A slot is published by its address (release) after its size; the flush
// takes each slot it knows of and clears it, so an entry is used once.
struct PendingUnmap {
  std::atomic<void*> p;
  std::atomic<size_t> size;
};
constexpr size_t kMaxPendingUnmaps = 1024;
constinit std::atomic<bool> g_defer_unmaps{false};
constinit std::atomic<size_t> g_pending_count{0};
constinit PendingUnmap g_pending[kMaxPendingUnmaps] = {};
}  // namespace

void os_unmap(void* p, size_t size) {
  DM_DCHECK(reinterpret_cast<uintptr_t>(p) % kMapGranule == 0);  // os_map's memory starts on a granule
  size_t rounded = align_up(size, kMapGranule);
  if (g_defer_unmaps.load(std::memory_order_acquire)) {
    size_t i = g_pending_count.fetch_add(1, std::memory_order_acq_rel);
    // Past the table the memory simply stays mapped (and the tool's).
    if (i < kMaxPendingUnmaps) {
      g_pending[i].size.store(rounded, std::memory_order_relaxed);
      g_pending[i].p.store(p, std::memory_order_release);
    }
    return;
  }
  if (rounded == kMapGranule) {
    os_release(p, rounded);
    if (keep_spare_granule(p)) return;
  }
  own_memory_remove(reinterpret_cast<uintptr_t>(p), rounded);
  os_unmap_span(p, rounded);
}

void os_defer_unmaps(bool defer) {
  if (defer) {
    g_pending_count.store(0, std::memory_order_relaxed);
    g_defer_unmaps.store(true, std::memory_order_release);
    return;
  }
  g_defer_unmaps.store(false, std::memory_order_seq_cst);
  size_t n = g_pending_count.load(std::memory_order_seq_cst);
  if (n > kMaxPendingUnmaps) n = kMaxPendingUnmaps;
  for (size_t i = 0; i < n; ++i) {
    // A writer that took slot i may still be storing it: wait a moment for it.
    void* p = nullptr;
    for (int spin = 0; spin < 100000 && (p = g_pending[i].p.exchange(nullptr, std::memory_order_acq_rel)) == nullptr;
         ++spin)
      __builtin_ia32_pause();
    if (p != nullptr) os_unmap(p, g_pending[i].size.load(std::memory_order_relaxed));
  }
}

void os_unmap_span(void* p, size_t size) {
  ErrnoGuard keep;
  munmap(p, size);
}

void os_release(void* p, size_t size) {
  ErrnoGuard keep;
  madvise(p, size, MADV_DONTNEED);
}

void os_protect(void* p, size_t size, bool accessible) {
  ErrnoGuard keep;
  mprotect(p, size, accessible ? PROT_READ | PROT_WRITE : PROT_NONE);
}

void os_write_all(int fd, const char* data, size_t size) {
  ErrnoGuard keep;
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

int os_getpid() { return static_cast<int>(syscall(SYS_getpid)); }
int os_gettid() { return static_cast<int>(syscall(SYS_gettid)); }

}  // namespace dm
