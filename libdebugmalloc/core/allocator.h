// The allocator behind every entry point: allocation with guards, scribble and
// an allocation backtrace; checked deallocation into the quarantine; realloc;
// size queries. Entry points (interpose.cpp, operators.cpp) add only the API's
// own semantics (errno, overflow checks, new_handler) and pass the return
// address into the program, where backtraces start.
#pragma once

#include <cstddef>
#include <cstdint>

#include "heap/chunk.h"
#include "stacks/fast_unwind.h"

namespace dm {

inline constexpr size_t kMinAlign = 16;
// Requests above this can never be met (and would overflow size arithmetic).
inline constexpr size_t kMaxRequest = size_t{1} << 46;
inline constexpr size_t kUnsized = ~size_t{0};

// A block of `size` bytes aligned to `align` (a power of two; smaller values
// mean 16), or nullptr when out of memory. errno is not touched.
void* allocate(size_t size, size_t align, AllocOrigin origin, const CallerFrame& caller);
// Same, zero-filled (calloc).
void* allocate_zeroed(size_t size, const CallerFrame& caller);

// How a block is being freed.
struct Dealloc {
  AllocOrigin origin;       // the allocation API this deallocation API pairs with
  const char* api;          // "free()", "operator delete", ...
  size_t sized = kUnsized;  // the size passed to a sized delete
  size_t align = 0;         // the alignment passed to an aligned delete
  CallerFrame caller{};     // the program's frame that called
};

// Frees `pointer`. Errors (invalid, double or mismatched free, damaged header
// or guards) are reported; an invalid or double free is then skipped.
void deallocate(void* pointer, const Dealloc& how);

enum class ReallocStatus { kOk, kOutOfMemory, kInvalidPointer };
// realloc's core: `pointer` non-null, `size` non-zero. The block always moves
// (as with ASan), so stale pointers to the old block hit freed memory. On
// failure the old block is untouched.
void* reallocate(void* pointer, size_t size, const CallerFrame& caller, ReallocStatus* status);

// The requested size of a live block (all the program may use); 0 for null or
// foreign pointers.
size_t usable_size(const void* pointer);

}  // namespace dm
