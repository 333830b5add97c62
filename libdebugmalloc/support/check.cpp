// The out-of-line failure of DM_CHECK and DM_DCHECK: one line on stderr, then abort.
#include "support/check.h"

#include <stdlib.h>

#include "support/text_buffer.h"

namespace dm {

namespace {
// Set while this thread reports a failed check: a check failing inside the
// report (or in a signal handler that interrupts it) must not recurse.
__thread int t_check_failing __attribute__((tls_model("initial-exec"))) = 0;
}  // namespace

void check_failed(const char* file, int line, const char* condition) {
  if (t_check_failing++ == 0) {
    InlineText<1024> out;
    out.str("debugmalloc: internal check failed: ").str(file).ch(':').dec(static_cast<uint64_t>(line));
    out.str(": ").str(condition).ch('\n');
    out.flush(2);
  }
  abort();
}

}  // namespace dm
