// show_alloc_mem(): every zone with its live blocks, in address order, as the
// ft_malloc conventions print it:
//   TINY : 0xA0000
//   0xA0020 - 0xA004A : 42 bytes
//   Total : 42 bytes
#include <stdio.h>

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
        out.str(kind_label(span->kind)).str(" : ");
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
