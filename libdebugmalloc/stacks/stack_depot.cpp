// Hash table of unique stacks over mmap'd storage.
#include "stacks/stack_depot.h"

#include <atomic>
#include <cstring>

#include "support/check.h"
#include "support/mutex.h"
#include "support/platform.h"

namespace dm {

namespace {

struct StackRecord {
  StackRecord* next;
  uint64_t hash;
  uint32_t id;
  uint32_t depth;
  uintptr_t frames[];
};

constexpr int kBucketBits = 18;
constexpr size_t kBuckets = size_t{1} << kBucketBits;
constexpr size_t kIdsPerPage = size_t{1} << 16;
constexpr size_t kIdPages = size_t{1} << 14;  // up to 2^30 stacks
constexpr size_t kChunk = size_t{1} << 20;

// Bucket heads: chains of immutable records, newest first.
constinit std::atomic<uintptr_t> g_buckets[kBuckets] = {};
constinit Mutex g_insert_mu;
// id -> record, in pages mapped on demand.
constinit std::atomic<StackRecord**> g_id_pages[kIdPages] = {};
constinit std::atomic<uint32_t> g_next_id{1};

// Record storage: bump allocation in mmap'd chunks, under g_insert_mu.
constinit uintptr_t g_cursor = 0;
constinit uintptr_t g_limit = 0;

uint64_t hash_frames(const uintptr_t* frames, uint32_t depth) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ depth;
  for (uint32_t i = 0; i < depth; ++i) {
    h ^= frames[i];
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
  }
  return h;
}

StackRecord* find(uintptr_t head, uint64_t hash, const uintptr_t* frames, uint32_t depth) {
  for (auto* r = reinterpret_cast<StackRecord*>(head); r != nullptr; r = r->next) {
    if (r->hash == hash && r->depth == depth && memcmp(r->frames, frames, depth * sizeof(uintptr_t)) == 0) return r;
  }
  return nullptr;
}

StackRecord* new_record(uint32_t depth) {
  size_t bytes = align_up(sizeof(StackRecord) + depth * sizeof(uintptr_t), 16);
  if (g_cursor + bytes > g_limit) {
    void* chunk = os_map(kChunk);
    if (chunk == nullptr) return nullptr;
    g_cursor = reinterpret_cast<uintptr_t>(chunk);
    g_limit = g_cursor + kChunk;
  }
  auto* r = reinterpret_cast<StackRecord*>(g_cursor);
  g_cursor += bytes;
  return r;
}

bool publish_id(StackRecord* r) {
  uint32_t id = g_next_id.fetch_add(1, std::memory_order_relaxed);
  size_t page = id / kIdsPerPage;
  if (page >= kIdPages) return false;
  StackRecord** entries = g_id_pages[page].load(std::memory_order_acquire);
  if (entries == nullptr) {
    auto* fresh = static_cast<StackRecord**>(os_map(kIdsPerPage * sizeof(StackRecord*)));
    if (fresh == nullptr) return false;
    if (g_id_pages[page].compare_exchange_strong(entries, fresh, std::memory_order_acq_rel))
      entries = fresh;
    else
      os_unmap(fresh, kIdsPerPage * sizeof(StackRecord*));
  }
  r->id = id;
  __atomic_store_n(&entries[id % kIdsPerPage], r, __ATOMIC_RELEASE);
  return true;
}

}  // namespace

StackId depot_put(const uintptr_t* frames, uint32_t depth) {
  if (depth == 0) return 0;
  if (depth > kMaxStackDepth) depth = kMaxStackDepth;
  uint64_t hash = hash_frames(frames, depth);
  std::atomic<uintptr_t>& bucket = g_buckets[hash & (kBuckets - 1)];
  uintptr_t head = bucket.load(std::memory_order_acquire);
  if (StackRecord* r = find(head, hash, frames, depth)) return r->id;

  // Insert under the depot lock (inserts are rare once a program warms up),
  // looking again first: another thread may have inserted the same stack.
  ScopedLock lock(g_insert_mu);
  head = bucket.load(std::memory_order_relaxed);
  if (StackRecord* r = find(head, hash, frames, depth)) return r->id;
  StackRecord* fresh = new_record(depth);
  if (fresh == nullptr) return 0;
  fresh->hash = hash;
  fresh->depth = depth;
  memcpy(fresh->frames, frames, depth * sizeof(uintptr_t));
  fresh->next = reinterpret_cast<StackRecord*>(head);
  if (!publish_id(fresh)) return 0;
  bucket.store(reinterpret_cast<uintptr_t>(fresh), std::memory_order_release);
  return fresh->id;
}

const uintptr_t* depot_get(StackId id, uint32_t* depth) {
  if (id == 0) return nullptr;
  // Ids come from depot_put only (chunk headers that pass their checksum, records):
  // one it never issued was corrupted inside the library, or is not a stack id at all.
  DM_CHECK(id < g_next_id.load(std::memory_order_acquire));
  if (id / kIdsPerPage >= kIdPages) return nullptr;
  StackRecord** entries = g_id_pages[id / kIdsPerPage].load(std::memory_order_acquire);
  if (entries == nullptr) return nullptr;
  StackRecord* r = __atomic_load_n(&entries[id % kIdsPerPage], __ATOMIC_ACQUIRE);
  if (r == nullptr) return nullptr;
  *depth = r->depth;
  return r->frames;
}

void depot_lock_all() { g_insert_mu.lock(); }
void depot_unlock_all() { g_insert_mu.unlock(); }
void depot_reset_after_fork() { g_insert_mu.reset_after_fork(); }

}  // namespace dm
