// In-process symbolization of return addresses for the library's own reports:
// module + offset always (dladdr), and function (demangled), file and line
// through Boost.Stacktrace's libbacktrace backend when debug info exists.
// Runs under ScopedInternal: whatever it allocates goes to the internal arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "text_buffer.h"

namespace dm {

struct FrameInfo {
  const char* module = nullptr;  // absolute path of the object file, or nullptr
  uintptr_t offset = 0;          // pc - module load base
  char function[512] = {};       // demangled name, empty if unknown
  char file[512] = {};           // source file, empty if unknown
  unsigned line = 0;             // 0 if unknown
};

// Fills `out` for the return address `pc` (the call site pc - 1 is what is looked up).
// With `full` false only module and offset are resolved (cheap, no debug info read).
void symbolize_frame(uintptr_t pc, bool full, FrameInfo* out);

// Appends "    #i 0xPC in FUNCTION FILE:LINE (MODULE+0xOFFSET)\n" for each frame.
void format_stack(TextBuffer& out, const uintptr_t* frames, uint32_t depth, const char* line_prefix);

}  // namespace dm
