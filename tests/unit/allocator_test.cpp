// The allocator through its internal API: placement, alignment, realloc, and
// that every kind of bad free is reported and skipped without crashing.
#include "core/allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "heap/block.h"
#include "findings/errors.h"

namespace dm {
namespace {

TEST(Allocator, BlocksAreAlignedWritableAndSized) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{13}, size_t{1000}, size_t{5000}, size_t{200000}, size_t{3} << 20}) {
    void* p = allocate(size, 0, AllocOrigin::kMalloc, {});
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    memset(p, 0x5a, size);
    EXPECT_EQ(usable_size(p), size);
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  }
}

TEST(Allocator, KindsFollowTheSize) {
  BlockRef b;
  void* tiny = allocate(100, 0, AllocOrigin::kMalloc, {});
  void* small = allocate(10000, 0, AllocOrigin::kMalloc, {});
  void* large = allocate(1 << 20, 0, AllocOrigin::kMalloc, {});
  ASSERT_EQ(locate_block(reinterpret_cast<uintptr_t>(tiny), &b), Locate::kFound);
  EXPECT_EQ(b.kind(), ZoneKind::kTiny);
  ASSERT_EQ(locate_block(reinterpret_cast<uintptr_t>(small), &b), Locate::kFound);
  EXPECT_EQ(b.kind(), ZoneKind::kSmall);
  ASSERT_EQ(locate_block(reinterpret_cast<uintptr_t>(large), &b), Locate::kFound);
  EXPECT_EQ(b.kind(), ZoneKind::kLarge);
  for (void* p : {tiny, small, large}) deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
}

TEST(Allocator, HonoursLargeAlignments) {
  for (size_t align = 16; align <= (size_t{1} << 22); align <<= 1) {
    for (size_t size : {size_t{1}, size_t{100}, size_t{70000}}) {
      void* p = allocate(size, align, AllocOrigin::kMalloc, {});
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u) << align;
      memset(p, 1, size);
      deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    }
  }
}

TEST(Allocator, ZeroedAllocationIsZeroAfterReuse) {
  for (int i = 0; i < 100; ++i) {
    char* dirty = static_cast<char*>(allocate(256, 0, AllocOrigin::kMalloc, {}));
    memset(dirty, 0xff, 256);
    deallocate(dirty, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    char* z = static_cast<char*>(allocate_zeroed(256, {}));
    for (int j = 0; j < 256; ++j) ASSERT_EQ(z[j], 0);
    deallocate(z, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  }
}

TEST(Allocator, ReallocKeepsContentAcrossClasses) {
  ReallocStatus st;
  auto* p = static_cast<unsigned char*>(allocate(10, 0, AllocOrigin::kMalloc, {}));
  for (int i = 0; i < 10; ++i) p[i] = static_cast<unsigned char>(i);
  for (size_t size : {size_t{100}, size_t{5000}, size_t{300000}, size_t{40}, size_t{10}}) {
    p = static_cast<unsigned char*>(reallocate(p, size, {}, &st));
    ASSERT_EQ(st, ReallocStatus::kOk);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(p[i], i);
    EXPECT_EQ(usable_size(p), size);
  }
  deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
}

// Every bad free is reported once and skipped; the heap stays usable.
class BadFree : public ::testing::Test {
 protected:
  void expect_one_error(void (*bad)()) {
    uint64_t before = error_count();
    bad();
    EXPECT_EQ(error_count(), before + 1);
  }
};

TEST_F(BadFree, StackGlobalAndForeignPointers) {
  static int global;
  expect_one_error([] {
    int local;
    deallocate(&local, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
  expect_one_error([] { deallocate(&global, {AllocOrigin::kMalloc, "free()", kUnsized, 0}); });
  expect_one_error([] { deallocate(reinterpret_cast<void*>(0x10), {AllocOrigin::kMalloc, "free()", kUnsized, 0}); });
}

TEST_F(BadFree, InteriorPointerDoubleFreeAndMismatch) {
  expect_one_error([] {
    char* p = static_cast<char*>(allocate(64, 0, AllocOrigin::kMalloc, {}));
    deallocate(p + 8, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
  expect_one_error([] {
    void* p = allocate(64, 0, AllocOrigin::kMalloc, {});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
  expect_one_error([] {
    void* p = allocate(64, 0, AllocOrigin::kNewArray, {});
    deallocate(p, {AllocOrigin::kNew, "operator delete", kUnsized, 0});
  });
  expect_one_error([] {
    void* p = allocate(64, 0, AllocOrigin::kNew, {});
    deallocate(p, {AllocOrigin::kNew, "operator delete", 65, 0});
  });
  expect_one_error([] {
    void* p = allocate(64, 64, AllocOrigin::kNewAligned, {});
    deallocate(p, {AllocOrigin::kNewAligned, "operator delete(align_val_t)", kUnsized, 128});
  });
}

TEST_F(BadFree, LargeBlockDoubleFreeAndInterior) {
  expect_one_error([] {
    char* p = static_cast<char*>(allocate(1 << 20, 0, AllocOrigin::kMalloc, {}));
    deallocate(p + 4096, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
  expect_one_error([] {
    void* p = allocate(1 << 20, 0, AllocOrigin::kMalloc, {});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
}

TEST_F(BadFree, SmashedHeaderIsHeapCorruption) {
  expect_one_error([] {
    char* p = static_cast<char*>(allocate(64, 0, AllocOrigin::kMalloc, {}));
    BlockRef b;
    ASSERT_EQ(locate_block(reinterpret_cast<uintptr_t>(p), &b), Locate::kFound);
    memset(reinterpret_cast<void*>(b.slot), 0x41, kHeaderSize);  // the chunk header
    deallocate(p, {AllocOrigin::kMalloc, "free()", kUnsized, 0});
  });
}

}  // namespace
}  // namespace dm
