// The roots of the leak scan, as Valgrind's memcheck takes them: every
// readable and writable mapping of the process that is not the tool's own
// (its heap zones and large blocks are reached only through blocks; its
// metadata and its own image not at all), less the dead part of every thread's
// stack (below its stack pointer) and the tool's own frames, plus the registers
// the program had where the tool was entered, the alternate signal stack each
// thread has from the program, and the values the program handed the kernel
// (kernel_held.h): the kernel holds those pointers, not the program's memory.
//
// Module data, TLS, stacks, anonymous mappings (pools, arenas, GC heaps) all
// fall out of that one rule. Device mappings are not read, and neither are
// pages the program made inaccessible. Mappings larger than kSparseMapping are
// read page by page where the kernel says a page is resident (mincore): a huge
// reservation that was never touched costs nothing. File mappings are read
// the same way: a page past the end of the file would fault.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/memory_map.h"
#include "support/mmap_vector.h"
#include "findings/thread_stop.h"

namespace dm {

// Where the calling thread's stack scan starts, and the callee-saved registers
// the program had there (the others are dead across a call into the tool).
struct ScanStart {
  uintptr_t sp = 0;  // 0: from the scanning function's own frame
  uintptr_t regs[6] = {};
};

// Fills `start` with the caller's stack pointer and callee-saved registers.
// Must be the first statement of a tool entry point (noinline): the registers
// are still the caller's there. rbp comes from the frame's saved copy.
#define DM_CAPTURE_SCAN_START(start)                                                         \
  do {                                                                                       \
    /* rax (caller-saved) holds the address: never one of the registers captured. */         \
    asm volatile(                                                                            \
        "mov %%rbx, 0(%0)\n\tmov %%r12, 8(%0)\n\tmov %%r13, 16(%0)\n\tmov %%r14, 24(%0)\n\t" \
        "mov %%r15, 32(%0)" ::"a"((start).regs)                                              \
        : "memory");                                                                         \
    (start).regs[5] = *reinterpret_cast<uintptr_t*>(__builtin_frame_address(0));             \
    (start).sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) + 16;               \
  } while (0)

inline constexpr size_t kSparseMapping = size_t{64} << 20;

struct RootRange {
  uintptr_t begin, end;
};

// What has to be learned before other threads stop (dl_iterate_phdr takes the
// loader's lock, which a stopped thread could hold): the tool's own image,
// and the root regions the program registered.
class RootPlan {
 public:
  bool collect();
  const MmapVector<RootRange>& own_image() const { return own_image_; }
  const MmapVector<RootRange>& registered() const { return registered_; }

 private:
  MmapVector<RootRange> own_image_;
  MmapVector<RootRange> registered_;  // root regions the program registered
};

struct RootStats {
  uint32_t threads_not_stopped = 0;  // their whole stack mapping was scanned
};

// Receives the root ranges (readable: visit_roots checked them).
struct RootSink {
  void (*scan)(void* context, uintptr_t begin, uintptr_t end);
  void* context;
};

// With every other thread stopped: hands each root range to `sink`.
void visit_roots(const RootPlan& plan, const MemoryMap& maps, const WorldStop& world, const ScanStart& self,
                 const RootSink& sink, RootStats* stats);

}  // namespace dm
