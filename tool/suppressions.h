// Suppression files: `KIND:PATTERN` lines that leave matching findings out of a report.
#pragma once

#include "common/suppression_rule.h"
#include "model.h"

#include <optional>
#include <string>
#include <vector>

namespace dmtool {

// What a rule applies to: every leak, every error, or one error kind.
struct SuppressionRule {
  using Scope = dm::SuppressionScope;
  Scope scope = Scope::kAnyLeak;
  ErrorKind errorKind{};  // for kOneError
  std::string pattern;
  std::string origin;  // "file:line", for messages
};

class Suppressions {
 public:
  // Syntax (common/suppression_rule.h, the same as the library's `suppressions` option):
  // one rule per line, `KIND:PATTERN`; `#` starts a comment line; blank lines are ignored;
  // spaces around KIND and PATTERN are trimmed. KIND is `leak`, `error`, or an error kind
  // name. Throws InputError naming the file and line of the first malformed line.
  static Suppressions parse(const std::string& text, const std::string& path);
  static Suppressions load(const std::string& path);

  void append(const Suppressions& other);
  bool empty() const { return rules_.empty(); }
  const std::vector<SuppressionRule>& rules() const { return rules_; }

  // A pattern matches a frame when it matches the whole demangled function name, the whole
  // source path or module path, or the last component of either path
  // (dm::suppression_matches_frame, the library's rule too).
  bool matchesFrame(const SuppressionRule& rule, const Model& model, FrameId frame) const;

  // True when a frame of any of `stacks` matches a rule that applies to the finding.
  bool suppressesLeak(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks) const;
  bool suppressesError(ErrorKind kind, const Model& model,
                       const std::vector<const std::vector<FrameId>*>& stacks) const;

 private:
  bool suppresses(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks,
                  bool (*applies)(const SuppressionRule&, ErrorKind), ErrorKind kind) const;

  std::vector<SuppressionRule> rules_;
  // Per frame, the rules that match it: computed lazily, since the same frames recur in
  // thousands of findings.
  mutable std::vector<std::optional<std::vector<std::uint32_t>>> frameMatches_;
};

}  // namespace dmtool
