// listener_subject.cpp: a GoogleTest program for check_listener.py. Its test names say what
// the listener must conclude: Clean* pass (GoogleTest's own allocations are not the test's),
// Leak*/Error* fail with that kind, Ignored* pass, PlainFailure fails without a heap report.
#include <debugmalloc/gtest.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <stdlib.h>
#include <string.h>

#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// Compiled with -fno-builtin-malloc: calls stay as written. The asm keeps the pointer
// from being optimised away while making the block unreachable once it returns.
__attribute__((noinline)) void* lose(size_t n) {
  void* p = malloc(n);
  memset(p, 1, n);
  asm volatile("" : : "r"(p) : "memory");
  return nullptr;
}

std::vector<std::string>* g_cache = nullptr;  // a deliberate cache: reachable, never freed
char* volatile g_kept = nullptr;              // a live block the overflow test damages

// ---- GoogleTest's own per-test allocations must not count as the test's leaks ----

TEST(Clean, NonfatalFailureSpyAndScopedTrace) {
  SCOPED_TRACE("a trace message that GoogleTest keeps while the scope lasts");
  EXPECT_NONFATAL_FAILURE(ADD_FAILURE() << std::string(300, 'x'), "xxx");
}

TEST(Clean, RecordPropertyKeepsItsStringsUntilTheEnd) {
  RecordProperty("first", std::string(200, 'p'));
  RecordProperty("second", 42);
}

TEST(Clean, SkipWithAMessage) { GTEST_SKIP() << "skipped with " << std::string(100, 's'); }

TEST(Clean, ExceptionsThrownAndCaught) {
  EXPECT_THROW(throw std::runtime_error(std::string(100, 'e')), std::runtime_error);
  try {
    throw std::string(64, 'x');
  } catch (const std::string&) {
  }
}

TEST(Clean, ThreadWithThreadLocalState) {
  std::thread worker([] {
    thread_local std::string local(100, 't');
    local += "more";
  });
  worker.join();
}

TEST(Clean, StreamsAndStrings) {
  std::ostringstream out;
  for (int i = 0; i < 100; ++i) out << i << ' ';
  std::cout << "output of the test: " << out.str().size() << " bytes\n";
  EXPECT_GT(out.str().size(), 100u);
}

TEST(Clean, FunctionStaticCreatedDuringTheTest) {
  static std::string* lazily = new std::string(500, 'l');  // reachable through the static
  EXPECT_EQ(lazily->size(), 500u);
}

TEST(Clean, CacheReachableFromAGlobal) {
  g_cache = new std::vector<std::string>(10, std::string(50, 'c'));
  EXPECT_EQ(g_cache->size(), 10u);
}

TEST(Clean, DeathTest) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(abort(), "");
}

class CleanFixture : public ::testing::Test {
 protected:
  void SetUp() override { data_ = static_cast<char*>(malloc(100)); }
  void TearDown() override { free(data_); }
  char* data_ = nullptr;
};

TEST_F(CleanFixture, SetUpAllocatesTearDownFrees) { memset(data_, 0, 100); }

class CleanParam : public ::testing::TestWithParam<std::string> {};
TEST_P(CleanParam, ParamStringsLiveInGoogleTest) { EXPECT_FALSE(GetParam().empty()); }
INSTANTIATE_TEST_SUITE_P(Words, CleanParam, ::testing::Values(std::string(40, 'a'), std::string(80, 'b')));

template <typename T>
class CleanTyped : public ::testing::Test {};
using Types = ::testing::Types<int, std::string>;
TYPED_TEST_SUITE(CleanTyped, Types);
TYPED_TEST(CleanTyped, Constructs) {
  std::vector<TypeParam> values(10);
  EXPECT_EQ(values.size(), 10u);
}

// A failure of the test's own: reported by GoogleTest, with no heap report added.
TEST(PlainFailure, ExpectationFails) { EXPECT_EQ(std::string(100, 'a'), std::string(100, 'b')); }

// ---- what the listener must report ----

TEST(Leak, InTheTestBody) { lose(123); }

class LeakInSetUp : public ::testing::Test {
 protected:
  void SetUp() override { lose(77); }
};
TEST_F(LeakInSetUp, IsTheTestsLeak) {}

TEST(Leak, InAnotherThread) {
  std::thread worker([] { lose(222); });
  worker.join();
}

TEST(Error, DoubleFreeInAnotherThread) {
  std::thread worker([] {
    void* p = malloc(40);
    free(p);
    free(p);
  });
  worker.join();
}

TEST(Error, OverflowOfABlockStillLive) {
  g_kept = static_cast<char*>(malloc(24));
  g_kept[24] = 'x';  // found by the heap check at the end of the test
}

TEST(Error, WriteAfterFree) {
  char* p = static_cast<char*>(malloc(48));
  free(p);
  asm volatile("" : : "r"(p) : "memory");
  p[8] = 'x';  // found by the heap check at the end of the test (the quarantined fill)
}

TEST(LeakAndError, BothAreReported) {
  lose(31);
  void* p = malloc(16);
  free(p);
  free(p);
}

// ---- the opt-outs ----

TEST(Ignored, ScopedIgnoreLeaks) {
  debugmalloc::ScopedIgnoreLeaks deliberate;
  lose(500);
}

TEST(Ignored, IgnoredObject) {
  void* p = malloc(64);
  EXPECT_EQ(debugmalloc_ignore_object(p), debugmalloc_running());
  p = nullptr;
  asm volatile("" : : "r"(p) : "memory");
}

}  // namespace
