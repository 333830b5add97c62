// Page guards (heap/page_guard.h, findings/fault_handler.h), through the real
// interposition: each kind of bad access is caught at the faulting instruction,
// and the report names the kind, read or write, where the address lies relative
// to the block, and the functions of the three stacks. The process then dies of
// the SIGSEGV, as it would have without the library.
//
// ctest runs this binary three times (tests/api/CMakeLists.txt):
//   guard_pages=all                            the default right alignment
//   guard_pages=all:guard_pages_align=left     the underflow tests
//   guard_pages=off                            large blocks, guarded in every mode
//   guard_pages=sample:sample_rate=10          sampling, and its bounded pool
// Each test skips itself in a run whose options it was not written for.
#include <gtest/gtest.h>

#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "require_debugmalloc.h"

extern "C" {
// The functions the stacks must name: plain C names, kept out of line.
__attribute__((noinline)) char* make_block(size_t size) {
  char* p = static_cast<char*>(malloc(size));
  asm volatile("" : : "r"(p) : "memory");
  return p;
}
__attribute__((noinline)) int read_at(const char* p, long index) {
  return *static_cast<const volatile char*>(p + index);
}
__attribute__((noinline)) void write_at(char* p, long index, char value) {
  *static_cast<volatile char*>(p + index) = value;
}
__attribute__((noinline)) void release_block(char* p) {
  free(p);
  asm volatile("" : : "r"(p) : "memory");
}
__attribute__((noinline)) void copy_into(char* to, const char* from, size_t n) {
  memcpy(to, from, n);
  asm volatile("" : : "r"(to) : "memory");
}
}

namespace {

std::string options() {
  const char* o = getenv("DEBUGMALLOC_OPTIONS");
  return o != nullptr ? o : "";
}
bool mode_is(const char* mode) { return options().find(std::string("guard_pages=") + mode) != std::string::npos; }
bool left_aligned() { return options().find("guard_pages_align=left") != std::string::npos; }

#define REQUIRE_MODE(cond)                                                 \
  do {                                                                     \
    if (!(cond)) GTEST_SKIP() << "not for DEBUGMALLOC_OPTIONS=" << options(); \
  } while (0)

// The report's parts: the title and summary lines, then the functions of each stack.
// "found" is the stack under "found by ...", "alloc" under "was allocated at:",
// "free" under "and freed at:".
std::string stack_section(const std::string& report, const std::string& heading) {
  size_t at = report.find(heading);
  if (at == std::string::npos) return "";
  std::string out;
  size_t line = report.find('\n', at);
  while (line != std::string::npos) {
    size_t next = report.find('\n', line + 1);
    std::string text = report.substr(line + 1, next == std::string::npos ? std::string::npos : next - line - 1);
    if (!std::regex_search(text, std::regex(R"(^==\d+==     #\d+ )"))) break;
    out += text + "\n";
    line = next;
  }
  return out;
}

// Matches a report: its kind, summary, and one function in each stack named.
class ReportMatcher : public testing::MatcherInterface<const std::string&> {
 public:
  ReportMatcher(std::string kind, std::string summary, std::string found_by, std::string found_fn,
                std::string alloc_fn, std::string free_fn, int count)
      : kind_(std::move(kind)),
        summary_(std::move(summary)),
        found_by_(std::move(found_by)),
        found_fn_(std::move(found_fn)),
        alloc_fn_(std::move(alloc_fn)),
        free_fn_(std::move(free_fn)),
        count_(count) {}

  bool MatchAndExplain(const std::string& err, testing::MatchResultListener* why) const override {
    std::regex title("==\\d+== ERROR: debugmalloc: " + kind_ + " on 0x[0-9a-f]+\n==\\d+== " + summary_ + "\n");
    auto begin = std::sregex_iterator(err.begin(), err.end(), title);
    int found = static_cast<int>(std::distance(begin, std::sregex_iterator()));
    if (found != count_) {
      *why << found << " reports matching the title and summary, wanted " << count_;
      return false;
    }
    std::string first = err.substr(static_cast<size_t>(begin->position()));
    struct {
      const char* heading;
      const std::string& fn;
    } stacks[] = {{"found by ", found_fn_}, {"was allocated at:", alloc_fn_}, {"and freed at:", free_fn_}};
    if (first.find("found by " + found_by_ + " at:") == std::string::npos) {
      *why << "not found by " << found_by_;
      return false;
    }
    for (const auto& s : stacks) {
      if (s.fn.empty()) {
        if (std::string(s.heading) == "and freed at:" && first.find(s.heading) != std::string::npos &&
            first.find(s.heading) < first.find("ERROR", 10)) {
          *why << "a free stack for a live block";
          return false;
        }
        continue;
      }
      if (stack_section(first, s.heading).find(" in " + s.fn) == std::string::npos) {
        *why << "no " << s.fn << " under '" << s.heading << "'";
        return false;
      }
    }
    return true;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << count_ << " report(s) of " << kind_ << " '" << summary_ << "' found in " << found_fn_;
  }

 private:
  std::string kind_, summary_, found_by_, found_fn_, alloc_fn_, free_fn_;
  int count_;
};

testing::Matcher<const std::string&> report(const std::string& kind, const std::string& summary,
                                            const std::string& found_by, const std::string& found_fn,
                                            const std::string& alloc_fn, const std::string& free_fn = "",
                                            int count = 1) {
  return testing::MakeMatcher(new ReportMatcher(kind, summary, found_by, found_fn, alloc_fn, free_fn, count));
}

const char kRead[] = "a read of a protected page";
const char kWrite[] = "a write to a protected page";
const char kBlock[] = "block at 0x[0-9a-f]+";

class PageGuard : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(PageGuard, ReadPastTheEnd) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  char* p = make_block(64);
  EXPECT_EXIT(read_at(p, 64), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("read 0 bytes after the 64-byte ") + kBlock, kRead,
                     "read_at", "make_block"));
}

TEST_F(PageGuard, WritePastTheEndOfAnOddSizeAndItsSlack) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  // 13 bytes end 3 bytes before the page (16-byte alignment kept): p[16] faults...
  char* p = make_block(13);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
  EXPECT_EQ(malloc_usable_size(p), 13u);
  EXPECT_EXIT(write_at(p, 16, 1), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("write 3 bytes after the 13-byte ") + kBlock, kWrite,
                     "write_at", "make_block"));
  // ...and the 3 bytes of slack are guard bytes, checked at free.
  EXPECT_EXIT(
      {
        write_at(p, 13, 1);
        release_block(p);
        _exit(0);
      },
      testing::ExitedWithCode(0),
      report("heap-buffer-overflow", std::string("1 byte changed 0 bytes past the end of a 13-byte ") + kBlock,
             "free()", "release_block", "make_block"));
  release_block(p);
}

TEST_F(PageGuard, FarOverflowJumpsNoGuard) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  char* p = make_block(64);
  EXPECT_EXIT(write_at(p, 64 + 4096, 1), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("write 4096 bytes after the 64-byte ") + kBlock, kWrite,
                     "write_at", "make_block"));
}

TEST_F(PageGuard, ReadAfterFree) {
  REQUIRE_MODE(mode_is("all"));
  char* p = make_block(64);
  release_block(p);
  EXPECT_EXIT(read_at(p, 3), testing::KilledBySignal(SIGSEGV),
              report("use-after-free", std::string("read 3 bytes inside the freed 64-byte ") + kBlock, kRead,
                     "read_at", "make_block", "release_block"));
}

TEST_F(PageGuard, WriteOfTheValueAlreadyThere) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  // 0x55 is the free fill and 0xFD the guard byte: the bytes do not change, the pages see it.
  char* p = make_block(64);
  EXPECT_EXIT(write_at(p, 64, static_cast<char>(0xFD)), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("write 0 bytes after the 64-byte ") + kBlock, kWrite,
                     "write_at", "make_block"));
  release_block(p);
  EXPECT_EXIT(write_at(p, 8, 0x55), testing::KilledBySignal(SIGSEGV),
              report("use-after-free", std::string("write 8 bytes inside the freed 64-byte ") + kBlock, kWrite,
                     "write_at", "make_block", "release_block"));
}

TEST_F(PageGuard, WriteAfterALongChurn) {
  REQUIRE_MODE(mode_is("all"));
  char* p = make_block(64);
  release_block(p);
  // 64 MiB of 64 KiB blocks: far more than the quarantine holds.
  for (int i = 0; i < 1024; ++i) {
    char* q = static_cast<char*>(malloc(64 * 1024));
    q[0] = 1;
    free(q);
  }
  EXPECT_EXIT(write_at(p, 8, 1), testing::KilledBySignal(SIGSEGV),
              report("use-after-free", std::string("write 8 bytes inside the freed 64-byte ") + kBlock, kWrite,
                     "write_at", "make_block", "release_block"));
}

TEST_F(PageGuard, OverflowThenUnderscoreExit) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  char* p = make_block(32);
  EXPECT_EXIT(
      {
        write_at(p, 32, 1);
        _exit(0);
      },
      testing::KilledBySignal(SIGSEGV),
      report("heap-buffer-overflow", std::string("write 0 bytes after the 32-byte ") + kBlock, kWrite, "write_at",
             "make_block"));
}

TEST_F(PageGuard, FaultInsideTheCLibrary) {
  REQUIRE_MODE(mode_is("all") && !left_aligned() && options().find("check_libc=0") != std::string::npos);
  char* p = make_block(64);
  static char source[4096];
  // The first frame is libc's memcpy (or the variant it picked); the next is the caller.
  EXPECT_EXIT(copy_into(p, source, 100), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("write 0 bytes after the 64-byte ") + kBlock, kWrite,
                     "copy_into", "make_block"));
  EXPECT_EXIT(copy_into(p, source, 100), testing::KilledBySignal(SIGSEGV),
              testing::ContainsRegex("#0 0x[0-9a-f]+ in __mem[a-z_0-9]+ .*libc\\.so"));
}

char* g_signal_block = nullptr;

void read_in_handler(int) { read_at(g_signal_block, 64); }

TEST_F(PageGuard, FaultInAHandlerOnASmallAlternateStack) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  g_signal_block = make_block(64);
  EXPECT_EXIT(
      {
        static char stack[8192];  // a small alternate stack: the report needs more, on a stack of its own
        stack_t ss{};
        ss.ss_sp = stack;
        ss.ss_size = sizeof stack;
        sigaltstack(&ss, nullptr);
        struct sigaction sa {};
        sa.sa_handler = read_in_handler;
        sa.sa_flags = SA_ONSTACK;
        sigaction(SIGUSR1, &sa, nullptr);
        raise(SIGUSR1);
      },
      testing::KilledBySignal(SIGSEGV),
      report("heap-buffer-overflow", std::string("read 0 bytes after the 64-byte ") + kBlock, kRead,
             "read_in_handler", "make_block"));
}

void* overflow_in_thread(void* block) {
  static std::atomic<int> ready{0};
  ready.fetch_add(1);
  while (ready.load() < 4) {
  }
  read_at(static_cast<char*>(block), 64);
  return nullptr;
}

TEST_F(PageGuard, ThreadsFaultingAtOnceEachGetAReport) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  EXPECT_EXIT(
      {
        pthread_t threads[4];
        for (pthread_t& t : threads) pthread_create(&t, nullptr, overflow_in_thread, make_block(64));
        for (pthread_t& t : threads) pthread_join(t, nullptr);
      },
      testing::KilledBySignal(SIGSEGV),
      report("heap-buffer-overflow", std::string("read 0 bytes after the 64-byte ") + kBlock, kRead,
             "overflow_in_thread", "make_block", "", 4));
}

sigjmp_buf g_recover;
void program_handler(int) { siglongjmp(g_recover, 1); }

TEST_F(PageGuard, AHandlerInstalledAfterTheLibraryGetsTheFaultsThatAreNotOurs) {
  REQUIRE_MODE(mode_is("all") && !left_aligned());
  char* p = make_block(64);
  EXPECT_EXIT(
      {
        signal(SIGSEGV, program_handler);
        struct sigaction current {};
        sigaction(SIGSEGV, nullptr, &current);
        if (current.sa_handler != program_handler) _exit(3);  // the program sees its own handler
        if (sigsetjmp(g_recover, 1) == 0) *static_cast<volatile int*>(nullptr) = 1;  // the program's to handle
        fprintf(stderr, "recovered\n");
        read_at(p, 64);  // the library's
      },
      testing::KilledBySignal(SIGSEGV), testing::ContainsRegex("recovered\n.*heap-buffer-overflow"));
}

TEST_F(PageGuard, ReadBeforeTheStart) {
  REQUIRE_MODE(mode_is("all") && left_aligned());
  char* p = make_block(64);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
  EXPECT_EXIT(read_at(p, -1), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-underflow", std::string("read 1 byte before the 64-byte ") + kBlock, kRead,
                     "read_at", "make_block"));
}

TEST_F(PageGuard, WriteOfTheGuardValueBeforeTheStart) {
  REQUIRE_MODE(mode_is("all") && left_aligned());
  char* p = make_block(64);
  EXPECT_EXIT(write_at(p, -16, static_cast<char>(0xFD)), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-underflow", std::string("write 16 bytes before the 64-byte ") + kBlock, kWrite,
                     "write_at", "make_block"));
}

TEST_F(PageGuard, LargeBlocksEndAgainstAProtectedPageInEveryMode) {
  char* p = make_block(1 << 20);
  EXPECT_EXIT(read_at(p, 1 << 20), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("read 0 bytes after the 1048576-byte ") + kBlock, kRead,
                     "read_at", "make_block"));
  // The alignment asked for is kept: the block ends less than that before the page
  // (300000 = 73 * 4096 + 992), and the slack is guard bytes.
  void* aligned = nullptr;
  ASSERT_EQ(posix_memalign(&aligned, 4096, 300000), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned) % 4096, 0u);
  memset(aligned, 1, 300000);
  EXPECT_EXIT(read_at(static_cast<char*>(aligned), 300000 + 3104), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("read 3104 bytes after the 300000-byte ") + kBlock, kRead,
                     "read_at", "TestBody"));
  free(aligned);
  release_block(p);
  EXPECT_EXIT(read_at(p, 5000), testing::KilledBySignal(SIGSEGV),
              report("use-after-free", std::string("read 5000 bytes inside the freed 1048576-byte ") + kBlock, kRead,
                     "read_at", "make_block", "release_block"));
}

TEST_F(PageGuard, MoreLiveBlocksThanTheKernelAllowsMappingsDegradeToGuardBytes) {
  REQUIRE_MODE(mode_is("all"));
  EXPECT_EXIT(
      {
        constexpr int kBlocks = 120000;
        static char* blocks[kBlocks];
        for (int i = 0; i < kBlocks; ++i) {
          blocks[i] = static_cast<char*>(calloc(1, 48));
          if (blocks[i] == nullptr) _exit(1);
          blocks[i][47] = static_cast<char>(i);
        }
        for (int i = 0; i < kBlocks; ++i)
          if (blocks[i][47] != static_cast<char>(i) || malloc_usable_size(blocks[i]) != 48) _exit(2);
        for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
        _exit(0);
      },
      testing::ExitedWithCode(0),
      testing::MatchesRegex("debugmalloc: guard_pages: [^\n]*vm.max_map_count[^\n]*\n"));  // one warning, no error
}

// A page-guarded block of `size` (a multiple of 16) ends exactly at a page boundary.
bool page_guarded(const char* p, size_t size) { return (reinterpret_cast<uintptr_t>(p) + size) % 4096 == 0; }

TEST_F(PageGuard, SampleModeGuardsAboutOneAllocationInSampleRate) {
  REQUIRE_MODE(mode_is("sample") && options().find("sample_rate=10:") != std::string::npos);
  constexpr int kBlocks = 3000;
  static char* blocks[kBlocks];
  int guarded = 0;
  for (char*& b : blocks) guarded += page_guarded(b = make_block(64), 64);
  EXPECT_GT(guarded, kBlocks / 10 / 3) << "one in 10 on average";
  EXPECT_LT(guarded, kBlocks / 10 * 3);
  for (char* b : blocks) release_block(b);
  // A sampled block caught as it happens, like any other.
  char* p = nullptr;
  for (int i = 0; i < 1000 && p == nullptr; ++i) {
    char* q = make_block(64);
    if (page_guarded(q, 64))
      p = q;
    else
      release_block(q);
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EXIT(read_at(p, 64), testing::KilledBySignal(SIGSEGV),
              report("heap-buffer-overflow", std::string("read 0 bytes after the 64-byte ") + kBlock, kRead,
                     "read_at", "make_block"));
}

TEST_F(PageGuard, SampledAddressesAreNotReusedUntilThePoolCycles) {
  REQUIRE_MODE(mode_is("sample") && options().find("sample_rate=10:") != std::string::npos);
  // The pool holds 1024 slots, reused oldest freed first: a freed sampled block's
  // address comes back only after every other free slot of the pool was used (a
  // few may be held by blocks earlier tests left live).
  std::vector<uintptr_t> seen;
  for (int i = 0; i < 100000 && seen.size() < 1500; ++i) {
    char* q = make_block(64);
    if (page_guarded(q, 64)) seen.push_back(reinterpret_cast<uintptr_t>(q));
    release_block(q);
  }
  ASSERT_EQ(seen.size(), 1500u);
  size_t reused = 0;
  for (size_t i = 0; i < seen.size(); ++i) {
    for (size_t j = i + 1; j < seen.size(); ++j) {
      if (seen[j] != seen[i]) continue;
      EXPECT_GE(j - i, 1000u) << "a sampled address came back after " << j - i << " sampled blocks";
      ++reused;
      break;
    }
  }
  EXPECT_GT(reused, 0u) << "the pool is bounded: its slots are reused";
}

TEST_F(PageGuard, TheSamplePoolIsBounded) {
  REQUIRE_MODE(mode_is("sample") && options().find("sample_rate=10:") != std::string::npos);
  // More live sampled blocks than the pool holds: the others are ordinary blocks, all usable.
  constexpr int kBlocks = 30000;
  static char* blocks[kBlocks];
  int guarded = 0;
  for (char*& b : blocks) {
    b = make_block(64);
    ASSERT_NE(b, nullptr);
    memset(b, 7, 64);
    guarded += page_guarded(b, 64);
  }
  EXPECT_LE(guarded, 1024 + kBlocks / 64) << "the pool, and ordinary blocks that happen to end at a page";
  EXPECT_GT(guarded, 1000);
  for (char* b : blocks) release_block(b);
}

}  // namespace
