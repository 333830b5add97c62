// Option parsing from the environment, without allocating.
#include "support/options.h"

#include <fcntl.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstring>

#include "common/options_text.h"
#include "support/platform.h"
#include "support/text_buffer.h"

extern char** environ;

namespace dm {

constinit Options g_options;

namespace {

enum class Type { kBool, kUint, kString };

struct OptionInfo {
  const char* name;
  Type type;
  const char* default_text;
  const char* help;
};

#define DM_STR(x) #x
constexpr OptionInfo kOptionTable[] = {
#define DM_OPTION(type, name, def, help) {#name, Type::k##type##_, DM_STR(def), help},
#define kbool_ kBool
#define kuint_ kUint
#define kstring_ kString
#include "support/options.inc"
#undef DM_OPTION
};
#undef kbool_
#undef kuint_
#undef kstring_

const char* type_name(Type t) {
  switch (t) {
    case Type::kBool:
      return "bool";
    case Type::kUint:
      return "uint";
    case Type::kString:
      return "string";
  }
  return "?";
}

void* field_of(Options* o, const char* name) {
#define DM_OPTION(type, n, def, help) \
  if (strcmp(name, #n) == 0) return &o->n;
#include "support/options.inc"
#undef DM_OPTION
  return nullptr;
}

bool equals(const char* s, size_t n, const char* word) { return strlen(word) == n && memcmp(s, word, n) == 0; }

bool parse_bool(const char* s, size_t n, bool* out) {
  if (equals(s, n, "1") || equals(s, n, "true") || equals(s, n, "yes")) return *out = true, true;
  if (equals(s, n, "0") || equals(s, n, "false") || equals(s, n, "no")) return *out = false, true;
  return false;
}

bool parse_uint(const char* s, size_t n, uint64_t* out) {
  if (n == 0) return false;
  uint64_t base = 10, v = 0;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
    n -= 2;
  }
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint64_t>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = static_cast<uint64_t>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = static_cast<uint64_t>(c - 'A' + 10);
    else
      return false;
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  *out = v;
  return true;
}

// A value ends at ':' or at a ',' that starts the next "name=" (common/options_text.h: the
// tool reads the text back from report files by the same rule).
size_t value_length(const char* v) { return option_value_length(v, strlen(v)); }

struct Warner {
  WarnFn warn;
  bool ok = true;
  void say(const char* what, const char* name, size_t name_len, const char* detail) {
    ok = false;
    if (warn == nullptr) return;
    InlineText<512> line;
    line.str("debugmalloc: ").str(what).str(" '").bytes(name, name_len).str("' in DEBUGMALLOC_OPTIONS");
    if (detail != nullptr) line.str(": ").str(detail);
    line.str(" (DEBUGMALLOC_OPTIONS=help=1 lists the options)\n");
    warn(line.data(), line.size());
  }
};

}  // namespace

bool parse_options(const char* text, Options* options, char* storage, size_t storage_size, WarnFn warn) {
  Warner w{warn};
  size_t used = 0;
  const char* p = text;
  while (*p != '\0') {
    if (*p == ':' || *p == ',' || *p == ' ') {
      ++p;
      continue;
    }
    const char* name = p;
    while (*p != '\0' && *p != '=' && *p != ':' && *p != ',') ++p;
    size_t name_len = static_cast<size_t>(p - name);
    if (*p != '=') {
      w.say("missing '=value' for", name, name_len, nullptr);
      continue;
    }
    ++p;
    size_t value_len = value_length(p);
    const char* value = p;
    p += value_len;

    const OptionInfo* info = nullptr;
    for (const OptionInfo& o : kOptionTable)
      if (equals(name, name_len, o.name)) info = &o;
    if (info == nullptr) {
      w.say("unknown option", name, name_len, nullptr);
      continue;
    }
    void* field = field_of(options, info->name);
    switch (info->type) {
      case Type::kBool:
        if (!parse_bool(value, value_len, static_cast<bool*>(field)))
          w.say("bad value for", name, name_len, "expects 0 or 1");
        break;
      case Type::kUint:
        if (!parse_uint(value, value_len, static_cast<uint64_t*>(field)))
          w.say("bad value for", name, name_len, "expects a non-negative number");
        break;
      case Type::kString:
        if (used + value_len + 1 > storage_size) {
          w.say("value too long for", name, name_len, nullptr);
          break;
        }
        memcpy(storage + used, value, value_len);
        storage[used + value_len] = '\0';
        *static_cast<const char**>(field) = storage + used;
        used += value_len + 1;
        break;
    }
  }
  // Values that parse but make no sense.
  if (options->stack_depth > 64) {
    w.say("value out of range for", "stack_depth", 11, "at most 64; using 64");
    options->stack_depth = 64;
  }
  if (options->alloc_fill > 255 || options->free_fill > 255) {
    w.say("value out of range for", "alloc_fill/free_fill", 20, "a byte, 0..255; using the defaults");
    options->alloc_fill = 0xAA;
    options->free_fill = 0x55;
  }
  if (options->redzone > 2048) {
    w.say("value out of range for", "redzone", 7, "at most 2048; using 2048");
    options->redzone = 2048;
  }
  const char* mode = options->guard_pages;
  if (strcmp(mode, "sample") != 0 && strcmp(mode, "all") != 0 && strcmp(mode, "site") != 0 &&
      strcmp(mode, "off") != 0) {
    w.say("bad value for", "guard_pages", 11, "expects sample, all, site or off; using sample");
    options->guard_pages = "sample";
  }
  if (strcmp(options->guard_pages_align, "right") != 0 && strcmp(options->guard_pages_align, "left") != 0) {
    w.say("bad value for", "guard_pages_align", 17, "expects right or left; using right");
    options->guard_pages_align = "right";
  }
  if (options->guard_pages_max_size > 61440) {
    w.say("value out of range for", "guard_pages_max_size", 20, "at most 61440 (15 pages); using 61440");
    options->guard_pages_max_size = 61440;
  }
  return w.ok;
}

namespace {

constinit char g_string_storage[8192];

void warn_to_stderr(const char* line, size_t length) { os_write_all(2, line, length); }

// Calls fn(name, name_len, value) for each NAME=value of the initial environment.
template <typename Fn>
void for_each_env(Fn&& fn) {
  // /proc/self/environ works before libc has set `environ` (the first malloc may
  // come from the dynamic loader); `environ` is the fallback when /proc is missing.
  constexpr size_t kMax = 4 << 20;
  int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char* buf = static_cast<char*>(os_map(kMax));
    size_t len = 0;
    if (buf != nullptr) {
      for (;;) {
        ssize_t n = read(fd, buf + len, kMax - 1 - len);
        if (n <= 0) break;
        len += static_cast<size_t>(n);
      }
      buf[len] = '\0';
      for (size_t i = 0; i < len; i += strlen(buf + i) + 1) fn(buf + i);
      os_unmap(buf, kMax);
    }
    close(fd);
    if (buf != nullptr) return;
  }
  if (environ != nullptr)
    for (char** e = environ; *e != nullptr; ++e) fn(*e);
}

bool env_is(const char* entry, const char* name, const char** value) {
  size_t n = strlen(name);
  if (strncmp(entry, name, n) != 0 || entry[n] != '=') return false;
  *value = entry + n + 1;
  return true;
}

void apply_seed_flag(const char* value, bool* field, const char* name) {
  bool b;
  if (parse_bool(value, strlen(value), &b)) {
    *field = b;
    return;
  }
  InlineText<256> line;
  line.str("debugmalloc: bad value '").str(value).str("' for ").str(name).str(": expects 0 or 1\n");
  line.flush(2);
}

constinit char g_options_copy[8192] = {};

}  // namespace

const char* options_text() { return g_options_copy; }

void initialize_options() {
  if (getauxval(AT_SECURE) != 0) return;  // set-uid/set-gid: the environment is not trusted
  const char* text = nullptr;
  // Copy DEBUGMALLOC_OPTIONS before the environment buffer goes away.
  char* options_copy = g_options_copy;
  constexpr size_t kCopySize = sizeof g_options_copy;
  for_each_env([&](const char* entry) {
    const char* v;
    if (env_is(entry, "FtLeaks", &v))
      apply_seed_flag(v, &g_options.leaks, "FtLeaks");
    else if (env_is(entry, "FtMallocErrorAbort", &v))
      apply_seed_flag(v, &g_options.abort_on_error, "FtMallocErrorAbort");
    else if (env_is(entry, "FtMallocScribble", &v))
      apply_seed_flag(v, &g_options.scribble, "FtMallocScribble");
    else if (env_is(entry, "DEBUGMALLOC_OPTIONS", &v)) {
      size_t n = strlen(v);
      if (n >= kCopySize) n = kCopySize - 1;
      memcpy(options_copy, v, n);
      options_copy[n] = '\0';
      text = options_copy;
    }
  });
  if (text != nullptr) parse_options(text, &g_options, g_string_storage, sizeof g_string_storage, warn_to_stderr);
  if (g_options.help) print_options_help(2);
}

void print_options_help(int fd) {
  InlineText<512> line;
  line.str("debugmalloc options (DEBUGMALLOC_OPTIONS=name=value:name=value):\n");
  line.flush(fd);
  for (const OptionInfo& o : kOptionTable) {
    line.str("  ")
        .str(o.name)
        .pad_to(24)
        .str(type_name(o.type))
        .pad_to(32)
        .str(o.default_text)
        .pad_to(52)
        .str(o.help)
        .ch('\n');
    line.flush(fd);
  }
}

}  // namespace dm
