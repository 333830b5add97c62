// The SIGSEGV handler: is the fault one of the library's inaccessible pages?
// Which block, what kind of error, read or write? Report it on a stack of our
// own, then die of the signal; anything else goes to the program's handler.
#include "findings/fault_handler.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "findings/errors.h"
#include "heap/large.h"
#include "heap/page_guard.h"
#include "heap/registry.h"
#include "stacks/fault_stack.h"
#include "support/text_buffer.h"

extern "C" int __sigaction(int signo, const struct sigaction* act, struct sigaction* old);

namespace dm {

namespace {

constinit std::atomic<bool> g_installed{false};
// The program's own SIGSEGV disposition: what was there before the library,
// or what the program installed since. A benign race: the program changes it
// rarely, and a fault reads it once.
constinit struct sigaction g_program = {};
constinit std::atomic<int> g_reporting{0};  // threads reporting a fault right now
__thread int t_in_fault __attribute__((tls_model("initial-exec"))) = 0;

constexpr size_t kReportStackBytes = 1 << 20;

// The block a fault is about, and what the access did to it.
struct Fault {
  int signo;
  uintptr_t address;
  const void* context;
  const LargeMeta* meta;
  ChunkHeader header;  // as read when the fault was classified
  uintptr_t user;
  size_t size;
  ErrorKind kind;
  Access access;
};

const LargeMeta* large_span_at(uintptr_t address) {
  ListedSpan* span = registry().lookup(address);
  if (span == nullptr || span->kind != ZoneKind::kLarge || !span->contains(address)) return nullptr;
  return static_cast<const LargeMeta*>(span);
}

// How far `address` is from the block's bytes (0 inside).
uintptr_t distance(uintptr_t address, uintptr_t user, size_t size) {
  if (address < user) return user - address;
  if (address >= user + size) return address - (user + size);
  return 0;
}

// Picks the block the faulting access was meant for: the block of the span
// the address is in, or of the span just before or after it (an overflow that
// jumped a guard page lands in the next slot's inaccessible pages), the
// nearest. Only faults on the library's own inaccessible pages count.
bool classify(uintptr_t address, Fault* out) {
  const LargeMeta* here = large_span_at(address);
  bool in_reservation = page_guard_contains(address);
  if (here != nullptr) {
    bool accessible = address >= large_access_begin(*here) && address < large_access_end(*here);
    // An allocated block's own bytes fault only when the program protected them itself.
    if (accessible && here->header.state() == ChunkState::kAllocated) return false;
  } else if (!in_reservation) {
    return false;
  }
  uintptr_t lo = here != nullptr ? here->start : align_down(address, kGranule);
  uintptr_t hi = here != nullptr ? here->start + here->size : align_down(address, kGranule) + kGranule;
  const LargeMeta* candidates[3] = {here, lo != 0 ? large_span_at(lo - 1) : nullptr, large_span_at(hi)};
  const LargeMeta* best = nullptr;
  uintptr_t best_distance = ~uintptr_t{0};
  for (const LargeMeta* m : candidates) {
    if (m == nullptr) continue;
    ChunkState state = m->header.state();
    if (state == ChunkState::kNeverUsed) continue;
    uintptr_t d = distance(address, m->user, m->user_size);
    if (d < best_distance) {
      best = m;
      best_distance = d;
    }
  }
  if (best == nullptr) return false;
  out->meta = best;
  out->header = best->header;
  out->user = best->user;
  out->size = best->user_size;
  if (out->header.state() != ChunkState::kAllocated)
    out->kind = ErrorKind::kUseAfterFree;
  else
    out->kind = address < out->user ? ErrorKind::kHeapBufferUnderflow : ErrorKind::kHeapBufferOverflow;
  return true;
}

void report(const Fault& f) {
  ErrorRecord r{f.kind};
  bool write = f.access == Access::kWrite;
  r.api = write ? "a write to a protected page" : "a read of a protected page";
  r.access = f.access;
  r.address = f.address;
  r.block_known = true;
  r.block = f.user;
  r.block_size = f.size;
  r.offset = static_cast<int64_t>(f.address - f.user);
  r.found_stack = record_fault_stack(f.context);
  r.alloc_stack = f.header.alloc_stack;
  r.free_stack = f.header.free_stack_id();
  // Each faulting access its own report, even two threads at one instruction.
  r.identity = (f.address * 0x9E3779B97F4A7C15ull) ^ static_cast<uint64_t>(os_gettid());
  InlineText<320> line;
  line.str(write ? "write " : "read ");
  uintptr_t bytes = f.address < f.user                ? f.user - f.address
                    : f.address >= f.user + f.size ? f.address - (f.user + f.size)
                                                   : f.address - f.user;
  line.dec(bytes).str(bytes == 1 ? " byte " : " bytes ");
  line.str(f.address < f.user ? "before" : f.address >= f.user + f.size ? "after" : "inside");
  line.str(" the ").str(f.kind == ErrorKind::kUseAfterFree ? "freed " : "").dec(f.size).str("-byte block at ");
  line.ptr(f.user);
  size_t n = line.size() < sizeof r.message - 1 ? line.size() : sizeof r.message - 1;
  memcpy(r.message, line.data(), n);
  r.message[n] = '\0';
  report_error_record(r);
}

void report_trampoline(void* fault) { report(*static_cast<const Fault*>(fault)); }

// Runs fn(arg) on the stack that ends at `top`, then returns to this one. The
// report needs tens of KiB (symbolization, formatting): more than a program's
// alternate signal stack may have.
__attribute__((noinline)) void call_on_stack(void (*fn)(void*), void* arg, uintptr_t top) {
  asm volatile(
      "mov %%rsp, %%r12\n\t"
      "mov %[top], %%rsp\n\t"
      "and $-16, %%rsp\n\t"
      "call *%[fn]\n\t"
      "mov %%r12, %%rsp\n\t"
      :
      : [fn] "r"(fn), "D"(arg), [top] "r"(top)
      : "r12", "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
        "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
}

void report_on_own_stack(Fault* f) {
  void* stack = mmap(nullptr, kReportStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
  if (stack == MAP_FAILED) {
    report(*f);
    return;
  }
  call_on_stack(report_trampoline, f, reinterpret_cast<uintptr_t>(stack) + kReportStackBytes);
  munmap(stack, kReportStackBytes);
}

void set_default(int signo) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  __sigaction(signo, &dfl, nullptr);
}

// The signal is not ours: the program's handler, or what would have happened without us.
void chain(int signo, siginfo_t* info, void* context) {
  struct sigaction program = g_program;
  if ((program.sa_flags & SA_RESETHAND) != 0) {
    g_program.sa_handler = SIG_DFL;
    g_program.sa_flags = 0;
  }
  if ((program.sa_flags & SA_SIGINFO) != 0 && program.sa_sigaction != nullptr) {
    program.sa_sigaction(signo, info, context);
    return;
  }
  if (program.sa_handler != SIG_DFL && program.sa_handler != SIG_IGN) {
    program.sa_handler(signo);
    return;
  }
  bool from_kernel = info != nullptr && info->si_code > 0;
  if (program.sa_handler == SIG_IGN && !from_kernel) return;  // a sent signal the program ignores
  // Returning re-runs a faulting instruction under the default action; a sent
  // signal (kill, raise) is sent again.
  set_default(signo);
  if (!from_kernel) syscall(SYS_tgkill, os_getpid(), os_gettid(), signo);
}

// Lets the other threads that are reporting a fault finish (at most ~5 s):
// the first thread to return from the handler ends the process.
void wait_for_other_reports() {
  struct timespec pause {0, 1000000};
  for (int i = 0; i < 5000 && g_reporting.load(std::memory_order_acquire) != 0; ++i) nanosleep(&pause, nullptr);
}

void on_fault(int signo, siginfo_t* info, void* context) {
  int saved_errno = errno;
  Fault f{};
  // A fault inside our own report: give up on it, die of the first.
  bool ours = t_in_fault == 0 && signo == SIGSEGV && info != nullptr && info->si_code == SEGV_ACCERR &&
              context != nullptr && classify(reinterpret_cast<uintptr_t>(info->si_addr), &f);
  if (!ours) {
    if (t_in_fault != 0) {
      set_default(signo);
      return;
    }
    errno = saved_errno;
    chain(signo, info, context);
    return;
  }
  t_in_fault = 1;
  g_reporting.fetch_add(1, std::memory_order_acq_rel);
  f.signo = signo;
  f.address = reinterpret_cast<uintptr_t>(info->si_addr);
  f.context = context;
  // x86-64 page-fault error code: bit 1 set for a write.
  const auto* uc = static_cast<const ucontext_t*>(context);
  f.access = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0 ? Access::kWrite : Access::kRead;
  report_on_own_stack(&f);
  g_reporting.fetch_sub(1, std::memory_order_acq_rel);
  wait_for_other_reports();
  // The access cannot complete: die of it, as without the library.
  set_default(signo);
  errno = saved_errno;
}

}  // namespace

int real_sigaction(int signo, const struct sigaction* act, struct sigaction* old) {
  return __sigaction(signo, act, old);
}

void install_fault_handler() {
  if (g_installed.load(std::memory_order_acquire)) return;
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  // SA_ONSTACK: a thread with an alternate signal stack (a stack overflow
  // handler's) gets the signal there; SA_NODEFER: a fault inside the report
  // itself is delivered, and ends it.
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  struct sigaction previous {};
  if (__sigaction(SIGSEGV, &sa, &previous) != 0) return;
  g_program = previous;
  g_installed.store(true, std::memory_order_release);
}

bool fault_handler_installed() { return g_installed.load(std::memory_order_acquire); }

int program_segv_action(const struct sigaction* act, struct sigaction* old) {
  struct sigaction previous = g_program;
  if (act != nullptr) g_program = *act;
  if (old != nullptr) *old = previous;
  return 0;
}

}  // namespace dm
