// Stack capture: the fast cached CFI walker, with libunwind for what it cannot
// walk. Both read DWARF unwind tables: accurate without frame pointers.
#include "stack_capture.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "internal_arena.h"
#include "options.h"

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

uint32_t capture_stack(uintptr_t* frames, uint32_t max, const CallerFrame& caller) {
  if (max == 0 || caller.ip == 0) return 0;
  if (max > kMaxStackDepth) max = kMaxStackDepth;
  int n = fast_unwind(caller, frames, max);
  if (DM_LIKELY(n > 0)) return static_cast<uint32_t>(n);
  return capture_with_libunwind(frames, max, caller.ip);
}

StackId record_stack(const CallerFrame& caller) {
  uint32_t max = static_cast<uint32_t>(g_options.stack_depth);
  if (max == 0 || in_internal_code()) return 0;
  uintptr_t frames[kMaxStackDepth];
  uint32_t depth = capture_stack(frames, max, caller);
  return depot_put(frames, depth);
}

}  // namespace dm
