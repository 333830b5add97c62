// Guards: sizes grow with the block, fills are exact, damage is located precisely.
#include "heap/guard.h"

#include <gtest/gtest.h>

#include <vector>

#include "support/options.h"

namespace dm {
namespace {

TEST(Guard, RedzonesGrowWithTheBlockAndRespectTheMinimum) {
  EXPECT_EQ(redzone_for(1), 16u);
  EXPECT_EQ(redzone_for(90), 32u);
  EXPECT_EQ(redzone_for(100), 64u);
  EXPECT_EQ(redzone_for(1000), 128u);
  EXPECT_EQ(redzone_for(100000), 2048u);
  for (size_t s = 1; s < 200000; s = s * 3 / 2 + 1) EXPECT_LE(redzone_for(s), redzone_for(s * 2));
  uint64_t saved = g_options.redzone;
  g_options.redzone = 100;  // rounded up to a multiple of 16
  EXPECT_EQ(redzone_for(1), 112u);
  g_options.redzone = saved;
}

TEST(Guard, FillCoversExactlyTheGuards) {
  std::vector<uint8_t> mem(256, 0);
  uintptr_t base = reinterpret_cast<uintptr_t>(mem.data());
  fill_guards(base + 16, base + 64, 13, base + 128);
  for (size_t i = 0; i < 256; ++i) {
    bool guard = (i >= 16 && i < 64) || (i >= 64 + 13 && i < 128);
    EXPECT_EQ(mem[i], guard ? kGuardByte : 0) << i;
  }
}

TEST(Guard, DamageIsLocatedAndCounted) {
  std::vector<uint8_t> mem(200, kGuardByte);
  uintptr_t base = reinterpret_cast<uintptr_t>(mem.data());
  EXPECT_FALSE(find_damage(base, mem.size(), kGuardByte).found());
  mem[37] = 0;
  mem[41] = 1;
  mem[150] = 2;
  Damage d = find_damage(base, mem.size(), kGuardByte);
  EXPECT_EQ(d.first, base + 37);
  EXPECT_EQ(d.last, base + 150);
  EXPECT_EQ(d.count, 3u);
  repair(d, kGuardByte);
  EXPECT_FALSE(find_damage(base, mem.size(), kGuardByte).found());
}

TEST(Guard, UnalignedRangesAreCheckedToTheByte) {
  std::vector<uint8_t> mem(64, 0x55);
  uintptr_t base = reinterpret_cast<uintptr_t>(mem.data());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t bad = start; bad < 40; ++bad) {
      mem[bad] = 0;
      Damage d = find_damage(base + start, 40 - start, 0x55);
      ASSERT_EQ(d.first, base + bad) << start << " " << bad;
      ASSERT_EQ(d.count, 1u);
      mem[bad] = 0x55;
    }
  }
}

}  // namespace
}  // namespace dm
