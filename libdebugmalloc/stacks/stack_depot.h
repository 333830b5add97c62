// The stack depot: every distinct backtrace is stored once, and blocks keep a
// 32-bit id. Storage is mmap'd and never freed, so a stack's frames stay valid
// for the life of the process.
//
// Thread-safety: lookups of known stacks take no lock (readers walk immutable
// chains); an insert takes the depot lock, looks again, then publishes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

using StackId = uint32_t;  // 0 = no stack
inline constexpr uint32_t kMaxStackDepth = 64;

// Stores the stack (or finds it) and returns its id; 0 if depth is 0 or memory ran out.
StackId depot_put(const uintptr_t* frames, uint32_t depth);

// The frames of a stored stack (return addresses, innermost first); nullptr for
// id 0. An id depot_put never returned fails an internal check (support/check.h).
const uintptr_t* depot_get(StackId id, uint32_t* depth);

void depot_lock_all();
void depot_unlock_all();
void depot_reset_after_fork();

}  // namespace dm
