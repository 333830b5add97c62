// gtest.h: GoogleTest integration: each test fails on the leaks and heap errors it caused.
//
// Link the CMake target debugmalloc::gtest (library debugmalloc_gtest) into a GoogleTest
// program and run it under libdebugmalloc.so (LD_PRELOAD or `debugmalloc run`). A test
// event listener then marks the heap when each test starts and, when it ends, fails the
// test with the grouped stacks in the failure message if
//   - blocks allocated during the test are leaked (definite or indirect), or
//   - a heap error (overflow, use after free, double free, ...) happened during it,
//     including overflows of blocks still live, found by a heap check at the test's end.
// The failure shows in the printed result ([  FAILED  ]) and in --gtest_output XML/JSON.
//
// Linking is enough: the listener registers itself from a static initializer. Without
// the library (a normal test run) it does nothing and costs nothing: the static
// initializer sees that the library is absent and registers nothing.
//
// The environment variable DEBUGMALLOC_GTEST chooses the checks at run time:
//   unset          every check (leaks,errors,check_heap)
//   0, off, none   no listener at all
//   a comma list   of leaks, errors, check_heap: only those
//
// Details and examples: docs/test-suites.md.
#ifndef DEBUGMALLOC_GTEST_H
#define DEBUGMALLOC_GTEST_H

#include <debugmalloc/debugmalloc.h>

namespace debugmalloc {

// What the listener checks at the end of each test.
struct GTestChecks {
  bool leaks = true;       // blocks allocated during the test and leaked (definite, indirect)
  bool errors = true;      // heap errors reported while the test ran
  bool check_heap = true;  // check every block's guards at the end of the test (overflows of
                           // blocks still live, writes into freed blocks); costs about 1 ms
};

// Installs the listener, or changes its checks if it is installed already. For programs
// that do not rely on the static initializer (linked by hand, see docs/test-suites.md)
// or that want other checks. Call it from main() before RUN_ALL_TESTS(), before or after
// InitGoogleTest(); not thread-safe. Returns true when the listener is active: false
// without libdebugmalloc.so or when DEBUGMALLOC_GTEST turns it off. DEBUGMALLOC_GTEST,
// when set, overrides `checks`.
bool install_gtest_listener(const GTestChecks& checks = GTestChecks{});

// While alive, blocks allocated by the calling thread are never reported as leaks, by
// the listener or at exit: for deliberate caches and objects leaked on purpose.
// Other threads are not affected. Guards nest.
//
//   TEST(Cache, FillsOnFirstUse) {
//     { debugmalloc::ScopedIgnoreLeaks deliberate; warm_up_cache(); }
//     EXPECT_TRUE(cache_has("x"));
//   }
class ScopedIgnoreLeaks {
 public:
  ScopedIgnoreLeaks() { debugmalloc_disable_leaks(); }
  ~ScopedIgnoreLeaks() { debugmalloc_enable_leaks(); }
  ScopedIgnoreLeaks(const ScopedIgnoreLeaks&) = delete;
  ScopedIgnoreLeaks& operator=(const ScopedIgnoreLeaks&) = delete;
};

}  // namespace debugmalloc

#endif  // DEBUGMALLOC_GTEST_H
