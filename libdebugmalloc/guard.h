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

#include "block.h"

namespace dm {

inline constexpr uint8_t kGuardByte = 0xFD;  // "no man's land", as in MSVC's debug heap

// Guard bytes wanted on each side of a block of `size` bytes (a multiple of 16).
size_t redzone_for(size_t size);

// Writes the front guard [front, user) and the rear guard [user + size, end).
void fill_guards(uintptr_t front, uintptr_t user, size_t size, uintptr_t end);

// Where a block's front guard begins: after the header in a slot, at the mapping start for LARGE.
inline uintptr_t front_guard_start(const BlockRef& block) {
  return block.large != nullptr ? block.slot : block.slot + kHeaderSize;
}

// A run of changed bytes: where the first one is and how many differ.
struct Damage {
  uintptr_t first = 0;   // address of the first changed byte
  uintptr_t last = 0;    // address of the last changed byte
  size_t count = 0;      // changed bytes
  bool found() const { return count != 0; }
};

// Bytes in [begin, begin + size) that are not `pattern`.
Damage find_damage(uintptr_t begin, size_t size, uint8_t pattern);

// Checks both guards of a block (for LARGE blocks, the part of the front guard
// after the alignment padding and the whole rear guard).
Damage front_guard_damage(const BlockRef& block);
Damage rear_guard_damage(const BlockRef& block);

// Writes `pattern` over a reported damage so that it is not reported again.
void repair(const Damage& damage, uint8_t pattern);

// Scribble: the user bytes filled on allocation and free (at most max_fill of them).
size_t scribble_extent(size_t size);

}  // namespace dm
