// Suppressions: findings the user (or the built-in list) declares not theirs.
// A file holds `KIND:PATTERN` lines (`#` comments; KIND is `leak`, `error` (any
// error kind) or an error kind name; PATTERN is a glob matched against each
// frame's function name, and source file and module path, whole or last
// component), and Valgrind's `{ ... }` entries, which may be mixed.
// A KIND:PATTERN rule suppresses a finding when any frame of its allocation
// stack (leaks) or of its detection or allocation stack (errors) matches. A
// Valgrind entry suppresses a finding of its Memcheck kind (and leak kinds)
// when its frame lines match the top of the finding's stack: the detection
// stack of an error (the allocation stack when it has none), the allocation
// stack of a leak. The syntax and the matching rules are common/'s
// (suppression_rule.h, valgrind_suppression.h): the tool reads the same files
// the same way.
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
// a line that is neither a rule, a comment nor blank, and each malformed line
// of a Valgrind entry, is reported on stderr with `name` and its line number,
// and left out (with the Valgrind entry it is in). The rules point into `text`,
// which must stay valid for the life of the process. Returns how many rules
// (KIND:PATTERN lines and Memcheck entries) were added.
// Matching reads the list without a lock: add rules before findings are matched.
size_t add_suppressions(const char* text, size_t length, const char* name);

bool leak_is_suppressed(StackId alloc_stack, LeakKind kind);
// `api` says what found the error ("free()", "memcpy()", "the heap check at exit"): a
// Valgrind entry's first frame line may name that function.
bool error_is_suppressed(ErrorKind kind, StackId found_stack, StackId alloc_stack, const char* api);

// The built-in suppressions, as text in the file syntax.
const char* builtin_suppressions();

}  // namespace dm
