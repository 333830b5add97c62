// Signal-based stop-the-world.
#include "findings/thread_stop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>

#include "support/platform.h"

namespace dm {

namespace {

// A real-time signal few programs use (glibc keeps the first ones for itself).
int stop_signal() { return SIGRTMAX - 3; }

constinit std::atomic<uint32_t> g_generation{0};  // odd while a stop is in progress
constinit std::atomic<uint32_t> g_answered{0};
constinit ThreadState* g_table = nullptr;
constinit size_t g_table_count = 0;
constinit bool g_handler_installed = false;
constinit ThreadState* g_storage = nullptr;
constinit size_t g_capacity = 0;

constexpr int kGeneralRegs[16] = {REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
                                  REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

// The alternate signal stack this thread got from the library (nullptr: none).
constexpr size_t kAltStackSize = 64 * 1024;
__thread void* t_alt_stack __attribute__((tls_model("initial-exec"))) = nullptr;
// The one the program set last through sigaltstack (nullptr: none, or disabled).
__thread void* t_program_alt_stack __attribute__((tls_model("initial-exec"))) = nullptr;

// The library's own calls: sigaltstack is interposed (thread_stop_sigaltstack).
int raw_sigaltstack(const stack_t* ss, stack_t* old) { return static_cast<int>(syscall(SYS_sigaltstack, ss, old)); }

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

void on_stop_signal(int, siginfo_t*, void* context) {
  int saved_errno = errno;
  uint32_t generation = g_generation.load(std::memory_order_acquire);
  if ((generation & 1) != 0) {
    int tid = static_cast<int>(syscall(SYS_gettid));
    const auto* uc = static_cast<const ucontext_t*>(context);
    for (size_t i = 0; i < g_table_count; ++i) {
      if (g_table[i].tid != tid) continue;
      for (int r = 0; r < 16; ++r) g_table[i].regs[r] = static_cast<uintptr_t>(uc->uc_mcontext.gregs[kGeneralRegs[r]]);
      g_table[i].sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
      thread_stop_signal_stacks(g_table[i].alt_stacks);
      g_table[i].stopped = true;
      g_answered.fetch_add(1, std::memory_order_release);
      futex(&g_answered, FUTEX_WAKE, 1, nullptr);
      while (g_generation.load(std::memory_order_acquire) == generation)
        futex(&g_generation, FUTEX_WAIT, generation, nullptr);
      break;
    }
  }
  errno = saved_errno;
}

void install_handler() {
  if (g_handler_installed) return;
  // Stays installed: a late signal must never meet the default action (which kills).
  struct sigaction sa {};
  sa.sa_sigaction = on_stop_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigfillset(&sa.sa_mask);
  sigaction(stop_signal(), &sa, nullptr);
  g_handler_installed = true;
}

// Calls fn(tid) for each thread of this process (raw getdents64: no malloc).
template <typename Fn>
void for_each_task(Fn&& fn) {
  int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buf[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      int tid = 0;
      bool number = d->d_name[0] != '\0';
      for (const char* c = d->d_name; *c != '\0'; ++c) {
        if (*c < '0' || *c > '9')
          number = false;
        else
          tid = tid * 10 + (*c - '0');
      }
      if (number) fn(tid);
      off += d->d_reclen;
    }
  }
  close(fd);
}

}  // namespace

constinit ThreadHandoff g_thread_handoffs[kThreadHandoffs];

constinit pthread_key_t g_alt_stack_key = 0;
constinit bool g_alt_stack_key_made = false;

static void remove_alt_stack_at_exit(void*) { thread_stop_thread_exit(); }

void thread_stop_init() { g_alt_stack_key_made = pthread_key_create(&g_alt_stack_key, remove_alt_stack_at_exit) == 0; }

void thread_stop_thread_start(bool new_thread) {
  if (t_alt_stack != nullptr) return;
  // A new thread starts without one; any other may have the program's own.
  stack_t current{};
  if (!new_thread && (raw_sigaltstack(nullptr, &current) != 0 || (current.ss_flags & SS_DISABLE) == 0)) return;
  void* memory = os_map(kAltStackSize);
  if (memory == nullptr) return;
  stack_t ours{};
  ours.ss_sp = memory;
  ours.ss_size = kAltStackSize;
  if (raw_sigaltstack(&ours, nullptr) != 0) {
    os_unmap(memory, kAltStackSize);
    return;
  }
  t_alt_stack = memory;
  // The key's destructor removes it when the thread exits.
  if (g_alt_stack_key_made) pthread_setspecific(g_alt_stack_key, memory);
}

void thread_stop_thread_exit() {
  if (t_alt_stack == nullptr) return;
  // Off before the memory goes (a late signal must not land there); if the
  // program had put its own in place, that one is put back.
  stack_t off{}, previous{};
  off.ss_flags = SS_DISABLE;
  if (raw_sigaltstack(&off, &previous) != 0) return;  // running on it: leave it mapped
  if (previous.ss_sp != t_alt_stack && (previous.ss_flags & SS_DISABLE) == 0) raw_sigaltstack(&previous, nullptr);
  os_unmap(t_alt_stack, kAltStackSize);
  t_alt_stack = nullptr;
}

int thread_stop_sigaltstack(const stack_t* ss, stack_t* old, SigaltstackFn real) {
  void* ours = t_alt_stack;
  bool setting = ss != nullptr, disabling = setting && (ss->ss_flags & SS_DISABLE) != 0;
  void* wanted = setting && !disabling ? ss->ss_sp : nullptr;
  stack_t replaced{};
  int result;
  if (disabling && ours != nullptr) {
    // Ours goes back in place of the program's (it fails as the disable would, with EPERM,
    // while the thread runs on the program's stack).
    stack_t back{};
    back.ss_sp = ours;
    back.ss_size = kAltStackSize;
    result = real(&back, &replaced);
  } else {
    result = real(ss, &replaced);
  }
  if (result != 0) return result;
  if (setting) t_program_alt_stack = wanted;
  if (old != nullptr) {
    // While the thread runs on ours (in a handler of the program's), the truth is told.
    if (ours != nullptr && replaced.ss_sp == ours && (replaced.ss_flags & SS_ONSTACK) == 0) {
      *old = stack_t{};
      old->ss_flags = SS_DISABLE;
    } else {
      *old = replaced;
    }
  }
  return 0;
}

void thread_stop_signal_stacks(uintptr_t out[2]) {
  stack_t current{};
  out[0] = raw_sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0
               ? reinterpret_cast<uintptr_t>(current.ss_sp)
               : 0;
  out[1] = reinterpret_cast<uintptr_t>(t_program_alt_stack);
}

WorldStop::WorldStop() {
  install_handler();
  int self = os_gettid();
  size_t n = 0;
  for_each_task([&](int) { ++n; });
  // The table is never unmapped: a thread answering after the timeout may still read it.
  size_t cap = n + 64;
  if (cap > g_capacity) {
    size_t bytes = align_up(cap * sizeof(ThreadState), kPageSize);
    auto* fresh = static_cast<ThreadState*>(os_map(bytes));
    if (fresh == nullptr) return;
    g_storage = fresh;
    g_capacity = bytes / sizeof(ThreadState);
  }
  threads_ = g_storage;
  for (size_t i = 0; i < g_capacity; ++i) threads_[i] = ThreadState{};
  for_each_task([&](int tid) {
    if (tid != self && count_ < cap) threads_[count_++].tid = tid;
  });
  g_table = threads_;
  g_table_count = count_;
  g_answered.store(0, std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_acq_rel);  // odd: stopping
  int pid = os_getpid();
  uint32_t expected = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (syscall(SYS_tgkill, pid, threads_[i].tid, stop_signal()) == 0) ++expected;
  }
  // Wait for the answers, a second at most (a thread blocking the signal never answers).
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    uint32_t answered = g_answered.load(std::memory_order_acquire);
    if (answered >= expected) break;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed_ms > 1000) break;
    timespec wait{0, 10 * 1000 * 1000};
    futex(&g_answered, FUTEX_WAIT, answered, &wait);
  }
}

WorldStop::~WorldStop() {
  g_generation.fetch_add(1, std::memory_order_acq_rel);  // even: go on
  futex(&g_generation, FUTEX_WAKE, 0x7fffffff, nullptr);
  g_table_count = 0;
}

}  // namespace dm
