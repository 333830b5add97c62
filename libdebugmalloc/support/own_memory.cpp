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
// The indexes of the leaves mapped so far, in the order they were: the leak scan
// visits them without reading all of g_leaves (256 KiB, most of it never touched).
constexpr size_t kListedLeaves = 512;
constinit std::atomic<uint32_t> g_listed[kListedLeaves] = {};
constinit std::atomic<size_t> g_listed_count{0};

Leaf* leaf_for(size_t index, bool create) {
  Leaf* leaf = g_leaves[index].load(std::memory_order_acquire);
  if (leaf != nullptr || !create) return leaf;
  int saved = errno;
  void* p = mmap(nullptr, sizeof(Leaf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  errno = saved;
  if (p == MAP_FAILED) return nullptr;
  auto* fresh = static_cast<Leaf*>(p);
  // Two threads may race to create the same leaf: the loser unmaps its copy.
  if (g_leaves[index].compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel)) {
    size_t slot = g_listed_count.fetch_add(1, std::memory_order_acq_rel);
    if (slot < kListedLeaves) g_listed[slot].store(static_cast<uint32_t>(index) + 1, std::memory_order_release);
    return fresh;
  }
  munmap(p, sizeof(Leaf));
  errno = saved;
  return leaf;
}

template <typename Fn>
void for_each_granule(uintptr_t start, size_t size, bool create, Fn&& fn) {
  if (size == 0) return;
  uintptr_t first = start >> kGranuleShift;
  uintptr_t last = (start + size - 1) >> kGranuleShift;
  // A word's worth of granules at a time: a 1 GiB mapping is 256 words, not 16,384 bits.
  for (uintptr_t g = first; g <= last && g / kGranulesPerLeaf < kLeaves;) {
    size_t bit = g % kGranulesPerLeaf;
    uintptr_t word_end = g - bit % 64 + 64;  // first granule of the next word
    uintptr_t stop = last + 1 < word_end ? last + 1 : word_end;
    uint64_t bits = stop - g == 64 ? ~uint64_t{0} : ((uint64_t{1} << (stop - g)) - 1) << (bit % 64);
    if (Leaf* leaf = leaf_for(g / kGranulesPerLeaf, create)) fn(leaf->words[bit / 64], bits);
    g = stop;
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
// Past kListedLeaves leaves (over 2 TiB of address space marked), every index.
size_t leaf_count_limit() {
  size_t listed = g_listed_count.load(std::memory_order_acquire);
  return listed <= kListedLeaves ? listed : kLeaves;
}
uintptr_t leaf_at(size_t i) {
  size_t index = i;
  if (g_listed_count.load(std::memory_order_acquire) <= kListedLeaves) {
    uint32_t listed = g_listed[i].load(std::memory_order_acquire);
    if (listed == 0) return 0;  // its creator has not stored it yet: nothing of the tool's is in it yet either
    index = listed - 1;
  }
  return reinterpret_cast<uintptr_t>(g_leaves[index].load(std::memory_order_acquire));
}
}  // namespace own_memory_detail

}  // namespace dm
