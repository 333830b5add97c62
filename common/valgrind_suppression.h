// Valgrind's suppression entries (`{ ... }` blocks), read by the library (`suppressions`
// option) and the tool (`--suppressions`) alike, so that a file Valgrind users already have
// means the same to both (docs/user-guide.md, "Suppressions"). A file may mix these entries
// with `KIND:PATTERN` lines (common/suppression_rule.h): a line `{` starts an entry.
//
//     {
//        a name
//        Memcheck:Leak                      TOOL[,TOOL...]:KIND; other tools' entries are skipped
//        match-leak-kinds: definite,possible    (Leak: optional; Param, FishyValue: their own line)
//        fun:malloc                         frame lines from the top of the stack: fun:GLOB,
//        ...                                obj:GLOB, src:FILE[:LINE], and `...` (any frames)
//        fun:main
//     }
//
// Valgrind's rules are kept: `#` lines are comments anywhere, the frame lines match a prefix
// of the stack in order, `fun:` the function name, `obj:` the whole object path, `src:` the
// source file (and line); an unknown name or object is "???". Two things differ, because
// Valgrind's stacks and ours differ:
//  - Valgrind's stack starts at the allocation or deallocation function that Memcheck
//    replaces (malloc, operator new, free, memcpy...); ours start at its caller. That
//    function is put back as a frame 0 of its own (ValgrindTopFrame): for an error, the
//    call that found it (its `api`); for a leak, which allocation function made the block is
//    not recorded, so any of them matches. A rule may also start directly at the caller.
//  - Reports keep demangled names; Valgrind matches `fun:` against mangled ones. A plain
//    mangled name (`fun:_ZN3foo3barEv`) is demangled by each side and compared with the
//    frame's name; a mangled name with wildcards matches nothing (a warning says so).
//
// The parser is fed one line at a time and keeps no frame lines itself: each side stores the
// frame lines of the entry it is reading (kFrame) and keeps them at its end (kEntry).
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/glob.h"
#include "common/kinds.h"
#include "common/suppression_rule.h"

namespace dm {

// ---------------------------------------------------------------------------------------
// Memcheck's kinds and the findings each suppresses here.

constexpr uint16_t error_kind_bit(ErrorKind kind) { return static_cast<uint16_t>(1u << static_cast<int>(kind)); }
constexpr uint8_t leak_kind_bit(LeakKind kind) { return static_cast<uint8_t>(1u << static_cast<int>(kind)); }
inline constexpr uint8_t kAllLeakKindBits = (1u << kNumLeakKinds) - 1;

// Invalid reads and writes. Valgrind names the access size (Addr1 ... Addr32); the size of a
// bad access is not known here, so every AddrN suppresses all of them. A smashed block header
// is the mark of such a write.
inline constexpr uint16_t kMemcheckAddrErrors =
    error_kind_bit(ErrorKind::kHeapBufferOverflow) | error_kind_bit(ErrorKind::kHeapBufferUnderflow) |
    error_kind_bit(ErrorKind::kUseAfterFree) | error_kind_bit(ErrorKind::kHeapCorruption);
// "Invalid free() / delete / delete[] / realloc()" and "Mismatched free() / delete / delete []".
inline constexpr uint16_t kMemcheckFreeErrors = error_kind_bit(ErrorKind::kDoubleFree) |
                                                error_kind_bit(ErrorKind::kInvalidFree) |
                                                error_kind_bit(ErrorKind::kAllocDeallocMismatch);
// "Argument 'size' of function malloc has a fishy (possibly negative) value"; calloc's
// overflowing count * size is the same mistake in its other form.
inline constexpr uint16_t kMemcheckFishyErrors =
    error_kind_bit(ErrorKind::kAllocationSizeTooBig) | error_kind_bit(ErrorKind::kCallocOverflow);

// The line a Memcheck kind takes after `Memcheck:KIND`.
enum class MemcheckExtra : uint8_t {
  kNone,
  kLeakKinds,   // Leak: optional `match-leak-kinds: definite,possible` (default: all)
  kParam,       // Param: required, the system call's parameter, `read(buf)`
  kFishyValue,  // FishyValue: optional, the function and its argument, `malloc(size)`
};

struct MemcheckKind {
  const char* name;
  uint16_t error_kinds;  // the error kinds it suppresses (error_kind_bit)
  bool leaks;            // it suppresses leaks (then match-leak-kinds says which)
  MemcheckExtra extra;
};

// Every kind Memcheck's suppressions name (Valgrind 3.22). Those with no error kinds and no
// leaks are errors debugmalloc does not find (uninitialised values, jumps, client requests,
// mempools, alignment arguments): their entries are read and never match.
inline constexpr MemcheckKind kMemcheckKinds[] = {
    {"Leak", 0, true, MemcheckExtra::kLeakKinds},
    {"Addr1", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Addr2", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Addr4", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Addr8", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Addr16", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Addr32", kMemcheckAddrErrors, false, MemcheckExtra::kNone},
    {"Free", kMemcheckFreeErrors, false, MemcheckExtra::kNone},
    {"Overlap", error_kind_bit(ErrorKind::kMemcpyParamOverlap), false, MemcheckExtra::kNone},
    // A system call's buffer outside its block: the C library checks of read(), recv()...
    {"Param", kMemcheckAddrErrors, false, MemcheckExtra::kParam},
    {"FishyValue", kMemcheckFishyErrors, false, MemcheckExtra::kFishyValue},
    {"SizeMismatch", error_kind_bit(ErrorKind::kAllocDeallocMismatch), false, MemcheckExtra::kNone},
    {"AlignMismatch", error_kind_bit(ErrorKind::kAllocDeallocMismatch), false, MemcheckExtra::kNone},
    {"Cond", 0, false, MemcheckExtra::kNone},
    {"Value0", 0, false, MemcheckExtra::kNone},
    {"Value1", 0, false, MemcheckExtra::kNone},
    {"Value2", 0, false, MemcheckExtra::kNone},
    {"Value4", 0, false, MemcheckExtra::kNone},
    {"Value8", 0, false, MemcheckExtra::kNone},
    {"Value16", 0, false, MemcheckExtra::kNone},
    {"Value32", 0, false, MemcheckExtra::kNone},
    {"Jump", 0, false, MemcheckExtra::kNone},
    {"User", 0, false, MemcheckExtra::kNone},
    {"CoreMem", 0, false, MemcheckExtra::kNone},
    {"Mempool", 0, false, MemcheckExtra::kNone},
    {"ReallocZero", 0, false, MemcheckExtra::kNone},
    {"BadAlign", 0, false, MemcheckExtra::kNone},
    {"BadSize", 0, false, MemcheckExtra::kNone},
};

inline constexpr char kMemcheckTool[] = "Memcheck";

constexpr const MemcheckKind* memcheck_kind_from_name(const char* name, size_t length) {
  for (const MemcheckKind& kind : kMemcheckKinds)
    if (same_word(kind.name, name, length)) return &kind;
  return nullptr;
}

// The Memcheck kind written for a finding (`debugmalloc report --format valgrind-suppressions`).
// The size of a bad access is not known: Addr1 stands for them all (any AddrN matches here).
inline constexpr char kMemcheckLeak[] = "Leak";
constexpr const char* memcheck_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kHeapBufferOverflow:
    case ErrorKind::kHeapBufferUnderflow:
    case ErrorKind::kUseAfterFree:
    case ErrorKind::kHeapCorruption:
      return "Addr1";
    case ErrorKind::kDoubleFree:
    case ErrorKind::kInvalidFree:
    case ErrorKind::kAllocDeallocMismatch:
      return "Free";
    case ErrorKind::kMemcpyParamOverlap:
      return "Overlap";
    case ErrorKind::kAllocationSizeTooBig:
    case ErrorKind::kCallocOverflow:
      return "FishyValue";
  }
  return "Addr1";
}

// ---------------------------------------------------------------------------------------
// Frame 0 of Valgrind's stacks: the function Memcheck replaces, which our stacks leave out.

// Its names as Valgrind shows them (mangled, Z-decoded) and as a demangler writes them.
inline constexpr const char* kValgrindNewFunctions[] = {
    "_Znwm",
    "_ZnwmRKSt9nothrow_t",
    "_ZnwmSt11align_val_t",
    "_ZnwmSt11align_val_tRKSt9nothrow_t",
    "__builtin_new",
    "operator new(unsigned long)",
    "operator new(unsigned long, std::nothrow_t const&)",
    "operator new(unsigned long, std::align_val_t)",
    "operator new(unsigned long, std::align_val_t, std::nothrow_t const&)",
};
inline constexpr const char* kValgrindNewArrayFunctions[] = {
    "_Znam",
    "_ZnamRKSt9nothrow_t",
    "_ZnamSt11align_val_t",
    "_ZnamSt11align_val_tRKSt9nothrow_t",
    "__builtin_vec_new",
    "operator new[](unsigned long)",
    "operator new[](unsigned long, std::nothrow_t const&)",
    "operator new[](unsigned long, std::align_val_t)",
    "operator new[](unsigned long, std::align_val_t, std::nothrow_t const&)",
};
inline constexpr const char* kValgrindDeleteFunctions[] = {
    "_ZdlPv",
    "_ZdlPvm",
    "_ZdlPvRKSt9nothrow_t",
    "_ZdlPvSt11align_val_t",
    "_ZdlPvmSt11align_val_t",
    "_ZdlPvSt11align_val_tRKSt9nothrow_t",
    "__builtin_delete",
    "operator delete(void*)",
    "operator delete(void*, unsigned long)",
    "operator delete(void*, std::nothrow_t const&)",
    "operator delete(void*, std::align_val_t)",
    "operator delete(void*, unsigned long, std::align_val_t)",
    "operator delete(void*, std::align_val_t, std::nothrow_t const&)",
};
inline constexpr const char* kValgrindDeleteArrayFunctions[] = {
    "_ZdaPv",
    "_ZdaPvm",
    "_ZdaPvRKSt9nothrow_t",
    "_ZdaPvSt11align_val_t",
    "_ZdaPvmSt11align_val_t",
    "_ZdaPvSt11align_val_tRKSt9nothrow_t",
    "__builtin_vec_delete",
    "operator delete[](void*)",
    "operator delete[](void*, unsigned long)",
    "operator delete[](void*, std::nothrow_t const&)",
    "operator delete[](void*, std::align_val_t)",
    "operator delete[](void*, unsigned long, std::align_val_t)",
    "operator delete[](void*, std::align_val_t, std::nothrow_t const&)",
};
// The C allocation functions.
inline constexpr const char* kValgrindMallocFunctions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign", "aligned_alloc", "valloc", "pvalloc",
};

// Lists joined at compile time (no allocation): one list of names made of several.
template <size_t N>
struct ValgrindNames {
  const char* names[N];
};
template <size_t A, size_t B, size_t C>
constexpr ValgrindNames<A + B + C> join_valgrind_names(const char* const (&a)[A], const char* const (&b)[B],
                                                       const char* const (&c)[C]) {
  ValgrindNames<A + B + C> out{};
  for (size_t i = 0; i < A; ++i) out.names[i] = a[i];
  for (size_t i = 0; i < B; ++i) out.names[A + i] = b[i];
  for (size_t i = 0; i < C; ++i) out.names[A + B + i] = c[i];
  return out;
}

// Every function that makes a block: a leak's frame 0 may be any of them.
inline constexpr auto kValgrindAllocationFunctions =
    join_valgrind_names(kValgrindMallocFunctions, kValgrindNewFunctions, kValgrindNewArrayFunctions);

// Frame 0 of a Valgrind stack: one of `names`, or the one name given by length; absent when
// the finding was not found by a call (a fault is caught at the instruction itself).
struct ValgrindTopFrame {
  const char* const* names = nullptr;
  size_t count = 0;
  const char* name = nullptr;
  size_t name_length = 0;
};

constexpr bool valgrind_top_present(const ValgrindTopFrame& top) { return top.count != 0 || top.name_length != 0; }

template <size_t N>
constexpr ValgrindTopFrame valgrind_top_of(const char* const (&names)[N]) {
  ValgrindTopFrame top;
  top.names = names;
  top.count = N;
  return top;
}

// A leak's frame 0: the allocation function is not recorded with the block's stack.
constexpr ValgrindTopFrame valgrind_top_for_allocation() { return valgrind_top_of(kValgrindAllocationFunctions.names); }

constexpr bool starts_with_word(const char* text, size_t length, const char* prefix) {
  size_t i = 0;
  for (; prefix[i] != '\0'; ++i)
    if (i >= length || text[i] != prefix[i]) return false;
  return true;
}
constexpr bool contains_text(const char* text, size_t length, const char* needle) {
  for (size_t i = 0; i < length; ++i)
    if (starts_with_word(text + i, length - i, needle)) return true;
  return false;
}
constexpr bool same_text(const char* a, size_t a_length, const char* b, size_t b_length) {
  if (a_length != b_length) return false;
  for (size_t i = 0; i < a_length; ++i)
    if (a[i] != b[i]) return false;
  return true;
}
constexpr bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// An error's frame 0, from the report's `api` (what found it): "free()" is free, "memcpy()"
// memcpy, "operator delete []" any form of operator delete[]; a heap check or a fault has none.
constexpr ValgrindTopFrame valgrind_top_for_api(const char* api, size_t length) {
  if (starts_with_word(api, length, "operator new"))
    return contains_text(api, length, "[]") ? valgrind_top_of(kValgrindNewArrayFunctions)
                                            : valgrind_top_of(kValgrindNewFunctions);
  if (starts_with_word(api, length, "operator delete"))
    return contains_text(api, length, "[]") ? valgrind_top_of(kValgrindDeleteArrayFunctions)
                                            : valgrind_top_of(kValgrindDeleteFunctions);
  ValgrindTopFrame top;
  if (length < 3 || api[length - 2] != '(' || api[length - 1] != ')') return top;
  for (size_t i = 0; i + 2 < length; ++i)
    if (!is_identifier_char(api[i])) return top;
  top.name = api;
  top.name_length = length - 2;
  return top;
}

// Which stack an entry is matched on for an error, and its frame 0: the stack where the error
// was found (Valgrind's), frame 0 the call that found it; an error found with no stack of its
// own (the heap check at exit, a block leaving the quarantine) on its allocation stack, frame 0
// any allocation function, as for a leak.
struct ValgrindErrorStack {
  bool found_stack;  // else the allocation stack
  ValgrindTopFrame top;
};
constexpr ValgrindErrorStack valgrind_error_stack(bool has_found_stack, const char* api, size_t api_length) {
  return has_found_stack ? ValgrindErrorStack{true, valgrind_top_for_api(api, api_length)}
                         : ValgrindErrorStack{false, valgrind_top_for_allocation()};
}

// ---------------------------------------------------------------------------------------
// Tokens of an entry.

// One frame line of an entry. The texts are views into the line (not NUL-terminated).
struct ValgrindFrameLine {
  enum class Type : uint8_t { kFun, kObj, kSrc, kAnyFrames };
  Type type = Type::kAnyFrames;
  const char* pattern = "";  // after `fun:`, `obj:` or `src:` (for src:, without `:LINE`), trimmed
  size_t pattern_length = 0;
  uint32_t line = 0;  // src:FILE:LINE; 0 = any line
  // fun: a plain mangled name (no wildcard) in its demangled form, set by the side that keeps
  // the line (each has its own demangler); unset, the pattern alone is matched.
  const char* demangled = nullptr;
  size_t demangled_length = 0;
};

// Frame lines kept per entry; Valgrind, too, reads no more than --num-callers of them.
inline constexpr uint32_t kMaxValgrindFrameLines = 64;

// A `fun:` pattern worth demangling: a mangled name without wildcards.
constexpr bool valgrind_pattern_is_plain_mangled(const ValgrindFrameLine& line) {
  if (line.type != ValgrindFrameLine::Type::kFun || !starts_with_word(line.pattern, line.pattern_length, "_Z"))
    return false;
  for (size_t i = 0; i < line.pattern_length; ++i)
    if (line.pattern[i] == '*' || line.pattern[i] == '?') return false;
  return true;
}

// A Memcheck entry, complete at its `}`.
struct ValgrindEntry {
  const char* name = "";  // the name line, trimmed
  size_t name_length = 0;
  const MemcheckKind* kind = nullptr;
  uint16_t error_kinds = 0;  // error_kind_bit per error kind it suppresses
  uint8_t leak_kinds = 0;    // leak_kind_bit per leak kind it suppresses
  // Param, FishyValue: the function the error must have been found by ("" = any).
  const char* call = "";
  size_t call_length = 0;
  uint32_t frame_count = 0;         // its frame lines: the kFrame events since it began
  uint32_t non_wildcard_lines = 0;  // frame lines other than `...`
};

// What one line of a file was.
enum class ValgrindEvent : uint8_t {
  kNotValgrind,  // outside any entry and not `{`: a line of the KIND:PATTERN syntax
  kNone,         // taken: a comment, a blank line or a line of an entry
  kBegin,        // `{`: an entry begins; the caller drops any frame lines of an unfinished one
  kFrame,        // parser.frame is the entry's next frame line (parser.note: a warning to show, or nullptr)
  kEntry,        // `}` ended a Memcheck entry: parser.entry
  kOtherTool,    // `}` ended an entry for another tool (Helgrind, DRD...), skipped as Valgrind's Memcheck does
  kWarning,      // parser.problem: the line is malformed or unsupported; the entry it is in is left out
                 // (the caller drops the frame lines it kept of it)
};

// Why a line was refused: what a person reads after "FILE:LINE: ".
namespace valgrind_problem {
inline constexpr char kStrayClose[] = "'}' outside an entry";
inline constexpr char kUnclosed[] = "'{' inside an entry: the entry before it has no '}' and is left out";
inline constexpr char kEmpty[] =
    "the entry ends before its TOOL:KIND line (an entry has a name line, a TOOL:KIND line and frame lines); "
    "it is left out";
inline constexpr char kNoToolColon[] = "expected TOOL:KIND, such as Memcheck:Leak; the entry is left out";
inline constexpr char kUnknownKind[] =
    "unknown Memcheck kind (expected Leak, Addr1, Addr2, Addr4, Addr8, Addr16, Addr32, Free, Overlap, Param, "
    "FishyValue, Cond, Value1 ... Value32, Jump, ...); the entry is left out";
inline constexpr char kBadLeakKinds[] =
    "match-leak-kinds: takes a comma list of definite, indirect, possible, reachable, or all or none; "
    "the entry is left out";
inline constexpr char kLeakExtra[] =
    "neither match-leak-kinds: nor a frame line (fun:, obj:, src:, ...); the entry is left out";
inline constexpr char kNoParam[] =
    "a Param entry names the system call parameter on the line after Memcheck:Param (such as read(buf)); "
    "the entry is left out";
inline constexpr char kBadFishyValue[] =
    "expected FUNCTION(ARGUMENT) after Memcheck:FishyValue, such as malloc(size); the entry is left out";
inline constexpr char kNotFrame[] =
    "not a frame line (expected fun:PATTERN, obj:PATTERN, src:FILE[:LINE] or ...); the entry is left out";
inline constexpr char kBadSrcLine[] = "src:FILE:LINE needs a line number after the ':'; the entry is left out";
inline constexpr char kNoFrames[] = "the entry has no frame lines (fun:, obj:, src:) before its '}'; it is left out";
inline constexpr char kOnlyWildcards[] = "the entry has no frame line other than '...'; it is left out";
inline constexpr char kUnterminated[] = "the entry that begins here has no closing '}'";
// A note: the entry is kept.
inline constexpr char kMangledWildcard[] =
    "a mangled name with wildcards matches nothing: reports keep demangled names (write it demangled, "
    "such as fun:ns::*)";
}  // namespace valgrind_problem

// The state of a file being read, line after line.
struct ValgrindParser {
  enum class State : uint8_t { kOutside, kName, kToolKind, kExtra, kFrames, kOtherTool, kLeftOut };
  State state = State::kOutside;
  uint32_t open_line = 0;         // the line of the `{` of the entry being read
  ValgrindEntry entry;            // the entry being read (complete at kEntry)
  ValgrindFrameLine frame;        // kFrame
  const char* note = nullptr;     // kFrame: a warning about the line, or nullptr
  const char* problem = nullptr;  // kWarning
  const char* line = "";          // the line just read, trimmed (for messages)
  size_t line_length = 0;
};

// Whether `text` (trimmed) is a frame line: `...`, or one starting with fun:, obj: or src:.
constexpr bool is_valgrind_frame_line(const char* text, size_t length) {
  return same_word("...", text, length) || starts_with_word(text, length, "fun:") ||
         starts_with_word(text, length, "obj:") || starts_with_word(text, length, "src:");
}

// Tokenizes a frame line; false (and `*problem` set) for a line that is none or malformed.
constexpr bool parse_valgrind_frame_line(const char* text, size_t length, ValgrindFrameLine* out,
                                         const char** problem) {
  *out = ValgrindFrameLine{};
  if (same_word("...", text, length)) return true;  // Type::kAnyFrames
  if (!is_valgrind_frame_line(text, length)) {
    *problem = valgrind_problem::kNotFrame;
    return false;
  }
  out->type = text[0] == 'f'   ? ValgrindFrameLine::Type::kFun
              : text[0] == 'o' ? ValgrindFrameLine::Type::kObj
                               : ValgrindFrameLine::Type::kSrc;
  size_t begin = 4, end = length;
  while (begin < end && is_suppression_blank(text[begin])) ++begin;
  if (out->type == ValgrindFrameLine::Type::kSrc) {
    // Valgrind splits at the first ':' after "src:".
    size_t colon = begin;
    while (colon < end && text[colon] != ':') ++colon;
    if (colon < end) {
      uint64_t number = 0;
      size_t digits = colon + 1;
      for (; digits < end && text[digits] >= '0' && text[digits] <= '9' && number <= 0xffffffffu; ++digits)
        number = number * 10 + static_cast<uint64_t>(text[digits] - '0');
      if (digits == colon + 1 || digits != end || number > 0xffffffffu) {
        *problem = valgrind_problem::kBadSrcLine;
        return false;
      }
      out->line = static_cast<uint32_t>(number);
      end = colon;
    }
  }
  out->pattern = text + begin;
  out->pattern_length = end - begin;
  return true;
}

// True when the comma list `tools` (`Memcheck,Addrcheck`) names `tool`.
constexpr bool tool_list_names(const char* tools, size_t length, const char* tool) {
  for (size_t begin = 0; begin <= length;) {
    size_t end = begin;
    while (end < length && tools[end] != ',') ++end;
    size_t b = begin, e = end;
    while (b < e && is_suppression_blank(tools[b])) ++b;
    while (e > b && is_suppression_blank(tools[e - 1])) --e;
    if (same_word(tool, tools + b, e - b)) return true;
    begin = end + 1;
  }
  return false;
}

// `definite,possible` after "match-leak-kinds:"; false for an empty list or an unknown word.
constexpr bool parse_match_leak_kinds(const char* text, size_t length, uint8_t* bits) {
  *bits = 0;
  bool any = false;
  for (size_t begin = 0; begin <= length;) {
    size_t end = begin;
    while (end < length && text[end] != ',') ++end;
    size_t b = begin, e = end;
    while (b < e && is_suppression_blank(text[b])) ++b;
    while (e > b && is_suppression_blank(text[e - 1])) --e;
    LeakKind kind = LeakKind::kDefinite;
    if (same_word("all", text + b, e - b)) {
      *bits = kAllLeakKindBits;
    } else if (same_word("none", text + b, e - b)) {
      // the empty set: the entry suppresses no leak
    } else if (leak_kind_from_name(text + b, e - b, &kind)) {
      *bits = static_cast<uint8_t>(*bits | leak_kind_bit(kind));
    } else {
      return false;
    }
    any = true;
    begin = end + 1;
  }
  return any;
}

namespace valgrind_detail {

constexpr ValgrindEvent refuse(ValgrindParser& p, const char* problem) {
  p.problem = problem;
  p.state = ValgrindParser::State::kLeftOut;
  return ValgrindEvent::kWarning;
}

constexpr ValgrindEvent begin_entry(ValgrindParser& p, uint32_t line_no) {
  p.state = ValgrindParser::State::kName;
  p.open_line = line_no;
  p.entry = ValgrindEntry{};
  return ValgrindEvent::kBegin;
}

// `}` of a Memcheck entry.
constexpr ValgrindEvent close_entry(ValgrindParser& p) {
  ValgrindParser::State was = p.state;
  p.state = ValgrindParser::State::kOutside;
  p.problem = was == ValgrindParser::State::kExtra && p.entry.kind->extra == MemcheckExtra::kParam
                  ? valgrind_problem::kNoParam
              : p.entry.frame_count == 0        ? valgrind_problem::kNoFrames
              : p.entry.non_wildcard_lines == 0 ? valgrind_problem::kOnlyWildcards
                                                : nullptr;
  return p.problem != nullptr ? ValgrindEvent::kWarning : ValgrindEvent::kEntry;
}

// A matcher of `fun:` patterns against the allocation functions (valgrind_top_for_allocation and
// the deallocation ones): a mangled pattern with wildcards may still match those.
constexpr bool matches_any(const char* pattern, size_t length, const char* const* names, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    size_t n = 0;
    while (names[i][n] != '\0') ++n;
    if (glob_match(pattern, length, names[i], n)) return true;
  }
  return false;
}

constexpr bool matches_a_replaced_function(const char* pattern, size_t length) {
  return matches_any(pattern, length, kValgrindAllocationFunctions.names,
                     sizeof kValgrindAllocationFunctions.names / sizeof kValgrindAllocationFunctions.names[0]) ||
         matches_any(pattern, length, kValgrindDeleteFunctions,
                     sizeof kValgrindDeleteFunctions / sizeof kValgrindDeleteFunctions[0]) ||
         matches_any(pattern, length, kValgrindDeleteArrayFunctions,
                     sizeof kValgrindDeleteArrayFunctions / sizeof kValgrindDeleteArrayFunctions[0]);
}

constexpr ValgrindEvent frame_line(ValgrindParser& p, const char* text, size_t length) {
  const char* problem = nullptr;
  if (!parse_valgrind_frame_line(text, length, &p.frame, &problem)) return refuse(p, problem);
  p.state = ValgrindParser::State::kFrames;
  if (p.entry.frame_count >= kMaxValgrindFrameLines) return ValgrindEvent::kNone;  // as Valgrind: ignored
  ++p.entry.frame_count;
  if (p.frame.type != ValgrindFrameLine::Type::kAnyFrames) ++p.entry.non_wildcard_lines;
  p.note = nullptr;
  if (p.frame.type == ValgrindFrameLine::Type::kFun &&
      starts_with_word(p.frame.pattern, p.frame.pattern_length, "_Z") && !valgrind_pattern_is_plain_mangled(p.frame) &&
      !matches_a_replaced_function(p.frame.pattern, p.frame.pattern_length))
    p.note = valgrind_problem::kMangledWildcard;
  return ValgrindEvent::kFrame;
}

// The text before '(' of `read(buf)` or `malloc(size)`; false when `require_parens` and there are none.
constexpr bool call_of(const char* text, size_t length, bool require_parens, ValgrindEntry* entry) {
  size_t open = 0;
  while (open < length && text[open] != '(') ++open;
  if (require_parens && (open == 0 || open == length || text[length - 1] != ')')) return false;
  entry->call = text;
  entry->call_length = open;
  return true;
}

constexpr ValgrindEvent tool_kind_line(ValgrindParser& p, const char* text, size_t length) {
  size_t colon = 0;
  while (colon < length && text[colon] != ':') ++colon;
  if (colon == length) return refuse(p, valgrind_problem::kNoToolColon);
  if (!tool_list_names(text, colon, kMemcheckTool)) {
    p.state = ValgrindParser::State::kOtherTool;
    return ValgrindEvent::kNone;
  }
  size_t begin = colon + 1;
  while (begin < length && is_suppression_blank(text[begin])) ++begin;
  const MemcheckKind* kind = memcheck_kind_from_name(text + begin, length - begin);
  if (kind == nullptr) return refuse(p, valgrind_problem::kUnknownKind);
  p.entry.kind = kind;
  p.entry.error_kinds = kind->error_kinds;
  p.entry.leak_kinds = kind->leaks ? kAllLeakKindBits : 0;
  p.state = ValgrindParser::State::kExtra;
  return ValgrindEvent::kNone;
}

// The line after TOOL:KIND, which for some kinds is not a frame line.
constexpr ValgrindEvent extra_line(ValgrindParser& p, const char* text, size_t length) {
  bool frame = is_valgrind_frame_line(text, length);
  switch (p.entry.kind->extra) {
    case MemcheckExtra::kNone:
      break;
    case MemcheckExtra::kLeakKinds:
      if (starts_with_word(text, length, "match-leak-kinds:")) {
        size_t skip = sizeof "match-leak-kinds:" - 1;
        if (!parse_match_leak_kinds(text + skip, length - skip, &p.entry.leak_kinds))
          return refuse(p, valgrind_problem::kBadLeakKinds);
        p.state = ValgrindParser::State::kFrames;
        return ValgrindEvent::kNone;
      }
      if (!frame) return refuse(p, valgrind_problem::kLeakExtra);
      break;
    case MemcheckExtra::kParam:
      if (frame) return refuse(p, valgrind_problem::kNoParam);
      call_of(text, length, false, &p.entry);
      p.state = ValgrindParser::State::kFrames;
      return ValgrindEvent::kNone;
    case MemcheckExtra::kFishyValue:
      if (frame) break;
      if (!call_of(text, length, true, &p.entry)) return refuse(p, valgrind_problem::kBadFishyValue);
      p.state = ValgrindParser::State::kFrames;
      return ValgrindEvent::kNone;
  }
  return frame_line(p, text, length);
}

}  // namespace valgrind_detail

// Reads one line of a file (without its '\n'); `line_no` counts from 1.
constexpr ValgrindEvent valgrind_feed(ValgrindParser& p, const char* text, size_t length, uint32_t line_no) {
  using State = ValgrindParser::State;
  size_t begin = 0, end = length;
  while (begin < end && is_suppression_blank(text[begin])) ++begin;
  while (end > begin && is_suppression_blank(text[end - 1])) --end;
  const char* line = text + begin;
  size_t n = end - begin;
  p.line = line;
  p.line_length = n;
  p.problem = nullptr;
  bool open = same_word("{", line, n), close = same_word("}", line, n);

  if (p.state == State::kOutside) {
    if (open) return valgrind_detail::begin_entry(p, line_no);
    if (close) {
      p.problem = valgrind_problem::kStrayClose;
      return ValgrindEvent::kWarning;
    }
    return ValgrindEvent::kNotValgrind;
  }
  if (n == 0 || line[0] == '#') return ValgrindEvent::kNone;
  if (p.state == State::kName) {
    if (close) {
      p.state = State::kOutside;
      p.problem = valgrind_problem::kEmpty;
      return ValgrindEvent::kWarning;
    }
    p.entry.name = line;
    p.entry.name_length = n;
    p.state = State::kToolKind;
    return ValgrindEvent::kNone;
  }
  if (open) {  // a `}` is missing: the unfinished entry is left out, a new one begins
    valgrind_detail::begin_entry(p, line_no);
    p.problem = valgrind_problem::kUnclosed;
    return ValgrindEvent::kWarning;
  }
  switch (p.state) {
    case State::kToolKind:
      if (close) {
        p.state = State::kOutside;
        p.problem = valgrind_problem::kEmpty;
        return ValgrindEvent::kWarning;
      }
      return valgrind_detail::tool_kind_line(p, line, n);
    case State::kExtra:
      if (close) return valgrind_detail::close_entry(p);
      return valgrind_detail::extra_line(p, line, n);
    case State::kFrames:
      if (close) return valgrind_detail::close_entry(p);
      // Past the lines kept, Valgrind reads no more frame lines: neither is this one judged.
      if (p.entry.frame_count >= kMaxValgrindFrameLines) return ValgrindEvent::kNone;
      return valgrind_detail::frame_line(p, line, n);
    case State::kOtherTool:
      if (!close) return ValgrindEvent::kNone;
      p.state = State::kOutside;
      return ValgrindEvent::kOtherTool;
    case State::kLeftOut:
      if (close) p.state = State::kOutside;
      return ValgrindEvent::kNone;
    case State::kOutside:
    case State::kName:
      break;
  }
  return ValgrindEvent::kNone;
}

// At the end of the file: true (and parser.problem, parser.open_line set) when an entry is
// still open; it is left out.
constexpr bool valgrind_unterminated(ValgrindParser& p) {
  if (p.state == ValgrindParser::State::kOutside) return false;
  p.state = ValgrindParser::State::kOutside;
  p.problem = valgrind_problem::kUnterminated;
  return true;
}

// ---------------------------------------------------------------------------------------
// Matching.

// Which findings an entry applies to. Param and FishyValue entries name the call: the error
// must have been found by it ("read(buf)" by read() or its fortified __read_chk()).
constexpr bool valgrind_entry_applies_to_leak(uint8_t leak_kinds, LeakKind kind) {
  return (leak_kinds & leak_kind_bit(kind)) != 0;
}
constexpr bool valgrind_call_matches(const char* call, size_t call_length, const char* api, size_t api_length) {
  if (call_length == 0) return true;
  if (api_length == call_length + 2 && same_text(api, call_length, call, call_length) && api[call_length] == '(' &&
      api[call_length + 1] == ')')
    return true;
  return api_length == call_length + 8 && starts_with_word(api, api_length, "__") &&
         same_text(api + 2, call_length, call, call_length) && starts_with_word(api + 2 + call_length, 6, "_chk()");
}
constexpr bool valgrind_entry_applies_to_error(uint16_t error_kinds, const char* call, size_t call_length,
                                               ErrorKind kind, const char* api, size_t api_length) {
  return (error_kinds & error_kind_bit(kind)) != 0 && valgrind_call_matches(call, call_length, api, api_length);
}

// Valgrind's word for a name or object it does not know.
inline constexpr char kValgrindUnknown[] = "???";

// One frame line against one of our frames (`frame.line`: for src:FILE:LINE).
constexpr bool valgrind_line_matches_frame(const ValgrindFrameLine& l, const FrameText& frame) {
  switch (l.type) {
    case ValgrindFrameLine::Type::kFun:
      if (frame.function_length == 0) return glob_match(l.pattern, l.pattern_length, kValgrindUnknown, 3);
      if (glob_match(l.pattern, l.pattern_length, frame.function, frame.function_length)) return true;
      return l.demangled != nullptr &&
             same_text(l.demangled, l.demangled_length, frame.function, frame.function_length);
    case ValgrindFrameLine::Type::kObj:
      return frame.module_length == 0 ? glob_match(l.pattern, l.pattern_length, kValgrindUnknown, 3)
                                      : glob_match(l.pattern, l.pattern_length, frame.module, frame.module_length);
    case ValgrindFrameLine::Type::kSrc:
      return (l.line == 0 || l.line == frame.line) &&
             suppression_matches_path(l.pattern, l.pattern_length, frame.file, frame.file_length);
    case ValgrindFrameLine::Type::kAnyFrames:
      return true;
  }
  return false;
}

// One frame line against frame 0, the function Memcheck replaces. Its object is not known
// ("???"), nor its source. A `fun:` pattern with a symbol version (`memcpy@@GLIBC_2.14`, as
// Valgrind shows replaced functions) is matched without it.
constexpr bool valgrind_line_matches_top(const ValgrindFrameLine& l, const ValgrindTopFrame& top) {
  switch (l.type) {
    case ValgrindFrameLine::Type::kFun: {
      size_t length = 0;
      while (length < l.pattern_length && l.pattern[length] != '@') ++length;
      auto matches = [&](const char* name, size_t n) {
        return glob_match(l.pattern, l.pattern_length, name, n) || glob_match(l.pattern, length, name, n);
      };
      if (top.name_length != 0) return matches(top.name, top.name_length);
      for (size_t i = 0; i < top.count; ++i) {
        size_t n = 0;
        while (top.names[i][n] != '\0') ++n;
        if (matches(top.names[i], n)) return true;
      }
      return false;
    }
    case ValgrindFrameLine::Type::kObj:
      return glob_match(l.pattern, l.pattern_length, kValgrindUnknown, 3);
    case ValgrindFrameLine::Type::kSrc:
      return false;
    case ValgrindFrameLine::Type::kAnyFrames:
      return true;
  }
  return false;
}

// The frame lines, in order, against a prefix of a stack of `depth` frames: `...` takes any
// number of frames (none too), every other line one frame, for which
// `line_matches(line_index, frame_index)` must hold. Backtracks only to the last `...`
// (as glob_match does to its last `*`): O(lines * depth) at worst.
template <typename LineMatches>
constexpr bool valgrind_lines_match(const ValgrindFrameLine* lines, size_t count, size_t depth,
                                    const LineMatches& line_matches) {
  size_t l = 0, f = 0;
  bool have_star = false;
  size_t star_l = 0, star_f = 0;
  for (;;) {
    if (l == count) return true;  // the lines matched a prefix of the stack
    if (lines[l].type == ValgrindFrameLine::Type::kAnyFrames) {
      have_star = true;
      star_l = l++;
      star_f = f;
    } else if (f < depth && line_matches(l, f)) {
      ++l;
      ++f;
    } else if (have_star && star_f < depth) {
      l = star_l + 1;
      f = ++star_f;
    } else {
      return false;
    }
  }
}

// An entry's frame lines against one of our stacks of `depth` frames, `frame_at(i)` giving
// the FrameText of frame i (0: the caller of the allocation function). With `top` present,
// Valgrind's own stack is matched first (`top`, then ours), then ours alone: a rule written
// for this tool may start at the caller.
template <typename FrameAt>
constexpr bool valgrind_stack_matches(const ValgrindFrameLine* lines, size_t count, const ValgrindTopFrame& top,
                                      size_t depth, const FrameAt& frame_at) {
  if (valgrind_top_present(top)) {
    auto with_top = [&](size_t l, size_t f) {
      return f == 0 ? valgrind_line_matches_top(lines[l], top) : valgrind_line_matches_frame(lines[l], frame_at(f - 1));
    };
    if (valgrind_lines_match(lines, count, depth + 1, with_top)) return true;
  }
  auto ours = [&](size_t l, size_t f) { return valgrind_line_matches_frame(lines[l], frame_at(f)); };
  return valgrind_lines_match(lines, count, depth, ours);
}

}  // namespace dm
