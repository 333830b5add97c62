// The public error and leak kinds (docs/report-format.md), their names and parsing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dm {

enum class ErrorKind : std::uint8_t {
  HeapBufferOverflow,
  HeapBufferUnderflow,
  UseAfterFree,
  DoubleFree,
  InvalidFree,
  AllocDeallocMismatch,
  HeapCorruption,
  // Appended, in the library's order.
  AllocationSizeTooBig,
  CallocOverflow,
};
inline constexpr std::size_t kErrorKindCount = 9;

enum class LeakKind : std::uint8_t { Definite, Indirect, Possible, Reachable };
inline constexpr std::size_t kLeakKindCount = 4;

inline constexpr std::array<std::string_view, kErrorKindCount> kErrorKindNames = {
    "heap-buffer-overflow",   "heap-buffer-underflow", "use-after-free",          "double-free",    "invalid-free",
    "alloc-dealloc-mismatch", "heap-corruption",       "allocation-size-too-big", "calloc-overflow"};
inline constexpr std::array<std::string_view, kLeakKindCount> kLeakKindNames = {"definite", "indirect", "possible",
                                                                                "reachable"};

constexpr std::string_view name(ErrorKind k) { return kErrorKindNames[static_cast<std::size_t>(k)]; }
constexpr std::string_view name(LeakKind k) { return kLeakKindNames[static_cast<std::size_t>(k)]; }

inline std::optional<ErrorKind> parseErrorKind(std::string_view s) {
  for (std::size_t i = 0; i < kErrorKindCount; ++i)
    if (kErrorKindNames[i] == s) return static_cast<ErrorKind>(i);
  return std::nullopt;
}
inline std::optional<LeakKind> parseLeakKind(std::string_view s) {
  for (std::size_t i = 0; i < kLeakKindCount; ++i)
    if (kLeakKindNames[i] == s) return static_cast<LeakKind>(i);
  return std::nullopt;
}

// Words a person reads in summaries ("definitely lost" in Valgrind's terms).
constexpr std::string_view describe(LeakKind k) {
  constexpr std::array<std::string_view, kLeakKindCount> words = {"definitely lost", "indirectly lost", "possibly lost",
                                                                  "still reachable"};
  return words[static_cast<std::size_t>(k)];
}

}  // namespace dm
