// Stack depot: equal stacks share an id, different stacks do not, frames round-trip, concurrent inserts agree.
#include "stacks/stack_depot.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace dm {
namespace {

TEST(StackDepot, SameStackSameIdAndFramesRoundTrip) {
  uintptr_t a[] = {0x1000, 0x2000, 0x3000};
  uintptr_t b[] = {0x1000, 0x2000, 0x3001};
  StackId ia = depot_put(a, 3);
  EXPECT_NE(ia, 0u);
  EXPECT_EQ(depot_put(a, 3), ia);
  EXPECT_NE(depot_put(b, 3), ia);
  EXPECT_NE(depot_put(a, 2), ia) << "a prefix is a different stack";
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(ia, &depth);
  ASSERT_NE(frames, nullptr);
  ASSERT_EQ(depth, 3u);
  EXPECT_EQ(frames[2], 0x3000u);
  EXPECT_EQ(depot_put(a, 0), 0u);
  EXPECT_EQ(depot_get(0, &depth), nullptr);
  // An id the depot never issued is an internal check (check_death_test.cpp).
}

TEST(StackDepot, ConcurrentInsertsOfTheSameStacksAgree) {
  constexpr int kThreads = 4, kStacks = 2000;
  std::vector<std::vector<StackId>> ids(kThreads, std::vector<StackId>(kStacks));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kStacks; ++i) {
        uintptr_t frames[4] = {0xabc000u + static_cast<uintptr_t>(i), 0x42, 0x43, static_cast<uintptr_t>(i) * 7};
        ids[t][i] = depot_put(frames, 4);
      }
    });
  for (auto& th : threads) th.join();
  std::set<StackId> distinct(ids[0].begin(), ids[0].end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kStacks));
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t], ids[0]);
}

}  // namespace
}  // namespace dm
