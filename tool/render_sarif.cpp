// SARIF 2.1.0 output, in the shape GitHub code scanning accepts.
#include "frames.h"
#include "markup.h"
#include "render.h"

#include <nlohmann/json.hpp>

#include <map>

namespace dmtool {
namespace {

using ojson = nlohmann::ordered_json;

struct RuleInfo {
  std::string id, name, description, level;
};

RuleInfo errorRule(ErrorKind k) {
  static const char* descriptions[] = {
      "A write past the end of a heap block changed its guard bytes.",
      "A write before the start of a heap block changed its guard bytes.",
      "A heap block was written to after it was freed.",
      "A heap block was freed twice.",
      "free() or delete was given a pointer that is not the start of a heap block.",
      "A block was released by a function that does not match how it was allocated (malloc/delete, new[]/delete ...).",
      "Heap metadata was overwritten, so the block could not be identified.",
      "An allocation asked for a size with its top bit set: a negative value passed as a size.",
      "calloc() or reallocarray() was called with a count and size whose product overflows size_t.",
      "memcpy(), strcpy() or a kin was given overlapping source and destination ranges.",
  };
  static const char* names[] = {"HeapBufferOverflow", "HeapBufferUnderflow",  "UseAfterFree",
                                "DoubleFree",         "InvalidFree",          "AllocDeallocMismatch",
                                "HeapCorruption",     "AllocationSizeTooBig", "CallocOverflow",
                                "MemcpyParamOverlap"};
  static_assert(std::size(names) == dm::kNumErrorKinds && std::size(descriptions) == dm::kNumErrorKinds);
  auto i = static_cast<std::size_t>(k);
  return {std::string(error_kind_name(k)), names[i], descriptions[i], "error"};
}

RuleInfo leakRule(LeakKind k) {
  static const char* names[] = {"DefiniteLeak", "IndirectLeak", "PossibleLeak", "ReachableBlock"};
  static const char* descriptions[] = {
      "Heap blocks that no pointer refers to at exit: lost.",
      "Heap blocks reachable only through blocks that are lost.",
      "Heap blocks referred to only by pointers into their middle at exit.",
      "Heap blocks still referred to at exit, never freed.",
  };
  auto i = static_cast<std::size_t>(k);
  return {"leak-" + std::string(leak_kind_name(k)), names[i], descriptions[i], i < 2 ? "warning" : "note"};
}

class SarifWriter {
 public:
  SarifWriter(const Model& model, const RenderOptions& options) : model_(model), options_(options) {
    root_ = options.sourceRoot;
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  }

  // A physical location for a frame, relative to the source root when it is under it.
  std::optional<ojson> location(FrameId id) const {
    const Frame& f = model_.frame(id);
    ojson artifact;
    if (f.file) {
      const std::string& file = model_.str(f.file);
      if (!root_.empty() && file.size() > root_.size() + 1 && file.compare(0, root_.size(), root_) == 0 &&
          file[root_.size()] == '/') {
        artifact["uri"] = uriPath(file.substr(root_.size() + 1));
        artifact["uriBaseId"] = "%SRCROOT%";
      } else if (!file.empty() && file[0] == '/') {
        artifact["uri"] = "file://" + uriPath(file);
      } else {
        artifact["uri"] = uriPath(file);
      }
    } else if (f.module) {
      artifact["uri"] = "file://" + uriPath(model_.str(model_.module(*f.module).path));
    } else {
      return std::nullopt;
    }
    ojson physical;
    physical["artifactLocation"] = artifact;
    if (f.file && f.line) physical["region"] = {{"startLine", f.line}};
    ojson loc;
    loc["physicalLocation"] = physical;
    if (f.function) loc["logicalLocations"] = ojson::array({{{"fullyQualifiedName", model_.str(f.function)}}});
    return loc;
  }

  // The result's location: the top user frame with a source file, else any frame with one.
  ojson primaryLocations(std::initializer_list<std::optional<StackId>> stacks) const {
    for (auto stack : stacks) {
      if (!stack) continue;
      const auto& frames = model_.stack(*stack);
      if (auto user = topUserFrame(model_, frames); user && model_.frame(frames[*user]).file)
        if (auto loc = location(frames[*user])) return ojson::array({*loc});
    }
    for (auto stack : stacks) {
      if (!stack) continue;
      for (FrameId f : model_.stack(*stack))
        if (model_.frame(f).file)
          if (auto loc = location(f)) return ojson::array({*loc});
    }
    for (auto stack : stacks) {
      if (!stack) continue;
      for (FrameId f : model_.stack(*stack))
        if (auto loc = location(f)) return ojson::array({*loc});
    }
    return ojson::array();
  }

  ojson stack(std::optional<StackId> id, const std::string& title) const {
    ojson s;
    s["message"] = {{"text", title}};
    ojson frames = ojson::array();
    for (FrameId f : model_.stack(*id)) {
      ojson frame;
      if (auto loc = location(f))
        frame["location"] = *loc;
      else
        frame["location"] = {{"message", {{"text", frameText(model_, f)}}}};
      const Frame& fr = model_.frame(f);
      if (fr.module) frame["module"] = model_.str(model_.module(*fr.module).path);
      frames.push_back(std::move(frame));
    }
    s["frames"] = std::move(frames);
    return s;
  }

  std::size_t ruleIndex(const RuleInfo& rule) {
    auto [it, inserted] = ruleIndex_.try_emplace(rule.id, rules_.size());
    if (inserted) {
      ojson r;
      r["id"] = rule.id;
      r["name"] = rule.name;
      r["shortDescription"] = {{"text", rule.description}};
      r["fullDescription"] = {{"text", rule.description}};
      r["defaultConfiguration"] = {{"level", rule.level}};
      r["help"] = {{"text", rule.description + " Found by debugmalloc; see the stacks of each result."}};
      r["properties"] = {{"tags", {"memory", "reliability", "security"}},
                         {"problem.severity", rule.level == "error"     ? "error"
                                              : rule.level == "warning" ? "warning"
                                                                        : "recommendation"}};
      rules_.push_back(std::move(r));
    }
    return it->second;
  }

  ojson rules() const { return rules_; }

 private:
  const Model& model_;
  const RenderOptions& options_;
  std::string root_;
  std::map<std::string, std::size_t> ruleIndex_;
  ojson rules_ = ojson::array();
};

std::string times(std::uint64_t n) { return n == 1 ? "once" : std::to_string(n) + " times"; }

}  // namespace

void renderSarif(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options) {
  SarifWriter w(model, options);
  ojson results = ojson::array();
  for (const ErrorGroup& g : findings.errors) {
    RuleInfo rule = errorRule(g.kind);
    ojson r;
    r["ruleId"] = rule.id;
    r["ruleIndex"] = w.ruleIndex(rule);
    r["level"] = rule.level;
    r["message"] = {{"text", std::string(error_kind_name(g.kind)) + ": " + model.str(g.message) + " (" +
                                 times(g.count) + ", pid" + (g.pids.size() > 1 ? "s" : "") + " " +
                                 [&] {
                                   std::string s;
                                   for (auto p : g.pids) s += (s.empty() ? "" : ", ") + std::to_string(p);
                                   return s;
                                 }() +
                                 ")"}};
    r["locations"] = w.primaryLocations({g.stack, g.allocStack});
    r["partialFingerprints"] = {{"debugmallocGroup/v1", fingerprint(g.key)}};
    ojson stacks = ojson::array();
    if (g.stack) stacks.push_back(w.stack(g.stack, "found at"));
    if (g.allocStack) stacks.push_back(w.stack(g.allocStack, "allocated at"));
    if (g.freeStack) stacks.push_back(w.stack(g.freeStack, "freed at"));
    if (!stacks.empty()) r["stacks"] = std::move(stacks);
    r["properties"] = {{"count", g.count}, {"pids", g.pids}};
    if (const char* access = accessName(g.access)) r["properties"]["access"] = access;
    results.push_back(std::move(r));
  }
  for (const LeakGroup& g : findings.leaks) {
    RuleInfo rule = leakRule(g.kind);
    ojson r;
    r["ruleId"] = rule.id;
    r["ruleIndex"] = w.ruleIndex(rule);
    r["level"] = rule.level;
    r["message"] = {{"text", std::to_string(g.bytes) + " bytes in " + std::to_string(g.blocks) + " blocks " +
                                 std::string(leak_kind_phrase(g.kind)) + ", allocated in " + siteName(model, g.stack)}};
    r["locations"] = w.primaryLocations({g.stack});
    r["partialFingerprints"] = {{"debugmallocGroup/v1", fingerprint(g.key)}};
    if (g.stack) r["stacks"] = ojson::array({w.stack(g.stack, "allocated at")});
    r["properties"] = {{"bytes", g.bytes}, {"blocks", g.blocks}, {"pids", g.pids}};
    results.push_back(std::move(r));
  }

  ojson driver;
  driver["name"] = "debugmalloc";
  driver["version"] = "0.1.0";
  driver["rules"] = w.rules();
  ojson run;
  run["tool"] = {{"driver", std::move(driver)}};
  std::string root = options.sourceRoot;
  if (!root.empty() && root.back() != '/') root += '/';
  if (!root.empty()) run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", "file://" + uriPath(root)}}}};
  run["results"] = std::move(results);
  run["columnKind"] = "unicodeCodePoints";
  // What the results cannot show: leaks not checked at all, or kinds without results because
  // the library did not list them (leak_kinds) although it counted them.
  ojson notes = ojson::array();
  auto note = [&](const std::string& text) { notes.push_back({{"level", "note"}, {"message", {{"text", text}}}}); };
  if (!findings.leaksCollected()) {
    note("leaks were not collected: no process checked leaks at exit");
  } else {
    for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) {
      if (findings.totalListed(k) || (findings.totalKnown(k) && findings.leakedBlocks[k] == 0)) continue;
      std::string what = std::string(leak_kind_phrase(static_cast<LeakKind>(k)));
      if (findings.totalKnown(k))
        note(std::to_string(findings.leakedBytes[k]) + " bytes in " + std::to_string(findings.leakedBlocks[k]) +
             " blocks " + what + ", not listed (see leak_kinds)");
      else
        note(what + ": not listed (see leak_kinds), total unknown");
    }
  }
  if (!notes.empty())
    run["invocations"] =
        ojson::array({{{"executionSuccessful", true}, {"toolExecutionNotifications", std::move(notes)}}});

  ojson sarif;
  sarif["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  sarif["version"] = "2.1.0";
  sarif["runs"] = ojson::array({std::move(run)});
  out << sarif.dump(2, ' ', false, ojson::error_handler_t::replace) << '\n';
}

}  // namespace dmtool
