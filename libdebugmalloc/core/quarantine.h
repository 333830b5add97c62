// The quarantine: freed blocks wait here, their memory unusable, before it is
// reused, so that a use after free hits scribbled memory instead of a new
// block. One FIFO per size band (TINY slots, SMALL slots, LARGE mappings),
// each bounded by quarantine_mb, so that big blocks churning through never
// push out small ones freed before them; each thread gathers frees in a batch
// per band and hands whole batches to the band's FIFO, so it scales with
// threads. Page-guarded blocks have a FIFO of their own (heap/page_guard.h).
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

// Hands the calling thread's partial batches (one per size band: ThreadCache::
// quarantine_batch) to the global FIFOs (thread exit).
void quarantine_flush_thread_batches(QuarantineBatch** batches);

void quarantine_lock();
void quarantine_unlock();
void quarantine_reset_after_fork();

}  // namespace dm
