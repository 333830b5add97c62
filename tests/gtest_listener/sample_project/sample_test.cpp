// sample_test.cpp: one clean test, one that leaks (the listener fails it under the tool).
#include <gtest/gtest.h>

#include <stdlib.h>
#include <string.h>

namespace {

__attribute__((noinline)) void* lose() {
  void* p = malloc(48);
  memset(p, 0, 48);
  return nullptr;
}

TEST(Sample, Clean) { EXPECT_EQ(1 + 1, 2); }

TEST(Sample, Leaks) { EXPECT_EQ(lose(), nullptr); }

}  // namespace
