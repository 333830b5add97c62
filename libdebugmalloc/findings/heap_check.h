// The full heap check: every live block's guards, every quarantined block's
// free fill and guards, every header's checksum. Runs at exit, every
// check_interval operations, and on demand (debugmalloc_check_heap()).
#pragma once

#include <cstdint>

#include "heap/block.h"
#include "findings/errors.h"
#include "stacks/fast_unwind.h"

namespace dm {

// Checks the whole heap; `found_by` names the check in reports and `caller`
// is the program's frame that asked (none at exit). Without
// `include_quarantine`, freed blocks are not checked (their fill is the costly
// part). Returns the number of errors it found.
uint64_t check_heap(const char* found_by, const CallerFrame& caller, bool include_quarantine = true);

// Verifies one block's bytes and reports what changed: its guards, and its free
// fill if it is quarantined. With `seen` (the header as read before looking),
// a finding counts only if the header is still the same: the block's owner may
// be changing it concurrently. The quarantine, which owns its blocks, passes nullptr.
void verify_block(const BlockRef& block, const CallSite& site, const ChunkHeader* seen);

// Says in one line that `found_by` passed over `slots` blocks that lie in
// memory the program made inaccessible (or unmapped).
void report_unreadable_skipped(const char* found_by, uint64_t slots);

}  // namespace dm
