// Symbolization with dladdr and Boost.Stacktrace (libbacktrace backend).
// Built with exceptions: Boost may throw (e.g. bad_alloc from the arena).
#include "symbolize.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstring>

#define BOOST_STACKTRACE_USE_BACKTRACE
#include <boost/stacktrace/frame.hpp>

#include "internal_arena.h"
#include "options.h"
#include "process_info.h"

namespace dm {

namespace {

void copy_bounded(char* dst, size_t cap, const char* src, size_t n) {
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

}  // namespace

void symbolize_frame(uintptr_t pc, bool full, FrameInfo* out) {
  *out = FrameInfo{};
  uintptr_t call_site = pc > 0 ? pc - 1 : pc;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(call_site), &info) != 0) {
    out->module = info.dli_fname;
    out->offset = pc - reinterpret_cast<uintptr_t>(info.dli_fbase);
    // The main program shows up with an empty name (or argv[0]): use its real path.
    if (out->module == nullptr || out->module[0] != '/') out->module = executable_path();
  }
  if (!full) return;
  ScopedInternal internal;
  try {
    boost::stacktrace::frame frame(reinterpret_cast<void*>(call_site));
    std::string name = frame.name();
    copy_bounded(out->function, sizeof out->function, name.data(), name.size());
    std::string file = frame.source_file();
    copy_bounded(out->file, sizeof out->file, file.data(), file.size());
    out->line = static_cast<unsigned>(frame.source_line());
  } catch (...) {
    // Keep what we have: module + offset are always enough to symbolize later.
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

}  // namespace dm
