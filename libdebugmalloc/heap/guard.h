// Guard bytes and scribble patterns: how a block's surroundings are filled and
// verified. A block in its slot:
//
//   [header 16][front guard ... ][user bytes: size][rear guard ... slot end]
//
// The rear guard starts at exactly the requested size, so a 1-byte overflow of
// malloc(13) is found. Guards grow with the block size (as ASan's adaptive
// redzones do), never below the `redzone` option.
#pragma once

#include <cstddef>
#include <cstdint>

#include <emmintrin.h>

#include "heap/block.h"
#include "support/options.h"
#include "support/platform.h"

namespace dm {

inline constexpr uint8_t kGuardByte = 0xFD;  // "no man's land", as in MSVC's debug heap

// redzone=0 turns guards off altogether (the lightest mode).
inline bool guards_enabled() { return g_options.redzone != 0; }

// Guard bytes wanted on each side of a block of `size` bytes (a multiple of 16).
size_t redzone_for(size_t size);

// Where a block's front guard begins: after the header in a slot, at the first
// accessible byte of the mapping for LARGE.
inline uintptr_t front_guard_start(const BlockRef& block) {
  return block.large != nullptr ? large_access_begin(*block.large) : block.slot + kHeaderSize;
}

// Writes the front guard [front, user) and the rear guard [user + size, end).
void fill_guards(uintptr_t front, uintptr_t user, size_t size, uintptr_t end);

// A run of changed bytes: where the first one is and how many differ.
struct Damage {
  uintptr_t first = 0;  // address of the first changed byte
  uintptr_t last = 0;   // address of the last changed byte
  size_t count = 0;     // changed bytes
  bool found() const { return count != 0; }
};

// True when every byte of [begin, begin + size) is `pattern`: the fast check
// (the common case: nothing is damaged), 64 bytes per step with SSE2, the
// differences OR-ed together and tested once.
DM_ALWAYS_INLINE bool all_pattern(uintptr_t begin, size_t size, uint8_t pattern) {
  const auto* p = reinterpret_cast<const unsigned char*>(begin);
  if (size < 16) {
    unsigned diff = 0;
    for (size_t i = 0; i < size; ++i) diff |= static_cast<unsigned>(p[i] ^ pattern);
    return diff == 0;
  }
  const __m128i want = _mm_set1_epi8(static_cast<char>(pattern));
  __m128i diff = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 64 <= size; i += 64) {
    __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), want);
    __m128i b = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16)), want);
    __m128i c = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 32)), want);
    __m128i d = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 48)), want);
    diff = _mm_or_si128(diff, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
  }
  for (; i + 16 <= size; i += 16)
    diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), want));
  // The last 16 bytes, overlapping what the loops saw.
  diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + size - 16)), want));
  return _mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) == 0xFFFF;
}

// Bytes in [begin, begin + size) that are not `pattern`.
Damage find_damage(uintptr_t begin, size_t size, uint8_t pattern);

// Checks the guards of a block: the fast check inline, the locating walk only
// when something changed.
DM_ALWAYS_INLINE Damage front_guard_damage(const BlockRef& block) {
  if (!guards_enabled()) return Damage{};
  uintptr_t front = front_guard_start(block);
  if (block.user <= front || all_pattern(front, block.user - front, kGuardByte)) return Damage{};
  return find_damage(front, block.user - front, kGuardByte);
}
DM_ALWAYS_INLINE Damage rear_guard_damage(const BlockRef& block) {
  if (!guards_enabled()) return Damage{};
  uintptr_t rear = block.user + block.size;
  if (block.slot_end <= rear || all_pattern(rear, block.slot_end - rear, kGuardByte)) return Damage{};
  return find_damage(rear, block.slot_end - rear, kGuardByte);
}

// Writes `pattern` over a reported damage so that it is not reported again.
void repair(const Damage& damage, uint8_t pattern);

// Scribble on allocation: the first max_alloc_fill bytes (like ASan's
// max_malloc_fill_size: filling whole big buffers costs time and memory).
size_t alloc_fill_extent(size_t size);
// Fill on free: all of a TINY/SMALL block (its verification finds writes after
// free); none of a LARGE one, whose pages are protected instead (quarantine.h).
inline size_t free_fill_extent(const BlockRef& block) { return block.large != nullptr ? 0 : block.size; }

}  // namespace dm
