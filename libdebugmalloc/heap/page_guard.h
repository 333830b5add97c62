// Page guards: blocks placed against an inaccessible (PROT_NONE) page, so that
// a read or write past them faults at the instruction (the idea of Electric
// Fence, PageHeap and GWP-ASan), and freed blocks whose pages become
// inaccessible, so that a late read or write faults too.
//
// The guarded slots live in one reservation of address space, PROT_NONE until
// used, cut into 64 KiB slots (the page map's granule: each slot is a
// LargeMeta span of its own, so lookups, frees, heap walks and the leak scan
// treat it as a large block). A block gets the pages it needs inside its slot,
// right-aligned against the slot's last page (guard_pages_align=right) or
// left-aligned after its first (left):
//
//   slot (64 KiB):  [ PROT_NONE ......... ][ block's page(s) ][ PROT_NONE page ]
//                                          ^ access_begin      ^ access_end
//
// Slots are handed out never-used first; freed ones wait in a FIFO, their
// pages replaced by fresh inaccessible ones (memory released, addresses kept),
// and are reused oldest first once every slot has been used: a freed block's
// address is not reused until the reservation (all mode: 16 GiB) or the
// sample pool (1024 slots) has cycled.
//
// The kernel splits a mapping at every change of protection, and refuses new
// splits past vm.max_map_count: the mapping budget counts the splits page
// guards cause (2 per guarded live block, 1 per large block's guard page) and
// keeps them under half that limit. Past it, blocks degrade to guard bytes
// (one warning saying how to raise the limit); an allocation never fails
// because of page guards.
//
// Thread-safety: the slot FIFO has one lock (a leaf); the budget is atomic;
// the per-thread sampling countdown is the thread's own.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/large.h"
#include "support/platform.h"

namespace dm {

enum class GuardMode : uint8_t { kOff, kSample, kAll, kSite };

// Reads the guard_pages options and vm.max_map_count (at initialisation).
void page_guard_init();
GuardMode page_guard_mode();

// The kernel mapping budget: take `n` more mappings (false when over the
// budget) or give them back.
bool mapping_budget_take(uint32_t n);
void mapping_budget_give(uint32_t n);

// The per-thread countdown to the next allocation that may get guard pages:
// the hot path pays one decrement and a branch.
extern __thread int64_t t_guard_countdown __attribute__((tls_model("initial-exec")));
DM_ALWAYS_INLINE bool page_guard_due() { return DM_UNLIKELY(--t_guard_countdown < 0); }

// The slow path when the countdown ran out: does this allocation get guard
// pages? Resets the countdown for the mode (sample: a random count averaging
// sample_rate; all and site: every allocation is looked at).
bool page_guard_wanted(size_t size, size_t align, uintptr_t caller_ip);

// A slot with inaccessible pages around [large_access_begin, large_access_end)
// big enough for `size` bytes at `align` (<= the page size), registered, its
// fields set (start, size, guards; fresh: its pages read as zero). The caller
// places the block (right-aligned, or left with guard_pages_align=left),
// fills user, user_size and the header. nullptr when no slot can be had: the
// block is then allocated as usual.
LargeMeta* page_guard_take(size_t size, size_t align);
// Whether blocks are placed at the start of their pages (guard_pages_align=left).
bool page_guard_left_aligned();

// A freed guarded block (its header already says quarantined): its pages
// become inaccessible and its memory goes back; the slot joins the FIFO.
void page_guard_retire(LargeMeta* meta);

// Whether `address` lies in the reservation; the slot covering it (nullptr
// outside the reservation, or for a slot never used).
bool page_guard_contains(uintptr_t address);
LargeMeta* page_guard_slot_at(uintptr_t address);

// Call sites (return addresses into the program) whose later allocations get
// guard pages in guard_pages=site mode: added when a heap error names one as
// its allocation site, or read from the guard_sites file.
void page_guard_add_site(uintptr_t caller_ip);
bool page_guard_has_site(uintptr_t caller_ip);
// guard_pages=site: the allocation site of a block a heap error was about (the
// first frame of its allocation stack) gets guard pages from now on.
void page_guard_note_error_site(uint32_t alloc_stack);
// guard_pages=site: reads the guard_sites file (lines MODULE+0xOFFSET, where
// OFFSET is a return address's offset in the module, as in a report's frames;
// '#' starts a comment), resolving each against the modules loaded now. A
// line it cannot use gets one warning. At start-up, after libc is ready.
void page_guard_load_sites();

struct PageGuardStats {
  uint64_t taken = 0;        // allocations that got guard pages
  uint64_t live = 0;         // guarded blocks allocated and not freed
  uint64_t slots_used = 0;   // slots handed out at least once
  uint64_t degraded = 0;     // allocations that wanted guard pages and did not get them
  uint64_t mappings = 0;     // mappings the budget counts now
  uint64_t mapping_limit = 0;
};
PageGuardStats page_guard_stats();
// verbosity=1, at exit: one line of those numbers on stderr.
void page_guard_print_stats();

void page_guard_lock();
void page_guard_unlock();
void page_guard_reset_after_fork();

}  // namespace dm
