// report_text_test.cpp: unit tests of the listener's text shaping (gtest/report_text.cpp), without the library.
#include "report_text.h"

#include <gtest/gtest.h>

#include <string>

namespace debugmalloc::gtest_internal {
namespace {

constexpr const char* kDoubleFree =
    "ERROR: debugmalloc: double-free on 0x7f0\n"
    "free() on 0x7f0: the 8-byte block was already freed\n"
    "  found by free() at:\n"
    "    #0 0x561 in (anonymous namespace)::TextKit_X_Test::TestBody() /src/t/textkit_test.cpp:54 (/b/suite+0xf85d)\n"
    "    #1 0x562 in void testing::internal::HandleExceptionsInMethodIfSupported<testing::Test, void>"
    "(testing::Test*, void (testing::Test::*)(), char const*) (/b/suite+0x48467)\n"
    "    #2 0x563 in testing::Test::Run() (/b/suite+0x38e4e)\n"
    "    #3 0x7f2 in __libc_start_main ../csu/libc-start.c:360 (/lib/x86_64-linux-gnu/libc.so.6+0x27305)\n"
    "  the 8-byte block at 0x7f0 was allocated at:\n"
    "    #0 0x7f2 in __strndup ./string/strndup.c:43 (/lib/x86_64-linux-gnu/libc.so.6+0x9f52a)\n"
    "    #1 0x561 in textkit::parse_pair(char const*, char**, char**) /src/textkit.cpp:71 (/b/suite+0x136cd)\n"
    "    #2 0x563 in testing::Test::Run() (/b/suite+0x38e4e)\n";

TEST(ParseFrame, ReadsFunctionFileAndLine) {
  auto f = parse_frame("    #1 0x561 in textkit::parse_pair(char const*, char**, char**) /src/textkit.cpp:71 (/b/s+0x1)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->index, 1);
  EXPECT_EQ(f->function, "textkit::parse_pair(char const*, char**, char**)");
  EXPECT_EQ(f->file, "/src/textkit.cpp");
  EXPECT_EQ(f->line, 71);
}

TEST(ParseFrame, FramesWithoutFileOrFunction) {
  auto no_file = parse_frame("    #2 0x563 in testing::Test::Run() (/b/suite+0x38e4e)");
  ASSERT_TRUE(no_file);
  EXPECT_EQ(no_file->function, "testing::Test::Run()");
  EXPECT_TRUE(no_file->file.empty());
  auto bare = parse_frame("    #4 0x55 (/usr/bin/bash+0x3a2bc)");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->function.empty());
  EXPECT_FALSE(parse_frame("  found by free() at:"));
  EXPECT_FALSE(parse_frame("#x 0x1 in f"));
}

TEST(TrimRunnerFrames, CutsEachStackAtTheRunner) {
  std::string out = trim_runner_frames(kDoubleFree);
  EXPECT_EQ(out.find("HandleExceptionsInMethodIfSupported"), std::string::npos) << out;
  EXPECT_EQ(out.find("__libc_start_main"), std::string::npos) << out;
  EXPECT_NE(out.find("textkit_test.cpp:54"), std::string::npos);
  EXPECT_NE(out.find("textkit.cpp:71"), std::string::npos);
  EXPECT_NE(out.find("the 8-byte block at 0x7f0 was allocated at:"), std::string::npos) << "lines between stacks stay";
  size_t first = out.find("(GoogleTest frames left out)");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(out.find("(GoogleTest frames left out)", first + 1), std::string::npos) << "once per stack";
}

TEST(TrimRunnerFrames, AStackOfTheListenerAloneIsTheHeapCheck) {
  std::string out = trim_runner_frames(
      "  found by debugmalloc_check_heap() at:\n"
      "    #0 0x1 in debugmalloc::gtest_internal::HeapCheckListener::check(testing::TestInfo const&) /g/l.cpp:9 (/b+0x1)\n"
      "    #1 0x2 in testing::TestInfo::Run() (/b+0x2)\n"
      "  the 24-byte block at 0x10 was allocated at:\n");
  EXPECT_NE(out.find("    (the heap check at the end of the test)\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("l.cpp"), std::string::npos) << out;
}

TEST(TrimRunnerFrames, ShortNamesFromDebugInformation) {
  // GoogleTest built with -g and a symbolizer that gives DWARF's short names.
  std::string out = trim_runner_frames(
      "  found by free() at:\n"
      "    #0 0x1 in TestBody /src/t_test.cpp:5 (/b+0x1)\n"
      "    #1 0x2 in HandleExceptionsInMethodIfSupported<testing::Test, void> /gt/googletest/src/gtest.cc:2612 (/b+0x2)\n"
      "    #2 0x3 in Run /gt/googletest/src/gtest.cc:2680 (/b+0x3)\n"
      "  found by debugmalloc_check_heap() at:\n"
      "    #0 0x4 in debugmalloc_check_heap /p/include/debugmalloc/debugmalloc.h:36 (/b+0x4)\n"
      "    #1 0x5 in debugmalloc::gtest_internal::HeapCheckListener::OnTestEnd(testing::TestInfo const&) "
      "/p/gtest_listener/heap_check_listener.cpp:68 (/b+0x5)\n"
      "    #2 0x6 in testing::internal::TestEventRepeater::OnTestEnd(testing::TestInfo const&) (/b+0x6)\n");
  EXPECT_NE(out.find("t_test.cpp:5"), std::string::npos) << out;
  EXPECT_EQ(out.find("gtest.cc"), std::string::npos) << out;
  EXPECT_EQ(out.find("debugmalloc.h"), std::string::npos) << out;
  EXPECT_NE(out.find("    (GoogleTest frames left out)\n  found by debugmalloc_check_heap() at:\n"
                     "    (the heap check at the end of the test)\n"),
            std::string::npos)
      << out;
}

TEST(FirstUserFrame, SkipsTheRuntimeAndSystemHeaders) {
  auto f = first_user_frame(kDoubleFree);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->file, "/src/t/textkit_test.cpp");
  EXPECT_EQ(f->line, 54);
  auto alloc = first_user_frame(
      "    #0 0x7f2 in __strndup ./string/strndup.c:43 (/lib/libc.so.6+0x9f52a)\n"
      "    #1 0x7f3 in std::vector<int>::push_back(int&&) /usr/include/c++/12/bits/stl_vector.h:1294 (/b+0x5)\n"
      "    #2 0x561 in split /src/textkit.cpp:27 (/b+0x1)\n");
  ASSERT_TRUE(alloc);
  EXPECT_EQ(alloc->line, 27);
  EXPECT_FALSE(first_user_frame("    #0 0x2 in testing::Test::Run() /g/gtest.cc:1 (/b+0x2)\n"));
  EXPECT_FALSE(first_user_frame("    #0 0x2 in debugmalloc_check_heap /p/include/debugmalloc/debugmalloc.h:36 (/b+0x2)\n"));
}

TEST(CapText, CutsAtALineEndAndSaysSo) {
  EXPECT_EQ(cap_text("short\n", 100), "short\n");
  std::string out = cap_text("line one\nline two\nline three\n", 15);
  EXPECT_EQ(out.rfind("line one\n", 0), 0u);
  EXPECT_EQ(out.find("line two"), std::string::npos);
  EXPECT_NE(out.find("(cut;"), std::string::npos);
}

}  // namespace
}  // namespace debugmalloc::gtest_internal
