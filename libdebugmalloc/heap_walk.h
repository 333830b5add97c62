// Walking every span in address order: used by show_alloc_mem, heap sweeps and
// the leak scan. The walk holds the registry lock, so no zone is unmapped
// under it; blocks may still change state concurrently (readers re-validate).
#pragma once

#include <cstddef>

#include "block.h"

namespace dm {

class SpanSnapshot {
 public:
  // Takes the registry lock and collects every span sorted by address.
  SpanSnapshot();
  ~SpanSnapshot();
  SpanSnapshot(const SpanSnapshot&) = delete;
  SpanSnapshot& operator=(const SpanSnapshot&) = delete;

  size_t size() const { return count_; }
  ListedSpan* operator[](size_t i) const { return spans_[i]; }
  bool ok() const { return spans_ != nullptr || count_ == 0; }

 private:
  ListedSpan** spans_ = nullptr;
  size_t count_ = 0;
  size_t mapped_bytes_ = 0;
};

// Calls fn(const BlockRef&, Locate) for every block of `span` that was handed
// out at least once: Locate::kFound for a valid header, Locate::kCorrupt for a
// slot whose header fails its checksum (never-used slots are skipped).
template <typename Fn>
void for_each_block(ListedSpan* span, Fn&& fn) {
  BlockRef block;
  if (span->kind == ZoneKind::kLarge) {
    if (locate_block(span->start, &block) == Locate::kFound) fn(block, Locate::kFound);
    return;
  }
  auto* zone = static_cast<ZoneMeta*>(span);
  for (uint32_t i = 0; i < zone->bump; ++i) {
    uintptr_t slot = zone->start + static_cast<uintptr_t>(i) * zone->slot_size;
    Locate where = block_at_slot(zone, slot, &block);
    if (where == Locate::kFound || where == Locate::kCorrupt) fn(block, where);
  }
}

}  // namespace dm
