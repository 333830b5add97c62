// Suppression files written from the findings, ready to paste: `--format suppressions` (one
// KIND:PATTERN rule per group) and `--format valgrind-suppressions` (one Valgrind entry per group,
// as Valgrind's --gen-suppressions=all writes them). Both read back to suppress the same groups
// (common/suppression_rule.h, common/valgrind_suppression.h).
#include "common/valgrind_suppression.h"
#include "frames.h"
#include "render.h"

#include <set>
#include <sstream>
#include <string_view>

namespace dmtool {
namespace {

// Frames below main are the C runtime's start-up, the same under every program: left out.
constexpr const char* kBelowMain = "main";

std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The frame a person would name the finding by: the program's first own frame, else the first
// named one.
std::optional<std::size_t> siteFrame(const Model& model, const std::vector<FrameId>& stack) {
  if (auto user = topUserFrame(model, stack)) return user;
  for (std::size_t i = 0; i < stack.size(); ++i)
    if (model.frame(stack[i]).function) return i;
  return stack.empty() ? std::nullopt : std::optional<std::size_t>(0);
}

std::string describeFrame(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  std::string text = f.function ? model.str(f.function) : std::string("??");
  if (f.file)
    text += " (" + std::string(baseName(model.str(f.file))) + (f.line ? ":" + std::to_string(f.line) : "") + ")";
  return text;
}

// The record that opened an error group: its `api` says what found the error.
const ErrorEvent* firstEvent(const Model& model, const ErrorGroup& g) {
  for (const ErrorEvent& e : model.errors)
    if (e.kind == g.kind && e.access == g.access && e.stack == g.stack && e.allocStack == g.allocStack) return &e;
  return nullptr;
}

// A finding to write a rule for: its kind, the stack its rule matches, and what frame 0 of
// Valgrind's stack is for it.
struct Target {
  std::string kind;  // our kind name: "definite", "double-free"
  std::string comment;
  std::optional<ErrorKind> errorKind;  // unset for a leak
  LeakKind leakKind{};
  const std::vector<FrameId>* stack = nullptr;
  dm::ValgrindTopFrame top;
  bool anyAllocationFunction = false;  // frame 0 is any allocation function (top)
};

std::vector<Target> targets(const Model& model, const Findings& findings) {
  std::vector<Target> out;
  for (const ErrorGroup& g : findings.errors) {
    Target t;
    t.kind = error_kind_name(g.kind);
    t.errorKind = g.kind;
    const ErrorEvent* first = firstEvent(model, g);
    const std::string& api = model.str(first ? first->api : StringId{});  // lives in the model
    t.comment = t.kind + (api.empty() ? "" : " found by " + api) + ": " + oneLine(model.str(g.message));
    // The stack and frame 0 the entry is matched on.
    dm::ValgrindErrorStack on = dm::valgrind_error_stack(g.stack.has_value(), api.data(), api.size());
    std::optional<StackId> stack = on.found_stack ? g.stack : g.allocStack;
    if (stack) t.stack = &model.stack(*stack);
    t.top = on.top;
    t.anyAllocationFunction = !on.found_stack;
    out.push_back(std::move(t));
  }
  for (const LeakGroup& g : findings.leaks) {
    Target t;
    t.kind = leak_kind_name(g.kind);
    t.leakKind = g.kind;
    t.comment = t.kind + " leak: " + plural(g.bytes, "byte", "bytes") + " in " + plural(g.blocks, "block", "blocks");
    if (g.stack) t.stack = &model.stack(*g.stack);
    t.anyAllocationFunction = true;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void renderSuppressions(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions&) {
  std::vector<Target> all = targets(model, findings);
  out << "# debugmalloc suppressions for " << plural(all.size(), "finding group", "finding groups")
      << ". A KIND:PATTERN rule suppresses a finding when any frame of its stacks matches PATTERN:\n"
      << "# --format valgrind-suppressions writes rules that match these stacks only.\n";
  std::set<std::string> written;
  for (const Target& t : all) {
    out << "\n# " << t.comment;
    std::optional<std::size_t> site = t.stack ? siteFrame(model, *t.stack) : std::nullopt;
    if (!site) {
      out << "\n# (no stack: no rule)\n";
      continue;
    }
    const Frame& f = model.frame((*t.stack)[*site]);
    out << ", at " << describeFrame(model, (*t.stack)[*site]) << "\n";
    std::string pattern = f.function ? model.str(f.function)
                          : f.file   ? model.str(f.file)
                          : f.module ? model.str(model.module(*f.module).path)
                                     : std::string();
    if (pattern.empty()) {
      out << "# (no name, file or module to match: no rule)\n";
      continue;
    }
    if (!f.function) out << "# (no function name: this rule matches every frame in that file)\n";
    if (pattern == kBelowMain) out << "# (main is in every stack: this rule matches every finding of the kind)\n";
    std::string rule = std::string(t.errorKind ? error_kind_name(*t.errorKind) : dm::kSuppressAnyLeak) + ":" + pattern;
    if (!written.insert(rule).second) {
      out << "# (the rule above already covers it)\n";
      continue;
    }
    out << rule << "\n";
  }
}

void renderValgrindSuppressions(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions&) {
  std::vector<Target> all = targets(model, findings);
  std::ostringstream body;
  std::set<std::string> written;
  bool demangledNames = false, accessEntries = false;
  std::size_t n = 0;
  for (const Target& t : all) {
    if (!t.stack) {
      body << "\n# " << t.comment << "\n# (no stack: no entry)\n";
      continue;
    }
    std::ostringstream entry;
    const char* kind = t.errorKind ? dm::memcheck_kind_name(*t.errorKind) : dm::kMemcheckLeak;
    accessEntries |= std::string_view(kind) == "Addr1";
    entry << "   Memcheck:" << kind << "\n";
    if (!t.errorKind) entry << "   match-leak-kinds: " << leak_kind_name(t.leakKind) << "\n";
    // Frame 0 of Valgrind's stack: the function Memcheck replaces, which our stacks leave out.
    std::size_t lines = 0;
    if (t.anyAllocationFunction) {
      entry << "   fun:*\n";
      ++lines;
    } else if (t.top.name_length != 0) {
      entry << "   fun:" << std::string(t.top.name, t.top.name_length) << "\n";
      ++lines;
    } else if (t.top.count != 0) {  // a family of operator new or delete: its mangled names
      entry << "   fun:" << t.top.names[0] << "*\n";
      ++lines;
    }
    for (FrameId id : *t.stack) {
      if (lines == dm::kMaxValgrindFrameLines) break;
      const Frame& f = model.frame(id);
      if (f.function) {
        const std::string& name = model.str(f.function);
        entry << "   fun:" << name << "\n";
        demangledNames |= name.find("::") != std::string::npos || name.find('(') != std::string::npos;
      } else if (f.module) {
        entry << "   obj:" << model.str(model.module(*f.module).path) << "\n";
      } else {
        entry << "   obj:*\n";
      }
      ++lines;
      if (f.function && model.str(f.function) == kBelowMain) break;
    }
    body << "\n# " << t.comment << "\n";
    if (!written.insert(entry.str()).second) {
      body << "# (the entry above already covers it)\n";
      continue;
    }
    std::optional<std::size_t> site = siteFrame(model, *t.stack);
    const Frame* named = site ? &model.frame((*t.stack)[*site]) : nullptr;
    body << "{\n   debugmalloc-" << t.kind << "-" << ++n;
    if (named && named->function) body << "-" << model.str(named->function);
    body << "\n" << entry.str() << "}\n";
  }
  out << "# Valgrind suppressions written by debugmalloc for " << plural(all.size(), "finding group", "finding groups")
      << ": for debugmalloc report --suppressions, DEBUGMALLOC_OPTIONS=suppressions=FILE and valgrind "
         "--suppressions.\n";
  if (accessEntries)
    out << "# Memcheck:Addr1 stands for every invalid access (debugmalloc does not know its size: Valgrind does).\n";
  if (demangledNames)
    out << "# C++ names are written demangled, as reports keep them: Valgrind matches only mangled ones.\n";
  out << body.str();
}

}  // namespace dmtool
