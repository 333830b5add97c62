// What happens when the process exits normally: the final heap check, the
// leak check, the finished report file, and the forced exit status.
//
// It runs as an on_exit handler registered at start-up, so it runs after the
// program's atexit handlers, its static destructors and the libraries'
// destructors (their frees count), and it learns the exit status.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "errors.h"
#include "heap_check.h"
#include "init.h"
#include "internal_arena.h"
#include "leak_report.h"
#include "options.h"
#include "report_writer.h"

namespace dm {

namespace {

// The stack pointer of whoever called exit(): frames below it (exit's own, the
// exit handlers', and the dead frames of functions that already returned) hold
// nothing the program can still use.
uintptr_t exit_caller_stack_pointer() {
  ScopedInternal internal;
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  for (int depth = 0; depth < 32 && unw_step(&cursor) > 0; ++depth) {
    unw_word_t ip = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &ip);
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(ip - 1), &info) == 0 || info.dli_sname == nullptr ||
        strcmp(info.dli_sname, "exit") != 0)
      continue;
    unw_word_t sp = 0;
    if (unw_step(&cursor) > 0 && unw_get_reg(&cursor, UNW_REG_SP, &sp) == 0) return sp;
    return 0;
  }
  return 0;
}

void on_program_exit(int status, void*) {
  if (g_init_state.load(std::memory_order_acquire) != 2) return;
  // A forked child inherited its parent's quarantine, which the parent checks
  // itself: re-reading it at every child's exit made fork-heavy programs (shells)
  // many times slower. The child still checks every live block.
  if (g_options.check_at_exit) check_heap("the heap check at exit", CallerFrame{}, !g_forked_child);
  LeakCheck check;
  if (g_options.leaks) run_leak_check(&check, 0, true, exit_caller_stack_pointer());
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

}  // namespace

void register_exit_handler() { on_exit(on_program_exit, nullptr); }

}  // namespace dm
