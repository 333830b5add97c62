// show_alloc_mem(): every zone with its live blocks, in address order, as the
// ft_malloc conventions print it:
//   TINY : 0xA0000
//   0xA0020 - 0xA004A : 42 bytes
//   Total : 42 bytes
#include <stdio.h>

#include "heap/guard.h"
#include "heap/heap_walk.h"
#include "core/init.h"
#include "support/text_buffer.h"

namespace {

const char* kind_label(dm::ZoneKind kind) {
  switch (kind) {
    case dm::ZoneKind::kTiny:
      return "TINY";
    case dm::ZoneKind::kSmall:
      return "SMALL";
    case dm::ZoneKind::kLarge:
      return "LARGE";
  }
  return "?";
}

void upper_hex(dm::TextBuffer& out, uintptr_t v) { out.str("0x").hex(v, 1, true); }

// A page-guarded block has a mapping of its own, but is listed under the zone
// kind its size belongs to (what it would have been without guard_pages).
dm::ZoneKind listed_kind(const dm::ListedSpan* span, const dm::BlockRef& block) {
  if (span->kind != dm::ZoneKind::kLarge || !static_cast<const dm::LargeMeta*>(span)->page_guarded) return span->kind;
  size_t rz = dm::redzone_for(block.size);
  size_t needed = dm::kHeaderSize + 2 * rz + block.size;
  return needed <= dm::kTinyMaxSlot ? dm::ZoneKind::kTiny : dm::ZoneKind::kSmall;
}

}  // namespace

DM_EXPORT void show_alloc_mem(void) {
  dm::ensure_initialized();
  fflush(stdout);  // keep the program's own buffered output in order
  dm::InlineText<4096> out;
  size_t total = 0;
  dm::SpanSnapshot spans;
  {
    dm::MemoryMap maps;
    spans.find_unreadable(maps);
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    dm::ListedSpan* span = spans[i];
    bool printed_zone = false;
    dm::for_each_block(spans, i, [&](const dm::BlockRef& block, dm::Locate where) {
      if (where != dm::Locate::kFound || block.header->state() != dm::ChunkState::kAllocated) return;
      if (!printed_zone) {
        out.str(kind_label(listed_kind(span, block))).str(" : ");
        upper_hex(out, span->start);
        out.ch('\n');
        printed_zone = true;
      }
      upper_hex(out, block.user);
      out.str(" - ");
      upper_hex(out, block.user + block.size);
      out.str(" : ").dec(block.size).str(" bytes\n");
      total += block.size;
      if (out.size() > 3900) out.flush(1);
    });
  }
  out.str("Total : ").dec(total).str(" bytes\n");
  out.flush(1);
}
