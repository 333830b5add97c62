// explicit_subject.cpp: a GoogleTest program that installs the listener itself (linked
// without the static initializer) and has a listener of its own appended after it, which
// must still see the listener's failures. Driven by check_listener.py.
#include <debugmalloc/gtest.h>
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>

namespace {

__attribute__((noinline)) void* lose(size_t n) {
  void* p = malloc(n);
  memset(p, 1, n);
  asm volatile("" : : "r"(p) : "memory");
  return nullptr;
}

char* volatile g_kept = nullptr;

TEST(Explicit, Leaks) { lose(100); }

// Found only by the heap check at the end of a test, which this program turns off.
TEST(Explicit, OverflowOfALiveBlock) {
  g_kept = static_cast<char*>(malloc(10));
  g_kept[10] = 'x';
}

TEST(Explicit, Clean) { EXPECT_EQ(std::string(10, 'a').size(), 10u); }

// Appended after the heap listener: GoogleTest calls OnTestEnd in reverse order, so this
// one would see the test passed if the heap listener had not moved itself last.
class Witness : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    printf("witness: %s.%s %s\n", info.test_suite_name(), info.name(), info.result()->Passed() ? "passed" : "failed");
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  bool install = true;
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--no-install") == 0) install = false;
  if (install) {
    debugmalloc::GTestChecks checks;
    checks.check_heap = false;
    bool active = debugmalloc::install_gtest_listener(checks);
    printf("listener %s\n", active ? "active" : "not active");
  }
  ::testing::UnitTest::GetInstance()->listeners().Append(new Witness);
  return RUN_ALL_TESTS();
}
