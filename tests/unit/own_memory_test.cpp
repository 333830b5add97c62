// The tool's own-memory map: ranges marked and unmarked whole, a word of granules at a
// time, across word and leaf boundaries; and the leaves the leak scan leaves out.
#include "support/own_memory.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "support/platform.h"

namespace dm {
namespace {

// Addresses far from anything this process maps (the map only records; it never touches them).
constexpr uintptr_t kBase = uintptr_t{0x5a5a} << 32;  // a 4 GiB-aligned leaf of its own

TEST(OwnMemory, MarksExactlyTheGranulesOfARange) {
  // 3 granules before a word boundary to 5 after it: both partial words.
  uintptr_t start = kBase + (64 - 3) * kMapGranule;
  size_t size = 8 * kMapGranule;
  own_memory_add(start, size);
  EXPECT_FALSE(own_memory_contains(start - 1));
  EXPECT_TRUE(own_memory_contains(start));
  EXPECT_TRUE(own_memory_contains(start + 3 * kMapGranule));  // the next word's first granule
  EXPECT_TRUE(own_memory_contains(start + size - 1));
  EXPECT_FALSE(own_memory_contains(start + size));
  own_memory_remove(start, size);
  for (uintptr_t a = start; a < start + size; a += kMapGranule) EXPECT_FALSE(own_memory_contains(a)) << a - start;
}

TEST(OwnMemory, WholeWordsAndARangeAcrossTwoLeaves) {
  // 130 granules ending 2 past a 4 GiB leaf boundary: whole words in the middle.
  uintptr_t leaf_end = kBase + (uintptr_t{1} << 32) * 2;
  uintptr_t start = leaf_end - 128 * kMapGranule;
  size_t size = 130 * kMapGranule;
  own_memory_add(start, size);
  for (uintptr_t a = start; a < start + size; a += kMapGranule) EXPECT_TRUE(own_memory_contains(a)) << a - start;
  EXPECT_FALSE(own_memory_contains(start - kMapGranule));
  EXPECT_FALSE(own_memory_contains(start + size));
  int leaves = 0;
  own_memory_for_each_leaf([&](uintptr_t begin, uintptr_t end) {
    EXPECT_EQ(end - begin, own_memory_detail::kLeafBytes);
    ++leaves;
  });
  EXPECT_GE(leaves, 2);  // at least the two this range needed
  own_memory_remove(start, size);
  EXPECT_FALSE(own_memory_contains(leaf_end));
  int after_remove = 0;
  own_memory_for_each_leaf([&](uintptr_t, uintptr_t) { ++after_remove; });
  EXPECT_EQ(after_remove, leaves);  // leaves stay mapped once made
}

TEST(OwnMemory, EveryLeafIsVisitedOnce) {
  int before = 0;
  own_memory_for_each_leaf([&](uintptr_t, uintptr_t) { ++before; });
  uintptr_t fresh = kBase + (uintptr_t{7} << 32);
  own_memory_add(fresh, kMapGranule);
  int after = 0;
  uintptr_t seen[4096];
  own_memory_for_each_leaf([&](uintptr_t begin, uintptr_t) {
    for (int i = 0; i < after && i < 4096; ++i) EXPECT_NE(seen[i], begin);
    if (after < 4096) seen[after] = begin;
    ++after;
  });
  EXPECT_EQ(after, before + 1);
  own_memory_remove(fresh, kMapGranule);
}

}  // namespace
}  // namespace dm
