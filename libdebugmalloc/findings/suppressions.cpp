// Suppression list parsing and matching against symbolized stacks.
#include "findings/suppressions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "common/suppression_rule.h"
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

enum : uint16_t { kLeakBit = 1u << kNumErrorKinds };

struct Entry {
  uint16_t kinds;       // bit per error kind, plus kLeakBit
  const char* pattern;  // not NUL-terminated: a view into the text it was read from
  size_t pattern_length;
};

constexpr size_t kMaxEntries = 1024;
constinit Entry g_entries[kMaxEntries];
constinit size_t g_count = 0;
constinit bool g_loaded = false;
constinit Mutex g_mu;

// The findings `rule` applies to, as bits: one per error kind, plus kLeakBit.
uint16_t kind_bits(const SuppressionLine& rule) {
  uint16_t bits = suppression_applies_to_leak(rule.scope) ? kLeakBit : 0;
  for (int k = 0; k < kNumErrorKinds; ++k)
    if (suppression_applies_to_error(rule.scope, rule.error_kind, static_cast<ErrorKind>(k)))
      bits = static_cast<uint16_t>(bits | (1u << k));
  return bits;
}

void warn(const char* file, int line, const char* what) {
  InlineText<1024> msg;
  msg.str("debugmalloc: ")
      .str(file)
      .ch(':')
      .dec(static_cast<uint64_t>(line))
      .str(": ")
      .str(what)
      .str(" (expected KIND:PATTERN, KIND one of leak, error or an error kind)\n");
  msg.flush(2);
}

// Adds the rules of `text` (common/suppression_rule.h tokenizes each line). The caller holds g_mu.
size_t parse(const char* text, size_t length, const char* name) {
  size_t added = 0;
  int line_no = 0;
  for (size_t pos = 0; pos < length;) {
    ++line_no;
    const char* line = text + pos;
    const void* eol = memchr(line, '\n', length - pos);
    size_t n = eol != nullptr ? static_cast<size_t>(static_cast<const char*>(eol) - line) : length - pos;
    pos += n + 1;
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
        if (g_count < kMaxEntries) {
          g_entries[g_count++] = Entry{kind_bits(rule), rule.pattern, rule.pattern_length};
          ++added;
        }
        break;
    }
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

FrameText frame_text(const FrameInfo& f) {
  FrameText text;
  text.function = f.function;
  text.function_length = strlen(f.function);
  if (f.file != nullptr) {
    text.file = f.file;
    text.file_length = strlen(f.file);
  }
  if (f.module != nullptr) {
    text.module = f.module;
    text.module_length = strlen(f.module);
  }
  return text;
}

bool frame_matches(uintptr_t pc, uint16_t bit) {
  FrameInfo f;
  symbolize_frame(pc, true, &f);
  FrameText text = frame_text(f);
  for (size_t i = 0; i < g_count; ++i) {
    const Entry& e = g_entries[i];
    if ((e.kinds & bit) != 0 && suppression_matches_frame(e.pattern, e.pattern_length, text)) return true;
  }
  return false;
}

bool stack_matches(StackId id, uint16_t bit) {
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(id, &depth);
  for (uint32_t i = 0; frames != nullptr && i < depth; ++i)
    if (frame_matches(frames[i], bit)) return true;
  return false;
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

bool leak_is_suppressed(StackId alloc_stack) {
  load_suppressions();
  return g_count != 0 && stack_matches(alloc_stack, kLeakBit);
}

bool error_is_suppressed(ErrorKind kind, StackId found_stack, StackId alloc_stack) {
  load_suppressions();
  if (g_count == 0) return false;
  uint16_t bit = static_cast<uint16_t>(1u << static_cast<int>(kind));
  return stack_matches(found_stack, bit) || stack_matches(alloc_stack, bit);
}

}  // namespace dm
