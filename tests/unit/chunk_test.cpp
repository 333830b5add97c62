// Chunk header: fields round-trip, and the checksum catches changed fields and moved headers.
#include "chunk.h"

#include <gtest/gtest.h>

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

TEST(ChunkHeader, ZeroHeaderIsNeverUsed) {
  ChunkHeader h{};
  EXPECT_TRUE(h.is_zero());
  EXPECT_EQ(h.state(), ChunkState::kNeverUsed);
}

}  // namespace
}  // namespace dm
