// Walking every span in address order: used by show_alloc_mem, heap sweeps and
// the leak scan. The walk holds the registry lock, so no zone is unmapped
// under it; blocks may still change state concurrently (readers re-validate).
#pragma once

#include <cstddef>

#include "heap/block.h"
#include "support/memory_map.h"
#include "support/mmap_vector.h"

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

  // Finds the parts of the spans the program made unreadable (mprotect) or
  // unmapped behind the tool's back: walks never read them. Without this
  // call every span is taken as readable.
  void find_unreadable(const MemoryMap& maps);
  bool readable(uintptr_t begin, uintptr_t end) const;
  // Slots a walk passed over because they were not readable.
  uint64_t unreadable_slots() const { return unreadable_slots_; }
  void count_unreadable_slot() { ++unreadable_slots_; }

 private:
  ListedSpan** spans_ = nullptr;
  size_t count_ = 0;
  size_t mapped_bytes_ = 0;
  MmapVector<Mapping> unreadable_;  // sorted, disjoint (only start and end are used)
  uint64_t unreadable_slots_ = 0;
};

// Calls fn(const BlockRef&, Locate) for every block of span `index` that was
// handed out at least once: Locate::kFound for a valid header, Locate::kCorrupt
// for a slot whose header fails its checksum (never-used slots are skipped, and
// so are unreadable ones, counted).
template <typename Fn>
void for_each_block(SpanSnapshot& spans, size_t index, Fn&& fn) {
  BlockRef block;
  ListedSpan* span = spans[index];
  if (span->kind == ZoneKind::kLarge) {
    if (locate_block(span->start, &block) != Locate::kFound) return;
    // A freed large block's pages are protected by the library itself (and its guard pages always are).
    auto* large = static_cast<LargeMeta*>(span);
    if (!spans.readable(large_access_begin(*large), large_access_end(*large))) {
      if (block.header->state() == ChunkState::kAllocated) spans.count_unreadable_slot();
      return;
    }
    fn(block, Locate::kFound);
    return;
  }
  auto* zone = static_cast<ZoneMeta*>(span);
  for (uint32_t i = 0; i < zone->bump; ++i) {
    uintptr_t slot = zone->start + static_cast<uintptr_t>(i) * zone->slot_size;
    if (!spans.readable(slot, slot + zone->slot_size)) {
      spans.count_unreadable_slot();
      continue;
    }
    Locate where = block_at_slot(zone, slot, &block);
    if (where == Locate::kFound || where == Locate::kCorrupt) fn(block, where);
  }
}

}  // namespace dm
