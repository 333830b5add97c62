// Quarantine: freed memory is not reused until the budget pushes it out, and
// writes after free are found when a block leaves.
#include "core/quarantine.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

#include "core/allocator.h"
#include "findings/errors.h"
#include "support/options.h"

namespace dm {
namespace {

void release(void* p) { deallocate(p, {AllocOrigin::kMalloc, "free()"}); }

TEST(Quarantine, FreedBlocksAreNotReusedWhileHeld) {
  std::set<void*> freed;
  for (int i = 0; i < 1000; ++i) {
    void* p = allocate(48, 0, AllocOrigin::kMalloc, {});
    freed.insert(p);
    release(p);
  }
  for (int i = 0; i < 1000; ++i) {
    void* p = allocate(48, 0, AllocOrigin::kMalloc, {});
    EXPECT_EQ(freed.count(p), 0u) << "48 KB of frees fit in the 16 MiB quarantine";
    release(p);
  }
}

TEST(Quarantine, ZeroBudgetReusesAtOnce) {
  uint64_t saved = g_options.quarantine_mb;
  g_options.quarantine_mb = 0;
  void* p = allocate(4000, 0, AllocOrigin::kMalloc, {});
  release(p);
  void* q = allocate(4000, 0, AllocOrigin::kMalloc, {});
  EXPECT_EQ(p, q) << "LIFO thread cache hands the same slot back";
  release(q);
  g_options.quarantine_mb = saved;
}

TEST(Quarantine, WriteAfterFreeIsReportedWhenTheBlockLeaves) {
  uint64_t saved = g_options.quarantine_mb;
  g_options.quarantine_mb = 1;
  auto* p = static_cast<char*>(allocate(100, 0, AllocOrigin::kMalloc, {}));
  release(p);
  p[7] = 'x';  // use after free
  uint64_t before = error_count();
  // Push 2 MiB of other frees of its size band (TINY slots) through a 1 MiB quarantine.
  for (int i = 0; i < 10000; ++i) release(allocate(100, 0, AllocOrigin::kMalloc, {}));
  EXPECT_EQ(error_count(), before + 1);
  g_options.quarantine_mb = saved;
}

// Size bands: big blocks churning through the quarantine do not push out a small block
// freed before them (each band has a budget of its own), but blocks of its own band do.
TEST(Quarantine, BigBlocksChurningThroughDoNotEvictASmallOne) {
  uint64_t saved = g_options.quarantine_mb;
  g_options.quarantine_mb = 1;
  auto* p = static_cast<char*>(allocate(64, 0, AllocOrigin::kMalloc, {}));
  release(p);
  p[8] = 'x';  // use after free
  uint64_t before = error_count();
  // 64 MiB of 64 KiB blocks (SMALL slots), then of 1 MiB blocks (LARGE mappings).
  for (int i = 0; i < 1024; ++i) release(allocate(64 * 1024, 0, AllocOrigin::kMalloc, {}));
  for (int i = 0; i < 64; ++i) release(allocate(1 << 20, 0, AllocOrigin::kMalloc, {}));
  EXPECT_EQ(error_count(), before) << "the small block is still held, its fill unread";
  EXPECT_EQ(p[8], 'x');
  for (int i = 0; i < 20000; ++i) release(allocate(64, 0, AllocOrigin::kMalloc, {}));
  EXPECT_EQ(error_count(), before + 1) << "reported when small blocks pushed it out";
  g_options.quarantine_mb = saved;
}

}  // namespace
}  // namespace dm
