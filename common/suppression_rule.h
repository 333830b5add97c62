// The suppression file syntax and the frame-match rule, shared by the library
// (`suppressions` option) and the tool (`--suppressions`), so that one file means the
// same on both sides (docs/user-guide.md, "Suppressions").
//
// One rule per line, `KIND:PATTERN`; a line starting with `#` is a comment; blank lines
// are ignored; spaces, tabs and '\r' around the line, KIND and PATTERN are trimmed. KIND
// is `leak`, `error` (any error kind) or an error kind name (common/kinds.h); PATTERN is
// a glob (common/glob.h), not empty.
// No STL and no allocation: this header is compiled into the preloaded library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/glob.h"
#include "common/kinds.h"

namespace dm {

// What a rule applies to: every leak, every error, or one error kind.
enum class SuppressionScope : uint8_t { kAnyLeak, kAnyError, kOneError };

inline constexpr char kSuppressAnyLeak[] = "leak";
inline constexpr char kSuppressAnyError[] = "error";

// One line of a suppression file, tokenized. The texts are views into the line (not
// NUL-terminated).
struct SuppressionLine {
  enum class Status : uint8_t {
    kRule,         // a rule: scope, error_kind (kOneError) and pattern are set
    kSkip,         // a blank line or a comment
    kNoColon,      // not KIND:PATTERN
    kUnknownKind,  // KIND is not leak, error or an error kind
    kNoPattern,    // nothing after the colon
  };
  Status status = Status::kSkip;
  const char* line = nullptr;  // the trimmed line, for messages
  size_t line_length = 0;
  const char* kind = nullptr;  // trimmed KIND (from kUnknownKind on)
  size_t kind_length = 0;
  const char* pattern = nullptr;  // trimmed PATTERN (kRule)
  size_t pattern_length = 0;
  SuppressionScope scope = SuppressionScope::kAnyLeak;
  ErrorKind error_kind = ErrorKind::kHeapBufferOverflow;  // for kOneError
};

constexpr bool is_suppression_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Tokenizes one line of a suppression file, given without its '\n'.
constexpr SuppressionLine parse_suppression_line(const char* text, size_t length) {
  SuppressionLine out;
  size_t begin = 0, end = length;
  while (begin < end && is_suppression_blank(text[begin])) ++begin;
  while (end > begin && is_suppression_blank(text[end - 1])) --end;
  out.line = text + begin;
  out.line_length = end - begin;
  if (begin == end || text[begin] == '#') return out;  // kSkip

  size_t colon = begin;
  while (colon < end && text[colon] != ':') ++colon;
  if (colon == end) {
    out.status = SuppressionLine::Status::kNoColon;
    return out;
  }
  size_t kind_end = colon;
  while (kind_end > begin && is_suppression_blank(text[kind_end - 1])) --kind_end;
  size_t pattern_begin = colon + 1;
  while (pattern_begin < end && is_suppression_blank(text[pattern_begin])) ++pattern_begin;
  out.kind = text + begin;
  out.kind_length = kind_end - begin;
  out.pattern = text + pattern_begin;
  out.pattern_length = end - pattern_begin;

  if (same_word(kSuppressAnyLeak, out.kind, out.kind_length)) {
    out.scope = SuppressionScope::kAnyLeak;
  } else if (same_word(kSuppressAnyError, out.kind, out.kind_length)) {
    out.scope = SuppressionScope::kAnyError;
  } else if (error_kind_from_name(out.kind, out.kind_length, &out.error_kind)) {
    out.scope = SuppressionScope::kOneError;
  } else {
    out.status = SuppressionLine::Status::kUnknownKind;
    return out;
  }
  out.status = out.pattern_length == 0 ? SuppressionLine::Status::kNoPattern : SuppressionLine::Status::kRule;
  return out;
}

// Which findings a rule applies to: `leak` rules to leaks, `error` rules to errors of
// every kind, a kind's rules to errors of that kind (`rule_kind`).
constexpr bool suppression_applies_to_leak(SuppressionScope scope) { return scope == SuppressionScope::kAnyLeak; }
constexpr bool suppression_applies_to_error(SuppressionScope scope, ErrorKind rule_kind, ErrorKind kind) {
  return scope == SuppressionScope::kAnyError || (scope == SuppressionScope::kOneError && rule_kind == kind);
}

// What a pattern is matched against in one frame; an unknown field has length 0.
struct FrameText {
  const char* function = "";  // demangled
  size_t function_length = 0;
  const char* file = "";  // source path
  size_t file_length = 0;
  const char* module = "";  // the object file's path
  size_t module_length = 0;
  uint32_t line = 0;  // source line, 0 if unknown (Valgrind's src:FILE:LINE)
};

// A path matches as a whole or by its last component (`leak:libfoo.so*`).
constexpr bool suppression_matches_path(const char* pattern, size_t pattern_length, const char* path, size_t length) {
  if (length == 0) return false;
  if (glob_match(pattern, pattern_length, path, length)) return true;
  size_t base = length;
  while (base > 0 && path[base - 1] != '/') --base;
  return base != 0 && glob_match(pattern, pattern_length, path + base, length - base);
}

// The frame-match rule: a pattern matches a frame when it matches the whole function
// name, or the source path or module path as a whole or by its last component.
constexpr bool suppression_matches_frame(const char* pattern, size_t pattern_length, const FrameText& frame) {
  return (frame.function_length != 0 && glob_match(pattern, pattern_length, frame.function, frame.function_length)) ||
         suppression_matches_path(pattern, pattern_length, frame.file, frame.file_length) ||
         suppression_matches_path(pattern, pattern_length, frame.module, frame.module_length);
}

}  // namespace dm
