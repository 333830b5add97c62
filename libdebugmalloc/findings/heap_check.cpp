// Heap sweep over every span in address order.
#include "findings/heap_check.h"

#include "findings/errors.h"
#include "heap/guard.h"
#include "heap/heap_walk.h"
#include "support/options.h"
#include "support/text_buffer.h"

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
  verify_block(block, site, &seen);
}

}  // namespace

void verify_block(const BlockRef& block, const CallSite& site, const ChunkHeader* seen) {
  auto still_same = [&] { return seen == nullptr || header_unchanged(block, *seen); };
  if (block.header->state() == ChunkState::kQuarantined && g_options.scribble) {
    Damage written = find_damage(block.user, free_fill_extent(block), static_cast<uint8_t>(g_options.free_fill));
    if (written.found() && still_same()) report_use_after_free(site, block, written);
  }
  Damage front = front_guard_damage(block);
  if (front.found() && still_same()) report_guard_damage(site, block, front, true);
  Damage rear = rear_guard_damage(block);
  if (rear.found() && still_same()) report_guard_damage(site, block, rear, false);
}

// One line, not an error: the program's own mprotect is not a heap bug.
void report_unreadable_skipped(const char* found_by, uint64_t slots) {
  InlineText<256> line;
  line.str("debugmalloc: ")
      .str(found_by)
      .str(" did not read ")
      .dec(slots)
      .str(slots == 1 ? " block" : " blocks")
      .str(" in memory the program made inaccessible\n");
  os_write_all(log_fd(), line.data(), line.size());
}

uint64_t check_heap(const char* found_by, const CallerFrame& caller, bool include_quarantine) {
  uint64_t before = error_count();
  CallSite site{found_by, &caller};
  SpanSnapshot spans;
  {
    MemoryMap maps;
    spans.find_unreadable(maps);
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    for_each_block(spans, i, [&](const BlockRef& block, Locate where) {
      if (where == Locate::kFound) {
        check_block(block, site, include_quarantine);
        return;
      }
      // A header being rewritten by its owner fails the checksum for an instant: look twice.
      BlockRef again;
      if (block_at_slot(block.zone, block.slot, &again) == Locate::kCorrupt)
        report_heap_corruption(site, block.slot + kHeaderSize, again);
    });
  }
  if (spans.unreadable_slots() != 0) report_unreadable_skipped(found_by, spans.unreadable_slots());
  return error_count() - before;
}

}  // namespace dm
