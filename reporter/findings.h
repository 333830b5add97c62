// The result of grouping: error and leak groups, totals, and what was left out.
#pragma once

#include "model.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dm {

struct ErrorGroup {
  ErrorKind kind{};
  std::uint64_t count = 0;         // occurrences, summed over the records of the group
  std::vector<std::int64_t> pids;  // sorted, distinct
  StringId message;                // the first record's
  std::optional<StackId> stack, allocStack, freeStack;  // the first record's, whole
  std::string key;                 // kind + stack content: equal across runs (diff, fingerprints)
};

struct LeakGroup {
  LeakKind kind{};
  std::uint64_t bytes = 0, blocks = 0, indirectBytes = 0, indirectBlocks = 0;
  std::vector<std::int64_t> pids;
  std::optional<StackId> stack;
  std::string key;
};

struct Findings {
  std::vector<ErrorGroup> errors;  // most frequent first
  std::vector<LeakGroup> leaks;    // by kind (definite first), then largest first
  std::uint64_t errorCount = 0;    // sum of the groups' counts
  std::array<std::uint64_t, kLeakKindCount> leakedBytes{}, leakedBlocks{};
  SuppressedCounts suppressed;     // by the library and by --suppressions
  bool diff = false;               // --diff was given
  std::size_t inBaseline = 0;      // groups left out because the baseline had them
};

}  // namespace dm
