// Strings that live as long as the process (module paths, symbol names): copied
// into mmap'd chunks that are never freed, so a pointer to one stays valid after
// the library it names is unloaded, and at exit.
//
// Thread-safety: keep_string takes its own lock.
#pragma once

#include <cstddef>

namespace dm {

// A copy of the n bytes at s, NUL-terminated; "" when out of memory.
const char* keep_string(const char* s, size_t n);

}  // namespace dm
