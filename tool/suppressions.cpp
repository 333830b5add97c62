// Suppression files: parsing `KIND:PATTERN` lines and matching them against stacks.
#include "suppressions.h"

#include "frames.h"
#include "glob.h"
#include "parse_error.h"

#include <fstream>
#include <sstream>

namespace dm {
namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool appliesTo(const SuppressionRule& rule, ErrorKind kind) {
  return rule.scope == SuppressionRule::Scope::AnyError ||
         (rule.scope == SuppressionRule::Scope::OneError && rule.errorKind == kind);
}
bool appliesToLeak(const SuppressionRule& rule, ErrorKind) { return rule.scope == SuppressionRule::Scope::AnyLeak; }

bool matchPath(const std::string& pattern, std::string_view path) {
  return !path.empty() && (globMatch(pattern, path) || globMatch(pattern, baseName(path)));
}

}  // namespace

Suppressions Suppressions::parse(const std::string& text, const std::string& path) {
  Suppressions out;
  std::istringstream in(text);
  std::string raw;
  std::size_t lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      throw InputError(path, lineNo, "malformed suppression \"" + std::string(line) + "\" (expected KIND:PATTERN)");
    std::string_view kind = trim(line.substr(0, colon));
    std::string_view pattern = trim(line.substr(colon + 1));
    SuppressionRule rule;
    if (kind == "leak") {
      rule.scope = SuppressionRule::Scope::AnyLeak;
    } else if (kind == "error") {
      rule.scope = SuppressionRule::Scope::AnyError;
    } else if (auto k = parseErrorKind(kind)) {
      rule.scope = SuppressionRule::Scope::OneError;
      rule.errorKind = *k;
    } else {
      throw InputError(path, lineNo,
                       "unknown suppression kind \"" + std::string(kind) +
                           "\" (expected leak, error, or an error kind such as heap-buffer-overflow)");
    }
    if (pattern.empty()) throw InputError(path, lineNo, "suppression \"" + std::string(line) + "\" has no pattern");
    rule.pattern = std::string(pattern);
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
  if (f.function && globMatch(rule.pattern, model.str(f.function))) return true;
  if (f.file && matchPath(rule.pattern, model.str(f.file))) return true;
  if (f.module && matchPath(rule.pattern, model.str(model.module(*f.module).path))) return true;
  return false;
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

}  // namespace dm
