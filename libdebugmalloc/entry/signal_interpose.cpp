// sigaction and signal, interposed for SIGSEGV only: the library's fault
// handler (findings/fault_handler.h) must see a fault on its inaccessible
// pages first, even when the program installs a SIGSEGV handler after it.
// The program's handler is recorded, not installed: the fault handler passes
// it every fault that is not the library's, and the program sees its own
// handler as the current one. Every other signal goes straight to the C
// library.
#include <errno.h>
#include <signal.h>

#include "findings/fault_handler.h"
#include "support/platform.h"

extern "C" __sighandler_t bsd_signal(int signo, __sighandler_t handler);

DM_EXPORT int sigaction(int signo, const struct sigaction* act, struct sigaction* old) {
  if (signo != SIGSEGV || !dm::fault_handler_installed()) return dm::real_sigaction(signo, act, old);
  return dm::program_segv_action(act, old);
}

// glibc's signal(): BSD semantics (SA_RESTART, the signal blocked in its handler).
DM_EXPORT __sighandler_t signal(int signo, __sighandler_t handler) {
  if (signo != SIGSEGV || !dm::fault_handler_installed()) return bsd_signal(signo, handler);
  if (handler == SIG_ERR) {
    errno = EINVAL;
    return SIG_ERR;
  }
  struct sigaction act {}, old{};
  act.sa_handler = handler;
  act.sa_flags = SA_RESTART;
  sigemptyset(&act.sa_mask);
  sigaddset(&act.sa_mask, signo);
  dm::program_segv_action(&act, &old);
  return old.sa_handler;  // the union's other member for an SA_SIGINFO handler: its address all the same
}
