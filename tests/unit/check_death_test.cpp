// DM_CHECK and DM_DCHECK: a failed internal check writes one line to stderr and
// aborts; DM_DCHECK exists only in Debug builds (DM_DEBUG_CHECKS). Then a few of the
// invariants the library checks, each broken on purpose.
#include <gtest/gtest.h>
#include <signal.h>

#include "heap/registry.h"
#include "stacks/stack_depot.h"
#include "support/check.h"
#include "support/mutex.h"

namespace dm {
namespace {

// Out of line, so that the compiler cannot decide the checks at compile time.
DM_NOINLINE bool is_even(int v) { return v % 2 == 0; }

TEST(CheckDeathTest, FailedCheckPrintsWhereAndWhatThenAborts) {
  EXPECT_EXIT(DM_CHECK(is_even(3)), testing::KilledBySignal(SIGABRT),
              "debugmalloc: internal check failed: [^ ]*check_death_test\\.cpp:[0-9]+: is_even\\(3\\)\n");
}

TEST(CheckDeathTest, PassingCheckDoesNothing) {
  DM_CHECK(is_even(2));
  SUCCEED();
}

#ifndef DM_DEBUG_CHECKS
TEST(CheckDeathTest, DcheckIsOffWithNdebug) {
  int evaluated = 0;
  DM_DCHECK(++evaluated == 2);  // neither evaluated nor fatal
  EXPECT_EQ(evaluated, 0);
}
#else
TEST(CheckDeathTest, DcheckIsOnWithoutNdebug) {
  int evaluated = 0;
  DM_DCHECK(++evaluated == 1);
  EXPECT_EQ(evaluated, 1);
  EXPECT_EXIT(DM_DCHECK(is_even(3)), testing::KilledBySignal(SIGABRT),
              "debugmalloc: internal check failed: [^ ]*check_death_test\\.cpp:[0-9]+: is_even\\(3\\)");
}
#endif

TEST(CheckDeathTest, UnlockingAMutexNobodyHoldsIsLockMisuse) {
  EXPECT_EXIT(
      {
        Mutex mu;
        mu.unlock();
      },
      testing::KilledBySignal(SIGABRT), "internal check failed: [^ ]*mutex\\.cpp:[0-9]+: previous == kContended");
}

TEST(CheckDeathTest, AStackIdTheDepotNeverIssued) {
  uintptr_t frames[] = {0x1000};
  ASSERT_NE(depot_put(frames, 1), 0u);
  EXPECT_EXIT(
      {
        uint32_t depth = 0;
        depot_get(0x7fffffff, &depth);
      },
      testing::KilledBySignal(SIGABRT), "internal check failed: [^ ]*stack_depot\\.cpp:[0-9]+: id < g_next_id");
}

TEST(CheckDeathTest, RemovingASpanTheRegistryDoesNotHold) {
  EXPECT_EXIT(
      {
        ListedSpan stray;
        stray.kind = ZoneKind::kLarge;
        stray.start = kGranule;
        stray.size = kGranule;
        registry().remove(&stray);
      },
      testing::KilledBySignal(SIGABRT), "internal check failed: [^ ]*registry\\.cpp:[0-9]+: count_ != 0");
}

}  // namespace
}  // namespace dm
