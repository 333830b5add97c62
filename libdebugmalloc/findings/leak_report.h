// Running a leak check and telling the user: suppressions, ordering (what a
// fix frees, largest first), the readable listing on log_path, and totals.
#pragma once

#include <cstdint>

#include "findings/leak_roots.h"
#include "findings/leaks.h"
#include "support/text_buffer.h"

namespace dm {

// Leaked bytes and blocks of each kind with the suppressed groups left out:
// the numbers the summary on log_path, the report file and the tool all show.
// Suppressions are matched only against the groups of the listed kinds
// (leak_kinds), so a kind that is not listed counts every block of that kind.
struct LeakTotals {
  uint64_t bytes[kNumLeakKinds] = {};
  uint64_t blocks[kNumLeakKinds] = {};
};
LeakTotals unsuppressed_totals(const LeakResult& result);

struct LeakCheck {
  LeakResult result;
  uint64_t suppressed_blocks = 0;
  uint64_t suppressed_bytes = 0;
  uint64_t reported_bytes = 0;  // unsuppressed, in the reported kinds
  uint64_t reported_blocks = 0;
  bool ran = false;
  bool definite_or_indirect = false;  // unsuppressed definite/indirect leaks were reported
};

// Scans (blocks allocated in `min_epoch` or later; see find_leaks for
// `start`), applies suppressions, sorts, and prints the listing to log_path
// when `print` is set.
void run_leak_check(LeakCheck* check, uint32_t min_epoch, bool print, const ScanStart& start);

// Appends the first line of a group's listing, without ", allocated at:" and the
// line end: "definite leak: 8 bytes in 1 block definitely lost (freeing them ...)".
void render_leak_headline(TextBuffer& out, const LeakGroup& group);

// Bytes in unsuppressed definite and indirect groups: what the runtime API's leak calls return.
size_t definite_and_indirect_bytes(const LeakCheck& check);

// Appends the listing of the reported leak groups of `check` to `out`.
void render_leaks(TextBuffer& out, const LeakCheck& check, const char* line_prefix);

}  // namespace dm
