// What happens when the process exits normally: the final heap check and the
// forced exit status.
//
// It runs as this library's ELF destructor: after the program's atexit
// handlers and static destructors (so their frees count), and before the
// destructors of the libraries we depend on (so libstdc++ still works for
// symbolization).
#include <stdio.h>
#include <unistd.h>

#include "errors.h"
#include "heap_check.h"
#include "init.h"
#include "options.h"

namespace dm {

namespace {

__attribute__((destructor)) void on_process_exit() {
  if (g_init_state.load(std::memory_order_acquire) != 2) return;
  if (g_options.check_at_exit) check_heap("the heap check at exit", 0);
  if (error_count() > 0 && g_options.exitcode != 0) {
    fflush(nullptr);  // _exit skips stdio's own flush
    _exit(static_cast<int>(g_options.exitcode & 0xff));
  }
}

}  // namespace

}  // namespace dm
