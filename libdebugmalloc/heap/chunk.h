// The chunk header: 16 bytes at the start of every TINY/SMALL slot (and kept
// out of band for LARGE blocks). It records the block's state, which API
// allocated it, its requested size and where the user's bytes start, the stack
// ids of its allocation and free, and a checksum over all of that and the slot's
// address, so that a smashed header is told apart from a double or invalid free.
//
//   slot:  [ChunkHeader 16][front guard][user bytes ... size][rear guard ... slot end]
//                                       ^ slot + user_offset (aligned)
//
// A free takes the block with one 16-byte compare-exchange from the exact
// allocated header it validated (claim_for_free): of threads freeing the same
// block at once exactly one wins, the others see a freed header and report a
// double free.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/check.h"

namespace dm {

enum class ChunkState : uint8_t {
  kNeverUsed = 0,  // header is all zero: the slot was never handed out
  kAllocated = 1,
  kQuarantined = 2,  // freed, waiting in the quarantine, memory not reusable yet
  kAvailable = 3,    // freed and back in a free list (header kept for double-free reports),
                     // or being freed: claimed, its free fill not yet written
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

  uint64_t bits;  // size | offset | state | origin | align_log2 | checksum

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
    DM_DCHECK(size <= kMaxSize && user_offset <= kMaxOffset && align_log2 < 32);  // the fields hold them
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

  // The fields of `bits` (checksum dropped) with another state.
  static uint64_t plain_with_state(uint64_t bits, ChunkState state) {
    uint64_t plain = bits & ((uint64_t{1} << 48) - 1);
    return (plain & ~(uint64_t{3} << 38)) | (static_cast<uint64_t>(state) << 38);
  }

  void set_state(uintptr_t slot, ChunkState state, uint32_t fstack) {
    store(slot, alloc_stack, fstack, plain_with_state(bits, state));
  }

  // Changes the state of a freed block (stacks kept) with one 8-byte release
  // store of the bits word: concurrent readers never see the header torn.
  void publish_state(uintptr_t slot, ChunkState state) {
    uint64_t plain = plain_with_state(bits, state);
    uint64_t sum = checksum(slot, alloc_stack, free_stack, plain);
    __atomic_store_n(&bits, plain | sum << 48, __ATOMIC_RELEASE);
  }

  // One atomic step (lock cmpxchg16b, a full barrier): if the header still
  // equals *expected, replaces it with `desired` and returns true; otherwise
  // copies the current header, read atomically, into *expected.
  bool compare_exchange(ChunkHeader* expected, const ChunkHeader& desired) {
    uint64_t want_lo, want_hi, new_lo, new_hi;
    __builtin_memcpy(&want_lo, expected, 8);
    __builtin_memcpy(&want_hi, reinterpret_cast<const char*>(expected) + 8, 8);
    __builtin_memcpy(&new_lo, &desired, 8);
    __builtin_memcpy(&new_hi, reinterpret_cast<const char*>(&desired) + 8, 8);
    bool swapped;
    // Inline rather than __atomic/__sync on __int128, which may become a libatomic call.
    asm volatile("lock cmpxchg16b %[mem]"
                 : "=@ccz"(swapped), [mem] "+m"(*this), "+a"(want_lo), "+d"(want_hi)
                 : "b"(new_lo), "c"(new_hi)
                 : "memory");
    if (!swapped) {
      __builtin_memcpy(expected, &want_lo, 8);
      __builtin_memcpy(reinterpret_cast<char*>(expected) + 8, &want_hi, 8);
    }
    return swapped;
  }
};
static_assert(sizeof(ChunkHeader) == 16, "chunk header is 16 bytes");
static_assert(alignof(ChunkHeader) == 16, "cmpxchg16b needs a 16-byte aligned header");
#if !defined(__x86_64__)
#error "ChunkHeader::compare_exchange is written for x86-64 (cmpxchg16b)"
#endif

// Who frees a block: of threads freeing it at once, the one that wins the claim.
enum class Claim {
  kWon,      // the header now says freed (kAvailable, with `free_stack`): the caller frees the block
  kFreed,    // it was already freed, or another thread's claim won: a double free
  kChanged,  // still allocated but no longer the header validated (reallocated meanwhile): validate again
};

// Claims the block whose allocated header read `seen` (at `slot`): one
// compare-exchange to `seen` marked freed by `free_stack`. The winner writes the
// free fill, then publish_state(kQuarantined); until then the header says
// kAvailable, which heap checks skip, so an unfinished fill is never reported.
inline Claim claim_for_free(ChunkHeader* header, uintptr_t slot, const ChunkHeader& seen, uint32_t free_stack) {
  ChunkHeader freed;
  freed.store(slot, seen.alloc_stack, free_stack, ChunkHeader::plain_with_state(seen.bits, ChunkState::kAvailable));
  ChunkHeader expected = seen;
  if (header->compare_exchange(&expected, freed)) return Claim::kWon;
  return expected.state() == ChunkState::kAllocated ? Claim::kChanged : Claim::kFreed;
}

inline constexpr size_t kHeaderSize = sizeof(ChunkHeader);

}  // namespace dm
