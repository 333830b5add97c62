// Size classes: every slot of a TINY or SMALL zone has one of these sizes.
// A slot holds the chunk header, the guards and the user's bytes, so classes are
// chosen on the slot size the request needs, not on the user size.
//
// Spacing: 16 bytes up to 128, then four classes per power of two (at most 25% waste).
// TINY slots are at most 1 KiB, SMALL slots at most 128 KiB; anything larger is LARGE.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/check.h"

namespace dm {

enum class ZoneKind : uint8_t { kTiny = 0, kSmall = 1, kLarge = 2 };

inline constexpr size_t kMinSlot = 32;
inline constexpr size_t kTinyMaxSlot = 1024;
inline constexpr size_t kSmallMaxSlot = 128 * 1024;
// Zone sizes: multiples of the page size that hold at least 100 slots of the kind's largest size.
inline constexpr size_t kTinyZoneSize = 256 * 1024;
inline constexpr size_t kSmallZoneSize = 16 * 1024 * 1024;
static_assert(kTinyZoneSize / kTinyMaxSlot >= 100, "a TINY zone must hold 100 of its largest blocks");
static_assert(kSmallZoneSize / kSmallMaxSlot >= 100, "a SMALL zone must hold 100 of its largest blocks");

inline constexpr int kNumLinearClasses = 7;  // 32, 48, ..., 128
inline constexpr int kClassesPerDoubling = 4;
inline constexpr int kNumClasses = kNumLinearClasses + kClassesPerDoubling * 10;  // up to 2^17

constexpr size_t class_slot_size(int cls) {
  DM_DCHECK(cls >= 0 && cls < kNumClasses);
  if (cls < kNumLinearClasses) return kMinSlot + 16 * static_cast<size_t>(cls);
  int k = cls - kNumLinearClasses;
  int exponent = 7 + k / kClassesPerDoubling;  // the class lies in (2^exponent, 2^(exponent+1)]
  size_t step = size_t{1} << (exponent - 2);
  return (size_t{1} << exponent) + step * static_cast<size_t>(k % kClassesPerDoubling + 1);
}

// The smallest class whose slots hold `needed` bytes; needed must be <= kSmallMaxSlot.
constexpr int size_to_class(size_t needed) {
  DM_DCHECK(needed <= kSmallMaxSlot);
  if (needed <= 128) return needed <= kMinSlot ? 0 : static_cast<int>((needed - kMinSlot + 15) / 16);
  size_t m = needed - 1;
  int exponent = 63 - __builtin_clzll(m);
  int sub = static_cast<int>(m >> (exponent - 2)) - 4;
  return kNumLinearClasses + (exponent - 7) * kClassesPerDoubling + sub;
}

constexpr ZoneKind class_kind(int cls) {
  return class_slot_size(cls) <= kTinyMaxSlot ? ZoneKind::kTiny : ZoneKind::kSmall;
}

constexpr size_t class_zone_size(int cls) {
  return class_kind(cls) == ZoneKind::kTiny ? kTinyZoneSize : kSmallZoneSize;
}

static_assert(class_slot_size(kNumClasses - 1) == kSmallMaxSlot, "last class is the SMALL maximum");
static_assert(size_to_class(kSmallMaxSlot) == kNumClasses - 1, "lookup reaches the last class");
static_assert(size_to_class(129) == kNumLinearClasses && class_slot_size(kNumLinearClasses) == 160, "first log class");

}  // namespace dm
