// SIGSEGV/SIGBUS handler for accesses to protected freed blocks.
#include "findings/fault_handler.h"

#include <signal.h>
#include <ucontext.h>

#include <cstring>

#include "heap/block.h"
#include "findings/errors.h"
#include "stacks/fast_unwind.h"

namespace dm {

namespace {

constinit struct sigaction g_previous_segv = {};
constinit struct sigaction g_previous_bus = {};

// Puts back the previous disposition; returning re-runs the faulting access under it.
void chain(int signo, siginfo_t* info, void* context) {
  struct sigaction& previous = signo == SIGBUS ? g_previous_bus : g_previous_segv;
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(signo, info, context);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
    previous.sa_handler(signo);
    return;
  }
  signal(signo, SIG_DFL);
}

void on_fault(int signo, siginfo_t* info, void* context) {
  uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
  BlockRef block;
  if (locate_block(address, &block) == Locate::kFound && block.large != nullptr &&
      block.header->state() == ChunkState::kQuarantined) {
    const auto* uc = static_cast<const ucontext_t*>(context);
    const greg_t* regs = uc->uc_mcontext.gregs;
    // The faulting instruction is not a return address: +1 so that its own address is looked up.
    CallerFrame frame{static_cast<uintptr_t>(regs[REG_RIP]) + 1, static_cast<uintptr_t>(regs[REG_RSP]),
                      static_cast<uintptr_t>(regs[REG_RBP])};
    report_access_after_free(CallSite{"an access to a freed large block (its pages are protected)", &frame}, block,
                             address);
    signal(signo, SIG_DFL);  // the access cannot complete: die of it, as without the library
    return;
  }
  chain(signo, info, context);
}

}  // namespace

void install_fault_handler() {
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_previous_segv);
  sigaction(SIGBUS, &sa, &g_previous_bus);
}

}  // namespace dm
