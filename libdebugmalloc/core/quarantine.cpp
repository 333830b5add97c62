// Per-thread batches feeding a global FIFO of freed blocks bounded in bytes.
#include "core/quarantine.h"

#include "findings/errors.h"
#include "heap/guard.h"
#include "findings/heap_check.h"
#include "heap/large.h"
#include "heap/page_guard.h"
#include "support/check.h"
#include "support/mutex.h"
#include "support/object_pool.h"
#include "support/options.h"
#include "heap/thread_cache.h"

namespace dm {

struct QuarantineBatch {
  static constexpr uint32_t kCapacity = 254;
  QuarantineBatch* next = nullptr;
  uint32_t count = 0;
  uint32_t band = 0;  // every block of a batch is of one band
  size_t bytes = 0;
  struct Entry {
    uintptr_t address;  // slot start (zones) or user pointer (large blocks)
    size_t bytes;       // slot or mapping size
  };
  Entry blocks[kCapacity];
};

namespace {

// Size bands, each a FIFO with a budget of its own (quarantine_mb each), so
// that big blocks churning through cannot push out small ones freed before
// them: TINY slots (up to 1 KiB), SMALL slots, LARGE mappings. The memory held
// is at most 2 * quarantine_mb (TINY and SMALL); LARGE blocks' pages are
// released while held, their cost is address space (cost_of).
enum Band : uint32_t { kTinyBand = 0, kSmallBand = 1, kLargeBand = 2 };
static_assert(kQuarantineBands == 3, "one thread batch per band");

struct Fifo {
  QuarantineBatch* head = nullptr;  // oldest
  QuarantineBatch* tail = nullptr;
  size_t bytes = 0;
};

constinit Mutex g_mu;
constinit Fifo g_fifos[kQuarantineBands] = {};
constinit ObjectPool<QuarantineBatch> g_batch_pool;

size_t budget() { return static_cast<size_t>(g_options.quarantine_mb) << 20; }

uint32_t band_of(const BlockRef& block) {
  if (block.large != nullptr) return kLargeBand;
  return block.zone->kind == ZoneKind::kTiny ? kTinyBand : kSmallBand;
}

// A thread hands over its batch when it holds this many bytes.
size_t batch_limit() {
  size_t limit = budget() / 16;
  return limit < (size_t{1} << 20) ? limit : (size_t{1} << 20);
}

// What a block costs while held: its memory, except a large block's, whose
// pages are released and protected: it costs a mapping and address space,
// counted as 1/64 of its size (at least 64 KiB), so that the quarantine never
// holds more than 64 times its budget in address space and a huge block (over
// 16 times the budget) goes back to the system at once, as with glibc.
size_t cost_of(const BlockRef& block) {
  size_t bytes = block.slot_end - block.slot;
  if (block.large == nullptr) return bytes;
  return bytes / 64 > 64 * 1024 ? bytes / 64 : 64 * 1024;
}

// Marks a block available and gives its memory back for reuse. Its stacks stay:
// only the state changes, in one store, so a late free never reads it torn.
void make_available(const BlockRef& block) {
  block.header->publish_state(block.slot, ChunkState::kAvailable);
  if (block.large != nullptr) {
    large_unmap(block.large);
  } else {
    thread_cache_push(block.zone->cls, reinterpret_cast<void*>(block.slot));
  }
}

// Up to 512 bytes of a block (its header, guards and the start of its bytes).
void prefetch_block(const QuarantineBatch::Entry& e) {
  size_t bytes = e.bytes < 512 ? e.bytes : 512;
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(reinterpret_cast<const char*>(e.address + off));
}

void recycle_batch(QuarantineBatch* batch) {
  // Quarantined memory is cold by the time it leaves: prefetch a few blocks
  // ahead so that their cache misses overlap instead of adding up.
  constexpr uint32_t kAhead = 8;
  for (uint32_t i = 0; i < batch->count && i < kAhead; ++i) prefetch_block(batch->blocks[i]);
  for (uint32_t i = 0; i < batch->count; ++i) {
    if (i + kAhead < batch->count) prefetch_block(batch->blocks[i + kAhead]);
    BlockRef block;
    if (locate_block(batch->blocks[i].address, &block) != Locate::kFound) continue;
    quarantine_recycle(block, "the quarantine, when the block left it");
  }
  g_batch_pool.release(batch);
}

// Appends a full batch to its band's FIFO and returns the chain of batches
// pushed out of that band to stay within its budget.
QuarantineBatch* append_and_evict(QuarantineBatch* batch) {
  ScopedLock lock(g_mu);
  Fifo& fifo = g_fifos[batch->band];
  batch->next = nullptr;
  if (fifo.tail != nullptr)
    fifo.tail->next = batch;
  else
    fifo.head = batch;
  fifo.tail = batch;
  fifo.bytes += batch->bytes;
  QuarantineBatch* evicted = nullptr;
  QuarantineBatch** evicted_tail = &evicted;
  size_t limit = budget();
  while (fifo.bytes > limit && fifo.head != nullptr) {
    QuarantineBatch* oldest = fifo.head;
    fifo.head = oldest->next;
    if (fifo.head == nullptr) fifo.tail = nullptr;
    fifo.bytes -= oldest->bytes;
    oldest->next = nullptr;
    *evicted_tail = oldest;
    evicted_tail = &oldest->next;
  }
  return evicted;
}

void push_global(QuarantineBatch* batch) {
  QuarantineBatch* evicted = append_and_evict(batch);
  while (evicted != nullptr) {
    QuarantineBatch* next = evicted->next;
    recycle_batch(evicted);
    evicted = next;
  }
}

}  // namespace

void quarantine_recycle(const BlockRef& block, const char* found_by) {
  if (block.header->state() != ChunkState::kQuarantined) {
    // A large block's header is out of band and nothing changes it while held; a zone
    // slot's header is the program's to smash (the heap check reports that).
    DM_CHECK(block.large == nullptr);
    return;
  }
  if (block.large != nullptr) {  // protected while held: nothing could have written to it
    // Its guard pages stay inaccessible.
    uintptr_t begin = large_access_begin(*block.large);
    os_protect(reinterpret_cast<void*>(begin), block.slot_end - begin, true);
    block.large->fresh = true;  // its pages were released: they read as zeros
    make_available(block);
    return;
  }
  verify_block(block, CallSite{found_by, nullptr}, nullptr);
  make_available(block);
}

void quarantine_put(const BlockRef& block) {
  DM_DCHECK(block.header->state() == ChunkState::kQuarantined);
  if (block.large != nullptr && block.large->page_guarded) {
    // Its own FIFO: the slot's pages become inaccessible, its address unused for long.
    page_guard_retire(block.large);
    return;
  }
  size_t cost = cost_of(block);
  if (cost > budget() / 4) {  // too big to hold (or no quarantine): its memory is reused now
    make_available(block);
    return;
  }
  if (block.large != nullptr) {
    // Any access while it is held faults, and fault_handler.h reports it as a use after free.
    uintptr_t begin = large_access_begin(*block.large);
    os_release(reinterpret_cast<void*>(begin), block.slot_end - begin);
    os_protect(reinterpret_cast<void*>(begin), block.slot_end - begin, false);
  }
  ThreadCache* tc = current_thread_cache();
  uint32_t band = band_of(block);
  QuarantineBatch* batch = tc != nullptr ? tc->quarantine_batch[band] : nullptr;
  if (batch == nullptr) {
    batch = g_batch_pool.acquire();
    if (batch == nullptr) {  // out of memory for batches: skip the quarantine
      make_available(block);
      return;
    }
    batch->band = band;
    if (tc != nullptr) tc->quarantine_batch[band] = batch;
  }
  DM_DCHECK(batch->count < QuarantineBatch::kCapacity);  // a full batch was handed over
  batch->blocks[batch->count++] = {block.large != nullptr ? block.user : block.slot, cost};
  batch->bytes += cost;
  if (tc == nullptr || batch->count == QuarantineBatch::kCapacity || batch->bytes >= batch_limit()) {
    if (tc != nullptr) tc->quarantine_batch[band] = nullptr;
    push_global(batch);
  }
}

void quarantine_flush_thread_batches(QuarantineBatch** batches) {
  for (int band = 0; band < kQuarantineBands; ++band) {
    if (batches[band] == nullptr) continue;
    QuarantineBatch* b = batches[band];
    batches[band] = nullptr;
    push_global(b);
  }
}

void quarantine_lock() {
  g_mu.lock();
  g_batch_pool.mutex().lock();
}

void quarantine_unlock() {
  g_batch_pool.mutex().unlock();
  g_mu.unlock();
}

void quarantine_reset_after_fork() {
  g_batch_pool.mutex().reset_after_fork();
  g_mu.reset_after_fork();
}

}  // namespace dm
