// Internal invariants. DM_CHECK(cond) is always on; DM_DCHECK(cond) only in Debug
// builds (CMake defines DM_DEBUG_CHECKS there); elsewhere it compiles to nothing
// and its condition is not evaluated: never give it side effects.
//
// A failed check is a bug in the library, never the program's: it writes
//   debugmalloc: internal check failed: FILE:LINE: CONDITION
// to stderr with write(2) alone (no stdio, no malloc) and aborts. The program's
// own mistakes are reported (findings/errors.h), and a genuine out of memory is
// nullptr / ENOMEM: neither is a check.
//
// DM_CHECK costs one predicted-not-taken branch; the failure is out of line.
#pragma once

#include "support/platform.h"

namespace dm {

// Writes the message and aborts. A check that fails on the same thread while
// the first failure is being reported aborts at once.
[[noreturn]] DM_NOINLINE __attribute__((cold)) void check_failed(const char* file, int line, const char* condition);

}  // namespace dm

#define DM_CHECK(cond)                                                       \
  do {                                                                       \
    if (DM_UNLIKELY(!(cond))) ::dm::check_failed(__FILE__, __LINE__, #cond); \
  } while (0)

#ifndef DM_DEBUG_CHECKS
// Type-checked, never evaluated: variables used only here stay "used".
#define DM_DCHECK(cond)    \
  do {                     \
    (void)sizeof(!(cond)); \
  } while (0)
#else
#define DM_DCHECK(cond) DM_CHECK(cond)
#endif
