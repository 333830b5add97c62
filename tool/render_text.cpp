// The text output: Valgrind- and ASan-style findings with stacks, source, and a summary table.
#include "frames.h"
#include "render.h"
#include "source_snippet.h"

#include <iomanip>
#include <sstream>

namespace dmtool {
namespace {

// ANSI styles, or nothing when colour is off (piped output).
class Style {
 public:
  explicit Style(bool on) : on_(on) {}
  std::string operator()(const char* code, std::string_view text) const {
    if (!on_) return std::string(text);
    return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
  }
  static constexpr const char* kError = "1;31";
  static constexpr const char* kLeak = "1;35";
  static constexpr const char* kBold = "1";
  static constexpr const char* kFunction = "34";
  static constexpr const char* kFile = "32";
  static constexpr const char* kDim = "2";
  static constexpr const char* kMark = "1;33";

 private:
  bool on_;
};

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string pidList(const std::vector<std::int64_t>& pids) {
  std::string s = pids.size() == 1 ? "pid " : "pids ";
  std::size_t shown = std::min<std::size_t>(pids.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + std::to_string(pids[i]);
  if (pids.size() > shown) s += ", ... (" + std::to_string(pids.size()) + " in all)";
  return s;
}

void writeStack(std::ostream& out, const Model& model, const std::vector<FrameId>& stack, const Style& style) {
  auto user = topUserFrame(model, stack);
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const Frame& f = model.frame(stack[i]);
    std::ostringstream line;
    line << "#" << i << " " << hexString(f.pc);
    line << " in " << (f.function ? style(Style::kFunction, model.str(f.function)) : std::string("??"));
    if (f.file) {
      std::string where = model.str(f.file);
      if (f.line) where += ":" + std::to_string(f.line);
      line << " " << style(Style::kFile, where);
    }
    if (f.module) {
      line << " (" << model.str(model.module(*f.module).path);
      if (f.offset) line << "+" << hexString(*f.offset);
      line << ")";
    }
    std::string text = line.str();
    // Frames before the user's first one are the allocator and the runtime: dimmed.
    bool runtime = user && i < *user;
    out << "    " << (runtime ? style(Style::kDim, text) : text) << "\n";
  }
  if (stack.empty()) out << "    (no frames)\n";
}

void writeSnippet(std::ostream& out, SourceCache& sources, const Model& model, const std::vector<FrameId>& stack,
                  unsigned context, const Style& style) {
  auto s = sources.around(model, stack, context);
  if (!s) return;
  out << "  source of " << (s->function.empty() ? std::string("??") : s->function) << " at "
      << style(Style::kFile, s->file + ":" + std::to_string(s->line)) << ":\n";
  for (const auto& [n, text] : s->lines) {
    bool mark = n == s->line;
    std::ostringstream row;
    row << (mark ? "  > " : "    ") << std::setw(5) << n << " | " << text;
    out << (mark ? style(Style::kMark, row.str()) : row.str()) << "\n";
  }
}

}  // namespace

void renderText(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options) {
  Style style(options.color);
  SourceCache sources;
  for (const std::string& w : options.warnings) out << "debugmalloc: warning: " << w << "\n";
  if (!options.warnings.empty()) out << "\n";

  for (const ErrorGroup& g : findings.errors) {
    std::string title = "ERROR: " + std::string(error_kind_name(g.kind));
    if (const char* access = accessName(g.access)) title += std::string(" (") + access + ")";
    out << style(Style::kError, title) << ": " << style(Style::kBold, model.str(g.message)) << "\n";
    out << "  " << plural(g.count, "time", "times") << " in " << plural(g.pids.size(), "process", "processes") << " ("
        << pidList(g.pids) << ")\n";
    if (g.stack) {
      out << "  found at:\n";
      writeStack(out, model, model.stack(*g.stack), style);
    } else {
      out << "  found by the heap check at exit\n";
    }
    if (g.allocStack) {
      out << "  the block was allocated at:\n";
      writeStack(out, model, model.stack(*g.allocStack), style);
    }
    if (g.freeStack) {
      out << "  and freed at:\n";
      writeStack(out, model, model.stack(*g.freeStack), style);
    }
    if (auto where = g.stack ? g.stack : g.allocStack)
      writeSnippet(out, sources, model, model.stack(*where), options.sourceContext, style);
    out << "\n";
  }

  for (const LeakGroup& g : findings.leaks) {
    std::ostringstream head;
    head << "LEAK: " << plural(g.bytes, "byte", "bytes") << " in " << plural(g.blocks, "block", "blocks") << " "
         << leak_kind_phrase(g.kind);
    out << style(Style::kLeak, head.str());
    if (g.indirectBlocks)
      out << " (and " << plural(g.indirectBytes, "byte", "bytes") << " in "
          << plural(g.indirectBlocks, "block", "blocks") << " reachable only through them)";
    out << " in " << plural(g.pids.size(), "process", "processes") << " (" << pidList(g.pids) << ")\n";
    out << "  allocated at:\n";
    if (g.stack) {
      writeStack(out, model, model.stack(*g.stack), style);
      writeSnippet(out, sources, model, model.stack(*g.stack), options.sourceContext, style);
    } else {
      out << "    (no stack recorded)\n";
    }
    out << "\n";
  }

  // The summary table.
  std::size_t incomplete = 0;
  for (const Process& p : model.processes) incomplete += p.incomplete;
  out << style(Style::kBold, "SUMMARY") << " (debugmalloc)\n";
  out << "  processes          " << model.processes.size();
  if (incomplete)
    out << " (" << incomplete
        << " incomplete: ended by _exit, abort or a signal before its exit-time checks; errors found until then are "
           "listed)";
  out << "\n";
  if (findings.errors.empty()) {
    out << "  errors             none\n";
  } else {
    std::array<std::uint64_t, dm::kNumErrorKinds> byKind{};
    for (const ErrorGroup& g : findings.errors) byKind[static_cast<std::size_t>(g.kind)] += g.count;
    out << "  " << std::left << std::setw(30) << "errors" << std::right << std::setw(11) << "count"
        << "\n";
    for (std::size_t k = 0; k < dm::kNumErrorKinds; ++k)
      if (byKind[k])
        out << "    " << std::left << std::setw(28) << dm::kErrorKindNames[k] << std::right << std::setw(11)
            << byKind[k] << "\n";
  }
  // A kind's row when something is known of it; unknown numbers are "?", never 0.
  auto shown = [&](std::size_t k) {
    return findings.leakedBlocks[k] != 0 || findings.leakTotals[k] == LeakTotal::NotListedUnknown;
  };
  bool anyLeak = false;
  for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) anyLeak |= shown(k);
  if (!findings.leaksCollected()) {
    out << "  leaks              not collected (no process checked leaks at exit)\n";
  } else if (!anyLeak) {
    out << "  leaks              none\n";
  } else {
    out << "  " << std::left << std::setw(30) << "leaks" << std::right << std::setw(11) << "bytes" << std::setw(11)
        << "blocks"
        << "\n";
    for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) {
      if (!shown(k)) continue;
      bool known = findings.totalKnown(k);
      out << "    " << std::left << std::setw(28) << leak_kind_phrase(static_cast<LeakKind>(k)) << std::right
          << std::setw(11) << (known ? std::to_string(findings.leakedBytes[k]) : "?") << std::setw(11)
          << (known ? std::to_string(findings.leakedBlocks[k]) : "?");
      if (!findings.totalListed(k)) out << "  (not listed: see leak_kinds)";
      out << "\n";
    }
  }
  const SuppressedCounts& s = findings.suppressed;
  if (s.errors || s.leakBlocks)
    out << "  suppressed         " << plural(s.errors, "error", "errors") << ", "
        << plural(s.leakBytes, "byte", "bytes") << " in " << plural(s.leakBlocks, "leaked block", "leaked blocks")
        << "\n";
  if (findings.diff)
    out << "  in the baseline    " << plural(findings.inBaseline, "group", "groups") << " (not shown)\n";
}

}  // namespace dmtool
