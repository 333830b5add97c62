// Allocation, checked free, realloc and usable_size over zones and large mappings.
#include "core/allocator.h"

#include <atomic>
#include <cstring>

#include "heap/block.h"
#include "findings/errors.h"
#include "heap/guard.h"
#include "findings/heap_check.h"
#include "core/init.h"
#include "support/check.h"
#include "support/internal_arena.h"
#include "heap/large.h"
#include "heap/page_guard.h"
#include "findings/leaks.h"
#include "support/options.h"
#include "core/quarantine.h"
#include "heap/size_class.h"
#include "stacks/stack_capture.h"
#include "heap/thread_cache.h"

namespace dm {

namespace {

__thread uint64_t t_operations __attribute__((tls_model("initial-exec"))) = 0;

unsigned log2_of(size_t power_of_two) { return static_cast<unsigned>(__builtin_ctzll(power_of_two)); }

// check_interval: a full heap check every N allocations and frees of this thread.
DM_ALWAYS_INLINE void count_operation(const CallerFrame& caller) {
  if (DM_UNLIKELY(g_options.check_interval != 0) && ++t_operations % g_options.check_interval == 0)
    check_heap("the periodic heap check (check_interval)", caller);
}

// Scribbles the fresh user bytes (or zeroes them for calloc, unless the memory is known zero).
DM_ALWAYS_INLINE void fill_user(uintptr_t user, size_t size, bool zero, bool fresh) {
  if (zero) {
    if (!fresh) memset(reinterpret_cast<void*>(user), 0, size);
  } else if (g_options.scribble) {
    memset(reinterpret_cast<void*>(user), static_cast<int>(g_options.alloc_fill), alloc_fill_extent(size));
  }
}

// A block in a mapping of its own (a LARGE block or a page-guarded slot) at
// `user`: guard bytes around it up to the inaccessible pages, its fill, its
// stack, then the header that says allocated.
void* place_in_mapping(LargeMeta* m, uintptr_t user, size_t size, unsigned align_log2, AllocOrigin origin,
                       const CallerFrame& caller, bool zero) {
  fill_guards(large_access_begin(*m), user, size, large_access_end(*m));
  fill_user(user, size, zero, m->fresh);
  m->fresh = false;  // from now on the program writes to it
  m->user = user;
  m->user_size = size;
  StackId stack = record_stack(caller);
  std::atomic_thread_fence(std::memory_order_release);  // guards before the header that says "allocated"
  m->header.store(m->start, stack, allocation_epoch(caller.ip),
                  ChunkHeader::pack(0, 0, ChunkState::kAllocated, origin, align_log2));
  return reinterpret_cast<void*>(user);
}

// A LARGE block ends against its mapping's inaccessible last page (large.h),
// right-aligned at the alignment asked for, so that an overflow faults at the
// instruction; the slack before that page (less than the alignment) is rear
// guard bytes, checked at free. The front guard is at least the redzone.
DM_NOINLINE void* allocate_large(size_t size, size_t align, unsigned align_log2, AllocOrigin origin,
                                 const CallerFrame& caller, bool zero) {
  size_t rz = redzone_for(size);
  size_t map_size = align_up(align_up(rz, align) + size, kPageSize) + kPageSize;
  LargeMeta* m = large_map(map_size, align > kPageSize ? align : kPageSize);
  if (m == nullptr) return nullptr;
  uintptr_t user = align_down(large_access_end(*m) - size, align);
  return place_in_mapping(m, user, size, align_log2, origin, caller, zero);
}

// A block with pages of its own against an inaccessible page (page_guard.h);
// nullptr when no slot can be had (the caller then allocates as usual).
DM_NOINLINE void* allocate_page_guarded(size_t size, size_t align, unsigned align_log2, AllocOrigin origin,
                                        const CallerFrame& caller, bool zero) {
  LargeMeta* m = page_guard_take(size, align);
  if (m == nullptr) return nullptr;
  uintptr_t user = page_guard_left_aligned() ? large_access_begin(*m) : align_down(large_access_end(*m) - size, align);
  return place_in_mapping(m, user, size, align_log2, origin, caller, zero);
}

DM_ALWAYS_INLINE void* allocate_impl(size_t size, size_t align, AllocOrigin origin, const CallerFrame& caller,
                                     bool zero) {
  // The header records the alignment asked for (aligned delete must pass the same);
  // the layout uses at least 16.
  unsigned requested_align_log2 = align == 0 ? log2_of(kMinAlign) : log2_of(align);
  ensure_initialized();
  if (DM_UNLIKELY(in_internal_code())) {
    void* p = internal_allocate(size, align);
    if (p != nullptr && zero) memset(p, 0, size);
    return p;
  }
  if (align < kMinAlign) align = kMinAlign;
  // The header holds alignments up to 2^31; a larger one is refused as out of memory.
  if (DM_UNLIKELY(size > kMaxRequest || align > kMaxRequest || requested_align_log2 >= 32)) return nullptr;
  count_operation(caller);
  // guard_pages: one decrement on the hot path; the mode decides when it runs out.
  if (DM_UNLIKELY(page_guard_due()) && page_guard_wanted(size, align, caller.ip))
    if (void* p = allocate_page_guarded(size, align, requested_align_log2, origin, caller, zero)) return p;
  size_t rz = redzone_for(size);
  size_t needed = kHeaderSize + rz + size + rz + (align - kMinAlign);
  if (DM_UNLIKELY(needed > kSmallMaxSlot))
    return allocate_large(size, align, requested_align_log2, origin, caller, zero);

  int cls = size_to_class(needed);
  void* slot_ptr = thread_cache_pop(cls);
  if (DM_UNLIKELY(slot_ptr == nullptr)) return nullptr;
  uintptr_t slot = reinterpret_cast<uintptr_t>(slot_ptr);
  uintptr_t user = align_up(slot + kHeaderSize + rz, align);
  DM_DCHECK(user + size + rz <= slot + class_slot_size(cls));  // the class holds the layout
  fill_guards(slot + kHeaderSize, user, size, slot + class_slot_size(cls));
  fill_user(user, size, zero, false);
  StackId stack = record_stack(caller);
  std::atomic_thread_fence(std::memory_order_release);  // guards before the header that says "allocated"
  auto* header = reinterpret_cast<ChunkHeader*>(slot);
  header->store(slot, stack, allocation_epoch(caller.ip),
                ChunkHeader::pack(size, user - slot, ChunkState::kAllocated, origin, requested_align_log2));
  return reinterpret_cast<void*>(user);
}

// `delete` on the result of `new T[n]` for a T with a destructor: the pointer
// is past the array cookie (the element count) that new[] stored first.
bool is_array_cookie_mismatch(const BlockRef& block, const ChunkHeader& seen, uintptr_t pointer,
                              AllocOrigin dealloc_origin) {
  AllocOrigin o = seen.origin();
  size_t cookie = o == AllocOrigin::kNewArrayAligned ? (size_t{1} << seen.align_log2()) : sizeof(size_t);
  bool array = o == AllocOrigin::kNewArray || o == AllocOrigin::kNewArrayAligned;
  bool single = dealloc_origin == AllocOrigin::kNew || dealloc_origin == AllocOrigin::kNewAligned;
  return array && single && pointer == block.user + cookie && seen.state() == ChunkState::kAllocated;
}

// Copies the header of a found block into `seen` and describes the block by
// that copy, so that what is checked is what the claim compares. kCorrupt
// when the copy is torn by a concurrent rewrite and an atomic re-read fails too.
DM_ALWAYS_INLINE Locate snapshot_header(BlockRef* block, ChunkHeader* seen) {
  *seen = *block->header;
  if (DM_UNLIKELY(!seen->checksum_ok(block->slot))) {
    ChunkHeader current{};
    block->header->compare_exchange(&current, current);  // an atomic 16-byte read (writes only an all-zero header back)
    *seen = current;
    if (!seen->checksum_ok(block->slot)) return Locate::kCorrupt;
  }
  if (block->large != nullptr) {
    // Read after the header, so at least as new as it: an allocation writes them before its header.
    std::atomic_thread_fence(std::memory_order_acquire);
    block->user = block->large->user;
    block->size = block->large->user_size;
  } else {
    block->user = block->slot + seen->user_offset();
    block->size = seen->size();
  }
  return Locate::kFound;
}

enum class Validity { kLive, kCookieMismatch, kBad };

// Is `pointer` the start of a live block? Reports and returns kBad otherwise.
// `seen` receives the header the answer rests on: the claim requires exactly it.
DM_ALWAYS_INLINE Validity validate_live(uintptr_t pointer, const CallSite& site, AllocOrigin dealloc_origin,
                                        BlockRef* block, ChunkHeader* seen) {
  Locate where = locate_block(pointer, block);
  if (DM_LIKELY(where == Locate::kFound)) where = snapshot_header(block, seen);
  if (DM_UNLIKELY(where == Locate::kCorrupt)) {
    // A header being rewritten by its owner fails the checksum for an instant: look twice.
    where = locate_block(pointer, block);
    if (where == Locate::kFound) where = snapshot_header(block, seen);
  }
  if (DM_UNLIKELY(where != Locate::kFound)) {
    if (where == Locate::kCorrupt)
      report_heap_corruption(site, pointer, *block);
    else
      report_invalid_free(site, pointer, where, nullptr);
    return Validity::kBad;
  }
  if (DM_UNLIKELY(block->user != pointer)) {
    if (is_array_cookie_mismatch(*block, *seen, pointer, dealloc_origin)) return Validity::kCookieMismatch;
    report_invalid_free(site, pointer, Locate::kFound, block);
    return Validity::kBad;
  }
  if (DM_UNLIKELY(seen->state() != ChunkState::kAllocated)) {
    report_double_free(site, pointer, *block);
    return Validity::kBad;
  }
  return Validity::kLive;
}

// Gives back a block this thread claimed but does not free: its header as validated.
void unclaim(const BlockRef& block, const ChunkHeader& seen) {
  ChunkHeader claimed = *block.header;  // no other thread writes a claimed header
  DM_CHECK(block.header->compare_exchange(&claimed, seen));
}

// Takes the block validate_live accepted for this thread's free: of threads
// freeing it at once exactly one wins (claim_for_free); the others report a
// double free and get kBad. A block freed and allocated again since `seen` is
// validated again. The winner's block header then says freed: reports about
// the free show the block as `seen`.
DM_ALWAYS_INLINE Validity claim_block(uintptr_t pointer, const CallSite& site, AllocOrigin dealloc_origin,
                                      Validity validity, BlockRef* block, ChunkHeader* seen) {
  StackId free_stack = g_options.free_stacks && site.has_caller() ? record_stack(*site.caller) : 0;
  for (;;) {
    Claim claim = claim_for_free(block->header, block->slot, *seen, free_stack);
    if (DM_LIKELY(claim == Claim::kWon)) {
      // A large block's header does not cover its user pointer: if the mapping
      // was recycled to another pointer with an identical header, give it back.
      if (DM_LIKELY(block->large == nullptr) || block->large->user == block->user) return validity;
      unclaim(*block, *seen);
      claim = Claim::kFreed;
    }
    if (claim == Claim::kFreed) {
      report_double_free(site, pointer, *block);
      return Validity::kBad;
    }
    validity = validate_live(pointer, site, dealloc_origin, block, seen);
    if (validity == Validity::kBad) return validity;
  }
}

bool is_aligned_origin(AllocOrigin o) { return o == AllocOrigin::kNewAligned || o == AllocOrigin::kNewArrayAligned; }

// Sized and aligned deletes must agree with the block; returns the problem or nullptr.
const char* sized_aligned_mismatch(const BlockRef& block, size_t sized, size_t align) {
  if (sized != kUnsized && sized != block.size)
    return "the size passed to sized delete differs from the allocated size";
  if (align != 0 && (size_t{1} << block.header->align_log2()) != align)
    return "the alignment passed to aligned delete differs from the allocation's";
  return nullptr;
}

// The free of a block this thread claimed: guards, scribble, quarantine.
// `shown` is the block as validated, for reports.
DM_ALWAYS_INLINE void free_block(const BlockRef& block, const BlockRef& shown, const CallSite& site) {
  Damage front = front_guard_damage(block);
  if (DM_UNLIKELY(front.found())) report_guard_damage(site, shown, front, true);
  Damage rear = rear_guard_damage(block);
  if (DM_UNLIKELY(rear.found())) report_guard_damage(site, shown, rear, false);
  if (g_options.scribble)
    memset(reinterpret_cast<void*>(block.user), static_cast<int>(g_options.free_fill), free_fill_extent(block));
  block.header->publish_state(block.slot, ChunkState::kQuarantined);  // a release: the fill before the state
  quarantine_put(block);
}

}  // namespace

void* allocate(size_t size, size_t align, AllocOrigin origin, const CallerFrame& caller) {
  return allocate_impl(size, align, origin, caller, false);
}

void* allocate_zeroed(size_t size, const CallerFrame& caller) {
  return allocate_impl(size, kMinAlign, AllocOrigin::kMalloc, caller, true);
}

void deallocate(void* pointer, const Dealloc& how) {
  if (pointer == nullptr) return;
  ensure_initialized();
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (DM_UNLIKELY(internal_arena_contains(p))) {
    internal_free(pointer);
    return;
  }
  count_operation(how.caller);
  CallSite site{how.api, &how.caller};
  BlockRef block;
  ChunkHeader seen;
  Validity validity = validate_live(p, site, how.origin, &block, &seen);
  if (DM_UNLIKELY(validity == Validity::kBad)) return;
  validity = claim_block(p, site, how.origin, validity, &block, &seen);
  if (DM_UNLIKELY(validity == Validity::kBad)) return;
  BlockRef shown = block;
  shown.header = &seen;
  AllocOrigin allocated_by = seen.origin();
  if (DM_UNLIKELY(validity == Validity::kCookieMismatch)) {
    report_alloc_dealloc_mismatch(site, p, shown,
                                  "an array from operator new [] deleted with operator delete (use delete [])");
  } else if (DM_UNLIKELY(allocated_by != how.origin)) {
    report_alloc_dealloc_mismatch(site, p, shown, nullptr);
  } else if (DM_UNLIKELY(how.sized != kUnsized || (how.align != 0 && is_aligned_origin(how.origin)))) {
    if (const char* detail = sized_aligned_mismatch(shown, how.sized, how.align))
      report_alloc_dealloc_mismatch(site, p, shown, detail);
  }
  // A mismatched pair still frees a valid block: the heap stays sound.
  free_block(block, shown, site);
}

void* reallocate(void* pointer, size_t size, const CallerFrame& caller, ReallocStatus* status) {
  ensure_initialized();
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (DM_UNLIKELY(internal_arena_contains(p))) {
    size_t old_size = internal_block_size(pointer);
    void* moved = internal_allocate(size, kMinAlign);
    *status = moved != nullptr ? ReallocStatus::kOk : ReallocStatus::kOutOfMemory;
    if (moved == nullptr) return nullptr;
    memcpy(moved, pointer, old_size < size ? old_size : size);
    internal_free(pointer);
    return moved;
  }
  CallSite site{"realloc()", &caller};
  BlockRef block;
  ChunkHeader seen;
  Validity validity = validate_live(p, site, AllocOrigin::kMalloc, &block, &seen);
  // Claimed before allocating: the new block cannot be the old one's memory,
  // freed meanwhile by another thread, and no free can scribble over the copy.
  if (validity == Validity::kLive) validity = claim_block(p, site, AllocOrigin::kMalloc, validity, &block, &seen);
  if (validity != Validity::kLive) {
    *status = ReallocStatus::kInvalidPointer;
    return nullptr;
  }
  void* moved = allocate(size, kMinAlign, AllocOrigin::kMalloc, caller);
  if (moved == nullptr) {
    unclaim(block, seen);  // the old block stays as it was
    *status = ReallocStatus::kOutOfMemory;
    return nullptr;
  }
  BlockRef shown = block;
  shown.header = &seen;
  if (seen.origin() != AllocOrigin::kMalloc) report_alloc_dealloc_mismatch(site, p, shown, nullptr);
  memcpy(moved, pointer, block.size < size ? block.size : size);
  free_block(block, shown, site);
  *status = ReallocStatus::kOk;
  return moved;
}

size_t usable_size(const void* pointer) {
  if (pointer == nullptr) return 0;
  ensure_initialized();
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (internal_arena_contains(p)) return internal_block_size(pointer);
  BlockRef block;
  if (locate_block(p, &block) != Locate::kFound || block.user != p || block.header->state() != ChunkState::kAllocated)
    return 0;
  return block.size;
}

}  // namespace dm
