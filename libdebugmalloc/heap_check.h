// The full heap check: every live block's guards, every quarantined block's
// free fill and guards, every header's checksum. Runs at exit, every
// check_interval operations, and on demand (debugmalloc_check_heap()).
#pragma once

#include <cstdint>

#include "fast_unwind.h"

namespace dm {

// Checks the whole heap; `found_by` names the check in reports and `caller`
// is the program's frame that asked (none at exit). Without
// `include_quarantine`, freed blocks are not checked (their fill is the costly
// part). Returns the number of errors it found.
uint64_t check_heap(const char* found_by, const CallerFrame& caller, bool include_quarantine = true);

}  // namespace dm
