// Capturing the stack of a faulting instruction from its signal context.
#include "stacks/fault_stack.h"

#include <ucontext.h>

#include <cstring>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "stacks/fast_unwind.h"
#include "support/internal_arena.h"
#include "support/options.h"

namespace dm {

namespace {

uint32_t capture_with_libunwind(const ucontext_t* uc, uintptr_t* frames, uint32_t max) {
  ScopedInternal internal;  // libunwind may allocate: keep that out of the program's heap
  unw_context_t context;
  static_assert(sizeof context >= sizeof *uc, "libunwind's context is a ucontext_t on x86-64");
  memcpy(&context, uc, sizeof *uc);
  unw_cursor_t cursor;
  if (unw_init_local2(&cursor, &context, UNW_INIT_SIGNAL_FRAME) != 0) return 0;
  uint32_t n = 0;
  do {
    unw_word_t ip = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    // The first frame is the faulting instruction itself: stored as if it were a return address.
    frames[n] = n == 0 ? static_cast<uintptr_t>(ip) + 1 : static_cast<uintptr_t>(ip);
    ++n;
  } while (n < max && unw_step(&cursor) > 0);
  return n;
}

}  // namespace

StackId record_fault_stack(const void* ucontext) {
  uint32_t max = static_cast<uint32_t>(g_options.stack_depth);
  if (max == 0 || ucontext == nullptr) return 0;
  if (max > kMaxStackDepth) max = kMaxStackDepth;
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  const greg_t* regs = uc->uc_mcontext.gregs;
  // At the faulting instruction the frame's rules are those of its own address:
  // passed as ip + 1, the walker's lookup of (return address - 1) finds them.
  CallerFrame start{static_cast<uintptr_t>(regs[REG_RIP]) + 1, static_cast<uintptr_t>(regs[REG_RSP]),
                    static_cast<uintptr_t>(regs[REG_RBP])};
  uintptr_t frames[kMaxStackDepth];
  int n = fast_unwind(start, frames, max, nullptr);
  uint32_t depth = n > 0 ? static_cast<uint32_t>(n) : capture_with_libunwind(uc, frames, max);
  if (depth == 0) {  // not even libunwind: the faulting instruction alone
    frames[0] = start.ip;
    depth = 1;
  }
  return depot_put(frames, depth);
}

}  // namespace dm
