// Address -> span lookup: answers "which zone or large block owns this address?"
// for any pointer a program may hand us (stack, globals, foreign mmaps), without
// touching the pointed-to memory. A two-level radix table over 64 KiB granules
// of the 47-bit user address space; leaves are mmap'd on first use.
//
// Thread-safety: lookups are lock-free. set/clear for one range are done by the
// span's owner under the registry lock; a granule belongs to at most one span.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "support/platform.h"
#include "heap/size_class.h"

namespace dm {

inline constexpr int kGranuleShift = 16;
inline constexpr size_t kGranule = size_t{1} << kGranuleShift;
static_assert(kGranule == kMapGranule, "os_map rounds to whole granules");

// Common prefix of every mapped region the allocator owns (zone or large block).
struct Span {
  ZoneKind kind;
  uintptr_t start = 0;  // first byte of the mapping, kGranule-aligned
  size_t size = 0;      // bytes mapped
  bool contains(uintptr_t p) const { return p - start < size; }
};

class PageMap {
 public:
  constexpr PageMap() = default;
  // Returns false when a leaf could not be mapped (out of memory).
  bool set(uintptr_t start, size_t size, Span* span);
  void clear(uintptr_t start, size_t size);

  Span* lookup(uintptr_t address) const {
    uintptr_t granule = address >> kGranuleShift;
    if (granule >= kTopEntries * kLeafEntries) return nullptr;
    Leaf* leaf = top_[granule / kLeafEntries].load(std::memory_order_acquire);
    if (leaf == nullptr) return nullptr;
    return leaf->entries[granule % kLeafEntries].load(std::memory_order_acquire);
  }

 private:
  static constexpr int kAddressBits = 47;
  static constexpr size_t kLeafEntries = size_t{1} << 16;
  static constexpr size_t kTopEntries = size_t{1} << (kAddressBits - kGranuleShift - 16);
  struct Leaf {
    std::atomic<Span*> entries[kLeafEntries];
  };
  Leaf* leaf_for(uintptr_t granule);

  std::atomic<Leaf*> top_[kTopEntries] = {};
};

}  // namespace dm
