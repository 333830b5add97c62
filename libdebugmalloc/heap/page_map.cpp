// Radix table from 64 KiB granules to the span that owns them.
#include "heap/page_map.h"

#include "support/check.h"
#include "support/platform.h"

namespace dm {

PageMap::Leaf* PageMap::leaf_for(uintptr_t granule) {
  std::atomic<Leaf*>& slot = top_[granule / kLeafEntries];
  Leaf* leaf = slot.load(std::memory_order_acquire);
  if (leaf != nullptr) return leaf;
  auto* fresh = static_cast<Leaf*>(os_map(sizeof(Leaf)));
  if (fresh == nullptr) return nullptr;
  // Two spans may race to create the same leaf: the loser unmaps its copy.
  if (slot.compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel)) return fresh;
  os_unmap(fresh, sizeof(Leaf));
  return leaf;
}

bool PageMap::set(uintptr_t start, size_t size, Span* span) {
  uintptr_t first = start >> kGranuleShift;
  uintptr_t last = (start + size - 1) >> kGranuleShift;
  // Spans are the library's own mappings: never empty, never above the 47-bit user address space.
  DM_CHECK(size != 0 && last < kTopEntries * kLeafEntries);
  for (uintptr_t g = first; g <= last; ++g) {
    Leaf* leaf = leaf_for(g);
    if (leaf == nullptr) {
      clear(start, (g - first) << kGranuleShift);
      return false;
    }
    leaf->entries[g % kLeafEntries].store(span, std::memory_order_release);
  }
  return true;
}

void PageMap::clear(uintptr_t start, size_t size) {
  if (size == 0) return;
  uintptr_t first = start >> kGranuleShift;
  uintptr_t last = (start + size - 1) >> kGranuleShift;
  for (uintptr_t g = first; g <= last; ++g) {
    Leaf* leaf = top_[g / kLeafEntries].load(std::memory_order_acquire);
    if (leaf != nullptr) leaf->entries[g % kLeafEntries].store(nullptr, std::memory_order_release);
  }
}

}  // namespace dm
