// report_text.h: turns the library's report text into a GoogleTest failure message.
// Pure functions of text, so that they are tested without the library.
#ifndef DEBUGMALLOC_GTEST_REPORT_TEXT_H
#define DEBUGMALLOC_GTEST_REPORT_TEXT_H

#include <optional>
#include <string>
#include <string_view>

namespace debugmalloc::gtest_internal {

// One frame line of a report: "    #3 0x55d0c8a01189 in main /src/x.c:12 (/abs/prog+0x1189)".
struct Frame {
  int index = -1;        // the "#3"
  std::string function;  // empty when unknown
  std::string file;      // empty when unknown
  int line = 0;
};

// Parses a frame line; nullopt for any other line.
std::optional<Frame> parse_frame(std::string_view line);

// Frames of this listener (and of the inline API it calls): a stack with one of them is
// the heap check at the end of a test.
bool is_listener_frame(const Frame& frame);

// Frames of the GoogleTest runner (below the test body) and of this listener: they are
// the same in every report, so the failure message leaves them out.
bool is_runner_frame(const Frame& frame);

// Each stack of `report` cut at its first runner frame, with one line saying so. A stack
// with a frame of this listener (the heap check at the end of the test) says that instead.
std::string trim_runner_frames(std::string_view report);

// Where the failure is reported (the file:line a CI or an IDE links to): the first frame,
// in the order of the report, that is in the program's own sources; nullopt if none.
// System headers and libraries (/usr/...) and glibc's relative paths do not count.
std::optional<Frame> first_user_frame(std::string_view report);

// Text cut to at most `limit` bytes at a line end, with a note when something was cut.
std::string cap_text(std::string_view text, size_t limit);

}  // namespace debugmalloc::gtest_internal

#endif  // DEBUGMALLOC_GTEST_REPORT_TEXT_H
