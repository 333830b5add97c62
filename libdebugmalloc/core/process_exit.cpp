// What happens when the process exits normally: the final heap check, the
// leak check, the finished report file, and the forced exit status.
//
// It runs as an on_exit handler registered at start-up, so it runs after the
// program's atexit handlers, its static destructors and the libraries'
// destructors (their frees count), and it learns the exit status.
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "findings/errors.h"
#include "findings/heap_check.h"
#include "core/init.h"
#include "support/internal_arena.h"
#include "findings/leak_report.h"
#include "findings/leak_roots.h"
#include "support/options.h"
#include "core/process_exit.h"
#include "core/underscore_exit.h"
#include "heap/page_guard.h"
#include "findings/report_writer.h"

namespace dm {

namespace {

// Where the program was when it called exit(): the stack pointer of exit()'s
// caller and the callee-saved registers it had then, recovered by unwinding
// through exit and its handlers. Frames below that point (exit's, the exit
// handlers', ours, and the dead frames of functions that already returned)
// hold nothing the program can still use; the registers may (a value kept in
// r13 across the call is saved in some exit handler's frame). False if exit()
// is not on the stack (then the scan starts at this hook).
bool exit_caller_start(ScanStart* start) {
  ScopedInternal internal;
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return false;
  for (int depth = 0; depth < 32 && unw_step(&cursor) > 0; ++depth) {
    unw_word_t ip = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &ip);
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(ip - 1), &info) == 0 || info.dli_sname == nullptr ||
        strcmp(info.dli_sname, "exit") != 0)
      continue;
    if (unw_step(&cursor) <= 0) return false;
    static constexpr int kRegs[6] = {UNW_X86_64_RBX, UNW_X86_64_R12, UNW_X86_64_R13,
                                     UNW_X86_64_R14, UNW_X86_64_R15, UNW_X86_64_RBP};
    unw_word_t value = 0;
    if (unw_get_reg(&cursor, UNW_REG_SP, &value) != 0) return false;
    start->sp = value;
    for (int i = 0; i < 6; ++i) start->regs[i] = unw_get_reg(&cursor, kRegs[i], &value) == 0 ? value : 0;
    return true;
  }
  return false;
}

// The end-of-process leak check runs once: at exit, or earlier when the
// program asks for it (LeakSanitizer's __lsan_do_leak_check).
constinit std::atomic<bool> g_final_check_ran{false};
constinit std::atomic<bool> g_final_check_done{false};
alignas(LeakCheck) constinit char g_final_check_storage[sizeof(LeakCheck)] = {};

LeakCheck* final_leak_check(const ScanStart& start) {
  auto* check = reinterpret_cast<LeakCheck*>(g_final_check_storage);
  // Once: a second caller (an exit racing the program's own call) waits for the first.
  if (!g_final_check_ran.exchange(true, std::memory_order_acq_rel)) {
    new (check) LeakCheck();
    if (g_options.leaks) run_leak_check(check, 0, true, start);
    g_final_check_done.store(true, std::memory_order_release);
  }
  while (!g_final_check_done.load(std::memory_order_acquire)) sched_yield();
  return check;
}

// Writes the finished report and, when there were findings, ends the process
// with the exitcode option's status.
void finish(int status, const LeakCheck& check) {
  note_exit_handler_started();  // its _exit below is the library's own: checked already
  bool findings = error_count() > 0 || check.definite_or_indirect;
  ExitFindings f;
  f.leaks = check.ran ? &check.result : nullptr;
  f.suppressed_leak_blocks = check.suppressed_blocks;
  f.suppressed_leak_bytes = check.suppressed_bytes;
  f.exit_code = status;
  f.forced_exit_code = findings && g_options.exitcode != 0 ? static_cast<int>(g_options.exitcode & 0xff) : -1;
  report_finish(f);
  if (f.forced_exit_code >= 0) {
    fflush(nullptr);  // _exit skips stdio's own flush
    _exit(f.forced_exit_code);
  }
}

// Without exit() on the stack (a return from a thread that ends the process,
// say) the scan starts at this hook's caller, with the registers it had.
__attribute__((noinline)) void on_program_exit(int status, void*) {
  ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  if (g_init_state.load(std::memory_order_acquire) != 2) return;
  if (g_options.verbosity >= 1) page_guard_print_stats();
  // A forked child inherited its parent's quarantine, which the parent checks
  // itself: re-reading it at every child's exit made fork-heavy programs (shells)
  // many times slower. The child still checks every live block.
  if (g_options.check_at_exit) check_heap("the heap check at exit", CallerFrame{}, !g_forked_child);
  if (g_options.leaks && !g_final_check_ran.load(std::memory_order_acquire)) exit_caller_start(&start);
  finish(status, *final_leak_check(start));
}

}  // namespace

void register_exit_handler() { on_exit(on_program_exit, nullptr); }

void leak_check_as_at_exit(const ScanStart& start) {
  if (g_final_check_ran.load(std::memory_order_acquire)) return;
  const LeakCheck* check = final_leak_check(start);
  if (check->definite_or_indirect && g_options.exitcode != 0) finish(0, *check);
}

}  // namespace dm
