// TINY and SMALL zones: mmap'd regions cut into equal slots of one size class,
// and the central free lists that thread caches refill from and flush to.
//
// A zone hands out slots that came back to it first (a bitmap of them, kept
// outside the zone: taking and giving slots never touches their memory, which
// is cold by the time the quarantine lets them go), then from its never-used
// tail (bump). It counts the slots it has handed out (live, quarantined or held
// by a thread cache); when that count drops to zero the zone is empty, and it is
// unmapped unless it is the class's one spare (hysteresis: a malloc/free loop
// does not map and unmap every time).
//
// Thread-safety: each class has its own lock; zone metadata lives outside the
// zone's memory so a heap overflow cannot reach it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/registry.h"
#include "heap/size_class.h"

namespace dm {

struct ZoneMeta : ListedSpan {
  int cls = 0;
  uint32_t slot_size = 0;
  uint32_t slot_count = 0;
  uint32_t bump = 0;                            // slots [0, bump) have been handed out at least once
  uint32_t used = 0;                            // handed-out slots not yet given back to this zone
  uint32_t free_count = 0;                      // set bits in free_bits
  uint32_t free_hint = 0;                       // a word of free_bits that may have a set bit
  static constexpr uint32_t kMaxSlots = 32768;  // 256 KiB / 32 B, and 16 MiB / 1280 B fit
  uint64_t free_bits[kMaxSlots / 64];           // slot i came back (i < bump)
  ZoneMeta* class_prev = nullptr;               // in the class's list of zones with free slots
  ZoneMeta* class_next = nullptr;
  bool in_class_list = false;
  uint8_t* scan_marks = nullptr;  // one mark per slot, only during a leak scan
  uint32_t* scan_lost = nullptr;  // per slot: node number + 1 in the lost graph, only during a leak scan

  uintptr_t slot_of(uintptr_t address) const { return start + (address - start) / slot_size * slot_size; }
};

// The word of a free slot that links it into a thread cache's list: just past
// the header, which stays intact so that a free of an available slot is a double free.
inline void*& free_link(void* slot) { return *reinterpret_cast<void**>(static_cast<char*>(slot) + 16); }

// Fills `out` with up to `max` free slots of class `cls`; returns how many (0 = out of memory).
int central_take(int cls, void** out, int max);
// Gives back `count` slots of class `cls` (any zones), taken earlier with central_take.
void central_give(int cls, void* const* slots, int count);

// Fork support: take or release every class lock.
void central_lock_all();
void central_unlock_all();
void central_reset_after_fork();

// Statistics for tests.
struct ZoneStats {
  size_t zones_mapped = 0;    // zones currently mapped
  size_t zones_unmapped = 0;  // zones given back with munmap since start
};
ZoneStats zone_stats();

}  // namespace dm
