// failure_text.cpp: the failure message of a test from the library's structured findings.
#include "failure_text.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "common/alloc_fns.h"
#include "common/options_text.h"

namespace debugmalloc::gtest_internal {
namespace {

std::string_view view(const char* s) { return s != nullptr ? std::string_view(s) : std::string_view(); }

// A frame as the naming rule (common/alloc_fns.h) reads it.
dm::FrameText frame_text(const debugmalloc_frame& frame) {
  dm::FrameText out;
  std::string_view function = view(frame.function), file = view(frame.file), module = view(frame.module);
  out.function = function.data() != nullptr ? function.data() : "";
  out.function_length = function.size();
  out.file = file.data() != nullptr ? file.data() : "";
  out.file_length = file.size();
  out.module = module.data() != nullptr ? module.data() : "";
  out.module_length = module.size();
  return out;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

bool starts_with(std::string_view text, std::string_view start) { return text.substr(0, start.size()) == start; }

// "0x" and lowercase hex digits, as the library prints addresses.
void append_hex(std::string& out, uint64_t value) {
  char digits[16];
  auto end = std::to_chars(digits, digits + sizeof digits, value, 16).ptr;
  out += "0x";
  out.append(digits, end);
}

// A frame in the program's own sources: a file from the debug information that is not a
// system header (/usr/...) and not one of glibc's relative paths.
bool in_user_sources(const debugmalloc_frame& frame) {
  std::string_view file = view(frame.file);
  if (file.empty() || frame.line == 0) return false;
  return !starts_with(file, "/usr/") && !starts_with(file, "../") && !starts_with(file, "./");
}

constexpr const char* kStackIndent = "    ";

}  // namespace

// Symbolizers name a function in full from the symbol table ("testing::Test::Run()") or
// briefly from the debug information ("Run"): both are recognised, and files too.
bool is_listener_frame(const debugmalloc_frame& frame) {
  std::string_view function = view(frame.function), file = view(frame.file);
  return contains(function, "debugmalloc::gtest_internal::") || contains(function, "HeapCheckListener") ||
         ends_with(file, "/gtest_listener/heap_check_listener.cpp") || ends_with(file, "/debugmalloc/debugmalloc.h");
}

bool is_runner_frame(const debugmalloc_frame& frame) {
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
  std::string_view function = view(frame.function);
  for (std::string_view marker : kRunner)
    if (contains(function, marker)) return true;
  // GoogleTest built with debug information: its runner is in gtest.cc.
  return ends_with(view(frame.file), "/gtest.cc") || is_listener_frame(frame);
}

void FailureText::add_frame(size_t index, const debugmalloc_frame& frame) {
  // "    #3 0x55d0c8a01189 in main /src/x.c:12 (/abs/prog+0x1189)", as the library prints it.
  text_ += kStackIndent;
  text_ += '#';
  text_ += std::to_string(index);
  text_ += ' ';
  append_hex(text_, frame.pc);
  if (frame.function != nullptr && frame.function[0] != '\0') {
    text_ += " in ";
    text_ += frame.function;
  }
  if (frame.file != nullptr && frame.file[0] != '\0') {
    text_ += ' ';
    text_ += frame.file;
    if (frame.line != 0) {
      text_ += ':';
      text_ += std::to_string(frame.line);
    }
  }
  if (frame.module != nullptr) {
    text_ += " (";
    text_ += frame.module;
    text_ += '+';
    append_hex(text_, frame.offset);
    text_ += ')';
  }
  text_ += '\n';
  if (!first_user_line_ && index >= naming_frame_ && in_user_sources(frame))
    first_user_line_ = SourceLine{frame.file, static_cast<int>(frame.line)};
}

void FailureText::add_stack(const debugmalloc_stack& stack) {
  if (stack.count == 0 || stack.frames == nullptr) {
    text_ += kStackIndent;
    text_ += "<no stack recorded>\n";
    return;
  }
  naming_frame_ = dm::naming_frame(
      stack.count, [&](size_t i) { return frame_text(stack.frames[i]); }, alloc_fns_.data(), alloc_fns_.size());
  if (naming_frame_ == dm::kNoNamingFrame) naming_frame_ = 0;
  for (size_t i = 0; i < stack.count; ++i) {
    if (is_listener_frame(stack.frames[i])) {
      text_ += kStackIndent;
      text_ += "(the heap check at the end of the test)\n";
      return;
    }
  }
  for (size_t i = 0; i < stack.count; ++i) {
    if (is_runner_frame(stack.frames[i])) {
      text_ += kStackIndent;
      text_ += "(GoogleTest frames left out)\n";
      return;
    }
    add_frame(i, stack.frames[i]);
  }
}

void FailureText::add_error(const debugmalloc_finding& error) {
  text_ += "ERROR: debugmalloc: ";
  text_ += view(error.kind);
  if (error.address != 0) {  // bad requests have no address
    text_ += " on ";
    append_hex(text_, error.address);
  }
  text_ += '\n';
  text_ += view(error.message);
  text_ += '\n';
  text_ += "  found by ";
  text_ += view(error.found_by);
  if (error.found_stack.count != 0) {
    text_ += " at:\n";
    add_stack(error.found_stack);
  } else {
    text_ += '\n';
  }
  if (error.block_known) {
    text_ += "  the ";
    text_ += std::to_string(error.block_size);
    text_ += "-byte block at ";
    append_hex(text_, error.block);
    text_ += " was allocated at:\n";
    add_stack(error.alloc_stack);
    if (error.free_stack.count != 0) {
      text_ += "  and freed at:\n";
      add_stack(error.free_stack);
    }
  }
}

void FailureText::add_leak(const debugmalloc_finding& leak) {
  text_ += view(leak.message);
  text_ += ", allocated at:\n";
  add_stack(leak.alloc_stack);
  text_ += '\n';
}

std::string cap_text(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t cut = text.rfind('\n', limit);
  cut = cut == std::string_view::npos ? limit : cut + 1;
  std::string out(text.substr(0, cut));
  out += "... (cut; the program's log has the rest)\n";
  return out;
}

std::string alloc_fns_from_environment() {
  const char* options = std::getenv("DEBUGMALLOC_OPTIONS");
  if (options == nullptr) return {};
  const char* value = nullptr;
  size_t length = 0;
  if (!dm::find_option_value(options, std::strlen(options), dm::kAllocFnsOption,
                             dm::c_string_length(dm::kAllocFnsOption), &value, &length))
    return {};
  return std::string(value, length);
}

}  // namespace debugmalloc::gtest_internal
