// Suppression files: parsing `KIND:PATTERN` lines and matching them against stacks.
#include "suppressions.h"

#include "parse_error.h"

#include <fstream>
#include <sstream>

namespace dmtool {
namespace {

bool appliesTo(const SuppressionRule& rule, ErrorKind kind) {
  return dm::suppression_applies_to_error(rule.scope, rule.errorKind, kind);
}
bool appliesToLeak(const SuppressionRule& rule, ErrorKind) { return dm::suppression_applies_to_leak(rule.scope); }

}  // namespace

Suppressions Suppressions::parse(const std::string& text, const std::string& path) {
  Suppressions out;
  std::istringstream in(text);
  std::string raw;
  std::size_t lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    dm::SuppressionLine parsed = dm::parse_suppression_line(raw.data(), raw.size());
    std::string line(parsed.line, parsed.line_length);
    switch (parsed.status) {
      case dm::SuppressionLine::Status::kSkip:
        continue;
      case dm::SuppressionLine::Status::kNoColon:
        throw InputError(path, lineNo, "malformed suppression \"" + line + "\" (expected KIND:PATTERN)");
      case dm::SuppressionLine::Status::kUnknownKind:
        throw InputError(path, lineNo,
                         "unknown suppression kind \"" + std::string(parsed.kind, parsed.kind_length) +
                             "\" (expected leak, error, or an error kind such as heap-buffer-overflow)");
      case dm::SuppressionLine::Status::kNoPattern:
        throw InputError(path, lineNo, "suppression \"" + line + "\" has no pattern");
      case dm::SuppressionLine::Status::kRule:
        break;
    }
    SuppressionRule rule;
    rule.scope = parsed.scope;
    rule.errorKind = parsed.error_kind;
    rule.pattern.assign(parsed.pattern, parsed.pattern_length);
    rule.origin = path + ":" + std::to_string(lineNo);
    out.rules_.push_back(std::move(rule));
  }
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
  frameMatches_.clear();
}

bool Suppressions::matchesFrame(const SuppressionRule& rule, const Model& model, FrameId id) const {
  const Frame& f = model.frame(id);
  dm::FrameText text;
  if (f.function) {
    const std::string& function = model.str(f.function);
    text.function = function.data();
    text.function_length = function.size();
  }
  if (f.file) {
    const std::string& file = model.str(f.file);
    text.file = file.data();
    text.file_length = file.size();
  }
  if (f.module) {
    const std::string& module = model.str(model.module(*f.module).path);
    text.module = module.data();
    text.module_length = module.size();
  }
  return dm::suppression_matches_frame(rule.pattern.data(), rule.pattern.size(), text);
}

bool Suppressions::suppresses(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks,
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

bool Suppressions::suppressesLeak(const Model& model, const std::vector<const std::vector<FrameId>*>& stacks) const {
  return suppresses(model, stacks, appliesToLeak, ErrorKind{});
}

bool Suppressions::suppressesError(ErrorKind kind, const Model& model,
                                   const std::vector<const std::vector<FrameId>*>& stacks) const {
  return suppresses(model, stacks, appliesTo, kind);
}

}  // namespace dmtool
