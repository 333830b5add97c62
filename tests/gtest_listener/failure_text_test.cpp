// failure_text_test.cpp: unit tests of the listener's failure text (gtest_listener/failure_text.cpp),
// on findings made by hand, without the library.
#include "failure_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace debugmalloc::gtest_internal {
namespace {

debugmalloc_frame frame(uintptr_t pc, const char* function, const char* file = nullptr, unsigned line = 0,
                        const char* module = "/b/suite", uintptr_t offset = 0x100) {
  return debugmalloc_frame{pc, module, offset, function, file, line};
}

debugmalloc_stack stack(const std::vector<debugmalloc_frame>& frames) {
  return debugmalloc_stack{frames.empty() ? nullptr : frames.data(), frames.size()};
}

debugmalloc_finding finding() {
  debugmalloc_finding f = {};
  f.size = sizeof f;
  return f;
}

// A double free found in a test body, of a block strndup'ed by the code under test.
struct DoubleFree {
  std::vector<debugmalloc_frame> found = {
      frame(0x561, "(anonymous namespace)::TextKit_X_Test::TestBody()", "/src/t/textkit_test.cpp", 54, "/b/suite",
            0xf85d),
      frame(0x562,
            "void testing::internal::HandleExceptionsInMethodIfSupported<testing::Test, void>(testing::Test*, void "
            "(testing::Test::*)(), char const*)"),
      frame(0x563, "testing::Test::Run()"),
      frame(0x7f2, "__libc_start_main", "../csu/libc-start.c", 360, "/lib/x86_64-linux-gnu/libc.so.6", 0x27305),
  };
  std::vector<debugmalloc_frame> alloc = {
      frame(0x7f2, "__strndup", "./string/strndup.c", 43, "/lib/x86_64-linux-gnu/libc.so.6", 0x9f52a),
      frame(0x561, "textkit::parse_pair(char const*, char**, char**)", "/src/textkit.cpp", 71, "/b/suite", 0x136cd),
      frame(0x563, "testing::Test::Run()"),
  };
  std::vector<debugmalloc_frame> freed = {
      frame(0x564, "textkit::parse_pair(char const*, char**, char**)", "/src/textkit.cpp", 78),
      frame(0x563, "testing::Test::Run()"),
  };
  debugmalloc_finding error() const {
    debugmalloc_finding f = finding();
    f.kind = "double-free";
    f.message = "free() on 0x7f0: the 8-byte block was already freed";
    f.found_by = "free()";
    f.address = 0x7f0;
    f.block_known = 1;
    f.block = 0x7f0;
    f.block_size = 8;
    f.found_stack = stack(found);
    f.alloc_stack = stack(alloc);
    f.free_stack = stack(freed);
    return f;
  }
};

TEST(FailureText, AnErrorReadsAsTheLibrarysReportWithTheRunnerCut) {
  DoubleFree d;
  FailureText text;
  text.add_error(d.error());
  EXPECT_EQ(text.text(),
            "ERROR: debugmalloc: double-free on 0x7f0\n"
            "free() on 0x7f0: the 8-byte block was already freed\n"
            "  found by free() at:\n"
            "    #0 0x561 in (anonymous namespace)::TextKit_X_Test::TestBody() /src/t/textkit_test.cpp:54 "
            "(/b/suite+0xf85d)\n"
            "    (GoogleTest frames left out)\n"
            "  the 8-byte block at 0x7f0 was allocated at:\n"
            "    #0 0x7f2 in __strndup ./string/strndup.c:43 (/lib/x86_64-linux-gnu/libc.so.6+0x9f52a)\n"
            "    #1 0x561 in textkit::parse_pair(char const*, char**, char**) /src/textkit.cpp:71 (/b/suite+0x136cd)\n"
            "    (GoogleTest frames left out)\n"
            "  and freed at:\n"
            "    #0 0x564 in textkit::parse_pair(char const*, char**, char**) /src/textkit.cpp:78 (/b/suite+0x100)\n"
            "    (GoogleTest frames left out)\n");
  ASSERT_TRUE(text.first_user_line());
  EXPECT_EQ(text.first_user_line()->file, "/src/t/textkit_test.cpp");
  EXPECT_EQ(text.first_user_line()->line, 54);
}

TEST(FailureText, WhatIsUnknownIsLeftOut) {
  std::vector<debugmalloc_frame> frames = {frame(0x55, nullptr, nullptr, 0, "/usr/bin/bash", 0x3a2bc),
                                           frame(0x56, "f", "/src/f.c", 0), frame(0x57, "g", nullptr, 0, nullptr)};
  debugmalloc_finding f = finding();
  f.kind = "calloc-overflow";
  f.message = "calloc(2, 9223372036854775807): the total size ... does not fit in size_t";
  f.found_by = "calloc()";
  f.found_stack = stack(frames);
  FailureText text;
  text.add_error(f);
  EXPECT_EQ(text.text(),
            "ERROR: debugmalloc: calloc-overflow\n"
            "calloc(2, 9223372036854775807): the total size ... does not fit in size_t\n"
            "  found by calloc() at:\n"
            "    #0 0x55 (/usr/bin/bash+0x3a2bc)\n"
            "    #1 0x56 in f /src/f.c (/b/suite+0x100)\n"
            "    #2 0x57 in g\n");
  EXPECT_FALSE(text.first_user_line()) << "a file without a line is no place to report at";
}

TEST(FailureText, AStackOfTheListenerIsTheHeapCheck) {
  std::vector<debugmalloc_frame> check = {
      frame(0x4, "debugmalloc_check_heap", "/p/include/debugmalloc/debugmalloc.h", 36),
      frame(0x5, "debugmalloc::gtest_internal::HeapCheckListener::OnTestEnd(testing::TestInfo const&)",
            "/p/gtest_listener/heap_check_listener.cpp", 68),
      frame(0x6, "testing::internal::TestEventRepeater::OnTestEnd(testing::TestInfo const&)")};
  std::vector<debugmalloc_frame> alloc = {
      frame(0x1, "TestBody", "/src/t_test.cpp", 5),
      frame(0x2, "HandleExceptionsInMethodIfSupported<testing::Test, void>", "/gt/googletest/src/gtest.cc", 2612)};
  debugmalloc_finding f = finding();
  f.kind = "heap-buffer-overflow";
  f.message = "1 byte changed 0 bytes past the end of a 24-byte block at 0x10";
  f.found_by = "debugmalloc_check_heap()";
  f.address = 0x28;
  f.block_known = 1;
  f.block = 0x10;
  f.block_size = 24;
  f.found_stack = stack(check);
  f.alloc_stack = stack(alloc);
  FailureText text;
  text.add_error(f);
  EXPECT_NE(text.text().find("  found by debugmalloc_check_heap() at:\n"
                             "    (the heap check at the end of the test)\n"
                             "  the 24-byte block at 0x10 was allocated at:\n"
                             "    #0 0x1 in TestBody /src/t_test.cpp:5 (/b/suite+0x100)\n"
                             "    (GoogleTest frames left out)\n"),
            std::string::npos)
      << text.text();
  EXPECT_EQ(text.text().find("debugmalloc.h"), std::string::npos) << text.text();
  EXPECT_EQ(text.text().find("gtest.cc"), std::string::npos) << text.text();
  ASSERT_TRUE(text.first_user_line());
  EXPECT_EQ(text.first_user_line()->file, "/src/t_test.cpp") << "the listener's own frames are not the user's";
}

TEST(FailureText, ErrorsWithoutAStackOrABlock) {
  debugmalloc_finding f = finding();
  f.kind = "heap-corruption";
  f.message = "the header of the slot at 0x100 is damaged, so its block cannot be identified";
  f.found_by = "the heap check at exit";
  f.address = 0x110;
  std::vector<debugmalloc_frame> previous = {frame(0x9, "overflowing", "/src/o.c", 3)};
  f.alloc_stack = stack(previous);  // not shown: the block is not known
  FailureText text;
  text.add_error(f);
  EXPECT_EQ(text.text(),
            "ERROR: debugmalloc: heap-corruption on 0x110\n"
            "the header of the slot at 0x100 is damaged, so its block cannot be identified\n"
            "  found by the heap check at exit\n");
  f.block_known = 1;
  f.block_size = 4;
  f.block = 0x20;
  f.alloc_stack = {nullptr, 0};
  FailureText known;
  known.add_error(f);
  EXPECT_NE(known.text().find("  the 4-byte block at 0x20 was allocated at:\n    <no stack recorded>\n"),
            std::string::npos)
      << known.text();
}

TEST(FailureText, LeaksEachWithTheirStackAndAnEmptyLine) {
  std::vector<debugmalloc_frame> split = {frame(0x411, "textkit::split(char const*, char)", "/src/textkit.cpp", 27),
                                          frame(0x04e, "TestBody", "/src/textkit_test.cpp", 25),
                                          frame(0x2, "testing::Test::Run()")};
  debugmalloc_finding definite = finding();
  definite.is_leak = 1;
  definite.kind = "definite";
  definite.message =
      "definite leak: 8 bytes in 1 block definitely lost (freeing them also frees 6 bytes in 1 indirect block)";
  definite.bytes = 8;
  definite.blocks = 1;
  definite.alloc_stack = stack(split);
  debugmalloc_finding indirect = definite;
  indirect.kind = "indirect";
  indirect.message = "indirect leak: 6 bytes in 1 block indirectly lost";
  indirect.alloc_stack = {nullptr, 0};
  FailureText text;
  text.add_leak(definite);
  text.add_leak(indirect);
  EXPECT_EQ(text.text(),
            "definite leak: 8 bytes in 1 block definitely lost (freeing them also frees 6 bytes in 1 indirect "
            "block), allocated at:\n"
            "    #0 0x411 in textkit::split(char const*, char) /src/textkit.cpp:27 (/b/suite+0x100)\n"
            "    #1 0x4e in TestBody /src/textkit_test.cpp:25 (/b/suite+0x100)\n"
            "    (GoogleTest frames left out)\n"
            "\n"
            "indirect leak: 6 bytes in 1 block indirectly lost, allocated at:\n"
            "    <no stack recorded>\n"
            "\n");
  ASSERT_TRUE(text.first_user_line());
  EXPECT_EQ(text.first_user_line()->line, 27);
}

TEST(FailureText, SystemHeadersAndGlibcPathsAreNotTheUsersSource) {
  std::vector<debugmalloc_frame> frames = {
      frame(0x7f2, "__strndup", "./string/strndup.c", 43),
      frame(0x7f3, "std::vector<int>::push_back(int&&)", "/usr/include/c++/12/bits/stl_vector.h", 1294),
      frame(0x561, "split", "/src/textkit.cpp", 27)};
  debugmalloc_finding leak = finding();
  leak.is_leak = 1;
  leak.message = "definite leak: 4 bytes in 1 block definitely lost";
  leak.alloc_stack = stack(frames);
  FailureText text;
  text.add_leak(leak);
  ASSERT_TRUE(text.first_user_line());
  EXPECT_EQ(text.first_user_line()->file, "/src/textkit.cpp");
  EXPECT_EQ(text.first_user_line()->line, 27);
}

// A leak through the program's own allocation wrappers is reported at the wrapper's caller,
// as the library and the tool name it (alloc_fns); the wrappers stay in the text.
TEST(FailureText, AllocationWrappersAreNotWhereALeakIsReported) {
  std::vector<debugmalloc_frame> frames = {frame(0x10, "xmalloc", "/src/util.c", 12),
                                           frame(0x11, "my_zalloc", "/src/util.c", 30),
                                           frame(0x12, "make_record", "/src/record.c", 44)};
  debugmalloc_finding leak = finding();
  leak.is_leak = 1;
  leak.message = "definite leak: 32 bytes in 1 block definitely lost";
  leak.alloc_stack = stack(frames);

  FailureText builtins;  // xmalloc is a built-in wrapper; my_zalloc is not
  builtins.add_leak(leak);
  ASSERT_TRUE(builtins.first_user_line());
  EXPECT_EQ(builtins.first_user_line()->line, 30);
  EXPECT_NE(builtins.text().find("in xmalloc /src/util.c:12"), std::string::npos) << builtins.text();

  FailureText own("my_*");
  own.add_leak(leak);
  ASSERT_TRUE(own.first_user_line());
  EXPECT_EQ(own.first_user_line()->file, "/src/record.c");
  EXPECT_EQ(own.first_user_line()->line, 44);

  FailureText none("-");  // the built-ins turned off: the first frame is the place
  none.add_leak(leak);
  ASSERT_TRUE(none.first_user_line());
  EXPECT_EQ(none.first_user_line()->line, 12);
}

TEST(FailureText, TheWrappersComeFromTheLibrarysOptions) {
  const char* before = getenv("DEBUGMALLOC_OPTIONS");
  std::string saved = before != nullptr ? before : "";
  setenv("DEBUGMALLOC_OPTIONS", "leaks=1:alloc_fns=my_*,xalloc:exitcode=0", 1);
  EXPECT_EQ(alloc_fns_from_environment(), "my_*,xalloc");
  setenv("DEBUGMALLOC_OPTIONS", "leaks=1", 1);
  EXPECT_EQ(alloc_fns_from_environment(), "");
  unsetenv("DEBUGMALLOC_OPTIONS");
  EXPECT_EQ(alloc_fns_from_environment(), "");
  if (before != nullptr) setenv("DEBUGMALLOC_OPTIONS", saved.c_str(), 1);
}

TEST(RunnerFrames, FullAndShortNames) {
  EXPECT_TRUE(is_runner_frame(frame(1, "testing::TestInfo::Run()")));
  EXPECT_TRUE(is_runner_frame(frame(1, "Run", "/gt/googletest/src/gtest.cc", 2680)));
  EXPECT_TRUE(
      is_runner_frame(frame(1, "debugmalloc::gtest_internal::HeapCheckListener::check(testing::TestInfo const&)")));
  EXPECT_FALSE(is_runner_frame(frame(1, "TestBody", "/src/t_test.cpp", 5)));
  EXPECT_FALSE(is_runner_frame(frame(1, nullptr)));
  EXPECT_TRUE(is_listener_frame(frame(1, "debugmalloc_check_heap", "/p/include/debugmalloc/debugmalloc.h", 36)));
  EXPECT_FALSE(is_listener_frame(frame(1, "testing::Test::Run()")));
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
