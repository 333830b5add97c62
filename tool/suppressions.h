// Suppression files: `KIND:PATTERN` lines and Valgrind's `{ ... }` entries that leave matching
// findings out of a report.
#pragma once

#include "common/suppression_rule.h"
#include "common/valgrind_suppression.h"
#include "model.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
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

// A Memcheck entry of a Valgrind suppression file (common/valgrind_suppression.h).
struct ValgrindRule {
  std::string name;    // its name line
  std::string origin;  // "file:line" of its '{'
  const dm::MemcheckKind* kind = nullptr;
  std::uint16_t errorKinds = 0;  // dm::error_kind_bit of each error kind it suppresses
  std::uint8_t leakKinds = 0;    // dm::leak_kind_bit of each leak kind it suppresses
  std::string call;              // Param, FishyValue: the call the error must be found by ("" = any)
  // Its frame lines: views into `text` (the file's text and the demangled names), which the
  // copies of a rule share.
  std::vector<dm::ValgrindFrameLine> lines;
  std::shared_ptr<const void> text;
};

class Suppressions {
 public:
  // Syntax (common/suppression_rule.h, the same as the library's `suppressions` option):
  // one rule per line, `KIND:PATTERN`; `#` starts a comment line; blank lines are ignored;
  // spaces around KIND and PATTERN are trimmed. KIND is `leak`, `error`, or an error kind
  // name. Throws InputError naming the file and line of the first malformed line.
  // Valgrind's entries may be mixed in (common/valgrind_suppression.h): a malformed line of
  // an entry leaves the entry out with a warning (warnings()); an entry with no closing `}`
  // throws InputError naming its first line.
  static Suppressions parse(const std::string& text, const std::string& path);
  static Suppressions load(const std::string& path);

  void append(const Suppressions& other);
  bool empty() const { return rules_.empty() && valgrindRules_.empty(); }
  const std::vector<SuppressionRule>& rules() const { return rules_; }
  const std::vector<ValgrindRule>& valgrindRules() const { return valgrindRules_; }
  // Entries for other Valgrind tools (Helgrind, DRD...), skipped.
  std::size_t otherToolEntries() const { return otherToolEntries_; }
  // "file:line: ..." for each line of a Valgrind entry that was left out, and each note.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // A pattern matches a frame when it matches the whole demangled function name, the whole
  // source path or module path, or the last component of either path
  // (dm::suppression_matches_frame, the library's rule too).
  bool matchesFrame(const SuppressionRule& rule, const Model& model, FrameId frame) const;

  // A leak is suppressed by a KIND:PATTERN rule matching a frame of its allocation stack, or a
  // Memcheck entry of its leak kind matching the top of that stack (Valgrind's frame 0: any
  // allocation function). An error by a rule matching a frame of its detection, allocation or
  // free stack, or an entry of its kind matching the top of the stack where it was found
  // (frame 0: the call that found it, `api`); of its allocation stack when it has none.
  bool suppressesLeak(const Model& model, const LeakEvent& leak) const;
  bool suppressesError(const Model& model, const ErrorEvent& error) const;

 private:
  bool anyFrameMatches(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks,
                       bool (*applies)(const SuppressionRule&, ErrorKind), ErrorKind kind) const;
  // `topKey` names `top` for the cache: 0 any allocation function, else the api's StringId + 1.
  bool entryMatches(std::size_t rule, const Model& model, StackId stack, const dm::ValgrindTopFrame& top,
                    std::uint32_t topKey) const;

  std::vector<SuppressionRule> rules_;
  std::vector<ValgrindRule> valgrindRules_;
  std::size_t otherToolEntries_ = 0;
  std::vector<std::string> warnings_;
  // Per frame, the rules that match it: computed lazily, since the same frames recur in
  // thousands of findings.
  mutable std::vector<std::optional<std::vector<std::uint32_t>>> frameMatches_;
  // Per (entry, stack, frame 0), whether the entry matches.
  mutable std::map<std::tuple<std::size_t, std::uint32_t, std::uint32_t>, bool> entryMatches_;
};

}  // namespace dmtool
