// The quarantine: freed blocks wait here, their memory unusable, before it is
// reused, so that a use after free hits scribbled memory instead of a new
// block. A FIFO bounded by quarantine_mb; each thread gathers frees in a
// batch and hands whole batches to the global FIFO, so it scales with threads.
//
// When a block leaves (and at heap checks) its free fill and guards are
// verified: a changed byte is reported as a use-after-free write.
//
// Thread-safety: per-thread batches need no lock; the FIFO has one lock, taken
// once per batch. Verification and reports happen outside it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/block.h"

namespace dm {

struct QuarantineBatch;

// Takes a block that is already marked quarantined and scribbled. `bytes` is
// what it costs while held (its slot or mapping size).
void quarantine_put(const BlockRef& block);

// Verifies a block leaving the quarantine, then returns its memory.
void quarantine_recycle(const BlockRef& block, const char* found_by);

// Hands the calling thread's partial batch to the global FIFO (thread exit).
void quarantine_flush_thread_batch(QuarantineBatch** batch);

void quarantine_lock();
void quarantine_unlock();
void quarantine_reset_after_fork();

}  // namespace dm
