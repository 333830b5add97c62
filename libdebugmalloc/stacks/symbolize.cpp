// Symbolization through the module table and libbacktrace, cached per address.
#include "stacks/symbolize.h"

#include <backtrace.h>
#include <cxxabi.h>
#include <stdlib.h>

#include <cstring>

#include "support/check.h"
#include "support/internal_arena.h"
#include "support/kept_strings.h"
#include "support/mmap_vector.h"
#include "stacks/modules.h"
#include "support/mutex.h"
#include "support/options.h"

namespace dm {

namespace {

struct CacheEntry {
  uintptr_t pc;  // 0 = empty
  FrameInfo info;
  bool full;  // function/file/line were looked up
};

constinit Mutex g_mu;
constinit backtrace_state* g_state = nullptr;
constinit bool g_state_tried = false;
// Open addressing on pc, grown at half load. Created in place, never destroyed.
alignas(MmapVector<CacheEntry>) constinit char g_cache_storage[sizeof(MmapVector<CacheEntry>)] = {};
constinit MmapVector<CacheEntry>* g_cache = nullptr;
constinit size_t g_cache_used = 0;

void ignore_error(void*, const char*, int) {}

backtrace_state* state() {
  if (!g_state_tried) {
    g_state_tried = true;
    g_state = backtrace_create_state(nullptr, /*threaded=*/1, ignore_error, nullptr);
  }
  return g_state;
}

struct PcInfo {
  FrameInfo* out;
  bool found;
};

// Called innermost first for inlined frames: the first call is where the code is.
int on_pcinfo(void* data, uintptr_t, const char* file, int line, const char* function) {
  auto* info = static_cast<PcInfo*>(data);
  if (file != nullptr) info->out->file = keep_string(file, strlen(file));
  if (line > 0) info->out->line = static_cast<unsigned>(line);
  if (function != nullptr) info->out->function = demangled_name(function);
  info->found = true;
  return 1;
}

void on_syminfo(void* data, uintptr_t, const char* symbol, uintptr_t, uintptr_t) {
  auto* out = static_cast<FrameInfo*>(data);
  if (symbol != nullptr) out->function = demangled_name(symbol);
}

CacheEntry* find_slot(uintptr_t pc) {
  if (g_cache == nullptr) g_cache = new (g_cache_storage) MmapVector<CacheEntry>();
  if (g_cache->size() == 0 || g_cache_used * 2 >= g_cache->size()) {
    size_t cap = g_cache->size() == 0 ? 4096 : g_cache->size() * 2;
    MmapVector<CacheEntry> old;
    for (const CacheEntry& e : *g_cache)
      if (e.pc != 0) old.push_back(e);
    g_cache->reset();
    DM_CHECK(g_cache->reserve(cap));  // the probing below needs all `cap` entries (a power of two)
    for (size_t i = 0; i < cap; ++i) g_cache->push_back(CacheEntry{});
    g_cache_used = 0;
    for (const CacheEntry& e : old) {
      CacheEntry* slot = find_slot(e.pc);
      *slot = e;
      ++g_cache_used;
    }
  }
  size_t mask = g_cache->size() - 1;
  for (size_t i = (pc * 0x9E3779B97F4A7C15ull) >> 40 & mask;; i = (i + 1) & mask) {
    CacheEntry& e = (*g_cache)[i];
    if (e.pc == pc || e.pc == 0) return &e;
  }
}

void resolve_module(uintptr_t call_site, FrameInfo* out) {
  Module m;
  if (!module_for(call_site, &m)) {
    modules_refresh();  // a library loaded since the table was made
    if (!module_for(call_site, &m)) return;
  }
  out->module = m.path;
  out->offset = call_site + 1 - m.base;
}

}  // namespace

// Only mangled names (the Itanium ABI's "_Z" prefix) are demangled: the
// demangler also accepts bare type codes, so a C function "f" would read "float".
bool is_mangled(const char* name) { return name[0] == '_' && name[1] == 'Z'; }

const char* demangled_name(const char* name) {
  if (!is_mangled(name)) return keep_string(name, strlen(name));
  ScopedInternal internal;  // __cxa_demangle mallocs: from the internal arena
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  const char* shown = status == 0 && demangled != nullptr ? demangled : name;
  const char* kept = keep_string(shown, strlen(shown));
  free(demangled);  // the arena's (we are in internal code)
  return kept;
}

void symbolize_frame(uintptr_t pc, bool full, FrameInfo* out) {
  uintptr_t call_site = pc > 0 ? pc - 1 : pc;
  ScopedInternal internal;
  ScopedLock lock(g_mu);
  CacheEntry* e = find_slot(pc);
  if (e->pc == 0) {
    e->pc = pc;
    e->info = FrameInfo{};
    e->full = false;
    ++g_cache_used;
    resolve_module(call_site, &e->info);
  }
  if (full && !e->full) {
    e->full = true;
    if (backtrace_state* s = state()) {
      PcInfo info{&e->info, false};
      backtrace_pcinfo(s, call_site, on_pcinfo, ignore_error, &info);
      if (e->info.function[0] == '\0') backtrace_syminfo(s, call_site, on_syminfo, ignore_error, &e->info);
    }
  }
  *out = e->info;
  if (!full) {
    out->function = "";
    out->file = "";
    out->line = 0;
  }
}

void format_stack(TextBuffer& out, const uintptr_t* frames, uint32_t depth, const char* line_prefix) {
  if (depth == 0) {
    out.str(line_prefix).str("    <no stack recorded>\n");
    return;
  }
  FrameInfo f;
  for (uint32_t i = 0; i < depth; ++i) {
    symbolize_frame(frames[i], g_options.symbolize, &f);
    out.str(line_prefix).str("    #").dec(i).ch(' ').ptr(frames[i]);
    if (f.function[0] != '\0') out.str(" in ").str(f.function);
    if (f.file[0] != '\0') {
      out.ch(' ').str(f.file);
      if (f.line != 0) out.ch(':').dec(f.line);
    }
    if (f.module != nullptr) out.str(" (").str(f.module).str("+0x").hex(f.offset).ch(')');
    out.ch('\n');
  }
}

void symbolizer_lock() { g_mu.lock(); }
void symbolizer_unlock() { g_mu.unlock(); }
void symbolizer_reset_after_fork() { g_mu.reset_after_fork(); }

}  // namespace dm
