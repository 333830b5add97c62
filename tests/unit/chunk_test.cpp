// Chunk header: fields round-trip, the checksum catches changed fields and
// moved headers, and the compare-exchange lets exactly one of many threads free a block.
#include "heap/chunk.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace dm {
namespace {

TEST(ChunkHeader, FieldsRoundTrip) {
  ChunkHeader h{};
  uintptr_t slot = 0x7f0000001000;
  h.store(slot, 7, 9, ChunkHeader::pack(1234, 48, ChunkState::kAllocated, AllocOrigin::kNewArrayAligned, 6));
  EXPECT_EQ(h.size(), 1234u);
  EXPECT_EQ(h.user_offset(), 48u);
  EXPECT_EQ(h.state(), ChunkState::kAllocated);
  EXPECT_EQ(h.origin(), AllocOrigin::kNewArrayAligned);
  EXPECT_EQ(h.align_log2(), 6u);
  EXPECT_EQ(h.alloc_stack, 7u);
  EXPECT_EQ(h.free_stack, 9u);
  EXPECT_TRUE(h.checksum_ok(slot));
}

TEST(ChunkHeader, ChecksumCatchesDamageAndRelocation) {
  ChunkHeader h{};
  uintptr_t slot = 0x7f0000002000;
  h.store(slot, 1, 0, ChunkHeader::pack(13, 32, ChunkState::kAllocated, AllocOrigin::kMalloc, 4));
  EXPECT_FALSE(h.checksum_ok(slot + 32)) << "a header copied to another slot must not validate";
  int caught = 0;
  for (int bit = 0; bit < 48; ++bit) {
    ChunkHeader damaged = h;
    damaged.bits ^= uint64_t{1} << bit;
    caught += !damaged.checksum_ok(slot);
  }
  EXPECT_EQ(caught, 48) << "every single-bit flip of the fields is detected";
}

TEST(ChunkHeader, StateChangeKeepsTheHeaderValid) {
  ChunkHeader h{};
  uintptr_t slot = 0x7f0000003000;
  h.store(slot, 3, 0, ChunkHeader::pack(100, 32, ChunkState::kAllocated, AllocOrigin::kNew, 4));
  h.set_state(slot, ChunkState::kQuarantined, 42);
  EXPECT_TRUE(h.checksum_ok(slot));
  EXPECT_EQ(h.state(), ChunkState::kQuarantined);
  EXPECT_EQ(h.free_stack, 42u);
  EXPECT_EQ(h.size(), 100u);
}

ChunkHeader allocated_header(uintptr_t slot, uint32_t alloc_stack, uint32_t epoch) {
  ChunkHeader h{};
  h.store(slot, alloc_stack, epoch, ChunkHeader::pack(64, 32, ChunkState::kAllocated, AllocOrigin::kMalloc, 4));
  return h;
}

bool same(const ChunkHeader& a, const ChunkHeader& b) {
  return a.alloc_stack == b.alloc_stack && a.free_stack == b.free_stack && a.bits == b.bits;
}

TEST(ChunkHeader, CompareExchangeSwapsOnlyAnEqualHeader) {
  uintptr_t slot = 0x7f0000004000;
  ChunkHeader h = allocated_header(slot, 5, 1);
  ChunkHeader original = h;
  ChunkHeader other = allocated_header(slot, 6, 1);

  ChunkHeader expected = other;
  EXPECT_FALSE(h.compare_exchange(&expected, ChunkHeader{}));
  EXPECT_TRUE(same(h, original)) << "a failed exchange leaves the header alone";
  EXPECT_TRUE(same(expected, original)) << "a failed exchange returns the current header";

  // Every field takes part: a difference in any one word fails the exchange.
  expected = original;
  expected.free_stack ^= 1;
  EXPECT_FALSE(h.compare_exchange(&expected, ChunkHeader{}));
  expected = original;
  expected.bits ^= uint64_t{1} << 63;
  EXPECT_FALSE(h.compare_exchange(&expected, ChunkHeader{}));
  EXPECT_TRUE(same(h, original));

  expected = original;
  EXPECT_TRUE(h.compare_exchange(&expected, other));
  EXPECT_TRUE(same(h, other));
  EXPECT_TRUE(same(expected, original)) << "a successful exchange leaves `expected` as it was";
}

TEST(ChunkHeader, ClaimMarksTheBlockFreedOnce) {
  uintptr_t slot = 0x7f0000005000;
  ChunkHeader h = allocated_header(slot, 5, 3);
  ChunkHeader seen = h;

  ASSERT_EQ(claim_for_free(&h, slot, seen, 77), Claim::kWon);
  EXPECT_TRUE(h.checksum_ok(slot));
  EXPECT_EQ(h.state(), ChunkState::kAvailable) << "being freed: not yet quarantined";
  EXPECT_EQ(h.free_stack_id(), 77u) << "the free stack is there from the claim on";
  EXPECT_EQ(h.alloc_stack, 5u);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.user_offset(), 32u);
  EXPECT_EQ(h.origin(), AllocOrigin::kMalloc);
  EXPECT_EQ(h.align_log2(), 4u);

  ChunkHeader claimed = h;
  EXPECT_EQ(claim_for_free(&h, slot, seen, 78), Claim::kFreed) << "a second free of the same header loses";
  EXPECT_TRUE(same(h, claimed));

  h.publish_state(slot, ChunkState::kQuarantined);
  EXPECT_TRUE(h.checksum_ok(slot));
  EXPECT_EQ(h.state(), ChunkState::kQuarantined);
  EXPECT_EQ(h.free_stack_id(), 77u);
  EXPECT_EQ(claim_for_free(&h, slot, seen, 78), Claim::kFreed);
  h.publish_state(slot, ChunkState::kAvailable);
  EXPECT_TRUE(h.checksum_ok(slot));
  EXPECT_EQ(claim_for_free(&h, slot, seen, 78), Claim::kFreed);
}

TEST(ChunkHeader, ClaimOfAReallocatedBlockAsksToValidateAgain) {
  uintptr_t slot = 0x7f0000006000;
  ChunkHeader h = allocated_header(slot, 5, 3);
  ChunkHeader stale = allocated_header(slot, 9, 3);  // the block as an earlier allocation left it
  EXPECT_EQ(claim_for_free(&h, slot, stale, 1), Claim::kChanged);
  EXPECT_EQ(h.state(), ChunkState::kAllocated);
  EXPECT_EQ(h.alloc_stack, 5u);
}

// Threads claim the same headers at once: all of them claim the header under
// a shared cursor, which the first one done moves on. Every header must have
// exactly one winner, however many threads tried it. Enough headers for the
// walk to last several scheduler time slices, so that the threads meet even on
// a busy machine.
TEST(ChunkHeader, ExactlyOneOfManyThreadsWinsTheClaim) {
  constexpr int kThreads = 8;
  constexpr size_t kHeaders = 1 << 20;
  constexpr uintptr_t kFirstSlot = 0x7f0000100000;
  std::vector<ChunkHeader> headers(kHeaders);
  for (size_t i = 0; i < kHeaders; ++i) headers[i] = allocated_header(kFirstSlot + i * 64, 1, 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<size_t> cursor{0};
  std::atomic<size_t> wins{0};
  std::atomic<size_t> losses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      size_t won = 0, lost = 0;
      for (size_t i = cursor.load(); i < kHeaders; i = cursor.load()) {
        uintptr_t slot = kFirstSlot + i * 64;
        Claim c = claim_for_free(&headers[i], slot, allocated_header(slot, 1, 0), static_cast<uint32_t>(100 + t));
        won += c == Claim::kWon;
        lost += c == Claim::kFreed;
        cursor.compare_exchange_strong(i, i + 1);
      }
      wins += won;
      losses += lost;
    });
  }
  while (ready.load() < kThreads) std::this_thread::yield();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), kHeaders);
  EXPECT_GT(losses.load(), 0u) << "the threads never met on a header: nothing was tested";
  size_t sound = 0;
  for (size_t i = 0; i < kHeaders; ++i) {
    const ChunkHeader& h = headers[i];
    sound += h.checksum_ok(kFirstSlot + i * 64) && h.state() == ChunkState::kAvailable && h.free_stack >= 100 &&
             h.free_stack < 100 + kThreads;
  }
  EXPECT_EQ(sound, kHeaders) << "every header ends freed by one thread, with that thread's free stack";
}

TEST(ChunkHeader, ZeroHeaderIsNeverUsed) {
  ChunkHeader h{};
  EXPECT_TRUE(h.is_zero());
  EXPECT_EQ(h.state(), ChunkState::kNeverUsed);
}

}  // namespace
}  // namespace dm
