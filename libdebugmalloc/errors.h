// Heap errors: one out-of-line reporter per kind. Called the moment an error
// is found; each writes one readable report and returns, so the caller can skip
// the bad operation and keep the heap sound (or the process aborts when
// abort_on_error is set).
#pragma once

#include <cstddef>
#include <cstdint>

#include "block.h"
#include "platform.h"

namespace dm {

enum class ErrorKind : uint8_t {
  kHeapBufferOverflow,
  kHeapBufferUnderflow,
  kUseAfterFree,
  kDoubleFree,
  kInvalidFree,
  kAllocDeallocMismatch,
  kHeapCorruption,
};
inline constexpr int kNumErrorKinds = 7;
const char* error_kind_name(ErrorKind kind);  // the public names of DESIGN.md

// `api` names the call that found the error: "free()", "realloc()", "operator delete", ...
DM_NOINLINE void report_invalid_free(uintptr_t pointer, const char* api, Locate why, const BlockRef* block);
DM_NOINLINE void report_double_free(uintptr_t pointer, const char* api, const BlockRef& block);
DM_NOINLINE void report_heap_corruption(uintptr_t pointer, const char* api, const BlockRef& block);
// `detail` explains a sized/aligned delete mismatch; nullptr for a plain API mismatch.
DM_NOINLINE void report_alloc_dealloc_mismatch(uintptr_t pointer, const char* api, const BlockRef& block,
                                               const char* detail);

// Number of errors reported so far in this process.
uint64_t error_count();

}  // namespace dm
