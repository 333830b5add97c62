// Suppressions: findings the user (or the built-in list) declares not theirs.
// One per line, `KIND:PATTERN`, `#` comments; KIND is `leak`, `error` (any
// error kind) or an error kind name; PATTERN is a glob (`*`, `?`) matched
// against each frame's function name, and source file and module path (whole
// or last component). A finding is suppressed when any frame of its allocation
// stack (leaks) or of its detection or allocation stack (errors) matches. The
// syntax and the frame-match rule are common/suppression_rule.h's: the tool
// reads the same files the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/kinds.h"
#include "stacks/stack_depot.h"

namespace dm {

// Loads the built-in list (if builtin_suppressions=1) and the `suppressions`
// file; problems are reported on stderr, one line each. Call once, lazily.
void load_suppressions();

// Adds the rules of the `length` bytes at `text` (the file syntax) to the list;
// a line that is neither a rule, a comment nor blank is reported on stderr with
// `name` and its line number, and left out. The rules point into `text`, which
// must stay valid for the life of the process. Returns how many were added.
// Matching reads the list without a lock: add rules before findings are matched.
size_t add_suppressions(const char* text, size_t length, const char* name);

bool leak_is_suppressed(StackId alloc_stack);
bool error_is_suppressed(ErrorKind kind, StackId found_stack, StackId alloc_stack);

// The built-in suppressions, as text in the file syntax.
const char* builtin_suppressions();

}  // namespace dm
