// The internal arena: serves malloc/new calls that the library itself causes
// (symbolization with libbacktrace and the C++ demangler, libunwind, C++
// runtime calls in reports), i.e. any call made while the calling thread is
// inside the library (see ScopedInternal). Those blocks are not the program's: they get no backtrace,
// no guards, no quarantine, and never appear in leak reports or heap walks.
//
// One address-space reservation (free() recognises its blocks by their
// address), cut into power-of-two classes. It never takes the registry lock,
// so reports may be produced while heap walks hold it.
//
// Thread-safety: one lock; blocks may be freed by any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/platform.h"

namespace dm {

// Depth of the calling thread's internal work; > 0 routes allocations to the arena.
extern __thread int t_internal_depth __attribute__((tls_model("initial-exec")));

class ScopedInternal {
 public:
  ScopedInternal() { ++t_internal_depth; }
  ~ScopedInternal() { --t_internal_depth; }
  ScopedInternal(const ScopedInternal&) = delete;
  ScopedInternal& operator=(const ScopedInternal&) = delete;
};

DM_ALWAYS_INLINE bool in_internal_code() { return t_internal_depth > 0; }

bool internal_arena_init();
bool internal_arena_contains(uintptr_t address);
void* internal_allocate(size_t size, size_t align);
void internal_free(void* pointer);
// The usable size of an arena block (its class size); 0 if not an arena block start.
size_t internal_block_size(const void* pointer);

void internal_arena_lock();
void internal_arena_unlock();
void internal_arena_reset_after_fork();

}  // namespace dm
