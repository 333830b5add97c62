// The public error and leak kinds (docs/report-format.md), shared by the preloaded
// library and the tool: their numbering, their names in the report file, the words a
// person reads for them, and the lookup from a name back to a kind.
//
// The numbering is part of the contract: the report lists leak totals in this order,
// and suppression bits are indexed by it. New kinds are appended, never inserted.
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace dm {

enum class ErrorKind : uint8_t {
  kHeapBufferOverflow,
  kHeapBufferUnderflow,
  kUseAfterFree,
  kDoubleFree,
  kInvalidFree,
  kAllocDeallocMismatch,
  kHeapCorruption,
  // Appended, so that the numbering of the kinds above stays as it was.
  kAllocationSizeTooBig,
  kCallocOverflow,
  kMemcpyParamOverlap,  // overlapping source and destination of memcpy, strcpy and kin
};
inline constexpr int kNumErrorKinds = 10;

enum class LeakKind : uint8_t { kDefinite, kIndirect, kPossible, kReachable };
inline constexpr int kNumLeakKinds = 4;

// The names in the report file (the `kind` members), indexed by kind.
inline constexpr const char* kErrorKindNames[] = {
    "heap-buffer-overflow", "heap-buffer-underflow",  "use-after-free",  "double-free",
    "invalid-free",         "alloc-dealloc-mismatch", "heap-corruption", "allocation-size-too-big",
    "calloc-overflow",      "memcpy-param-overlap",
};
inline constexpr const char* kLeakKindNames[] = {"definite", "indirect", "possible", "reachable"};
// What a person reads in summaries (Valgrind's words).
inline constexpr const char* kLeakKindPhrases[] = {"definitely lost", "indirectly lost", "possibly lost",
                                                   "still reachable"};

static_assert(sizeof kErrorKindNames / sizeof kErrorKindNames[0] == kNumErrorKinds);
static_assert(static_cast<int>(ErrorKind::kMemcpyParamOverlap) == kNumErrorKinds - 1);
static_assert(sizeof kLeakKindNames / sizeof kLeakKindNames[0] == kNumLeakKinds);
static_assert(sizeof kLeakKindPhrases / sizeof kLeakKindPhrases[0] == kNumLeakKinds);
static_assert(static_cast<int>(LeakKind::kReachable) == kNumLeakKinds - 1);

constexpr const char* error_kind_name(ErrorKind kind) {
  int k = static_cast<int>(kind);
  return k < kNumErrorKinds ? kErrorKindNames[k] : "unknown";
}
constexpr const char* leak_kind_name(LeakKind kind) {
  int k = static_cast<int>(kind);
  return k < kNumLeakKinds ? kLeakKindNames[k] : "unknown";
}
constexpr const char* leak_kind_phrase(LeakKind kind) {
  int k = static_cast<int>(kind);
  return k < kNumLeakKinds ? kLeakKindPhrases[k] : "unknown";
}

// True when the `length` bytes at `text` are exactly the NUL-terminated `word`.
constexpr bool same_word(const char* word, const char* text, size_t length) {
  for (size_t i = 0; i < length; ++i)
    if (word[i] == '\0' || word[i] != text[i]) return false;
  return word[length] == '\0';
}

// The kind named by the `length` bytes at `name`; false (and `*out` untouched) for an
// unknown name.
constexpr bool error_kind_from_name(const char* name, size_t length, ErrorKind* out) {
  for (int k = 0; k < kNumErrorKinds; ++k) {
    if (same_word(kErrorKindNames[k], name, length)) {
      *out = static_cast<ErrorKind>(k);
      return true;
    }
  }
  return false;
}
constexpr bool leak_kind_from_name(const char* name, size_t length, LeakKind* out) {
  for (int k = 0; k < kNumLeakKinds; ++k) {
    if (same_word(kLeakKindNames[k], name, length)) {
      *out = static_cast<LeakKind>(k);
      return true;
    }
  }
  return false;
}

}  // namespace dm
