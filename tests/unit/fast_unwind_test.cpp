// The fast unwinder agrees with libunwind, frame for frame, on code with and
// without frame pointers, with alloca (CFA from rbp), and through libstdc++.
#include "stacks/fast_unwind.h"

#include <alloca.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace dm {
namespace {

struct Both {
  std::vector<uintptr_t> fast, reference;
};

// Captures both ways from the same frame: the reference is libunwind's walk,
// cut at our caller's return address.
__attribute__((noinline)) Both capture_here() {
  CallerFrame frame = DM_CALLER_FRAME();
  Both out;
  uintptr_t frames[64];
  int n = fast_unwind(frame, frames, 64);
  if (n > 0) out.fast.assign(frames, frames + n);
  void* raw[80];
  int m = unw_backtrace(raw, 80);
  auto* begin = std::find(raw, raw + m, reinterpret_cast<void*>(frame.ip));
  for (auto* p = begin; p < raw + m && out.reference.size() < 64; ++p)
    out.reference.push_back(reinterpret_cast<uintptr_t>(*p));
  return out;
}

__attribute__((noinline, optimize("omit-frame-pointer"))) Both no_frame_pointer(int depth) {
  if (depth == 0) return capture_here();
  Both b = no_frame_pointer(depth - 1);
  asm volatile("" ::: "memory");
  return b;
}

__attribute__((noinline, optimize("no-omit-frame-pointer"))) Both with_frame_pointer(int depth) {
  if (depth == 0) return no_frame_pointer(3);
  Both b = with_frame_pointer(depth - 1);
  asm volatile("" ::: "memory");
  return b;
}

__attribute__((noinline)) Both with_alloca(int depth, size_t bytes) {
  volatile char* scratch = static_cast<char*>(alloca(bytes));
  scratch[0] = 1;
  if (depth == 0) return with_frame_pointer(2);
  Both b = with_alloca(depth - 1, bytes * 2 + 8);
  asm volatile("" ::: "memory");
  return b;
}

TEST(FastUnwind, MatchesLibunwindWithoutFramePointers) {
  Both b = no_frame_pointer(10);
  ASSERT_GE(b.fast.size(), 12u);
  EXPECT_EQ(b.fast, b.reference);
}

TEST(FastUnwind, MatchesLibunwindThroughAllocaAndMixedFrames) {
  Both b = with_alloca(5, 24);
  ASSERT_GE(b.fast.size(), 15u);
  EXPECT_EQ(b.fast, b.reference);
}

TEST(FastUnwind, MatchesLibunwindThroughLibstdcxx) {
  Both b;
  std::function<void()> call = [&] { b = no_frame_pointer(2); };
  std::vector<int> v{3, 1, 2};
  std::sort(v.begin(), v.end(), [&](int x, int y) {
    if (b.fast.empty()) call();
    return x < y;
  });
  ASSERT_GE(b.fast.size(), 6u);
  EXPECT_EQ(b.fast, b.reference);
}

TEST(FastUnwind, StopsAtMax) {
  CallerFrame frame = DM_CALLER_FRAME();
  uintptr_t frames[3];
  EXPECT_EQ(fast_unwind(frame, frames, 3), 3);
}

}  // namespace
}  // namespace dm
