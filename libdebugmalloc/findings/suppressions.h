// Suppressions: findings the user (or the built-in list) declares not theirs.
// One per line, `KIND:PATTERN`, `#` comments; KIND is `leak`, `error` (any
// error kind) or an error kind name; PATTERN is a glob (`*`, `?`) matched
// against each frame's function name, source file and module path. A finding is
// suppressed when any frame of its allocation stack (leaks) or of its detection
// or allocation stack (errors) matches. The reporter accepts the same syntax.
#pragma once

#include <cstddef>
#include <cstdint>

#include "findings/errors.h"
#include "stacks/stack_depot.h"

namespace dm {

// Loads the built-in list (if builtin_suppressions=1) and the `suppressions`
// file; problems are reported on stderr, one line each. Call once, lazily.
void load_suppressions();

bool leak_is_suppressed(StackId alloc_stack);
bool error_is_suppressed(ErrorKind kind, StackId found_stack, StackId alloc_stack);

// Glob match of `text` against `pattern` (`*` any run, `?` any one character).
bool glob_match(const char* pattern, const char* text);

// The built-in suppressions, as text in the file syntax.
const char* builtin_suppressions();

}  // namespace dm
