// report_text.cpp: parsing frame lines and trimming the GoogleTest runner out of stacks.
#include "report_text.h"

#include <array>
#include <charconv>

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
  if (number_end == std::string_view::npos || !all_digits(line.substr(i + 1, number_end - i - 1)))
    return std::nullopt;
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
    if (open != std::string_view::npos) rest = rest.substr(0, open);
    else if (rest.front() == '(') rest = {};
  }
  if (rest.substr(0, 3) != "in ") return frame;
  rest = rest.substr(3);
  if (!split_location(rest, &frame)) frame.function = std::string(rest);
  return frame;
}

bool is_runner_frame(const Frame& frame) {
  // The test body is called through these; everything below them is GoogleTest's loop
  // (or, for the heap check at the end of a test, this listener).
  static constexpr std::array<std::string_view, 6> kRunner = {
      "testing::internal::HandleSehExceptionsInMethodIfSupported",
      "testing::internal::HandleExceptionsInMethodIfSupported",
      "testing::Test::Run()",
      "testing::TestInfo::Run()",
      "testing::internal::TestEventRepeater::",
      "debugmalloc::gtest_internal::",
  };
  for (std::string_view marker : kRunner)
    if (frame.function.find(marker) != std::string::npos) return true;
  return false;
}

std::string trim_runner_frames(std::string_view report) {
  std::string out;
  out.reserve(report.size());
  bool dropping = false;   // inside a stack, after its first runner frame
  bool kept_frame = false; // the current stack has a frame before the runner
  while (!report.empty()) {
    size_t end = report.find('\n');
    std::string_view line = report.substr(0, end == std::string_view::npos ? report.size() : end + 1);
    report.remove_prefix(line.size());
    std::optional<Frame> frame = parse_frame(line);
    if (frame) {
      if (frame->index == 0) dropping = false, kept_frame = false;
      if (!dropping && is_runner_frame(*frame)) {
        dropping = true;
        size_t indent = line.find('#');
        out.append(line.substr(0, indent));
        out += kept_frame ? "(GoogleTest frames left out)\n" : "(the heap check at the end of the test)\n";
      }
      if (dropping) continue;
      kept_frame = true;
    } else {
      dropping = false;
    }
    out.append(line);
  }
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
