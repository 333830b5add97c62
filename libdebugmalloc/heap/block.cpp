// Address -> block resolution through the registry and the chunk header.
#include "heap/block.h"

namespace dm {

Locate block_at_slot(ZoneMeta* zone, uintptr_t slot, BlockRef* out) {
  auto* header = reinterpret_cast<ChunkHeader*>(slot);
  out->zone = zone;
  out->large = nullptr;
  out->header = header;
  out->slot = slot;
  out->slot_end = slot + zone->slot_size;
  if (!header->checksum_ok(slot)) return header->is_zero() ? Locate::kNeverAllocated : Locate::kCorrupt;
  out->user = slot + header->user_offset();
  out->size = header->size();
  return Locate::kFound;
}

Locate locate_block(uintptr_t address, BlockRef* out) {
  ListedSpan* span = registry().lookup(address);
  if (span == nullptr || !span->contains(address)) return Locate::kNotHeap;
  if (span->kind == ZoneKind::kLarge) {
    auto* large = static_cast<LargeMeta*>(span);
    out->zone = nullptr;
    out->large = large;
    out->header = &large->header;
    out->slot = large->start;
    out->slot_end = large_access_end(*large);  // not its inaccessible guard page
    out->user = large->user;
    out->size = large->user_size;
    return large->header.state() == ChunkState::kNeverUsed ? Locate::kNeverAllocated : Locate::kFound;
  }
  auto* zone = static_cast<ZoneMeta*>(span);
  uintptr_t slot = zone->slot_of(address);
  if (slot >= zone->start + uintptr_t{zone->slot_count} * zone->slot_size)
    return Locate::kNotHeap;  // tail past the last slot
  return block_at_slot(zone, slot, out);
}

}  // namespace dm
