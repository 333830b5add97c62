// In-process symbolization of return addresses for the library's own reports:
// module + offset always (from the module table), and function (demangled),
// file and line from debug info or the symbol table when there is one, through
// libbacktrace (the backend of Boost.Stacktrace, called directly: Boost's
// frame::name() starts with dladdr(), whose cost grows with the module's symbol
// count; it took half of a compiler's run under the leak check).
// Results are cached per address. Runs under ScopedInternal: whatever it
// allocates goes to the internal arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/text_buffer.h"

namespace dm {

struct FrameInfo {
  const char* module = nullptr;  // absolute path of the object file, or nullptr
  uintptr_t offset = 0;          // pc - module load base
  const char* function = "";     // demangled name, "" if unknown
  const char* file = "";         // source file, "" if unknown
  unsigned line = 0;             // 0 if unknown
};

// Fills `out` for the return address `pc` (the call site pc - 1 is what is looked up).
// With `full` false only module and offset are resolved. The strings live as long
// as the process.
void symbolize_frame(uintptr_t pc, bool full, FrameInfo* out);

// Whether `name` is an Itanium C++ mangled name ("_Z..."). Only those are
// demangled: the demangler also accepts bare type codes, so a C function "f"
// would read "float", "i" "int", "d" "double".
bool is_mangled(const char* name);

// The name to show for the symbol `name`: demangled if it is mangled and the
// demangler accepts it, else `name` unchanged. A kept string (lives as long as
// the process). The demangler's own allocation goes to the internal arena.
const char* demangled_name(const char* name);

// Appends "    #i 0xPC in FUNCTION FILE:LINE (MODULE+0xOFFSET)\n" for each frame.
void format_stack(TextBuffer& out, const uintptr_t* frames, uint32_t depth, const char* line_prefix);

void symbolizer_lock();
void symbolizer_unlock();
void symbolizer_reset_after_fork();

}  // namespace dm
