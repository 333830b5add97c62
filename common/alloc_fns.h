// Allocation wrappers (the `alloc_fns` option of the library, `--alloc-fns` of the tool) and the
// rule that picks the frame naming a stack: the frame in the headline of a finding, its group,
// its SARIF location and its bar in the HTML chart. The library (its text on stderr) and the
// tool use this one rule, so that both name a finding after the same frame.
//
// A stack is named after its first frame that is neither the runtime's (the allocator, the C
// and C++ runtime libraries, the dynamic loader, inline code of the system's headers) nor an
// allocation wrapper (a function that allocates for its caller: xmalloc, g_malloc, strdup,
// operator new, PyMem_Malloc, ...). Only that leading run is skipped: a wrapper deeper in the
// stack is an ordinary frame. Every frame stays in the stack that is shown.
//
// A list of wrappers is the option's value: globs (common/glob.h) matched against the whole
// demangled function name, separated by ','; blanks around each are ignored. The built-in
// list below is always added, unless the list holds the item "-".
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

#include <stddef.h>

#include "common/glob.h"
#include "common/suppression_rule.h"

namespace dm {

// The allocation wrappers every program gets. GLib's g_new, g_new0, g_renew and g_try_new are
// macros: their frames are g_malloc_n, g_malloc0_n, g_realloc_n and g_try_malloc_n.
inline constexpr const char* kBuiltinAllocFns[] = {
    // libiberty (GCC, binutils, GDB) and the programs that copied it (bash, make, ...)
    "xmalloc", "xcalloc", "xrealloc", "xstrdup", "xstrndup", "xmemdup",
    // GLib
    "g_malloc*", "g_realloc*", "g_try_malloc*", "g_try_realloc*", "g_strdup*", "g_strndup", "g_memdup*",
    "g_slice_alloc*",
    // the C library's, as exported and as its debug information names them (___asprintf,
    // __vasprintf_internal, __GI___strdup)
    "strdup", "strndup", "__strdup", "__strndup", "__GI___strdup", "__GI___strndup", "*asprintf*",
    // C++: every operator new (array, nothrow, aligned) and the standard allocators
    "operator new*", "std::allocator<*>::allocate*", "std::__new_allocator<*>::allocate*",
    "__gnu_cxx::new_allocator<*>::allocate*", "std::allocator_traits<*>::allocate*",
    // CPython: the PyMem and PyObject allocators, pymalloc's arenas, the object constructors
    "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Raw*", "_PyMem_Raw*", "_PyMem_Debug*", "_PyMem_Strdup",
    "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "_PyObject_Malloc*", "_PyObject_Calloc",
    "_PyObject_Realloc", "pymalloc_alloc", "pymalloc_realloc", "allocate_from_new_pool", "new_arena", "arena_map_get",
    "_PyObject_GC_New*", "_PyObject_GC_Alloc", "gc_alloc", "_PyObject_New*", "PyType_GenericAlloc",
    "_PyType_AllocNoTrack"};

// The library's option (support/options.inc), as the tool finds it in a report's options text.
inline constexpr char kAllocFnsOption[] = "alloc_fns";

// The item of a list that turns the built-in list off (`alloc_fns=-`, `alloc_fns=-,my_alloc`).
inline constexpr char kNoBuiltinAllocFns[] = "-";

constexpr size_t c_string_length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

// Steps through the items of a list: each call sets `item` to the next one, trimmed, and
// returns false at the end. Empty items are skipped. `position` starts at 0.
constexpr bool next_alloc_fn(const char* list, size_t length, size_t* position, const char** item,
                             size_t* item_length) {
  while (*position < length) {
    size_t begin = *position, end = begin;
    while (end < length && list[end] != ',') ++end;
    *position = end < length ? end + 1 : end;
    while (begin < end && (list[begin] == ' ' || list[begin] == '\t')) ++begin;
    while (end > begin && (list[end - 1] == ' ' || list[end - 1] == '\t')) --end;
    if (begin == end) continue;
    *item = list + begin;
    *item_length = end - begin;
    return true;
  }
  return false;
}

constexpr bool is_no_builtins_item(const char* item, size_t length) { return length == 1 && item[0] == '-'; }

// False when the list turns the built-in list off.
constexpr bool alloc_fns_keep_builtins(const char* list, size_t length) {
  size_t position = 0;
  const char* item = nullptr;
  size_t item_length = 0;
  while (next_alloc_fn(list, length, &position, &item, &item_length))
    if (is_no_builtins_item(item, item_length)) return false;
  return true;
}

constexpr bool is_builtin_alloc_fn(const char* function, size_t length) {
  for (const char* pattern : kBuiltinAllocFns)
    if (glob_match(pattern, c_string_length(pattern), function, length)) return true;
  return false;
}

// True when `function` (demangled, whole) is an allocation wrapper for `list`: it matches one of
// the list's globs or, unless the list turns them off, one of the built-ins. A frame without a
// function name is never one.
constexpr bool is_alloc_fn(const char* function, size_t length, const char* list, size_t list_length) {
  if (length == 0) return false;
  size_t position = 0;
  const char* item = nullptr;
  size_t item_length = 0;
  bool builtins = true;
  while (next_alloc_fn(list, list_length, &position, &item, &item_length)) {
    if (is_no_builtins_item(item, item_length))
      builtins = false;
    else if (glob_match(item, item_length, function, length))
      return true;
  }
  return builtins && is_builtin_alloc_fn(function, length);
}

// The runtime's frames: never where a person looks for the bug, and never a finding's name.
// Modules by the start of their file name, functions by name or by the start of their name.
inline constexpr const char* kRuntimeModulePrefixes[] = {"libdebugmalloc.so", "libc.so", "libstdc++.so",  "libgcc_s.so",
                                                         "ld-linux",          "libm.so", "libpthread.so", "libc++"};
inline constexpr const char* kRuntimeFunctions[] = {
    "malloc",        "free",     "calloc", "realloc", "reallocarray", "posix_memalign",
    "aligned_alloc", "memalign", "valloc", "pvalloc", "_start",       "malloc_usable_size"};
inline constexpr const char* kRuntimeFunctionPrefixes[] = {
    "operator new", "operator delete", "__libc_", "std::", "__gnu_cxx::", "dm::", "debugmalloc"};
// Inline code from the system's headers (libstdc++'s containers and the like).
inline constexpr char kSystemHeaderDirectory[] = "/usr/include/";

constexpr bool starts_with_text(const char* text, size_t length, const char* prefix) {
  size_t n = c_string_length(prefix);
  if (n > length) return false;
  for (size_t i = 0; i < n; ++i)
    if (text[i] != prefix[i]) return false;
  return true;
}

constexpr bool is_runtime_frame(const FrameText& frame) {
  if (frame.module_length != 0) {
    size_t base = frame.module_length;
    while (base > 0 && frame.module[base - 1] != '/') --base;
    for (const char* prefix : kRuntimeModulePrefixes)
      if (starts_with_text(frame.module + base, frame.module_length - base, prefix)) return true;
  }
  if (frame.function_length != 0) {
    for (const char* name : kRuntimeFunctions)
      if (same_word(name, frame.function, frame.function_length)) return true;
    for (const char* prefix : kRuntimeFunctionPrefixes)
      if (starts_with_text(frame.function, frame.function_length, prefix)) return true;
  }
  return starts_with_text(frame.file, frame.file_length, kSystemHeaderDirectory);
}

// What `naming_frame` returns when every frame is the runtime's: the caller names the stack by
// its first frame then.
inline constexpr size_t kNoNamingFrame = ~size_t{0};

// The index of the frame that names a stack of `count` frames, `frame_at(i)` giving frame i as
// FrameText: the first frame that is neither the runtime's nor a wrapper of `list`; when every
// frame up to the end is one of those, the first frame that is not the runtime's (a stack made
// only of wrappers is named after its first wrapper); when there is none, kNoNamingFrame.
template <typename FrameAt>
constexpr size_t naming_frame(size_t count, FrameAt&& frame_at, const char* list, size_t list_length) {
  size_t first_not_runtime = kNoNamingFrame;
  for (size_t i = 0; i < count; ++i) {
    FrameText frame = frame_at(i);
    if (is_runtime_frame(frame)) continue;
    if (first_not_runtime == kNoNamingFrame) first_not_runtime = i;
    if (!is_alloc_fn(frame.function, frame.function_length, list, list_length)) return i;
  }
  return first_not_runtime;
}

}  // namespace dm
