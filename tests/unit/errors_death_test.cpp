// abort_on_error: the process dies at the first error, after its report.
#include <gtest/gtest.h>

#include "core/allocator.h"
#include "support/options.h"

namespace dm {
namespace {

void release(void* p) { deallocate(p, {AllocOrigin::kMalloc, "free()"}); }

TEST(ErrorsDeathTest, AbortOnErrorAbortsAfterTheReport) {
  EXPECT_DEATH(
      {
        g_options.abort_on_error = true;
        void* p = allocate(10, 0, AllocOrigin::kMalloc, {});
        release(p);
        release(p);
      },
      "ERROR: debugmalloc: double-free");
}

TEST(ErrorsDeathTest, MismatchAbortsToo) {
  EXPECT_DEATH(
      {
        g_options.abort_on_error = true;
        void* p = allocate(10, 0, AllocOrigin::kNewArray, {});
        deallocate(p, {AllocOrigin::kMalloc, "free()"});
      },
      "alloc-dealloc-mismatch");
}

TEST(ErrorsDeathTest, OverflowAbortsAtFree) {
  EXPECT_DEATH(
      {
        g_options.abort_on_error = true;
        auto* p = static_cast<char*>(allocate(13, 0, AllocOrigin::kMalloc, {}));
        p[13] = 1;
        release(p);
      },
      "heap-buffer-overflow.*\\n.*1 byte changed 0 bytes past the end of a 13-byte block");
}

}  // namespace
}  // namespace dm
