// The naming frame across the two sides: for the same stack and the same alloc_fns option, the
// library (the SUMMARY lines it prints, findings/site_name.h, its option parsed by
// support/options.cpp) and the tool (headlines, groups and charts, frames.h, the option read
// back from the report's process record) choose the same frame.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "findings/site_name.h"
#include "frames.h"
#include "report_parser.h"
#include "support/options.h"

namespace {

struct Frame {
  const char* function;  // "" = not symbolized
  const char* file;
  const char* module;
};

const Frame kXmalloc{"xmalloc", "/src/xmalloc.c", "/opt/app"};
const Frame kMyWrapper{"pool_alloc", "/src/pool.c", "/opt/app"};
const Frame kCaller{"parse_config", "/src/config.c", "/opt/app"};
const Frame kMain{"main", "/src/main.c", "/opt/app"};
const Frame kUnnamed{"", "", "/opt/app"};
const Frame kLibc{"__vasprintf_internal", "./libio/vasprintf.c", "/usr/lib/x86_64-linux-gnu/libc.so.6"};
const Frame kNew{"operator new(unsigned long)", "", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"};
const Frame kVectorGrow{"std::__new_allocator<int>::allocate(unsigned long, void const*)",
                        "/usr/include/c++/12/bits/new_allocator.h", "/opt/app"};
const Frame kGlib{"g_malloc0_n", "", "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0"};

const std::vector<std::vector<Frame>> kStacks = {
    {kXmalloc, kCaller, kMain},
    {kMyWrapper, kXmalloc, kCaller, kMain},
    {kXmalloc, kMyWrapper, kCaller, kMain},
    {kCaller, kXmalloc, kMain},
    {kLibc, kXmalloc, kUnnamed, kCaller},
    {kNew, kVectorGrow, kCaller, kMain},
    {kGlib, kMyWrapper, kMain},
    {kXmalloc, kMyWrapper},
    {kLibc, kNew},
    {kMain},
};

// The library's choice: its parser reads DEBUGMALLOC_OPTIONS, site_name.h names the stack.
size_t library_choice(const std::vector<Frame>& stack, const std::string& options_text) {
  dm::Options options;
  char storage[1024];
  EXPECT_TRUE(dm::parse_options(options_text.c_str(), &options, storage, sizeof storage, nullptr)) << options_text;
  std::vector<dm::FrameInfo> frames(stack.size());
  for (size_t i = 0; i < stack.size(); ++i) {
    frames[i].function = stack[i].function;
    frames[i].file = stack[i].file;
    frames[i].module = stack[i].module;
    frames[i].offset = 0x1000 + i;
  }
  return dm::naming_frame_index(
      frames.size(), [&](size_t i) { return frames[i]; }, options.alloc_fns);
}

std::string quoted(const char* s) { return *s ? std::string("\"") + s + "\"" : std::string("null"); }

// The tool's choice: the stack and the options go through a report file, as from a real run.
size_t tool_choice(const std::vector<Frame>& stack, const std::string& options_text, const std::string& command_line) {
  std::string text = R"({"t":"process","format":"debugmalloc-report","version":1,"pid":7,"command":["./t"],)"
                     R"("options":")" +
                     options_text + "\"}\n";
  std::vector<std::string> modules;
  std::string frames;
  for (size_t i = 0; i < stack.size(); ++i) {
    size_t module = 0;
    while (module < modules.size() && modules[module] != stack[i].module) ++module;
    if (module == modules.size()) {
      modules.push_back(stack[i].module);
      text += R"({"t":"module","id":)" + std::to_string(module) + R"(,"path":")" + stack[i].module +
              R"(","build_id":null})"
              "\n";
    }
    if (i) frames += ",";
    frames += R"({"pc":")" + dmtool::hexString(0x5000 + i) + R"(","module":)" + std::to_string(module) +
              R"(,"offset":")" + dmtool::hexString(0x1000 + i) + R"(","function":)" + quoted(stack[i].function) +
              R"(,"file":)" + quoted(stack[i].file) + R"(,"line":)" + (*stack[i].file ? "10" : "null") + "}";
  }
  text += R"({"t":"stack","id":1,"frames":[)" + frames + "]}\n";
  text += R"({"t":"leak","kind":"definite","bytes":8,"blocks":1,"stack":1})"
          "\n";
  text += R"({"t":"end","reason":"exit","exit_code":0})"
          "\n";
  std::vector<dmtool::ReportFile> reports{dmtool::parseReport(text, "t.report", dmtool::EndRule::Required)};
  dmtool::Model model;
  model.add(reports[0]);
  model.allocFns = dmtool::effectiveAllocFns(command_line, reports);
  EXPECT_EQ(model.stacks.size(), 1u);
  return dmtool::topUserFrame(model, model.stacks.at(0)).value_or(0);
}

TEST(NamingFrame, TheLibraryAndTheToolChooseTheSameFrame) {
  for (const std::string options : {"leaks=1", "leaks=1:alloc_fns=pool_*", "alloc_fns=pool_alloc,leaks=1",
                                    "alloc_fns=-", "alloc_fns=-,pool_*:exitcode=0", "alloc_fns= pool_? , parse_*"}) {
    for (size_t s = 0; s < kStacks.size(); ++s) {
      size_t library = library_choice(kStacks[s], options);
      EXPECT_EQ(library, tool_choice(kStacks[s], options, "")) << "stack " << s << " with " << options;
    }
  }
}

TEST(NamingFrame, TheChoiceDependsOnTheOption) {
  // Not a test of one side against the other: the cases above must not all be trivial.
  EXPECT_EQ(library_choice(kStacks[1], "leaks=1"), 0u);
  EXPECT_EQ(library_choice(kStacks[1], "alloc_fns=pool_*"), 2u);
  EXPECT_EQ(library_choice(kStacks[0], "alloc_fns=-"), 0u);
  EXPECT_EQ(library_choice(kStacks[0], "leaks=1"), 1u);
  EXPECT_EQ(library_choice(kStacks[4], "leaks=1"), 2u);  // an unnamed frame is never a wrapper
}

TEST(NamingFrame, TheToolAddsItsCommandLineToTheProcessesWrappers) {
  EXPECT_EQ(tool_choice(kStacks[1], "leaks=1", "pool_*"), 2u);
  EXPECT_EQ(tool_choice(kStacks[0], "alloc_fns=-", "pool_*"), 1u);  // the command line decides the built-ins
  EXPECT_EQ(tool_choice(kStacks[0], "leaks=1", "-"), 0u);
  EXPECT_EQ(tool_choice(kStacks[1], "alloc_fns=pool_*", "-"), 1u);  // the process's globs still count
}

}  // namespace
