// What happens when the process exits normally: the final heap check, the
// leak check, the finished report file, and the forced exit status.
//
// It runs as an on_exit handler registered at start-up, so it runs after the
// program's atexit handlers, its static destructors and the libraries'
// destructors (their frees count), and it learns the exit status.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "errors.h"
#include "heap_check.h"
#include "init.h"
#include "leak_report.h"
#include "options.h"
#include "report_writer.h"

namespace dm {

namespace {

void on_program_exit(int status, void*) {
  if (g_init_state.load(std::memory_order_acquire) != 2) return;
  if (g_options.check_at_exit) check_heap("the heap check at exit", 0);
  LeakCheck check;
  if (g_options.leaks) run_leak_check(&check, 0, true);
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
