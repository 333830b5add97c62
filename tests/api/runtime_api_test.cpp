// The runtime API of include/debugmalloc/debugmalloc.h, through real preloading;
// and (run without the library) proof that it is weak-linked: every call is a
// harmless no-op returning 0.
#include <debugmalloc/debugmalloc.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

bool g_expect_library = true;

class RuntimeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!g_expect_library) GTEST_SKIP() << "runs without the library: see WithoutTheLibrary";
    ASSERT_EQ(debugmalloc_running(), 1) << "NOT RUNNING UNDER debugmalloc";
  }
};

__attribute__((noinline)) void* leak_here(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

TEST_F(RuntimeApi, LeaksSinceAMarkAreOnlyTheNewOnes) {
  leak_here(1000);  // leaked before the mark: not counted
  unsigned mark = debugmalloc_mark();
  EXPECT_EQ(debugmalloc_leaks_since(mark, 0), 0u);
  leak_here(123);
  char text[8192];
  size_t bytes = debugmalloc_leaks_since_text(mark, text, sizeof text);
  EXPECT_EQ(bytes, 123u);
  EXPECT_NE(std::string(text).find("definite leak: 123 bytes in 1 block"), std::string::npos) << text;
  EXPECT_NE(std::string(text).find("leak_here"), std::string::npos) << text;
}

TEST_F(RuntimeApi, DisabledLeaksAndIgnoredObjectsAreNotReported) {
  unsigned mark = debugmalloc_mark();
  debugmalloc_disable_leaks();
  leak_here(50);
  debugmalloc_enable_leaks();
  void* ignored = leak_here(70);
  EXPECT_EQ(debugmalloc_ignore_object(ignored), 1);
  ignored = nullptr;
  EXPECT_EQ(debugmalloc_leaks_since(mark, 0), 0u);
  int on_stack = 0;
  EXPECT_EQ(debugmalloc_ignore_object(&on_stack), 0);
}

TEST_F(RuntimeApi, CheckHeapFindsAnOverflowNowAndErrorsSinceDescribeIt) {
  size_t before = debugmalloc_error_count();
  char* p = static_cast<char*>(malloc(10));
  p[10] = 'x';  // one past the end
  EXPECT_EQ(debugmalloc_check_heap(), 1u);
  EXPECT_EQ(debugmalloc_check_heap(), 0u) << "a reported damage is repaired, not reported twice";
  char text[16384];
  EXPECT_EQ(debugmalloc_errors_since_text(before, text, sizeof text), 1u);
  EXPECT_NE(std::string(text).find("heap-buffer-overflow"), std::string::npos) << text;
  EXPECT_NE(std::string(text).find("1 byte changed 0 bytes past the end of a 10-byte block"), std::string::npos);
  free(p);
}

TEST_F(RuntimeApi, TextIsAlwaysTerminatedWithinCapacity) {
  unsigned mark = debugmalloc_mark();
  leak_here(11);
  char text[16];
  memset(text, 'Z', sizeof text);
  debugmalloc_leaks_since_text(mark, text, 10);
  EXPECT_LT(strlen(text), 10u);
  EXPECT_EQ(text[15], 'Z');
}

TEST(WithoutTheLibrary, EveryCallIsANoOp) {
  if (g_expect_library) GTEST_SKIP() << "runs under the library";
  EXPECT_EQ(debugmalloc_running(), 0);
  EXPECT_EQ(debugmalloc_check_heap(), 0u);
  EXPECT_EQ(debugmalloc_error_count(), 0u);
  EXPECT_EQ(debugmalloc_mark(), 0u);
  EXPECT_EQ(debugmalloc_leaks_since(0, 1), 0u);
  char text[4] = "abc";
  EXPECT_EQ(debugmalloc_leaks_since_text(0, text, sizeof text), 0u);
  EXPECT_EQ(debugmalloc_errors_since_text(0, text, sizeof text), 0u);
  debugmalloc_disable_leaks();
  debugmalloc_enable_leaks();
  EXPECT_EQ(debugmalloc_ignore_object(text), 0);
  EXPECT_EQ(debugmalloc_leak_check(), 0u);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--without-library") g_expect_library = false;
  return RUN_ALL_TESTS();
}
