// Suppression list parsing (KIND:PATTERN lines and Valgrind entries) and matching against
// symbolized stacks.
#include "findings/suppressions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "common/suppression_rule.h"
#include "common/valgrind_suppression.h"
#include "findings/site_name.h"
#include "support/mutex.h"
#include "support/options.h"
#include "support/platform.h"
#include "stacks/symbolize.h"
#include "support/text_buffer.h"

namespace dm {

namespace {

// Runtime allocations that are not the program's and that no program can free.
constexpr const char kBuiltin[] =
    "# Built-in suppressions of debugmalloc (builtin_suppressions=0 turns them off).\n"
    "# libstdc++'s emergency exception-handling pool, allocated once at start-up:\n"
    "leak:__gnu_cxx::__freeres*\n"
    "leak:*eh_alloc.cc\n";

// One rule: a KIND:PATTERN line or a Memcheck entry.
struct Rule {
  uint16_t error_kinds;  // error_kind_bit of each error kind it applies to
  uint8_t leak_kinds;    // leak_kind_bit of each leak kind it applies to
  bool valgrind;         // a Memcheck entry (frame lines) rather than a pattern
  const char* text;      // the pattern, or a Memcheck entry's call ("" = any); a view, not NUL-terminated
  size_t text_length;
  uint32_t first_line;  // a Memcheck entry's frame lines: g_lines[first_line, first_line + line_count)
  uint32_t line_count;
};

// Mapped once, never moved: matching reads them without the lock. Untouched pages cost nothing.
constexpr size_t kMaxRules = 8192;
constexpr size_t kMaxFrameLines = 65536;
constinit Rule* g_rules = nullptr;
constinit size_t g_rule_count = 0;
constinit size_t g_pattern_rule_count = 0;  // of them, KIND:PATTERN rules
constinit ValgrindFrameLine* g_lines = nullptr;
constinit size_t g_line_count = 0;
constinit bool g_full_warned = false;
constinit bool g_loaded = false;
constinit Mutex g_mu;

bool have_storage() {
  if (g_rules == nullptr) g_rules = static_cast<Rule*>(os_map(kMaxRules * sizeof(Rule)));
  if (g_lines == nullptr) g_lines = static_cast<ValgrindFrameLine*>(os_map(kMaxFrameLines * sizeof(ValgrindFrameLine)));
  return g_rules != nullptr && g_lines != nullptr;
}

// The findings a KIND:PATTERN rule applies to: a bit per error kind, all leak kinds for `leak`.
Rule pattern_rule(const SuppressionLine& line) {
  Rule rule{};
  rule.leak_kinds = suppression_applies_to_leak(line.scope) ? kAllLeakKindBits : 0;
  for (int k = 0; k < kNumErrorKinds; ++k)
    if (suppression_applies_to_error(line.scope, line.error_kind, static_cast<ErrorKind>(k)))
      rule.error_kinds = static_cast<uint16_t>(rule.error_kinds | (1u << k));
  rule.text = line.pattern;
  rule.text_length = line.pattern_length;
  return rule;
}

void warn(const char* file, uint32_t line, const char* what) {
  InlineText<1024> msg;
  msg.str("debugmalloc: ")
      .str(file)
      .ch(':')
      .dec(line)
      .str(": ")
      .str(what)
      .str(" (expected KIND:PATTERN, KIND one of leak, error or an error kind)\n");
  msg.flush(2);
}

// "debugmalloc: FILE:LINE: "TEXT": PROBLEM" (no text for a whole entry).
void warn_valgrind(const char* file, uint32_t line, const char* text, size_t length, const char* problem) {
  InlineText<1024> msg;
  msg.str("debugmalloc: ").str(file).ch(':').dec(line).str(": ");
  if (text != nullptr) msg.ch('"').bytes(text, length < 200 ? length : 200).str("\": ");
  msg.str(problem).ch('\n');
  msg.flush(2);
}

// Says once that the list is full.
void warn_full(const char* file) {
  if (!g_full_warned) {
    g_full_warned = true;
    InlineText<512> msg;
    msg.str("debugmalloc: ").str(file).str(": too many suppressions; the rest are left out\n");
    msg.flush(2);
  }
}

bool add_rule(const Rule& rule, const char* file) {
  if (g_rule_count < kMaxRules) {
    g_rules[g_rule_count++] = rule;
    if (!rule.valgrind) ++g_pattern_rule_count;
    return true;
  }
  warn_full(file);
  return false;
}

// Keeps a frame line of the entry being read; a plain mangled `fun:` name also in its
// demangled form (reports hold demangled names). False when the lines are full.
bool add_frame_line(ValgrindFrameLine line) {
  if (g_line_count >= kMaxFrameLines) return false;
  char name[1024];
  if (valgrind_pattern_is_plain_mangled(line) && line.pattern_length < sizeof name) {
    memcpy(name, line.pattern, line.pattern_length);
    name[line.pattern_length] = '\0';
    const char* demangled = demangled_name(name);  // a kept string
    if (strcmp(demangled, name) != 0) {
      line.demangled = demangled;
      line.demangled_length = strlen(demangled);
    }
  }
  g_lines[g_line_count++] = line;
  return true;
}

// Adds the rules of `text`: KIND:PATTERN lines (common/suppression_rule.h) and Valgrind
// entries (common/valgrind_suppression.h). The caller holds g_mu.
size_t parse(const char* text, size_t length, const char* name) {
  if (!have_storage()) return 0;
  size_t added = 0;
  uint32_t line_no = 0;
  ValgrindParser entries;
  size_t kept_lines = g_line_count;  // frame lines past this one belong to the entry being read
  bool lines_full = false;
  for (size_t pos = 0; pos < length;) {
    ++line_no;
    const char* line = text + pos;
    const void* eol = memchr(line, '\n', length - pos);
    size_t n = eol != nullptr ? static_cast<size_t>(static_cast<const char*>(eol) - line) : length - pos;
    pos += n + 1;
    switch (valgrind_feed(entries, line, n, line_no)) {
      case ValgrindEvent::kNotValgrind:
        break;
      case ValgrindEvent::kNone:
      case ValgrindEvent::kOtherTool:
        continue;
      case ValgrindEvent::kBegin:
        g_line_count = kept_lines;
        lines_full = false;
        continue;
      case ValgrindEvent::kWarning:
        warn_valgrind(name, line_no, entries.line, entries.line_length, entries.problem);
        g_line_count = kept_lines;
        continue;
      case ValgrindEvent::kFrame:
        if (entries.note != nullptr) warn_valgrind(name, line_no, entries.line, entries.line_length, entries.note);
        if (!add_frame_line(entries.frame)) lines_full = true;
        continue;
      case ValgrindEvent::kEntry: {
        const ValgrindEntry& e = entries.entry;
        Rule rule{e.error_kinds,
                  e.leak_kinds,
                  true,
                  e.call,
                  e.call_length,
                  static_cast<uint32_t>(kept_lines),
                  static_cast<uint32_t>(g_line_count - kept_lines)};
        if (!lines_full && add_rule(rule, name)) {
          ++added;
          kept_lines = g_line_count;
        } else {
          if (lines_full) warn_full(name);
          g_line_count = kept_lines;
        }
        continue;
      }
    }
    SuppressionLine rule = parse_suppression_line(line, n);
    switch (rule.status) {
      case SuppressionLine::Status::kSkip:
        break;
      case SuppressionLine::Status::kNoColon:
      case SuppressionLine::Status::kNoPattern:
        warn(name, line_no, "malformed suppression");
        break;
      case SuppressionLine::Status::kUnknownKind:
        warn(name, line_no, "unknown kind in suppression");
        break;
      case SuppressionLine::Status::kRule:
        if (add_rule(pattern_rule(rule), name)) ++added;
        break;
    }
  }
  if (valgrind_unterminated(entries)) {
    warn_valgrind(name, entries.open_line, nullptr, 0, entries.problem);
    g_line_count = kept_lines;
  }
  return added;
}

// The file's text (never unmapped: the rules point into it); nullptr if it cannot be read.
char* read_file(const char* path, size_t* length) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  constexpr size_t kMax = 1 << 20;
  char* buf = static_cast<char*>(os_map(kMax));
  size_t len = 0;
  if (buf != nullptr)
    for (ssize_t n; (n = read(fd, buf + len, kMax - len)) > 0;) len += static_cast<size_t>(n);
  close(fd);
  *length = len;
  return buf;
}

FrameText frame_text(uintptr_t pc) {
  FrameInfo f;
  symbolize_frame(pc, true, &f);
  return frame_text_of(f);
}

// KIND:PATTERN rules: any frame of the stack matches a pattern of a rule selected by `applies`.
template <typename Applies>
bool any_frame_matches(StackId id, const Applies& applies) {
  if (g_pattern_rule_count == 0) return false;  // spares symbolizing the stack
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(id, &depth);
  for (uint32_t i = 0; frames != nullptr && i < depth; ++i) {
    FrameText text = frame_text(frames[i]);
    for (size_t r = 0; r < g_rule_count; ++r) {
      const Rule& rule = g_rules[r];
      if (!rule.valgrind && applies(rule) && suppression_matches_frame(rule.text, rule.text_length, text)) return true;
    }
  }
  return false;
}

// A Memcheck entry's frame lines against the top of the stack (`top`: Valgrind's frame 0).
bool entry_matches(const Rule& rule, const ValgrindTopFrame& top, StackId id) {
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(id, &depth);
  if (frames == nullptr) depth = 0;
  return valgrind_stack_matches(g_lines + rule.first_line, rule.line_count, top, depth,
                                [&](size_t i) { return frame_text(frames[i]); });
}

}  // namespace

const char* builtin_suppressions() { return kBuiltin; }

void load_suppressions() {
  ScopedLock lock(g_mu);
  if (g_loaded) return;
  g_loaded = true;
  if (g_options.builtin_suppressions) parse(kBuiltin, sizeof kBuiltin - 1, "<built-in suppressions>");
  const char* path = g_options.suppressions;
  if (path != nullptr && path[0] != '\0') {
    size_t length = 0;
    char* text = read_file(path, &length);
    if (text == nullptr) {
      InlineText<1024> msg;
      msg.str("debugmalloc: cannot read the suppressions file '").str(path).str("'\n");
      msg.flush(2);
      return;
    }
    parse(text, length, path);
  }
}

size_t add_suppressions(const char* text, size_t length, const char* name) {
  ScopedLock lock(g_mu);
  return parse(text, length, name);
}

bool leak_is_suppressed(StackId alloc_stack, LeakKind kind) {
  load_suppressions();
  if (g_rule_count == 0) return false;
  uint8_t bit = leak_kind_bit(kind);
  if (any_frame_matches(alloc_stack, [&](const Rule& r) { return (r.leak_kinds & bit) != 0; })) return true;
  for (size_t r = 0; r < g_rule_count; ++r) {
    const Rule& rule = g_rules[r];
    if (rule.valgrind && valgrind_entry_applies_to_leak(rule.leak_kinds, kind) &&
        entry_matches(rule, valgrind_top_for_allocation(), alloc_stack))
      return true;
  }
  return false;
}

bool error_is_suppressed(ErrorKind kind, StackId found_stack, StackId alloc_stack, const char* api) {
  load_suppressions();
  if (g_rule_count == 0) return false;
  uint16_t bit = error_kind_bit(kind);
  auto applies = [&](const Rule& r) { return (r.error_kinds & bit) != 0; };
  if (any_frame_matches(found_stack, applies) || any_frame_matches(alloc_stack, applies)) return true;
  size_t api_length = api != nullptr ? strlen(api) : 0;
  ValgrindErrorStack on = valgrind_error_stack(found_stack != 0, api, api_length);
  StackId stack = on.found_stack ? found_stack : alloc_stack;
  for (size_t r = 0; r < g_rule_count; ++r) {
    const Rule& rule = g_rules[r];
    if (rule.valgrind &&
        valgrind_entry_applies_to_error(rule.error_kinds, rule.text, rule.text_length, kind, api, api_length) &&
        entry_matches(rule, on.top, stack))
      return true;
  }
  return false;
}

}  // namespace dm
