// A radix bit set over 64 KiB granules of the 47-bit user address space.
#include "support/own_memory.h"

#include <errno.h>
#include <sys/mman.h>

#include <atomic>

#include "support/platform.h"

namespace dm {

namespace {

constexpr int kAddressBits = 47;
constexpr int kGranuleShift = __builtin_ctzll(kMapGranule);
constexpr size_t kGranulesPerLeaf = own_memory_detail::kLeafBytes * 8;
constexpr size_t kLeaves = (size_t{1} << (kAddressBits - kGranuleShift)) / kGranulesPerLeaf;

struct Leaf {
  std::atomic<uint64_t> words[kGranulesPerLeaf / 64];
};
static_assert(sizeof(Leaf) == own_memory_detail::kLeafBytes, "a leaf is one bit per granule");

constinit std::atomic<Leaf*> g_leaves[kLeaves] = {};

Leaf* leaf_for(size_t index, bool create) {
  Leaf* leaf = g_leaves[index].load(std::memory_order_acquire);
  if (leaf != nullptr || !create) return leaf;
  int saved = errno;
  void* p = mmap(nullptr, sizeof(Leaf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  errno = saved;
  if (p == MAP_FAILED) return nullptr;
  auto* fresh = static_cast<Leaf*>(p);
  // Two threads may race to create the same leaf: the loser unmaps its copy.
  if (g_leaves[index].compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel)) return fresh;
  munmap(p, sizeof(Leaf));
  errno = saved;
  return leaf;
}

template <typename Fn>
void for_each_granule(uintptr_t start, size_t size, bool create, Fn&& fn) {
  if (size == 0) return;
  uintptr_t first = start >> kGranuleShift;
  uintptr_t last = (start + size - 1) >> kGranuleShift;
  for (uintptr_t g = first; g <= last && g / kGranulesPerLeaf < kLeaves; ++g) {
    Leaf* leaf = leaf_for(g / kGranulesPerLeaf, create);
    if (leaf == nullptr) continue;
    size_t bit = g % kGranulesPerLeaf;
    fn(leaf->words[bit / 64], uint64_t{1} << (bit % 64));
  }
}

}  // namespace

void own_memory_add(uintptr_t start, size_t size) {
  for_each_granule(start, size, true,
                   [](std::atomic<uint64_t>& w, uint64_t mask) { w.fetch_or(mask, std::memory_order_release); });
}

void own_memory_remove(uintptr_t start, size_t size) {
  for_each_granule(start, size, false,
                   [](std::atomic<uint64_t>& w, uint64_t mask) { w.fetch_and(~mask, std::memory_order_release); });
}

bool own_memory_contains(uintptr_t address) {
  uintptr_t g = address >> kGranuleShift;
  if (g / kGranulesPerLeaf >= kLeaves) return false;
  Leaf* leaf = g_leaves[g / kGranulesPerLeaf].load(std::memory_order_acquire);
  if (leaf == nullptr) return false;
  size_t bit = g % kGranulesPerLeaf;
  return (leaf->words[bit / 64].load(std::memory_order_acquire) >> (bit % 64)) & 1;
}

namespace own_memory_detail {
size_t leaf_count_limit() { return kLeaves; }
uintptr_t leaf_at(size_t index) { return reinterpret_cast<uintptr_t>(g_leaves[index].load(std::memory_order_acquire)); }
}  // namespace own_memory_detail

}  // namespace dm
