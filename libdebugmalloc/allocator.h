// The allocator behind every entry point: allocation, checked deallocation,
// reallocation and size queries over TINY/SMALL zones and LARGE mappings.
// Entry points (interpose.cpp, operators.cpp) add only the API's own semantics
// (errno, overflow checks, new_handler).
#pragma once

#include <cstddef>

#include "chunk.h"

namespace dm {

inline constexpr size_t kMinAlign = 16;
// Requests above this can never be met (and would overflow size arithmetic).
inline constexpr size_t kMaxRequest = size_t{1} << 46;
inline constexpr size_t kUnsized = ~size_t{0};

// A block of `size` bytes aligned to `align` (a power of two; smaller values mean 16),
// or nullptr when out of memory. errno is not touched.
void* allocate(size_t size, size_t align, AllocOrigin origin);
// Same, zero-filled (calloc).
void* allocate_zeroed(size_t size);

// Frees `pointer` on behalf of `api`, whose blocks come from `origin`. Errors
// (invalid, double, mismatched free, damaged header) are reported and the free
// is skipped. `sized` (kUnsized = not given) and `align` (0 = not given) come from the
// sized and aligned forms of operator delete and are checked against the block.
void deallocate(void* pointer, AllocOrigin origin, const char* api, size_t sized, size_t align);

enum class ReallocStatus { kOk, kOutOfMemory, kInvalidPointer };
// realloc's core: `pointer` must be non-null and `size` non-zero. On failure the old
// block is untouched.
void* reallocate(void* pointer, size_t size, const char* api, ReallocStatus* status);

// The requested size of a live block (what the program may use); 0 for null or
// foreign pointers.
size_t usable_size(const void* pointer);

}  // namespace dm
