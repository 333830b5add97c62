// Size classes: lookup returns the smallest class that fits, classes grow monotonically.
#include "heap/size_class.h"

#include <gtest/gtest.h>

namespace dm {
namespace {

TEST(SizeClass, SlotSizesAreIncreasingMultiplesOf16) {
  for (int c = 0; c < kNumClasses; ++c) {
    EXPECT_EQ(class_slot_size(c) % 16, 0u) << c;
    if (c > 0) {
      EXPECT_GT(class_slot_size(c), class_slot_size(c - 1)) << c;
    }
  }
  EXPECT_EQ(class_slot_size(0), kMinSlot);
  EXPECT_EQ(class_slot_size(kNumClasses - 1), kSmallMaxSlot);
}

TEST(SizeClass, LookupIsTheSmallestFittingClass) {
  for (size_t n = 1; n <= kSmallMaxSlot; ++n) {
    int c = size_to_class(n);
    ASSERT_GE(c, 0);
    ASSERT_LT(c, kNumClasses);
    ASSERT_GE(class_slot_size(c), n) << n;
    if (c > 0) {
      ASSERT_LT(class_slot_size(c - 1), n) << n;
    }
  }
}

TEST(SizeClass, WasteIsBoundedByAQuarter) {
  for (size_t n = 129; n <= kSmallMaxSlot; n += 7) {
    size_t slot = class_slot_size(size_to_class(n));
    EXPECT_LE(slot - n, slot / 4) << n;
  }
}

TEST(SizeClass, KindsFollowTheSeedLimits) {
  EXPECT_EQ(class_kind(size_to_class(kTinyMaxSlot)), ZoneKind::kTiny);
  EXPECT_EQ(class_kind(size_to_class(kTinyMaxSlot + 1)), ZoneKind::kSmall);
  for (int c = 0; c < kNumClasses; ++c) {
    EXPECT_EQ(class_zone_size(c) % 4096, 0u);
    size_t largest = class_kind(c) == ZoneKind::kTiny ? kTinyMaxSlot : kSmallMaxSlot;
    EXPECT_GE(class_zone_size(c) / largest, 100u) << "zone must hold 100 blocks of its kind's largest size";
  }
}

}  // namespace
}  // namespace dm
