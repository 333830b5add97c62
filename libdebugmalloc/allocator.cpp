// Allocation, checked free, realloc and usable_size over zones and large mappings.
#include "allocator.h"

#include <cstring>

#include "block.h"
#include "errors.h"
#include "init.h"
#include "large.h"
#include "size_class.h"
#include "thread_cache.h"

namespace dm {

namespace {

unsigned log2_of(size_t power_of_two) { return static_cast<unsigned>(__builtin_ctzll(power_of_two)); }

DM_NOINLINE void* allocate_large(size_t size, size_t align, AllocOrigin origin, bool* fresh) {
  size_t user_offset = 0;  // the mapping start is aligned to at least `align`
  size_t map_size = align_up(user_offset + size, kPageSize);
  if (map_size == 0) map_size = kPageSize;
  LargeMeta* m = large_map(map_size, align > kPageSize ? align : kPageSize);
  if (m == nullptr) return nullptr;
  m->user = m->start + user_offset;
  m->user_size = size;
  m->header.store(m->start, 0, 0, ChunkHeader::pack(0, 0, ChunkState::kAllocated, origin, log2_of(align)));
  *fresh = m->fresh;
  return reinterpret_cast<void*>(m->user);
}

DM_ALWAYS_INLINE void* allocate_impl(size_t size, size_t align, AllocOrigin origin, bool* fresh) {
  ensure_initialized();
  if (align < kMinAlign) align = kMinAlign;
  if (DM_UNLIKELY(size > kMaxRequest || align > kMaxRequest)) return nullptr;
  size_t needed = kHeaderSize + size + (align - kMinAlign);
  if (DM_LIKELY(needed <= kSmallMaxSlot)) {
    int cls = size_to_class(needed);
    void* slot_ptr = thread_cache_pop(cls);
    if (DM_UNLIKELY(slot_ptr == nullptr)) return nullptr;
    uintptr_t slot = reinterpret_cast<uintptr_t>(slot_ptr);
    uintptr_t user = align_up(slot + kHeaderSize, align);
    auto* header = reinterpret_cast<ChunkHeader*>(slot);
    header->store(slot, 0, 0, ChunkHeader::pack(size, user - slot, ChunkState::kAllocated, origin, log2_of(align)));
    *fresh = false;
    return reinterpret_cast<void*>(user);
  }
  return allocate_large(size, align, origin, fresh);
}

// Returns the block's memory to the allocator (it has been validated).
void release_block(const BlockRef& block) {
  if (block.large != nullptr) {
    block.large->header.set_state(block.large->start, ChunkState::kAvailable, block.header->free_stack);
    large_unmap(block.large);
    return;
  }
  block.header->set_state(block.slot, ChunkState::kAvailable, block.header->free_stack);
  thread_cache_push(block.zone->cls, reinterpret_cast<void*>(block.slot));
}

// Checks that `pointer` is the start of a live block; reports and returns false otherwise.
DM_ALWAYS_INLINE bool validate_live(uintptr_t pointer, const char* api, BlockRef* block) {
  Locate where = locate_block(pointer, block);
  if (DM_UNLIKELY(where != Locate::kFound)) {
    if (where == Locate::kCorrupt) report_heap_corruption(pointer, api, *block);
    else report_invalid_free(pointer, api, where, nullptr);
    return false;
  }
  if (DM_UNLIKELY(block->user != pointer)) {
    report_invalid_free(pointer, api, Locate::kFound, block);
    return false;
  }
  if (DM_UNLIKELY(block->header->state() != ChunkState::kAllocated)) {
    report_double_free(pointer, api, *block);
    return false;
  }
  return true;
}

bool is_aligned_origin(AllocOrigin o) { return o == AllocOrigin::kNewAligned || o == AllocOrigin::kNewArrayAligned; }

// Sized and aligned deletes must agree with the block; returns the problem or nullptr.
const char* sized_aligned_mismatch(const BlockRef& block, size_t sized, size_t align) {
  if (sized != kUnsized && sized != block.size) return "size passed to sized delete differs from the allocated size";
  if (align != 0 && (size_t{1} << block.header->align_log2()) != align)
    return "alignment passed to aligned delete differs from the allocation's";
  return nullptr;
}

}  // namespace

void* allocate(size_t size, size_t align, AllocOrigin origin) {
  bool fresh;
  return allocate_impl(size, align, origin, &fresh);
}

void* allocate_zeroed(size_t size) {
  bool fresh;
  void* p = allocate_impl(size, kMinAlign, AllocOrigin::kMalloc, &fresh);
  if (p != nullptr && !fresh) memset(p, 0, size);
  return p;
}

void deallocate(void* pointer, AllocOrigin origin, const char* api, size_t sized, size_t align) {
  if (pointer == nullptr) return;
  ensure_initialized();
  BlockRef block;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (!validate_live(p, api, &block)) return;
  AllocOrigin allocated_by = block.header->origin();
  if (DM_UNLIKELY(allocated_by != origin)) {
    report_alloc_dealloc_mismatch(p, api, block, nullptr);
  } else if (DM_UNLIKELY(sized != kUnsized || (align != 0 && is_aligned_origin(origin)))) {
    if (const char* detail = sized_aligned_mismatch(block, sized, align))
      report_alloc_dealloc_mismatch(p, api, block, detail);
  }
  // A mismatched pair still frees a valid block: the heap stays sound.
  release_block(block);
}

void* reallocate(void* pointer, size_t size, const char* api, ReallocStatus* status) {
  ensure_initialized();
  BlockRef block;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (!validate_live(p, api, &block)) {
    *status = ReallocStatus::kInvalidPointer;
    return nullptr;
  }
  if (block.header->origin() != AllocOrigin::kMalloc) report_alloc_dealloc_mismatch(p, api, block, nullptr);
  // Fits in place: same slot, same user offset; just record the new size.
  if (size <= kMaxRequest && block.user + size <= block.slot_end &&
      (block.zone == nullptr || size <= ChunkHeader::kMaxSize)) {
    if (block.large != nullptr) {
      block.large->user_size = size;
    } else {
      ChunkHeader* h = block.header;
      uint64_t plain = ChunkHeader::pack(size, h->user_offset(), h->state(), h->origin(), h->align_log2());
      h->store(block.slot, h->alloc_stack, h->free_stack, plain);
    }
    *status = ReallocStatus::kOk;
    return pointer;
  }
  void* moved = allocate(size, kMinAlign, AllocOrigin::kMalloc);
  if (moved == nullptr) {
    *status = ReallocStatus::kOutOfMemory;
    return nullptr;
  }
  memcpy(moved, pointer, block.size < size ? block.size : size);
  release_block(block);
  *status = ReallocStatus::kOk;
  return moved;
}

size_t usable_size(const void* pointer) {
  if (pointer == nullptr) return 0;
  ensure_initialized();
  BlockRef block;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (locate_block(p, &block) != Locate::kFound || block.user != p ||
      block.header->state() != ChunkState::kAllocated)
    return 0;
  return block.size;
}

}  // namespace dm
