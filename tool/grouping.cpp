// Grouping errors and leaks of all processes by kind and stack content.
#include "grouping.h"

#include "frames.h"
#include "suppressions.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace dmtool {
namespace {

// The content key of each stack, computed once per distinct stack and interned, so that
// grouping thousands of records compares small integers.
class StackKeys {
 public:
  StackKeys(const Model& model, unsigned depth) : model_(model), depth_(depth), ids_(model.stacks.size(), kNone) {}

  std::uint32_t id(std::optional<StackId> stack) {
    if (!stack) return kAbsent;
    std::uint32_t& slot = ids_[stack->value];
    if (slot == kNone) {
      std::string key = stackKey(model_, model_.stack(*stack), depth_);
      auto [it, inserted] = index_.try_emplace(std::move(key), static_cast<std::uint32_t>(keys_.size()));
      if (inserted) keys_.push_back(&it->first);
      slot = it->second;
    }
    return slot;
  }
  const std::string& text(std::uint32_t id) const {
    static const std::string none;
    return id == kAbsent ? none : *keys_[id];
  }

 private:
  static constexpr std::uint32_t kNone = ~0u, kAbsent = ~0u - 1;
  const Model& model_;
  unsigned depth_;
  std::vector<std::uint32_t> ids_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::vector<const std::string*> keys_;
};

void addPid(std::vector<std::int64_t>& pids, std::int64_t pid) {
  auto it = std::lower_bound(pids.begin(), pids.end(), pid);
  if (it == pids.end() || *it != pid) pids.insert(it, pid);
}

// The totals of the kinds a process wrote no groups of come from its `end` record: the
// library classifies every block whatever leak_kinds lists. Unknown stays unknown.
void addUnlistedTotals(const Model& model, Findings& out) {
  bool collected = !model.leaks.empty();  // leak records tell it even without an `end` saying so
  for (const Process& p : model.processes) collected |= p.leakCheck;
  for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) {
    if (!collected && !model.processes.empty()) {
      out.leakTotals[k] = LeakTotal::NotCollected;
      continue;
    }
    bool unknown = false;
    for (const Process& p : model.processes) {
      if (!p.leakCheck || p.leakKindsListed[k]) continue;
      out.leakTotals[k] = LeakTotal::NotListed;
      unknown |= out.diff || !p.leakedBytes[k] || !p.leakedBlocks[k];
      if (unknown) continue;
      out.leakedBytes[k] += *p.leakedBytes[k];
      out.leakedBlocks[k] += *p.leakedBlocks[k];
    }
    if (unknown) out.leakTotals[k] = LeakTotal::NotListedUnknown;
    if (!out.totalKnown(k)) out.leakedBytes[k] = out.leakedBlocks[k] = 0;
  }
}

}  // namespace

std::string errorGroupKey(ErrorKind kind, const std::string& stackKey, const std::string& allocStackKey,
                          Access access) {
  std::string key = "error\x1e";
  key += error_kind_name(kind);
  if (const char* name = accessName(access)) {
    key += '/';
    key += name;
  }
  key += '\x1e';
  key += stackKey;
  key += '\x1e';
  key += allocStackKey;
  return key;
}

std::string leakGroupKey(LeakKind kind, const std::string& stackKey) {
  std::string key = "leak\x1e";
  key += leak_kind_name(kind);
  key += '\x1e';
  key += stackKey;
  return key;
}

Findings groupFindings(const Model& model, const GroupOptions& options) {
  Findings out;
  out.suppressed = model.librarySuppressed;
  out.diff = options.baseline != nullptr;
  StackKeys keys(model, options.groupFrames);

  std::map<std::tuple<ErrorKind, Access, std::uint32_t, std::uint32_t>, std::size_t> errorIndex;
  for (const ErrorEvent& e : model.errors) {
    if (options.suppressions && options.suppressions->suppressesError(model, e)) {
      out.suppressed.errors += e.count;
      continue;
    }
    auto key = std::make_tuple(e.kind, e.access, keys.id(e.stack), keys.id(e.allocStack));
    auto [it, inserted] = errorIndex.try_emplace(key, out.errors.size());
    if (inserted) {
      ErrorGroup g;
      g.kind = e.kind;
      g.access = e.access;
      g.message = e.message;
      g.stack = e.stack;
      g.allocStack = e.allocStack;
      g.freeStack = e.freeStack;
      g.key = errorGroupKey(e.kind, keys.text(std::get<2>(key)), keys.text(std::get<3>(key)), e.access);
      out.errors.push_back(std::move(g));
    }
    ErrorGroup& g = out.errors[it->second];
    g.count += e.count;
    if (!g.freeStack) g.freeStack = e.freeStack;
    addPid(g.pids, model.processes[e.process.value].pid);
  }

  std::map<std::pair<LeakKind, std::uint32_t>, std::size_t> leakIndex;
  for (const LeakEvent& l : model.leaks) {
    if (options.suppressions && options.suppressions->suppressesLeak(model, l)) {
      out.suppressed.leakBlocks += l.blocks;
      out.suppressed.leakBytes += l.bytes;
      continue;
    }
    auto key = std::make_pair(l.kind, keys.id(l.stack));
    auto [it, inserted] = leakIndex.try_emplace(key, out.leaks.size());
    if (inserted) {
      LeakGroup g;
      g.kind = l.kind;
      g.stack = l.stack;
      g.key = leakGroupKey(l.kind, keys.text(key.second));
      out.leaks.push_back(std::move(g));
    }
    LeakGroup& g = out.leaks[it->second];
    g.bytes += l.bytes;
    g.blocks += l.blocks;
    g.indirectBytes += l.indirectBytes;
    g.indirectBlocks += l.indirectBlocks;
    addPid(g.pids, model.processes[l.process.value].pid);
  }

  if (options.baseline) {
    auto known = [&](const auto& g) { return options.baseline->keys.count(g.key) != 0; };
    std::size_t before = out.errors.size() + out.leaks.size();
    std::erase_if(out.errors, known);
    std::erase_if(out.leaks, known);
    out.inBaseline = before - out.errors.size() - out.leaks.size();
  }

  // Stable sorts: ties keep the order of first appearance, which follows the sorted inputs.
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const ErrorGroup& a, const ErrorGroup& b) { return a.count > b.count; });
  std::stable_sort(out.leaks.begin(), out.leaks.end(), [](const LeakGroup& a, const LeakGroup& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.bytes > b.bytes;
  });
  for (const ErrorGroup& g : out.errors) out.errorCount += g.count;
  for (const LeakGroup& g : out.leaks) {
    out.leakedBytes[static_cast<std::size_t>(g.kind)] += g.bytes;
    out.leakedBlocks[static_cast<std::size_t>(g.kind)] += g.blocks;
  }
  addUnlistedTotals(model, out);
  return out;
}

}  // namespace dmtool
