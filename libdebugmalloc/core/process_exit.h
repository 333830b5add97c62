// What happens when the process exits: the final heap check, the leak check,
// the finished report file and the forced exit status.
#pragma once

#include "findings/leak_roots.h"

namespace dm {

// Registers the exit hook (after libc is initialised).
void register_exit_handler();

// The end-of-process leak check, now (LeakSanitizer's __lsan_do_leak_check):
// with definite or indirect leaks and a non-zero exitcode, the report is
// finished and the process exits with that status; otherwise the results stay
// for the report at exit, and the exit does not check again. Once only.
void leak_check_as_at_exit(const ScanStart& start);

}  // namespace dm
