// failure_text.h: the text of a GoogleTest failure made from the library's structured
// findings (debugmalloc_finding), laid out as the library's own report, with the frames
// of the GoogleTest runner and of this listener left out. Pure functions of the findings,
// so that they are tested without the library.
#ifndef DEBUGMALLOC_GTEST_FAILURE_TEXT_H
#define DEBUGMALLOC_GTEST_FAILURE_TEXT_H

#include <debugmalloc/findings.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace debugmalloc::gtest_internal {

// Frames of this listener (and of the inline API it calls): a stack with one of them is
// the heap check at the end of a test.
bool is_listener_frame(const debugmalloc_frame& frame);

// Frames of the GoogleTest runner (below the test body) and of this listener: they are
// the same in every report, so the failure message leaves them out.
bool is_runner_frame(const debugmalloc_frame& frame);

// A place in the program's sources.
struct SourceLine {
  std::string file;
  int line = 0;
};

// The text of one failure, finding by finding. Each stack is cut at its first runner
// frame, with a line saying so; a stack with a frame of this listener says "(the heap
// check at the end of the test)" instead.
class FailureText {
 public:
  // `alloc_fns`: the allocation wrappers (the library's alloc_fns option) a stack's leading
  // frames may be, which the failure's place skips as the reports' names do.
  explicit FailureText(std::string alloc_fns = {}) : alloc_fns_(std::move(alloc_fns)) {}

  // "ERROR: debugmalloc: KIND on ADDRESS", the message, and the stacks where it was
  // found, where its block was allocated and freed.
  void add_error(const debugmalloc_finding& error);
  // The group's line, ", allocated at:", its stack and an empty line.
  void add_leak(const debugmalloc_finding& leak);

  const std::string& text() const { return text_; }
  // Where the failure is reported (the file:line a CI or an IDE links to): the first
  // frame kept, in the order of the text, that is in the program's own sources, from the
  // frame that names its stack on (the leading allocation wrappers, such as xmalloc, are
  // skipped: common/alloc_fns.h). System headers and libraries (/usr/...) and glibc's
  // relative paths do not count.
  const std::optional<SourceLine>& first_user_line() const { return first_user_line_; }

 private:
  void add_stack(const debugmalloc_stack& stack);
  void add_frame(size_t index, const debugmalloc_frame& frame);

  std::string alloc_fns_;
  size_t naming_frame_ = 0;  // of the stack being added
  std::string text_;
  std::optional<SourceLine> first_user_line_;
};

// The alloc_fns option's value in DEBUGMALLOC_OPTIONS (empty when it is not set).
std::string alloc_fns_from_environment();

// Text cut to at most `limit` bytes at a line end, with a note when something was cut.
std::string cap_text(std::string_view text, size_t limit);

}  // namespace debugmalloc::gtest_internal

#endif  // DEBUGMALLOC_GTEST_FAILURE_TEXT_H
