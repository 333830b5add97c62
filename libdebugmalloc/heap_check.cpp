// Heap sweep over every span in address order.
#include "heap_check.h"

#include "errors.h"
#include "guard.h"
#include "heap_walk.h"
#include "options.h"

namespace dm {

namespace {

// Blocks change state under a sweep (other threads allocate and free), so a
// finding counts only if the header is the same before and after looking.
bool header_unchanged(const BlockRef& block, const ChunkHeader& seen) {
  return block.header->bits == seen.bits && block.header->alloc_stack == seen.alloc_stack &&
         block.header->free_stack == seen.free_stack;
}

void check_block(const BlockRef& block, const CallSite& site, bool include_quarantine) {
  ChunkHeader seen = *block.header;
  ChunkState state = seen.state();
  if (state != ChunkState::kAllocated && (state != ChunkState::kQuarantined || !include_quarantine)) return;
  // A quarantined large block's pages are protected: the fault handler watches it.
  if (state == ChunkState::kQuarantined && block.large != nullptr) return;
  if (state == ChunkState::kQuarantined && g_options.scribble) {
    Damage written = find_damage(block.user, free_fill_extent(block), static_cast<uint8_t>(g_options.free_fill));
    if (written.found() && header_unchanged(block, seen)) report_use_after_free(site, block, written);
  }
  Damage front = front_guard_damage(block);
  if (front.found() && header_unchanged(block, seen)) report_guard_damage(site, block, front, true);
  Damage rear = rear_guard_damage(block);
  if (rear.found() && header_unchanged(block, seen)) report_guard_damage(site, block, rear, false);
}

}  // namespace

uint64_t check_heap(const char* found_by, const CallerFrame& caller, bool include_quarantine) {
  uint64_t before = error_count();
  CallSite site{found_by, &caller};
  SpanSnapshot spans;
  for (size_t i = 0; i < spans.size(); ++i) {
    ListedSpan* span = spans[i];
    if (span->kind == ZoneKind::kLarge) {
      BlockRef block;
      if (locate_block(span->start, &block) == Locate::kFound) check_block(block, site, include_quarantine);
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    for (uint32_t s = 0; s < zone->bump; ++s) {
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      BlockRef block;
      Locate where = block_at_slot(zone, slot, &block);
      if (where == Locate::kFound) {
        check_block(block, site, include_quarantine);
      } else if (where == Locate::kCorrupt) {
        ChunkHeader again = *block.header;
        // A header being rewritten by its owner fails the checksum for an instant: look twice.
        if (!again.checksum_ok(slot) && block_at_slot(zone, slot, &block) == Locate::kCorrupt)
          report_heap_corruption(site, slot + kHeaderSize, block);
      }
    }
  }
  return error_count() - before;
}

}  // namespace dm
