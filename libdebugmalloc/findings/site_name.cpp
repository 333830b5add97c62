// Naming a stack after its first frame that is neither the runtime's nor an allocation wrapper.
#include "findings/site_name.h"

#include <cstring>

#include "support/options.h"

namespace dm {

namespace {

const char* base_name(const char* path) {
  const char* base = path;
  for (const char* p = path; *p != '\0'; ++p)
    if (*p == '/') base = p + 1;
  return base;
}

}  // namespace

FrameText frame_text_of(const FrameInfo& f) {
  FrameText text;
  if (f.function != nullptr) {
    text.function = f.function;
    text.function_length = strlen(f.function);
  }
  if (f.file != nullptr) {
    text.file = f.file;
    text.file_length = strlen(f.file);
  }
  if (f.module != nullptr) {
    text.module = f.module;
    text.module_length = strlen(f.module);
  }
  text.line = f.line;
  return text;
}

bool append_site_name(TextBuffer& out, StackId id) {
  uint32_t depth = 0;
  const uintptr_t* pcs = id != 0 ? depot_get(id, &depth) : nullptr;
  if (pcs == nullptr || depth == 0) return false;
  // One frame at a time, no array: this may run on a small signal stack. The names it points
  // to are the symbolizer's, kept for the life of the process.
  size_t index = naming_frame_index(
      depth,
      [&](size_t i) {
        FrameInfo info;
        symbolize_frame(pcs[i], g_options.symbolize, &info);
        return info;
      },
      g_options.alloc_fns);
  FrameInfo f;
  symbolize_frame(pcs[index], g_options.symbolize, &f);  // cached: the stack was just printed
  if (f.function[0] != '\0') {
    out.str(f.function);
    if (f.file[0] != '\0') {
      out.str(" (").str(base_name(f.file));
      if (f.line != 0) out.ch(':').dec(f.line);
      out.ch(')');
    }
  } else if (f.module != nullptr) {
    out.str(base_name(f.module)).str("+0x").hex(f.offset);  // where it is says more than a neighbour's name
  } else {
    out.ptr(pcs[index]);
  }
  return true;
}

}  // namespace dm
