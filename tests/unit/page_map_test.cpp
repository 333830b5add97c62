// Page map: lookups find the owning span for every byte and nothing outside it.
#include "heap/page_map.h"

#include <gtest/gtest.h>

#include <memory>

#include "support/platform.h"

namespace dm {
namespace {

TEST(PageMap, FindsEveryGranuleOfASpanAndNothingAround) {
  auto map = std::make_unique<PageMap>();
  const size_t size = 4 * kGranule;
  void* memory = os_map_aligned(size, kGranule);
  ASSERT_NE(memory, nullptr);
  uintptr_t start = reinterpret_cast<uintptr_t>(memory);
  Span span{ZoneKind::kSmall, start, size};
  ASSERT_TRUE(map->set(start, size, &span));
  EXPECT_EQ(map->lookup(start), &span);
  EXPECT_EQ(map->lookup(start + size - 1), &span);
  EXPECT_EQ(map->lookup(start + 2 * kGranule + 123), &span);
  EXPECT_EQ(map->lookup(start - 1), nullptr);
  EXPECT_EQ(map->lookup(start + size), nullptr);
  map->clear(start, size);
  EXPECT_EQ(map->lookup(start), nullptr);
  os_unmap_span(memory, size);
}

TEST(PageMap, ForeignAndOutOfRangeAddressesAreUnknown) {
  auto map = std::make_unique<PageMap>();
  int local = 0;
  EXPECT_EQ(map->lookup(reinterpret_cast<uintptr_t>(&local)), nullptr);
  EXPECT_EQ(map->lookup(0), nullptr);
  EXPECT_EQ(map->lookup(~uintptr_t{0}), nullptr);
  EXPECT_EQ(map->lookup(uintptr_t{1} << 50), nullptr);
}

TEST(PageMap, AlignedMappingsAreAligned) {
  for (size_t align : {kGranule, 4 * kGranule, size_t{1} << 21}) {
    void* p = os_map_aligned(3 * kPageSize, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
    os_unmap_span(p, 3 * kPageSize);  // a span, like the heap's: unmapped exactly
  }
}

}  // namespace
}  // namespace dm
