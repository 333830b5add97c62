// LARGE blocks: one mapping per block, its metadata kept out of band.
// Freed mappings wait in a small cache (bounded in count and bytes) so that a
// program allocating and freeing the same big buffer in a loop does not pay
// an mmap/munmap pair each time; beyond the cache they go back with munmap.
//
// Thread-safety: large_map and large_unmap take the large-block lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/chunk.h"
#include "heap/registry.h"

namespace dm {

struct LargeMeta : ListedSpan {
  uintptr_t user = 0;      // the pointer returned to the program
  size_t user_size = 0;    // requested size
  ChunkHeader header{};    // state, origin, alignment and stack ids (the size field is unused)
  bool fresh = false;      // never written since mmap: reads as zeros
  uint8_t scan_mark = 0;   // only during a leak scan
  uint32_t scan_lost = 0;  // only during a leak scan: node number + 1 in the lost graph
  LargeMeta* cache_next = nullptr;
  // Inaccessible (PROT_NONE) bytes at the start and at the end of the mapping: a
  // block ends against the rear ones, so an overflow faults at the instruction.
  // The block's bytes and guard bytes lie in [large_access_begin, large_access_end).
  uint32_t guard_front = 0;
  uint32_t guard_rear = 0;
  bool page_guarded = false;  // a slot of the page-guard reservation (heap/page_guard.h), not a mapping of its own
};

inline uintptr_t large_access_begin(const LargeMeta& m) { return m.start + m.guard_front; }
inline uintptr_t large_access_end(const LargeMeta& m) { return m.start + m.size - m.guard_rear; }

// A mapping of at least `map_size` bytes (a multiple of the page size) whose
// start is aligned to `align` (>= the page size), registered in the registry.
// Its last page is made inaccessible (guard_rear) while the kernel's mapping
// budget allows (page_guard.h); `map_size` counts that page. nullptr when out
// of memory.
LargeMeta* large_map(size_t map_size, size_t align);
// Returns the block's mapping to the cache, or to the system.
void large_unmap(LargeMeta* meta);

void large_lock_all();
void large_unlock_all();
void large_reset_after_fork();

}  // namespace dm
