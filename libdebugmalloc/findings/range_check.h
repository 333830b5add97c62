// Range checks for the interposed C library functions (entry/libc_*.cpp): may
// the program read or write [p, p + n)? A pointer outside the heap is told
// apart with one page-map lookup; a pointer into a live block costs one more
// read, of its header. Everything else goes to the out-of-line reporters, which
// look again with the header's checksum and say what the range hits: past the
// end of a block (heap-buffer-overflow), before its start (underflow), a freed
// block (use-after-free). Overlapping arguments where the C standard leaves the
// result undefined are memcpy-param-overlap, wherever the memory is.
//
// The fast path is conservative: it may send a fine range to the reporters (a
// header read while another thread rewrites it), never a bad one past them
// unchecked; the reporters decide. A damaged header or a slot never handed out
// is not reported here (the heap checks report those).
//
// Thread- and signal-safety: lookups take no lock and do not allocate; the
// reporters serialise like every other error report (findings/errors.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "findings/errors.h"
#include "stacks/fast_unwind.h"
#include "heap/chunk.h"
#include "heap/large.h"
#include "heap/registry.h"
#include "heap/size_class.h"
#include "heap/zones.h"
#include "support/options.h"
#include "support/platform.h"

namespace dm {

// room_at(): the address is in no heap span (stack, globals, a mapping of the program's).
inline constexpr size_t kNoLimit = ~size_t{0};

// The slot index of an offset into a zone, without a division (a division costs
// more than the rest of a check): offset * magic >> 42 is offset / slot_size,
// exactly, for every offset below 2^24 and slot size up to 2^17.
inline constexpr int kSlotMagicShift = 42;
static_assert(kSmallZoneSize <= (size_t{1} << 24) && kTinyZoneSize <= (size_t{1} << 24), "zone offsets fit 24 bits");
static_assert(kSmallMaxSlot <= (size_t{1} << 17), "slot sizes fit 17 bits");
struct SlotMagics {
  uint64_t of_class[kNumClasses];
  constexpr SlotMagics() : of_class() {
    for (int cls = 0; cls < kNumClasses; ++cls) {
      uint64_t size = class_slot_size(cls);
      of_class[cls] = ((uint64_t{1} << kSlotMagicShift) + size - 1) / size;
    }
  }
};
inline constexpr SlotMagics kSlotMagics{};
static_assert((((size_t{1} << 24) - 1) * kSlotMagics.of_class[kNumClasses - 1] >> kSlotMagicShift) ==
                  ((size_t{1} << 24) - 1) / kSmallMaxSlot,
              "the magic divides exactly");

// Bytes of a live block's requested size from `address` to its end, read from
// the header without validating it; 0 when `address` is heap memory outside any
// live block's bytes (freed block, guard, header, never-used slot).
DM_ALWAYS_INLINE size_t room_in_span(const ListedSpan* span, uintptr_t address) {
  uintptr_t user;
  size_t size;
  static_assert(ZoneKind::kTiny < ZoneKind::kLarge && ZoneKind::kSmall < ZoneKind::kLarge, "zones first");
  if (DM_LIKELY(span->kind < ZoneKind::kLarge)) {
    const auto* zone = static_cast<const ZoneMeta*>(span);
    // Past the last slot (the zone's unused tail, mapped and never written) the
    // "header" reads as zeros: not allocated, so 0, and the reporters look.
    uint64_t index = ((address - zone->start) * kSlotMagics.of_class[zone->cls]) >> kSlotMagicShift;
    uintptr_t slot = zone->start + uintptr_t{index} * zone->slot_size;
    uint64_t bits = __atomic_load_n(&reinterpret_cast<const ChunkHeader*>(slot)->bits, __ATOMIC_RELAXED);
    ChunkHeader header{};
    header.bits = bits;
    if (header.state() != ChunkState::kAllocated) return 0;
    user = slot + header.user_offset();
    size = header.size();
  } else if (span->kind == ZoneKind::kLarge) {
    const auto* large = static_cast<const LargeMeta*>(span);
    if (large->header.state() != ChunkState::kAllocated) return 0;
    user = large->user;
    size = large->user_size;
  } else {
    return 0;  // a kind of span this fast path does not know: the reporters look
  }
  return address - user < size ? user + size - address : 0;
}

// The bytes the program may touch from `address` on: kNoLimit outside the heap.
DM_ALWAYS_INLINE size_t room_at(uintptr_t address) {
  const ListedSpan* span = registry().lookup(address);
  if (DM_LIKELY(span == nullptr)) return kNoLimit;
  return room_in_span(span, address);
}

// True when [p, p + n) (n > 0) starts outside the heap, or lies inside one live block.
DM_ALWAYS_INLINE bool range_ok(uintptr_t p, size_t n) {
  // A range that starts outside the heap is not the heap's business (a stack or
  // global overflow running into a zone is left to -fsanitize=address).
  const ListedSpan* span = registry().lookup(p);
  if (DM_LIKELY(span == nullptr)) return true;
  return n <= room_in_span(span, p);
}

// The C library call being checked: its name as reports show it ("memcpy()")
// and the program's frame that called it (where the reported stack starts).
// Built in the interposer itself, only on the way to a report.
struct LibcSite {
  const char* function;
  CallerFrame caller;
};
#define DM_LIBC_SITE(name) (::dm::LibcSite{name, DM_CALLER_FRAME()})

// Whether the interposers check anything (check_libc).
DM_ALWAYS_INLINE bool libc_checks_on() { return g_options.check_libc; }

// How a range's length is known: exactly, or only as a lower bound (a string
// that does not end inside its block: the call reads at least one byte past it).
enum class RangeLength : uint8_t { kExact, kAtLeast };

// [p, p + n) failed range_ok() (or a string ran out of its block): reports what
// it hits, if anything. errno is preserved.
DM_NOINLINE void report_libc_range(const LibcSite& site, uintptr_t p, size_t n, Access access,
                                   RangeLength length = RangeLength::kExact);

// Source and destination overlap where the function's result is undefined. errno is preserved.
DM_NOINLINE void report_libc_overlap(const LibcSite& site, uintptr_t dst, size_t dst_size, uintptr_t src,
                                     size_t src_size);

// Checks one range and reports it when bad.
DM_ALWAYS_INLINE void check_libc_range(const LibcSite& site, const void* p, size_t n, Access access) {
  uintptr_t a = reinterpret_cast<uintptr_t>(p);
  if (n != 0 && DM_UNLIKELY(!range_ok(a, n))) report_libc_range(site, a, n, access);
}

// Reports overlapping [dst, dst + dn) and [src, src + sn). The same pointer
// twice is left alone: compilers emit memcpy(p, p, n) for a self-assignment.
DM_ALWAYS_INLINE void check_libc_overlap(const LibcSite& site, const void* dst, size_t dn, const void* src,
                                         size_t sn) {
  uintptr_t d = reinterpret_cast<uintptr_t>(dst);
  uintptr_t s = reinterpret_cast<uintptr_t>(src);
  if (DM_UNLIKELY(d < s + sn && s < d + dn && d != s && dn != 0 && sn != 0))
    report_libc_overlap(site, d, dn, s, sn);
}

}  // namespace dm
