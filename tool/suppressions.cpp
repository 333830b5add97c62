// Suppression files: parsing `KIND:PATTERN` lines and Valgrind entries, and matching them against stacks.
#include "suppressions.h"

#include "frames.h"
#include "parse_error.h"

#include <cxxabi.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>

namespace dmtool {
namespace {

bool appliesTo(const SuppressionRule& rule, ErrorKind kind) {
  return dm::suppression_applies_to_error(rule.scope, rule.errorKind, kind);
}
bool appliesToLeak(const SuppressionRule& rule, ErrorKind) { return dm::suppression_applies_to_leak(rule.scope); }

// What the frame lines of a file's Valgrind entries point into.
struct ValgrindText {
  std::string text;
  std::deque<std::string> demangled;  // deque: the strings never move
};

// The demangled form of a mangled name, "" when the demangler refuses it. (The symbolizer's
// demangle() would do, but it would bring libdw into every user of this file, the fuzzer too.)
std::string demangled(const std::string& mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  std::string result = status == 0 && out ? out : "";
  std::free(out);
  return result;
}

void refuseLine(const dm::SuppressionLine& parsed, const std::string& path, std::size_t lineNo) {
  std::string line(parsed.line, parsed.line_length);
  switch (parsed.status) {
    case dm::SuppressionLine::Status::kSkip:
    case dm::SuppressionLine::Status::kRule:
      return;
    case dm::SuppressionLine::Status::kNoColon:
      throw InputError(path, lineNo, "malformed suppression \"" + line + "\" (expected KIND:PATTERN)");
    case dm::SuppressionLine::Status::kUnknownKind:
      throw InputError(path, lineNo,
                       "unknown suppression kind \"" + std::string(parsed.kind, parsed.kind_length) +
                           "\" (expected leak, error, or an error kind such as heap-buffer-overflow)");
    case dm::SuppressionLine::Status::kNoPattern:
      throw InputError(path, lineNo, "suppression \"" + line + "\" has no pattern");
  }
}

}  // namespace

Suppressions Suppressions::parse(const std::string& text, const std::string& path) {
  Suppressions out;
  auto storage = std::make_shared<ValgrindText>();
  storage->text = text;
  const std::string& kept = storage->text;
  dm::ValgrindParser entries;
  std::vector<dm::ValgrindFrameLine> lines;  // of the entry being read
  auto warn = [&](std::size_t lineNo, const char* problem) {
    out.warnings_.push_back(path + ":" + std::to_string(lineNo) + ": \"" +
                            std::string(entries.line, entries.line_length) + "\": " + problem);
  };

  std::size_t lineNo = 0;
  for (std::size_t pos = 0; pos < kept.size();) {
    ++lineNo;
    std::size_t eol = kept.find('\n', pos);
    std::size_t n = (eol == std::string::npos ? kept.size() : eol) - pos;
    const char* line = kept.data() + pos;
    pos += n + 1;
    switch (dm::valgrind_feed(entries, line, n, static_cast<std::uint32_t>(lineNo))) {
      case dm::ValgrindEvent::kNotValgrind:
        break;
      case dm::ValgrindEvent::kNone:
        continue;
      case dm::ValgrindEvent::kOtherTool:
        ++out.otherToolEntries_;
        continue;
      case dm::ValgrindEvent::kBegin:
        lines.clear();
        continue;
      case dm::ValgrindEvent::kWarning:
        warn(lineNo, entries.problem);
        lines.clear();
        continue;
      case dm::ValgrindEvent::kFrame: {
        if (entries.note) warn(lineNo, entries.note);
        dm::ValgrindFrameLine frame = entries.frame;
        if (dm::valgrind_pattern_is_plain_mangled(frame)) {
          std::string name = demangled(std::string(frame.pattern, frame.pattern_length));
          if (!name.empty()) {
            const std::string& stored = storage->demangled.emplace_back(std::move(name));
            frame.demangled = stored.data();
            frame.demangled_length = stored.size();
          }
        }
        lines.push_back(frame);
        continue;
      }
      case dm::ValgrindEvent::kEntry: {
        const dm::ValgrindEntry& e = entries.entry;
        ValgrindRule rule;
        rule.name.assign(e.name, e.name_length);
        rule.origin = path + ":" + std::to_string(entries.open_line);
        rule.kind = e.kind;
        rule.errorKinds = e.error_kinds;
        rule.leakKinds = e.leak_kinds;
        rule.call.assign(e.call, e.call_length);
        rule.lines = std::move(lines);
        rule.text = storage;
        out.valgrindRules_.push_back(std::move(rule));
        lines.clear();
        continue;
      }
    }
    dm::SuppressionLine parsed = dm::parse_suppression_line(line, n);
    if (parsed.status != dm::SuppressionLine::Status::kRule) {
      refuseLine(parsed, path, lineNo);
      continue;
    }
    SuppressionRule rule;
    rule.scope = parsed.scope;
    rule.errorKind = parsed.error_kind;
    rule.pattern.assign(parsed.pattern, parsed.pattern_length);
    rule.origin = path + ":" + std::to_string(lineNo);
    out.rules_.push_back(std::move(rule));
  }
  if (dm::valgrind_unterminated(entries)) throw InputError(path, entries.open_line, entries.problem);
  return out;
}

Suppressions Suppressions::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot read the suppressions file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void Suppressions::append(const Suppressions& other) {
  rules_.insert(rules_.end(), other.rules_.begin(), other.rules_.end());
  valgrindRules_.insert(valgrindRules_.end(), other.valgrindRules_.begin(), other.valgrindRules_.end());
  otherToolEntries_ += other.otherToolEntries_;
  warnings_.insert(warnings_.end(), other.warnings_.begin(), other.warnings_.end());
  frameMatches_.clear();
  entryMatches_.clear();
}

bool Suppressions::matchesFrame(const SuppressionRule& rule, const Model& model, FrameId id) const {
  return dm::suppression_matches_frame(rule.pattern.data(), rule.pattern.size(), frameFields(model, id));
}

bool Suppressions::anyFrameMatches(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks,
                                   bool (*applies)(const SuppressionRule&, ErrorKind), ErrorKind kind) const {
  if (rules_.empty()) return false;
  if (frameMatches_.size() < model.frames.size()) frameMatches_.resize(model.frames.size());
  for (const std::vector<FrameId>* stack : stacks) {
    if (!stack) continue;
    for (FrameId id : *stack) {
      auto& cached = frameMatches_[id.value];
      if (!cached) {
        cached.emplace();
        for (std::uint32_t r = 0; r < rules_.size(); ++r)
          if (matchesFrame(rules_[r], model, id)) cached->push_back(r);
      }
      for (std::uint32_t r : *cached)
        if (applies(rules_[r], kind)) return true;
    }
  }
  return false;
}

bool Suppressions::entryMatches(std::size_t r, const Model& model, StackId stack, const dm::ValgrindTopFrame& top,
                                std::uint32_t topKey) const {
  auto [it, inserted] = entryMatches_.try_emplace(std::make_tuple(r, stack.value, topKey), false);
  if (inserted) {
    const ValgrindRule& rule = valgrindRules_[r];
    const std::vector<FrameId>& frames = model.stack(stack);
    it->second = dm::valgrind_stack_matches(rule.lines.data(), rule.lines.size(), top, frames.size(),
                                            [&](std::size_t i) { return frameFields(model, frames[i]); });
  }
  return it->second;
}

bool Suppressions::suppressesLeak(const Model& model, const LeakEvent& leak) const {
  if (!leak.stack) return false;
  if (anyFrameMatches(model, {&model.stack(*leak.stack)}, appliesToLeak, ErrorKind{})) return true;
  for (std::size_t r = 0; r < valgrindRules_.size(); ++r)
    if (dm::valgrind_entry_applies_to_leak(valgrindRules_[r].leakKinds, leak.kind) &&
        entryMatches(r, model, *leak.stack, dm::valgrind_top_for_allocation(), 0))
      return true;
  return false;
}

bool Suppressions::suppressesError(const Model& model, const ErrorEvent& error) const {
  auto stackOf = [&](std::optional<StackId> id) -> const std::vector<FrameId>* {
    return id ? &model.stack(*id) : nullptr;
  };
  if (anyFrameMatches(model, {stackOf(error.stack), stackOf(error.allocStack), stackOf(error.freeStack)}, appliesTo,
                      error.kind))
    return true;
  const std::string& api = model.str(error.api);
  dm::ValgrindErrorStack on = dm::valgrind_error_stack(error.stack.has_value(), api.data(), api.size());
  std::optional<StackId> stack = on.found_stack ? error.stack : error.allocStack;
  if (!stack || valgrindRules_.empty()) return false;
  std::uint32_t topKey = on.found_stack ? error.api.value + 1 : 0;
  for (std::size_t r = 0; r < valgrindRules_.size(); ++r) {
    const ValgrindRule& rule = valgrindRules_[r];
    if (dm::valgrind_entry_applies_to_error(rule.errorKinds, rule.call.data(), rule.call.size(), error.kind, api.data(),
                                            api.size()) &&
        entryMatches(r, model, *stack, on.top, topKey))
      return true;
  }
  return false;
}

}  // namespace dmtool
