// _exit and _Exit: the live blocks' guards are checked before the process ends
// (core/underscore_exit.h), then the process ends as the C library's _exit
// would end it, with the status the program gave.
#include <sys/syscall.h>
#include <unistd.h>

#include "core/underscore_exit.h"
#include "support/platform.h"

namespace {

[[noreturn]] void end_process(int status) {
  for (;;) {
    syscall(SYS_exit_group, status);
    syscall(SYS_exit, status);
  }
}

}  // namespace

DM_EXPORT void _exit(int status) {
  dm::check_before_underscore_exit();
  end_process(status);
}

DM_EXPORT void _Exit(int status) {
  dm::check_before_underscore_exit();
  end_process(status);
}
