// Leak detection: a conservative reachability scan of the heap, classifying
// every live block with Valgrind's meanings (LeakKind, common/kinds.h):
//   reachable  a chain of pointers to its start leads from a root to it
//   possible   reached from a root, but only through some interior pointer
//   indirect   not reached from a root, but pointed to by a leaked block
//   definite   no pointer to it at all (each carries the indirect blocks that
//              hang from it: free it and they go too)
// Roots are every readable and writable mapping that is not the tool's own
// (leak_roots.h) and the blocks excluded from reporting. Other threads are
// stopped with signals (thread_stop.h), never with ptrace.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/kinds.h"
#include "findings/leak_roots.h"
#include "stacks/loader.h"
#include "support/mmap_vector.h"
#include "stacks/stack_depot.h"

namespace dm {

// Blocks record the epoch they were allocated in; debugmalloc_mark() starts a
// new one. Epoch 0 marks a block that is never reported as a leak (allocated
// while leak reporting was disabled on its thread, or ignored explicitly).
extern std::atomic<uint32_t> g_heap_epoch;
inline constexpr uint32_t kIgnoredEpoch = 0;
extern __thread int t_leaks_disabled __attribute__((tls_model("initial-exec")));
inline uint32_t current_epoch() {
  return t_leaks_disabled > 0 ? kIgnoredEpoch : g_heap_epoch.load(std::memory_order_relaxed);
}
// The epoch of a block allocated from `return_address`: the runtime's blocks are never leaks.
inline uint32_t allocation_epoch(uintptr_t return_address) {
  return runtime_allocation(return_address) ? kIgnoredEpoch : current_epoch();
}

// Leaked blocks with the same kind and allocation stack.
struct LeakGroup {
  LeakKind kind;
  StackId stack;
  uint64_t bytes;
  uint64_t blocks;
  uint64_t indirect_bytes;  // definite groups: what hangs from them
  uint64_t indirect_blocks;
  bool suppressed;
};

struct LeakResult {
  MmapVector<LeakGroup> groups;
  uint64_t bytes[kNumLeakKinds] = {};
  uint64_t blocks[kNumLeakKinds] = {};
  uint64_t scanned_blocks = 0;
  uint32_t threads_not_stopped = 0;
  uint64_t unreadable_blocks = 0;  // in memory the program made inaccessible: not read, not reported
  uint64_t tag_only_blocks = 0;      // reached only through tagged pointers (tagged_pointers=0 loses them)
  uint64_t tag_upgraded_blocks = 0;  // possible without tagged pointers, reachable with them
};

// Scans the heap and fills `out` (groups unsorted). Only blocks allocated in
// epoch `min_epoch` or later are counted (0 = all). The calling thread's stack
// is scanned from `start` (leak_roots.h): where the tool was entered, so that
// the tool's own frames and the dead ones below them keep nothing alive.
// Returns false if the scan could not run (out of memory).
bool find_leaks(LeakResult* out, uint32_t min_epoch, const ScanStart& start);

}  // namespace dm
