// Suppression list parsing and matching against symbolized stacks.
#include "findings/suppressions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "support/mutex.h"
#include "support/options.h"
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

enum : uint16_t { kLeakBit = 1u << kNumErrorKinds, kAllErrors = kLeakBit - 1 };

struct Entry {
  uint16_t kinds;  // bit per error kind, plus kLeakBit
  const char* pattern;
};

constexpr size_t kMaxEntries = 1024;
constinit Entry g_entries[kMaxEntries];
constinit size_t g_count = 0;
constinit bool g_loaded = false;
constinit Mutex g_mu;

uint16_t kind_bits(const char* kind, size_t n) {
  auto is = [&](const char* word) { return strlen(word) == n && memcmp(kind, word, n) == 0; };
  if (is("leak")) return kLeakBit;
  if (is("error")) return kAllErrors;
  for (int k = 0; k < kNumErrorKinds; ++k)
    if (is(error_kind_name(static_cast<ErrorKind>(k)))) return static_cast<uint16_t>(1u << k);
  return 0;
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

// Parses `text` in place (lines become NUL-terminated patterns).
void parse(char* text, const char* name) {
  int line_no = 0;
  for (char* line = text; line != nullptr && *line != '\0';) {
    ++line_no;
    char* eol = strchr(line, '\n');
    char* next = eol != nullptr ? eol + 1 : nullptr;
    if (eol != nullptr) *eol = '\0';
    while (*line == ' ' || *line == '\t') ++line;
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len != 0 && line[0] != '#') {
      char* colon = strchr(line, ':');
      uint16_t kinds = colon != nullptr ? kind_bits(line, static_cast<size_t>(colon - line)) : 0;
      if (colon == nullptr || colon[1] == '\0')
        warn(name, line_no, "malformed suppression");
      else if (kinds == 0)
        warn(name, line_no, "unknown kind in suppression");
      else if (g_count < kMaxEntries)
        g_entries[g_count++] = Entry{kinds, colon + 1};
    }
    line = next;
  }
}

char* read_file(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  constexpr size_t kMax = 1 << 20;
  char* buf = static_cast<char*>(os_map(kMax));
  size_t len = 0;
  if (buf != nullptr) {
    for (ssize_t n; (n = read(fd, buf + len, kMax - 1 - len)) > 0;) len += static_cast<size_t>(n);
    buf[len] = '\0';
  }
  close(fd);
  return buf;
}

// A path matches as a whole or by its last component (`leak:libpython3*`), as in the reporter.
bool path_matches(const char* pattern, const char* path) {
  if (path == nullptr || path[0] == '\0') return false;
  if (glob_match(pattern, path)) return true;
  const char* base = strrchr(path, '/');
  return base != nullptr && glob_match(pattern, base + 1);
}

bool frame_matches(uintptr_t pc, uint16_t bit) {
  FrameInfo f;
  symbolize_frame(pc, true, &f);
  for (size_t i = 0; i < g_count; ++i) {
    if ((g_entries[i].kinds & bit) == 0) continue;
    const char* p = g_entries[i].pattern;
    if ((f.function[0] != '\0' && glob_match(p, f.function)) || path_matches(p, f.file) || path_matches(p, f.module))
      return true;
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

bool glob_match(const char* pattern, const char* text) {
  const char* star = nullptr;
  const char* resume = nullptr;
  while (*text != '\0') {
    if (*pattern == '*') {
      star = pattern++;
      resume = text;
    } else if (*pattern == '?' || *pattern == *text) {
      ++pattern;
      ++text;
    } else if (star != nullptr) {
      pattern = star + 1;
      text = ++resume;
    } else {
      return false;
    }
  }
  while (*pattern == '*') ++pattern;
  return *pattern == '\0';
}

const char* builtin_suppressions() { return kBuiltin; }

void load_suppressions() {
  ScopedLock lock(g_mu);
  if (g_loaded) return;
  g_loaded = true;
  if (g_options.builtin_suppressions) {
    static constinit char builtin_copy[sizeof kBuiltin];
    memcpy(builtin_copy, kBuiltin, sizeof kBuiltin);
    parse(builtin_copy, "<built-in suppressions>");
  }
  const char* path = g_options.suppressions;
  if (path != nullptr && path[0] != '\0') {
    char* text = read_file(path);
    if (text == nullptr) {
      InlineText<1024> msg;
      msg.str("debugmalloc: cannot read the suppressions file '").str(path).str("'\n");
      msg.flush(2);
      return;
    }
    parse(text, path);
  }
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
