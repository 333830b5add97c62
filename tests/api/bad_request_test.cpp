// Allocation requests that are certainly bugs, through the real interposition:
// a size with its top bit set (a negative value passed as a size) is an
// allocation-size-too-big error, a calloc or reallocarray whose count * size
// overflows is a calloc-overflow. Each is reported once, with the caller's
// stack, and the call then fails as the C library's does. Run with
// exitcode=0: the reports are expected; the runtime API counts and reads them.
#include <debugmalloc/debugmalloc.h>
#include <gtest/gtest.h>

#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <regex>
#include <string>
#include <tuple>

// Using a block after a *failed* reallocarray is correct and is what a test checks.
#pragma GCC diagnostic ignored "-Wuse-after-free"

namespace {

template <typename T>
T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr size_t kMinusOne = SIZE_MAX;             // (size_t)-1
constexpr size_t kMinus16 = SIZE_MAX - 15;         // (size_t)-16
constexpr char kHere[] = "bad_request_test.cpp:";  // the found-by stack starts in this file
constexpr char kTopBit[] = ": the requested size has its top bit set \\(a negative value passed as a size\\)";

class BadRequest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(debugmalloc_running(), 1) << "NOT RUNNING UNDER debugmalloc"; }

  // The one error reported since `before_`, as its readable report.
  std::string one_report() {
    char text[16384];
    size_t n = debugmalloc_errors_since_text(before_, text, sizeof text);
    EXPECT_EQ(n, 1u) << text;
    before_ = debugmalloc_error_count();
    return text;
  }
  void expect_report(const char* kind, const std::string& message_pattern, const char* function) {
    std::string report = one_report();
    EXPECT_NE(report.find(std::string("ERROR: debugmalloc: ") + kind + "\n"), std::string::npos) << report;
    EXPECT_TRUE(std::regex_search(report, std::regex("\n" + message_pattern))) << report;
    std::string found_by = report.substr(report.find("found by"));
    EXPECT_NE(found_by.find(function), std::string::npos) << "the caller is in the found-by stack:\n" << report;
    EXPECT_EQ(report.find("was allocated at"), std::string::npos) << "there is no block";
  }
  void expect_no_report() { EXPECT_EQ(debugmalloc_error_count(), before_); }

  size_t before_ = debugmalloc_error_count();
};

// Calls from a frame of this file (no tail call), which the found-by stack must start with.
#define FROM_HERE(call) \
  []() -> void* {       \
    void* p = (call);   \
    escape(p);          \
    return p;           \
  }

TEST_F(BadRequest, EveryCFunctionWithANegativeSizeFailsWithEnomemAndIsReported) {
  struct Case {
    const char* pattern;
    void* (*call)();
  };
  const Case cases[] = {
      {"malloc\\(18446744073709551615\\)", FROM_HERE(malloc(opaque(kMinusOne)))},
      {"malloc\\(18446744073709551600\\)", FROM_HERE(malloc(opaque(kMinus16)))},
      {"realloc\\(0x0, 18446744073709551615\\)", FROM_HERE(realloc(nullptr, opaque(kMinusOne)))},
      {"aligned_alloc\\(64, 18446744073709551615\\)", FROM_HERE(aligned_alloc(64, opaque(kMinusOne)))},
      {"memalign\\(64, 18446744073709551615\\)", FROM_HERE(memalign(64, opaque(kMinusOne)))},
      {"valloc\\(18446744073709551615\\)", FROM_HERE(valloc(opaque(kMinusOne)))},
      {"pvalloc\\(18446744073709551605\\)", FROM_HERE(pvalloc(opaque(SIZE_MAX - 10)))},
      {"calloc\\(1, 18446744073709551615\\)", FROM_HERE(calloc(1, opaque(kMinusOne)))},
      // No overflow, but the product has its top bit set: the message gives it.
      {"calloc\\(3, 4611686018427387903\\): the requested size \\(13835058055282163709 bytes\\) has its top bit set",
       FROM_HERE(calloc(3, opaque(SIZE_MAX / 4)))},
  };
  for (const Case& c : cases) {
    errno = 0;
    EXPECT_EQ(c.call(), nullptr) << c.pattern;
    EXPECT_EQ(errno, ENOMEM) << c.pattern;
    std::string pattern = c.pattern;
    if (pattern.find(": the requested") == std::string::npos) pattern += kTopBit;
    expect_report("allocation-size-too-big", pattern, kHere);
  }
}

TEST_F(BadRequest, ReallocWithANegativeSizeKeepsTheBlock) {
  auto* p = static_cast<char*>(malloc(40));
  ASSERT_NE(p, nullptr);
  memcpy(p, "kept", 5);
  errno = 0;
  EXPECT_EQ(realloc(p, opaque(kMinusOne)), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  expect_report("allocation-size-too-big", "realloc\\(0x[0-9a-f]+, 18446744073709551615\\)" + std::string(kTopBit),
                kHere);
  EXPECT_STREQ(p, "kept");
  EXPECT_EQ(malloc_usable_size(p), 40u);
  free(p);
  expect_no_report();
}

TEST_F(BadRequest, PosixMemalignReturnsEnomemAndTouchesNeitherErrnoNorTheResult) {
  void* sentinel = reinterpret_cast<void*>(0xDEAD0);
  void* p = sentinel;
  errno = 1234;
  EXPECT_EQ(posix_memalign(&p, 64, opaque(kMinusOne)), ENOMEM);
  EXPECT_EQ(errno, 1234);
  EXPECT_EQ(p, sentinel);
  expect_report("allocation-size-too-big",
                "posix_memalign\\(0x[0-9a-f]+, 64, 18446744073709551615\\)" + std::string(kTopBit), kHere);
  // A bad alignment is EINVAL first, as in glibc.
  EXPECT_EQ(posix_memalign(&p, 3, opaque(kMinusOne)), EINVAL);
  expect_no_report();
}

TEST_F(BadRequest, CallocAndReallocarrayOverflowAreReported) {
  // Each from its own call site: errors from one site are one report, counted.
  const std::tuple<size_t, size_t, void* (*)()> cases[] = {
      {SIZE_MAX, 2, FROM_HERE(calloc(opaque(SIZE_MAX), 2))},
      {2, SIZE_MAX, FROM_HERE(calloc(2, opaque(SIZE_MAX)))},
      {size_t{1} << 32, size_t{1} << 32, FROM_HERE(calloc(opaque(size_t{1} << 32), size_t{1} << 32))},
      {SIZE_MAX / 3 + 1, 3, FROM_HERE(calloc(opaque(SIZE_MAX / 3 + 1), 3))}};
  for (auto [count, size, call] : cases) {
    errno = 0;
    EXPECT_EQ(call(), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    std::string c = std::to_string(count), s = std::to_string(size);
    expect_report("calloc-overflow",
                  "calloc\\(" + c + ", " + s + "\\): the total size, " + c + " \\* " + s + ", does not fit in size_t",
                  kHere);
  }
  auto* q = static_cast<uint32_t*>(reallocarray(nullptr, 10, sizeof(uint32_t)));
  ASSERT_NE(q, nullptr);
  for (uint32_t i = 0; i < 10; ++i) q[i] = i * 3;
  errno = 0;
  EXPECT_EQ(reallocarray(q, opaque(SIZE_MAX / 2), 4), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  expect_report("calloc-overflow",
                "reallocarray\\(0x[0-9a-f]+, 9223372036854775807, 4\\): the total size, "
                "9223372036854775807 \\* 4, does not fit in size_t",
                kHere);
  // No overflow, but the top bit: the other kind.
  errno = 0;
  EXPECT_EQ(reallocarray(q, opaque(SIZE_MAX / 4), 3), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  expect_report("allocation-size-too-big",
                "reallocarray\\(0x[0-9a-f]+, 4611686018427387903, 3\\): the requested size "
                "\\(13835058055282163709 bytes\\) has its top bit set",
                kHere);
  EXPECT_EQ(malloc_usable_size(q), 10 * sizeof(uint32_t));
  for (uint32_t i = 0; i < 10; ++i) ASSERT_EQ(q[i], i * 3);
  free(q);
  expect_no_report();
}

TEST_F(BadRequest, EveryOperatorNewFormThrowsOrReturnsNullAndIsReported) {
  const auto al = std::align_val_t(64);
  const std::string n = "18446744073709551600";
  const std::string a = ", std::align_val_t\\(64\\)";
  const std::string nt = ", std::nothrow";
  EXPECT_THROW(escape(::operator new(opaque(kMinus16))), std::bad_alloc);
  expect_report("allocation-size-too-big", "operator new\\(" + n + "\\)" + kTopBit, kHere);
  EXPECT_THROW(escape(::operator new[](opaque(kMinus16))), std::bad_alloc);
  expect_report("allocation-size-too-big", "operator new \\[\\]\\(" + n + "\\)" + kTopBit, kHere);
  EXPECT_THROW(escape(::operator new(opaque(kMinus16), al)), std::bad_alloc);
  expect_report("allocation-size-too-big", "operator new\\(" + n + a + "\\)" + kTopBit, kHere);
  EXPECT_THROW(escape(::operator new[](opaque(kMinus16), al)), std::bad_alloc);
  expect_report("allocation-size-too-big", "operator new \\[\\]\\(" + n + a + "\\)" + kTopBit, kHere);
  EXPECT_EQ(::operator new(opaque(kMinus16), std::nothrow), nullptr);
  expect_report("allocation-size-too-big", "operator new\\(" + n + nt + "\\)" + kTopBit, kHere);
  EXPECT_EQ(::operator new[](opaque(kMinus16), std::nothrow), nullptr);
  expect_report("allocation-size-too-big", "operator new \\[\\]\\(" + n + nt + "\\)" + kTopBit, kHere);
  EXPECT_EQ(::operator new(opaque(kMinus16), al, std::nothrow), nullptr);
  expect_report("allocation-size-too-big", "operator new\\(" + n + a + nt + "\\)" + kTopBit, kHere);
  EXPECT_EQ(::operator new[](opaque(kMinus16), al, std::nothrow), nullptr);
  expect_report("allocation-size-too-big", "operator new \\[\\]\\(" + n + a + nt + "\\)" + kTopBit, kHere);
}

int g_handler_calls = 0;
void counting_new_handler() {
  if (++g_handler_calls == 3) std::set_new_handler(nullptr);
}

// As with the C++ library, the new_handler runs before std::bad_alloc; the
// request is one error, however many times the handler retries it.
TEST_F(BadRequest, NewHandlerRunsAndTheRequestIsReportedOnce) {
  g_handler_calls = 0;
  std::set_new_handler(counting_new_handler);
  EXPECT_THROW(escape(::operator new(opaque(kMinusOne))), std::bad_alloc);
  EXPECT_EQ(g_handler_calls, 3);
  expect_report("allocation-size-too-big", "operator new\\(18446744073709551615\\)" + std::string(kTopBit), kHere);
  std::set_new_handler(nullptr);
}

// The same bug again from the same place: counted each time, printed once.
TEST_F(BadRequest, RepeatsAreCounted) {
  for (int i = 0; i < 3; ++i) escape(malloc(opaque(kMinusOne)));
  char text[16384];
  EXPECT_EQ(debugmalloc_errors_since_text(before_, text, sizeof text), 3u) << text;
  before_ = debugmalloc_error_count();
}

// More than memory, but not bugs: programs probe such sizes on purpose.
TEST_F(BadRequest, SizesLargerThanMemoryAreNotReported) {
  const size_t memory = static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
  for (size_t n : {size_t{1} << 45, 4 * memory, (size_t{1} << 46) + 1, size_t{1} << 62, SIZE_MAX / 2}) {
    void* probe = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bool kernel_commits = probe != MAP_FAILED;
    if (kernel_commits) munmap(probe, n);
    errno = 0;
    void* p = malloc(opaque(n));
    escape(p);
    if (!kernel_commits) {
      EXPECT_EQ(p, nullptr) << n;
      EXPECT_EQ(errno, ENOMEM) << n;
    }
    free(p);
  }
  EXPECT_EQ(calloc(opaque(size_t{1} << 31), size_t{1} << 31), nullptr);
  EXPECT_THROW(escape(::operator new(opaque(SIZE_MAX / 2))), std::bad_alloc);
  expect_no_report();
}

}  // namespace
