// Finding the block a pointer belongs to, for free, realloc, usable_size, heap
// walks and reports. Works for any address a program may pass (stack, globals,
// foreign mappings) without touching memory the allocator does not own.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/chunk.h"
#include "heap/large.h"
#include "heap/zones.h"

namespace dm {

struct BlockRef {
  ChunkHeader* header = nullptr;  // in the slot (TINY/SMALL) or in the LargeMeta
  uintptr_t slot = 0;             // slot start, or the large mapping's start
  uintptr_t slot_end = 0;         // end of the slot, or of a mapping's accessible bytes (the rear guard ends here)
  uintptr_t user = 0;             // pointer handed to the program
  size_t size = 0;                // requested size
  ZoneMeta* zone = nullptr;       // exactly one of zone / large is set
  LargeMeta* large = nullptr;

  ZoneKind kind() const { return zone != nullptr ? zone->kind : ZoneKind::kLarge; }
};

enum class Locate {
  kFound,           // a header with a valid checksum covers the address
  kNotHeap,         // the address is in no zone or large block
  kNeverAllocated,  // in a zone, but its slot was never handed out
  kCorrupt,         // in a zone, but the slot's header fails its checksum
};

// Fills `out` with the slot that contains `address` (any byte of it, header and guards included).
Locate locate_block(uintptr_t address, BlockRef* out);

// Same for a slot start inside a known zone (heap walks).
Locate block_at_slot(ZoneMeta* zone, uintptr_t slot, BlockRef* out);

}  // namespace dm
