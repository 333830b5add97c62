// Stack capture: the fast cached CFI walker, with libunwind for what it cannot
// walk. Both read DWARF unwind tables: accurate without frame pointers.
#include "stacks/stack_capture.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <cstring>

#include "support/internal_arena.h"
#include "support/options.h"

namespace dm {

namespace {

// Allocator frames that can sit between the unwinder and the program's call.
constexpr uint32_t kMaxOwnFrames = 8;

// libunwind, for the stacks the fast walker cannot handle (signal frames,
// DWARF expressions, code without unwind tables): everything before the
// caller's return address is the allocator's own.
DM_NOINLINE uint32_t capture_with_libunwind(uintptr_t* frames, uint32_t max, uintptr_t caller) {
  void* raw[kMaxStackDepth + kMaxOwnFrames];
  int n;
  {
    ScopedInternal internal;  // libunwind may allocate: keep that out of the program's heap
    n = unw_backtrace(raw, static_cast<int>(max + kMaxOwnFrames));
  }
  if (n <= 0) return 0;
  // Skip the allocator's own frames: everything before the caller's return address.
  int first = 0;
  while (first < n && first < static_cast<int>(kMaxOwnFrames) && reinterpret_cast<uintptr_t>(raw[first]) != caller)
    ++first;
  if (first == n || first == static_cast<int>(kMaxOwnFrames)) first = 0;
  uint32_t depth = 0;
  for (int i = first; i < n && depth < max; ++i) frames[depth++] = reinterpret_cast<uintptr_t>(raw[i]);
  return depth;
}

}  // namespace

void stack_capture_init() {
  // Per-thread caches of unwind information: no lock on the capture path.
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

namespace {

// A per-thread memo of recent stacks. A walk depends only on its start
// registers and the stack words it read (fast_unwind's WalkReads): when those
// are unchanged, the stack is the same, and its depot id is reused without
// walking or hashing. In loops and repeated call paths, checking the words
// (independent loads) is several times cheaper than walking the frames.
constexpr uint32_t kMemoEntries = 64;  // about 130 KiB per thread, touched only as used

struct MemoEntry {
  uintptr_t ip, sp, rbp;
  StackId id;       // 0 = empty
  WalkReads reads;  // the walk records straight into it: no copy on a miss
};

struct StackMemo {
  MemoEntry entries[kMemoEntries];
};

__thread StackMemo* t_memo __attribute__((tls_model("initial-exec"))) = nullptr;
constexpr size_t kMemoBytes = align_up(sizeof(StackMemo), kPageSize);

// Keyed by the caller's ip and sp only: rbp often changes between calls
// without changing the stack (memo_matches checks it when the walk used it).
DM_ALWAYS_INLINE MemoEntry* memo_slot(StackMemo* memo, const CallerFrame& c) {
  uintptr_t h = (c.ip ^ (c.sp >> 4)) * 0x9E3779B97F4A7C15ull;
  return &memo->entries[h >> (64 - 6)];
}

DM_ALWAYS_INLINE bool memo_matches(const MemoEntry& e, const CallerFrame& c) {
  if (e.id == 0 || e.ip != c.ip || e.sp != c.sp || (e.reads.start_rbp_used && e.rbp != c.rbp)) return false;
  uintptr_t diff = 0;
  for (uint32_t i = 0; i < e.reads.count; ++i)
    diff |= *reinterpret_cast<const uintptr_t*>(e.reads.address[i]) ^ e.reads.value[i];
  return diff == 0;
}

DM_NOINLINE StackId record_and_memoize(const CallerFrame& caller, uint32_t max, StackMemo* memo) {
  uintptr_t frames[kMaxStackDepth];
  WalkReads scratch;
  MemoEntry* e = memo != nullptr ? memo_slot(memo, caller) : nullptr;
  WalkReads* reads = e != nullptr ? &e->reads : &scratch;
  if (e != nullptr) e->id = 0;  // invalid until the walk succeeds
  reads->count = 0;
  reads->start_rbp_used = false;
  int n = fast_unwind(caller, frames, max, reads);
  if (n <= 0) return depot_put(frames, capture_with_libunwind(frames, max, caller.ip));
  StackId id = depot_put(frames, static_cast<uint32_t>(n));
  if (e != nullptr && reads->count != 0) {
    e->ip = caller.ip;
    e->sp = caller.sp;
    e->rbp = caller.rbp;
    e->id = id;
  }
  return id;
}

}  // namespace

StackId record_stack(const CallerFrame& caller) {
  uint32_t max = static_cast<uint32_t>(g_options.stack_depth);
  if (max == 0 || in_internal_code() || caller.ip == 0) return 0;
  if (max > kMaxStackDepth) max = kMaxStackDepth;
  StackMemo* memo = t_memo;
  if (DM_LIKELY(memo != nullptr)) {
    MemoEntry* e = memo_slot(memo, caller);
    if (memo_matches(*e, caller)) return e->id;
  } else {
    memo = t_memo = static_cast<StackMemo*>(os_map(kMemoBytes));
  }
  return record_and_memoize(caller, max, memo);
}

void stack_capture_thread_exit() {
  if (t_memo != nullptr) os_unmap(t_memo, kMemoBytes);
  t_memo = nullptr;
}

}  // namespace dm
