// Per-thread batches feeding a global FIFO of freed blocks bounded in bytes.
#include "core/quarantine.h"

#include "findings/errors.h"
#include "heap/guard.h"
#include "findings/heap_check.h"
#include "heap/large.h"
#include "support/mutex.h"
#include "support/object_pool.h"
#include "support/options.h"
#include "heap/thread_cache.h"

namespace dm {

struct QuarantineBatch {
  static constexpr uint32_t kCapacity = 254;
  QuarantineBatch* next = nullptr;
  uint32_t count = 0;
  size_t bytes = 0;
  struct Entry {
    uintptr_t address;  // slot start (zones) or user pointer (large blocks)
    size_t bytes;       // slot or mapping size
  };
  Entry blocks[kCapacity];
};

namespace {

constinit Mutex g_mu;
constinit QuarantineBatch* g_head = nullptr;  // oldest
constinit QuarantineBatch* g_tail = nullptr;
constinit size_t g_bytes = 0;
constinit ObjectPool<QuarantineBatch> g_batch_pool;

size_t budget() { return static_cast<size_t>(g_options.quarantine_mb) << 20; }

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

// Appends a full batch and returns the chain of batches pushed out to stay within budget.
QuarantineBatch* append_and_evict(QuarantineBatch* batch) {
  ScopedLock lock(g_mu);
  batch->next = nullptr;
  if (g_tail != nullptr)
    g_tail->next = batch;
  else
    g_head = batch;
  g_tail = batch;
  g_bytes += batch->bytes;
  QuarantineBatch* evicted = nullptr;
  QuarantineBatch** evicted_tail = &evicted;
  size_t limit = budget();
  while (g_bytes > limit && g_head != nullptr) {
    QuarantineBatch* oldest = g_head;
    g_head = oldest->next;
    if (g_head == nullptr) g_tail = nullptr;
    g_bytes -= oldest->bytes;
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
  if (block.header->state() != ChunkState::kQuarantined) return;
  if (block.large != nullptr) {  // protected while held: nothing could have written to it
    os_protect(reinterpret_cast<void*>(block.slot), block.slot_end - block.slot, true);
    block.large->fresh = true;  // its pages were released: they read as zeros
    make_available(block);
    return;
  }
  verify_block(block, CallSite{found_by, nullptr}, nullptr);
  make_available(block);
}

void quarantine_put(const BlockRef& block) {
  size_t cost = cost_of(block);
  if (cost > budget() / 4) {  // too big to hold (or no quarantine): its memory is reused now
    make_available(block);
    return;
  }
  if (block.large != nullptr) {
    // Any access while it is held faults, and fault_handler.h reports it as a use after free.
    os_release(reinterpret_cast<void*>(block.slot), block.slot_end - block.slot);
    os_protect(reinterpret_cast<void*>(block.slot), block.slot_end - block.slot, false);
  }
  ThreadCache* tc = current_thread_cache();
  QuarantineBatch* batch = tc != nullptr ? tc->quarantine_batch : nullptr;
  if (batch == nullptr) {
    batch = g_batch_pool.acquire();
    if (batch == nullptr) {  // out of memory for batches: skip the quarantine
      make_available(block);
      return;
    }
    if (tc != nullptr) tc->quarantine_batch = batch;
  }
  batch->blocks[batch->count++] = {block.large != nullptr ? block.user : block.slot, cost};
  batch->bytes += cost;
  if (tc == nullptr || batch->count == QuarantineBatch::kCapacity || batch->bytes >= batch_limit()) {
    if (tc != nullptr) tc->quarantine_batch = nullptr;
    push_global(batch);
  }
}

void quarantine_flush_thread_batch(QuarantineBatch** batch) {
  if (*batch == nullptr) return;
  QuarantineBatch* b = *batch;
  *batch = nullptr;
  push_global(b);
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
