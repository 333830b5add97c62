// Power-of-two free lists over one mmap reservation, for the library's own allocations.
#include "support/internal_arena.h"

#include <cstring>

#include "support/check.h"
#include "support/mutex.h"

namespace dm {

__thread int t_internal_depth __attribute__((tls_model("initial-exec"))) = 0;

namespace {

constexpr int kMinShift = 5;  // 32-byte blocks, 16 of them header
constexpr int kNumClasses = 31 - kMinShift;
constexpr uint32_t kMagic = 0xD1A6A7E5;

// Precedes every user pointer of the arena.
struct alignas(16) BlockPrefix {
  uint32_t magic;
  uint32_t cls;
  uintptr_t block;  // start of the class-sized block
};

struct FreeBlock {
  FreeBlock* next;
};

constinit Mutex g_mu;
constinit uintptr_t g_start = 0;
constinit uintptr_t g_end = 0;
constinit uintptr_t g_bump = 0;
constinit FreeBlock* g_free[kNumClasses] = {};

int class_for(size_t bytes) {
  int shift = kMinShift;
  while ((size_t{1} << shift) < bytes) ++shift;
  return shift - kMinShift;
}

}  // namespace

bool internal_arena_init() {
  for (size_t size = size_t{1} << 30; size >= (size_t{16} << 20); size >>= 1) {
    void* p = os_map(size);
    if (p == nullptr) continue;
    g_start = g_bump = reinterpret_cast<uintptr_t>(p);
    g_end = g_start + size;
    return true;
  }
  return false;
}

bool internal_arena_contains(uintptr_t address) { return address - g_start < g_end - g_start; }

void* internal_allocate(size_t size, size_t align) {
  if (align < 16) align = 16;
  size_t bytes = sizeof(BlockPrefix) + size + (align - 16);
  if (bytes < size || bytes > (size_t{1} << 30)) return nullptr;
  int cls = class_for(bytes);
  if (cls >= kNumClasses) return nullptr;
  size_t class_bytes = size_t{1} << (cls + kMinShift);
  uintptr_t block = 0;
  {
    ScopedLock lock(g_mu);
    if (g_free[cls] != nullptr) {
      block = reinterpret_cast<uintptr_t>(g_free[cls]);
      // A free block was cut from the arena's used part (else the free list is corrupt).
      DM_CHECK(block >= g_start && block + class_bytes <= g_bump && block % 16 == 0);
      g_free[cls] = g_free[cls]->next;
    } else if (g_end - g_bump >= class_bytes) {
      block = g_bump;
      g_bump += class_bytes;
    } else {
      return nullptr;
    }
  }
  uintptr_t user = align_up(block + sizeof(BlockPrefix), align);
  auto* prefix = reinterpret_cast<BlockPrefix*>(user - sizeof(BlockPrefix));
  prefix->magic = kMagic;
  prefix->cls = static_cast<uint32_t>(cls);
  prefix->block = block;
  return reinterpret_cast<void*>(user);
}

void internal_free(void* pointer) {
  auto* prefix = reinterpret_cast<BlockPrefix*>(static_cast<char*>(pointer) - sizeof(BlockPrefix));
  if (prefix->magic != kMagic || prefix->cls >= kNumClasses) return;  // not a block start: leave it
  // A valid prefix points back to its block, in the arena, at or before the prefix.
  DM_CHECK(prefix->block >= g_start && prefix->block <= reinterpret_cast<uintptr_t>(prefix));
  prefix->magic = 0;
  auto* node = reinterpret_cast<FreeBlock*>(prefix->block);
  ScopedLock lock(g_mu);
  node->next = g_free[prefix->cls];
  g_free[prefix->cls] = node;
}

size_t internal_block_size(const void* pointer) {
  auto* prefix = reinterpret_cast<const BlockPrefix*>(static_cast<const char*>(pointer) - sizeof(BlockPrefix));
  if (prefix->magic != kMagic || prefix->cls >= kNumClasses) return 0;
  return prefix->block + (size_t{1} << (prefix->cls + kMinShift)) - reinterpret_cast<uintptr_t>(pointer);
}

void internal_arena_lock() { g_mu.lock(); }
void internal_arena_unlock() { g_mu.unlock(); }
void internal_arena_reset_after_fork() { g_mu.reset_after_fork(); }

}  // namespace dm
