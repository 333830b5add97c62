// Filling and verifying guard bytes.
#include "heap/guard.h"

#include <cstring>

#include "support/options.h"
#include "support/platform.h"

namespace dm {

size_t redzone_for(size_t size) {
  if (!guards_enabled()) return 0;
  // ASan's adaptive redzones: the bigger the block, the bigger the guard.
  size_t rz = size <= 64 - 16            ? 16
              : size <= 128 - 32         ? 32
              : size <= 512 - 64         ? 64
              : size <= 4096 - 128       ? 128
              : size <= (1 << 14) - 256  ? 256
              : size <= (1 << 15) - 512  ? 512
              : size <= (1 << 16) - 1024 ? 1024
                                         : 2048;
  size_t floor = align_up(g_options.redzone, 16);
  return rz > floor ? rz : floor;
}

void fill_guards(uintptr_t front, uintptr_t user, size_t size, uintptr_t end) {
  if (!guards_enabled()) return;
  if (user > front) memset(reinterpret_cast<void*>(front), kGuardByte, user - front);
  if (end > user + size) memset(reinterpret_cast<void*>(user + size), kGuardByte, end - user - size);
}

Damage find_damage(uintptr_t begin, size_t size, uint8_t pattern) {
  if (all_pattern(begin, size, pattern)) return Damage{};
  Damage d;
  const auto* p = reinterpret_cast<const uint8_t*>(begin);
  uint64_t word = 0x0101010101010101ull * pattern;
  size_t i = 0;
  // Fast path: whole aligned words equal to the pattern.
  while (i < size && ((begin + i) & 7) != 0) {
    if (p[i] != pattern) break;
    ++i;
  }
  // 64 bytes at a time: differences are OR-ed together, one branch per cache line.
  while (i + 64 <= size) {
    uint64_t diff = 0;
    for (int k = 0; k < 8; ++k) {
      uint64_t v;
      memcpy(&v, p + i + 8 * k, 8);
      diff |= v ^ word;
    }
    if (diff != 0) break;
    i += 64;
  }
  while (i + 8 <= size) {
    uint64_t v;
    memcpy(&v, p + i, 8);
    if (v != word) break;
    i += 8;
  }
  for (; i < size; ++i) {
    if (p[i] == pattern) continue;
    if (d.count == 0) d.first = begin + i;
    d.last = begin + i;
    ++d.count;
  }
  return d;
}

void repair(const Damage& damage, uint8_t pattern) {
  if (damage.found()) memset(reinterpret_cast<void*>(damage.first), pattern, damage.last - damage.first + 1);
}

size_t alloc_fill_extent(size_t size) { return size < g_options.max_alloc_fill ? size : g_options.max_alloc_fill; }

}  // namespace dm
