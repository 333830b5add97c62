// The result of grouping: error and leak groups, totals, and what was left out.
#pragma once

#include "model.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmtool {

struct ErrorGroup {
  ErrorKind kind{};
  Access access = Access::Unknown;                      // a read and a write are different groups
  std::uint64_t count = 0;                              // occurrences, summed over the records of the group
  std::vector<std::int64_t> pids;                       // sorted, distinct
  StringId message;                                     // the first record's
  std::optional<StackId> stack, allocStack, freeStack;  // the first record's, whole
  std::string key;                                      // kind + stack content: equal across runs (diff, fingerprints)
};

struct LeakGroup {
  LeakKind kind{};
  std::uint64_t bytes = 0, blocks = 0, indirectBytes = 0, indirectBlocks = 0;
  std::vector<std::int64_t> pids;
  std::optional<StackId> stack;
  std::string key;
};

// How the total of a leak kind (Findings::leakedBytes, leakedBlocks) is known.
enum class LeakTotal : std::uint8_t {
  Listed,            // the sum of the kind's groups in `leaks`
  NotListed,         // some process wrote no groups of the kind (its leak_kinds option):
                     // its own total of the kind is added in, no suppression applied to it
  NotListedUnknown,  // the same, but that total is unknown (not in its report, or --diff:
                     // without groups nothing can be compared with the baseline)
  NotCollected,      // no process checked leaks
};

struct Findings {
  std::vector<ErrorGroup> errors;  // most frequent first
  std::vector<LeakGroup> leaks;    // by kind (definite first), then largest first
  std::uint64_t errorCount = 0;    // sum of the groups' counts
  std::array<std::uint64_t, dm::kNumLeakKinds> leakedBytes{}, leakedBlocks{};  // 0 when not known
  std::array<LeakTotal, dm::kNumLeakKinds> leakTotals{};                       // how each is known
  SuppressedCounts suppressed;                                                 // by the library and by --suppressions
  bool diff = false;                                                           // --diff was given
  std::size_t inBaseline = 0;  // groups left out because the baseline had them

  bool totalKnown(std::size_t kind) const {
    return leakTotals[kind] == LeakTotal::Listed || leakTotals[kind] == LeakTotal::NotListed;
  }
  bool totalListed(std::size_t kind) const { return leakTotals[kind] == LeakTotal::Listed; }
  // False when there were processes and none checked leaks (with none at all, nothing is missing).
  bool leaksCollected() const { return leakTotals[0] != LeakTotal::NotCollected; }
};

}  // namespace dmtool
