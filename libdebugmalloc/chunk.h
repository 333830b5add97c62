// The chunk header: 16 bytes at the start of every TINY/SMALL slot (and kept
// out of band for LARGE blocks). It records the block's state, which API
// allocated it, its requested size and where the user's bytes start, the stack
// ids of its allocation and free, and a checksum over all of that and the slot's
// address, so that a smashed header is told apart from a double or invalid free.
//
//   slot:  [ChunkHeader 16][front guard][user bytes ... size][rear guard ... slot end]
//                                       ^ slot + user_offset (aligned)
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

enum class ChunkState : uint8_t {
  kNeverUsed = 0,    // header is all zero: the slot was never handed out
  kAllocated = 1,
  kQuarantined = 2,  // freed, waiting in the quarantine, memory not reusable yet
  kAvailable = 3,    // freed and back in a free list (header kept for double-free reports)
};

// Which API allocated the block; the deallocation API must match.
enum class AllocOrigin : uint8_t {
  kMalloc = 0,  // malloc, calloc, realloc, memalign and friends
  kNew = 1,
  kNewArray = 2,
  kNewAligned = 3,       // operator new(size_t, std::align_val_t)
  kNewArrayAligned = 4,  // operator new[](size_t, std::align_val_t)
};

const char* origin_alloc_name(AllocOrigin origin);    // "malloc()", "operator new", ...
const char* origin_dealloc_name(AllocOrigin origin);  // "free()", "operator delete", ...

struct alignas(16) ChunkHeader {
  static constexpr int kSizeBits = 20;
  static constexpr int kOffsetBits = 18;
  static constexpr uint64_t kMaxSize = (uint64_t{1} << kSizeBits) - 1;
  static constexpr uint64_t kMaxOffset = (uint64_t{1} << kOffsetBits) - 1;

  uint32_t alloc_stack;  // stack depot id, 0 = none
  uint32_t free_stack;   // once freed: stack depot id (0 = none); while allocated: the allocation epoch

  uint64_t bits;         // size | offset | state | origin | align_log2 | checksum

  size_t size() const { return bits & kMaxSize; }
  size_t user_offset() const { return (bits >> kSizeBits) & kMaxOffset; }
  ChunkState state() const { return static_cast<ChunkState>((bits >> 38) & 3); }
  AllocOrigin origin() const { return static_cast<AllocOrigin>((bits >> 40) & 7); }
  unsigned align_log2() const { return (bits >> 43) & 31; }
  uint16_t stored_checksum() const { return static_cast<uint16_t>(bits >> 48); }

  // The free stack of a freed block (0 while allocated).
  uint32_t free_stack_id() const { return state() == ChunkState::kAllocated ? 0 : free_stack; }
  // The heap epoch a live block was allocated in (debugmalloc_mark() starts a new one).
  uint32_t epoch() const { return state() == ChunkState::kAllocated ? free_stack : 0; }

  bool is_zero() const { return alloc_stack == 0 && free_stack == 0 && bits == 0; }

  static uint64_t pack(size_t size, size_t user_offset, ChunkState state, AllocOrigin origin, unsigned align_log2) {
    return static_cast<uint64_t>(size) | (static_cast<uint64_t>(user_offset) << kSizeBits) |
           (static_cast<uint64_t>(state) << 38) | (static_cast<uint64_t>(origin) << 40) |
           (static_cast<uint64_t>(align_log2) << 43);
  }

  // Checksum over the header fields and the slot address (a header copied to
  // another slot does not validate). Never computed over the checksum field itself.
  static uint16_t checksum(uintptr_t slot, uint32_t alloc_stack, uint32_t free_stack, uint64_t bits_without_sum) {
    uint64_t h = slot * 0x9E3779B97F4A7C15ull;
    h ^= (static_cast<uint64_t>(alloc_stack) << 32 | free_stack) * 0xC2B2AE3D27D4EB4Full;
    h ^= bits_without_sum * 0x165667B19E3779F9ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return static_cast<uint16_t>(h);
  }

  bool checksum_ok(uintptr_t slot) const {
    uint64_t plain = bits & ((uint64_t{1} << 48) - 1);
    return stored_checksum() == checksum(slot, alloc_stack, free_stack, plain);
  }

  // Writes all fields and a fresh checksum.
  void store(uintptr_t slot, uint32_t astack, uint32_t fstack, uint64_t plain_bits) {
    alloc_stack = astack;
    free_stack = fstack;
    bits = plain_bits | (static_cast<uint64_t>(checksum(slot, astack, fstack, plain_bits)) << 48);
  }

  void set_state(uintptr_t slot, ChunkState state, uint32_t fstack) {
    uint64_t plain = bits & ((uint64_t{1} << 48) - 1);
    plain = (plain & ~(uint64_t{3} << 38)) | (static_cast<uint64_t>(state) << 38);
    store(slot, alloc_stack, fstack, plain);
  }
};
static_assert(sizeof(ChunkHeader) == 16, "chunk header is 16 bytes");

inline constexpr size_t kHeaderSize = sizeof(ChunkHeader);

}  // namespace dm
