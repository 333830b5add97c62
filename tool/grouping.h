// Grouping errors and leaks of all processes by kind and stack content.
#pragma once

#include "findings.h"
#include "model.h"

#include <string>
#include <unordered_set>

namespace dmtool {

class Suppressions;

// The group keys of a previous run (--diff): what is in it is not new.
struct Baseline {
  std::unordered_set<std::string> keys;
};

struct GroupOptions {
  unsigned groupFrames = 0;  // compare only the top N frames of each stack (0 = all)
  const Suppressions* suppressions = nullptr;
  const Baseline* baseline = nullptr;
};

// Errors group by (kind, access, detection stack, allocation stack), leaks by (kind,
// allocation stack), stacks compared by content (frames.h), so that records of different
// files and processes meet. Suppressed records are left out and counted.
Findings groupFindings(const Model& model, const GroupOptions& options);

// The group keys, the same for a group found in reports and one read back from JSON output.
// A known access (read or write) is part of an error's key; an unknown one adds nothing.
std::string errorGroupKey(ErrorKind kind, const std::string& stackKey, const std::string& allocStackKey,
                          Access access = Access::Unknown);
std::string leakGroupKey(LeakKind kind, const std::string& stackKey);

}  // namespace dmtool
