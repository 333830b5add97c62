// report_text.cpp: parsing frame lines and trimming the GoogleTest runner out of stacks.
#include "report_text.h"

#include <array>
#include <charconv>
#include <vector>

namespace debugmalloc::gtest_internal {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "file:line" at the end of `rest` (the last space-separated token), if it is one.
bool split_location(std::string_view rest, Frame* frame) {
  size_t space = rest.rfind(' ');
  std::string_view token = space == std::string_view::npos ? rest : rest.substr(space + 1);
  size_t colon = token.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || !all_digits(token.substr(colon + 1))) return false;
  std::string_view digits = token.substr(colon + 1);
  std::from_chars(digits.data(), digits.data() + digits.size(), frame->line);
  frame->file = std::string(token.substr(0, colon));
  frame->function = space == std::string_view::npos ? std::string() : std::string(rest.substr(0, space));
  return true;
}

}  // namespace

std::optional<Frame> parse_frame(std::string_view line) {
  size_t i = line.find_first_not_of(' ');
  if (i == std::string_view::npos || line[i] != '#') return std::nullopt;
  size_t number_end = line.find(' ', i);
  if (number_end == std::string_view::npos || !all_digits(line.substr(i + 1, number_end - i - 1))) return std::nullopt;
  Frame frame;
  std::string_view digits = line.substr(i + 1, number_end - i - 1);
  std::from_chars(digits.data(), digits.data() + digits.size(), frame.index);
  std::string_view rest = line.substr(number_end + 1);
  if (rest.substr(0, 2) != "0x") return std::nullopt;
  size_t after_pc = rest.find(' ');
  if (after_pc == std::string_view::npos) return frame;
  rest = rest.substr(after_pc + 1);
  // The module in parentheses comes last: "(/abs/prog+0x1189)".
  if (!rest.empty() && rest.back() == ')') {
    size_t open = rest.rfind(" (");
    if (open != std::string_view::npos)
      rest = rest.substr(0, open);
    else if (rest.front() == '(')
      rest = {};
  }
  if (rest.substr(0, 3) != "in ") return frame;
  rest = rest.substr(3);
  if (!split_location(rest, &frame)) frame.function = std::string(rest);
  return frame;
}

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// The frames of one stack, in order, as their lines and parsed.
struct StackLines {
  std::vector<std::string_view> lines;
  std::vector<Frame> frames;
};

void flush(StackLines& stack, std::string& out) {
  if (stack.lines.empty()) return;
  std::string_view first = stack.lines.front();
  std::string_view indent = first.substr(0, first.find('#'));
  bool heap_check = false;
  for (const Frame& f : stack.frames) heap_check = heap_check || is_listener_frame(f);
  if (heap_check) {
    out.append(indent);
    out += "(the heap check at the end of the test)\n";
  } else {
    size_t i = 0;
    for (; i < stack.frames.size() && !is_runner_frame(stack.frames[i]); ++i) out.append(stack.lines[i]);
    if (i < stack.frames.size()) {
      out.append(indent);
      out += "(GoogleTest frames left out)\n";
    }
  }
  stack.lines.clear();
  stack.frames.clear();
}

}  // namespace

// Symbolizers name a function in full from the symbol table ("testing::Test::Run()") or
// briefly from the debug information ("Run"): both are recognised, and files too.
bool is_listener_frame(const Frame& frame) {
  return contains(frame.function, "debugmalloc::gtest_internal::") || contains(frame.function, "HeapCheckListener") ||
         ends_with(frame.file, "/gtest_listener/heap_check_listener.cpp") || ends_with(frame.file, "/debugmalloc/debugmalloc.h");
}

bool is_runner_frame(const Frame& frame) {
  // The test body is called through these; everything below them is GoogleTest's loop.
  static constexpr std::array<std::string_view, 7> kRunner = {
      "HandleSehExceptionsInMethodIfSupported",
      "HandleExceptionsInMethodIfSupported",
      "testing::Test::Run()",
      "testing::TestInfo::Run()",
      "testing::TestSuite::Run()",
      "testing::internal::TestEventRepeater::",
      "testing::internal::UnitTestImpl::RunAllTests",
  };
  for (std::string_view marker : kRunner)
    if (contains(frame.function, marker)) return true;
  // GoogleTest built with debug information: its runner is in gtest.cc.
  return ends_with(frame.file, "/gtest.cc") || is_listener_frame(frame);
}

std::string trim_runner_frames(std::string_view report) {
  std::string out;
  out.reserve(report.size());
  StackLines stack;
  while (!report.empty()) {
    size_t end = report.find('\n');
    std::string_view line = report.substr(0, end == std::string_view::npos ? report.size() : end + 1);
    report.remove_prefix(line.size());
    std::optional<Frame> frame = parse_frame(line);
    if (!frame || frame->index == 0) flush(stack, out);
    if (frame) {
      stack.lines.push_back(line);
      stack.frames.push_back(*frame);
    } else {
      out.append(line);
    }
  }
  flush(stack, out);
  return out;
}

std::optional<Frame> first_user_frame(std::string_view report) {
  while (!report.empty()) {
    size_t end = report.find('\n');
    std::string_view line = report.substr(0, end);
    report.remove_prefix(end == std::string_view::npos ? report.size() : end + 1);
    std::optional<Frame> frame = parse_frame(line);
    if (!frame || frame->file.empty() || is_runner_frame(*frame)) continue;
    std::string_view file = frame->file;
    if (file.substr(0, 5) == "/usr/" || file.substr(0, 3) == "../" || file.substr(0, 2) == "./") continue;
    return frame;
  }
  return std::nullopt;
}

std::string cap_text(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t cut = text.rfind('\n', limit);
  cut = cut == std::string_view::npos ? limit : cut + 1;
  std::string out(text.substr(0, cut));
  out += "... (cut; the program's log has the rest)\n";
  return out;
}

}  // namespace debugmalloc::gtest_internal
