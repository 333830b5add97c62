#include "size_class.h"
#include <gtest/gtest.h>
TEST(SizeClass, Placeholder) { EXPECT_EQ(dm::class_slot_size(0), 32u); }
