// The structured findings of the runtime API (debugmalloc_leaks_since_each,
// debugmalloc_errors_since_each; include/debugmalloc/findings.h), through real
// preloading: leaks and heap errors made on purpose come back as structs with
// the right kinds and sizes, and with frames that name this file, its lines
// and this binary. Callbacks that allocate, free and even err themselves work.
// Run without the library (--without-library), the calls are no-ops.
#include <debugmalloc/debugmalloc.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <climits>
#include <string>
#include <vector>

namespace {

bool g_expect_library = true;

// A copy of a frame, kept past the callback.
struct Frame {
  uintptr_t pc = 0;
  std::string module;
  uintptr_t offset = 0;
  std::string function;
  std::string file;
  unsigned line = 0;
};

// A copy of a finding: the callback builds it, so it allocates while the library walks.
struct Finding {
  bool is_leak = false;
  std::string kind, message, found_by;
  uintptr_t address = 0, block = 0;
  bool block_known = false;
  size_t block_size = 0, bad_bytes = 0, bytes = 0, blocks = 0;
  unsigned long long occurrences = 0;
  std::vector<Frame> found, alloc, freed;
};

std::string text_of(const char* s) { return s != nullptr ? s : ""; }

std::vector<Frame> copy_stack(const debugmalloc_stack& s) {
  std::vector<Frame> out;
  for (size_t i = 0; i < s.count; ++i) {
    const debugmalloc_frame& f = s.frames[i];
    out.push_back(Frame{f.pc, text_of(f.module), f.offset, text_of(f.function), text_of(f.file), f.line});
  }
  return out;
}

void collect(const debugmalloc_finding* f, void* context) {
  ASSERT_GE(f->size, sizeof(debugmalloc_finding));
  Finding c;
  c.is_leak = f->is_leak != 0;
  c.kind = text_of(f->kind);
  c.message = text_of(f->message);
  c.found_by = text_of(f->found_by);
  c.address = f->address;
  c.block_known = f->block_known != 0;
  c.block = f->block;
  c.block_size = f->block_size;
  c.bad_bytes = f->bad_bytes;
  c.occurrences = f->occurrences;
  c.bytes = f->bytes;
  c.blocks = f->blocks;
  c.found = copy_stack(f->found_stack);
  c.alloc = copy_stack(f->alloc_stack);
  c.freed = copy_stack(f->free_stack);
  static_cast<std::vector<Finding>*>(context)->push_back(std::move(c));
}

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

// The first frame in this source file, or null.
const Frame* frame_in_this_file(const std::vector<Frame>& stack) {
  for (const Frame& f : stack)
    if (ends_with(f.file, "/findings_api_test.cpp")) return &f;
  return nullptr;
}

// The frame's module is this test binary, and its offset is pc minus the binary's load bias.
void expect_frame_of_this_binary(const Frame& f) {
  char exe[PATH_MAX];
  ASSERT_NE(realpath("/proc/self/exe", exe), nullptr);
  EXPECT_EQ(f.module, exe);
  Dl_info info;
  link_map* map = nullptr;
  ASSERT_NE(dladdr1(reinterpret_cast<void*>(f.pc), &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP), 0);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(f.offset, f.pc - map->l_addr) << "offset = pc - the module's load base";
}

// Zeroes the dead stack below the caller, where a callee's copies of the pointers a test
// leaks on purpose would still be read by the conservative scan.
__attribute__((noinline)) void scrub_stack_below() {
  char area[16 * 1024];
  explicit_bzero(area, sizeof area);
  asm volatile("" : : "r"(area) : "memory");
}

int g_leak_line = 0;
__attribute__((noinline)) void leak_for_the_findings_test(size_t n) {
  g_leak_line = __LINE__ + 1;
  void* p = malloc(n);
  memset(p, 1, n);
  asm volatile("" : : "r"(p) : "memory");
}

int g_allocate_line = 0;
__attribute__((noinline)) char* allocate_for_the_findings_test(size_t n) {
  g_allocate_line = __LINE__ + 1;
  char* p = static_cast<char*>(malloc(n));
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

__attribute__((noinline)) void leak_from_a_callback(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
}

class FindingsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!g_expect_library) GTEST_SKIP() << "runs without the library: see WithoutTheLibrary";
    ASSERT_EQ(debugmalloc_running(), 1) << "NOT RUNNING UNDER debugmalloc";
  }
};

TEST_F(FindingsApi, ALeakGroupComesWithItsSizesAndSymbolizedStack) {
  unsigned mark = debugmalloc_mark();
  int call_line = __LINE__ + 1;
  leak_for_the_findings_test(123);
  scrub_stack_below();
  std::vector<Finding> leaks;
  size_t bytes = debugmalloc_leaks_since_each(mark, collect, &leaks);
  EXPECT_EQ(bytes, 123u);
  ASSERT_EQ(leaks.size(), 1u);
  const Finding& leak = leaks[0];
  EXPECT_TRUE(leak.is_leak);
  EXPECT_EQ(leak.kind, "definite");
  EXPECT_EQ(leak.bytes, 123u);
  EXPECT_EQ(leak.blocks, 1u);
  EXPECT_EQ(leak.message, "definite leak: 123 bytes in 1 block definitely lost");
  EXPECT_TRUE(leak.found.empty());
  EXPECT_TRUE(leak.freed.empty());
  ASSERT_FALSE(leak.alloc.empty());

  // The innermost frame is the function that called malloc, at the line of the call.
  const Frame& top = leak.alloc[0];
  EXPECT_NE(top.function.find("leak_for_the_findings_test"), std::string::npos) << top.function;
  EXPECT_TRUE(ends_with(top.file, "/findings_api_test.cpp")) << top.file;
  EXPECT_EQ(top.line, static_cast<unsigned>(g_leak_line));
  expect_frame_of_this_binary(top);
  // Its caller, the test body, at the line of the call. (Debug information may name it
  // briefly, "TestBody", or in full.)
  ASSERT_GE(leak.alloc.size(), 2u);
  const Frame& caller = leak.alloc[1];
  EXPECT_NE(caller.function.find("TestBody"), std::string::npos) << caller.function;
  EXPECT_TRUE(ends_with(caller.file, "/findings_api_test.cpp")) << caller.file;
  EXPECT_EQ(caller.line, static_cast<unsigned>(call_line));
  expect_frame_of_this_binary(caller);

  // The same finding as the text form's listing.
  char text[16384];
  EXPECT_EQ(debugmalloc_leaks_since_text(mark, text, sizeof text), 123u);
  EXPECT_NE(std::string(text).find(leak.message + ", allocated at:"), std::string::npos) << text;
}

TEST_F(FindingsApi, AnOverflowAndADoubleFreeComeWithBlockAndStacks) {
  size_t before = debugmalloc_error_count();
  char* live = allocate_for_the_findings_test(10);
  live[10] = 'x';  // one past the end, found by the heap check
  EXPECT_EQ(debugmalloc_check_heap(), 1u);
  char* freed = allocate_for_the_findings_test(24);
  free(freed);
  free(freed);  // the double free: reported, and not done
  std::vector<Finding> errors;
  EXPECT_EQ(debugmalloc_errors_since_each(before, collect, &errors), 2u);
  ASSERT_EQ(errors.size(), 2u);

  const Finding& overflow = errors[0];
  EXPECT_FALSE(overflow.is_leak);
  EXPECT_EQ(overflow.kind, "heap-buffer-overflow");
  EXPECT_EQ(overflow.found_by, "debugmalloc_check_heap()");
  EXPECT_EQ(overflow.address, reinterpret_cast<uintptr_t>(live + 10));
  EXPECT_TRUE(overflow.block_known);
  EXPECT_EQ(overflow.block, reinterpret_cast<uintptr_t>(live));
  EXPECT_EQ(overflow.block_size, 10u);
  EXPECT_EQ(overflow.bad_bytes, 1u);
  EXPECT_EQ(overflow.occurrences, 1u);
  EXPECT_NE(overflow.message.find("1 byte changed 0 bytes past the end of a 10-byte block"), std::string::npos)
      << overflow.message;
  ASSERT_FALSE(overflow.alloc.empty());
  EXPECT_NE(overflow.alloc[0].function.find("allocate_for_the_findings_test"), std::string::npos);
  EXPECT_EQ(overflow.alloc[0].line, static_cast<unsigned>(g_allocate_line));
  expect_frame_of_this_binary(overflow.alloc[0]);
  EXPECT_FALSE(overflow.found.empty()) << "found where debugmalloc_check_heap() was called";
  EXPECT_TRUE(overflow.freed.empty());

  const Finding& twice = errors[1];
  EXPECT_EQ(twice.kind, "double-free");
  EXPECT_EQ(twice.found_by, "free()");
  EXPECT_EQ(twice.address, reinterpret_cast<uintptr_t>(freed));
  EXPECT_EQ(twice.block_size, 24u);
  const Frame* found = frame_in_this_file(twice.found);
  ASSERT_NE(found, nullptr) << "the second free() is in this file";
  EXPECT_NE(found->function.find("TestBody"), std::string::npos) << found->function;
  expect_frame_of_this_binary(*found);
  EXPECT_NE(frame_in_this_file(twice.freed), nullptr) << "and so is the first";
  ASSERT_FALSE(twice.alloc.empty());
  EXPECT_NE(twice.alloc[0].function.find("allocate_for_the_findings_test"), std::string::npos);

  // The same findings as the text form's reports.
  char text[32768];
  EXPECT_EQ(debugmalloc_errors_since_text(before, text, sizeof text), 2u);
  for (const Finding& e : errors) {
    EXPECT_NE(std::string(text).find(e.message), std::string::npos) << text;
    EXPECT_NE(std::string(text).find("ERROR: debugmalloc: " + e.kind), std::string::npos) << text;
  }
  free(live);
}

// A callback is the program's code: its blocks are ordinary heap blocks that it may keep
// past the call and free later, or leak (then a later check reports them).
TEST_F(FindingsApi, CallbacksMayAllocateKeepAndFree) {
  unsigned mark = debugmalloc_mark();
  leak_for_the_findings_test(40);
  leak_for_the_findings_test(50);
  scrub_stack_below();
  struct Kept {
    std::vector<char*> copies;
    int calls = 0;
  } kept;
  size_t errors_before = debugmalloc_error_count();
  size_t bytes = debugmalloc_leaks_since_each(
      mark,
      [](const debugmalloc_finding* f, void* context) {
        auto* k = static_cast<Kept*>(context);
        ++k->calls;
        void* scratch = malloc(1000);  // allocated and freed inside
        memset(scratch, 0, 1000);
        free(scratch);
        k->copies.push_back(strdup(f->message));  // kept past the call
        if (k->calls == 1) leak_from_a_callback(33);
      },
      &kept);
  EXPECT_EQ(bytes, 90u);
  ASSERT_EQ(kept.calls, 2);
  ASSERT_EQ(kept.copies.size(), 2u);
  EXPECT_STREQ(kept.copies[0], "definite leak: 50 bytes in 1 block definitely lost") << "largest first";
  EXPECT_STREQ(kept.copies[1], "definite leak: 40 bytes in 1 block definitely lost");
  for (char* copy : kept.copies) {
    EXPECT_EQ(malloc_usable_size(copy), strlen(copy) + 1) << "a block of the library's heap, not its arena";
    free(copy);
  }
  EXPECT_EQ(debugmalloc_error_count(), errors_before);
  scrub_stack_below();
  std::vector<Finding> leaks;
  EXPECT_EQ(debugmalloc_leaks_since_each(mark, collect, &leaks), 90u + 33u)
      << "the callback's leak is the program's leak";
}

// The errors walk holds no lock while the callback runs: an error the callback makes is
// reported (it would deadlock otherwise), counted, and not passed to this walk.
TEST_F(FindingsApi, ACallbackThatErrsIsReportedButNotWalked) {
  size_t before = debugmalloc_error_count();
  char* p = allocate_for_the_findings_test(8);
  free(p);
  free(p);
  struct State {
    int calls = 0;
    std::vector<std::string> kinds;
  } state;
  EXPECT_EQ(debugmalloc_errors_since_each(
                before,
                [](const debugmalloc_finding* f, void* context) {
                  auto* s = static_cast<State*>(context);
                  ++s->calls;
                  s->kinds.push_back(f->kind);
                  int on_stack = 0;
                  int* volatile not_a_block = &on_stack;
                  free(not_a_block);  // an invalid free, reported while the walk runs
                },
                &state),
            1u);
  EXPECT_EQ(state.calls, 1);
  ASSERT_EQ(state.kinds.size(), 1u);
  EXPECT_EQ(state.kinds[0], "double-free");
  EXPECT_EQ(debugmalloc_error_count(), before + 2);
  std::vector<Finding> errors;
  EXPECT_EQ(debugmalloc_errors_since_each(before, collect, &errors), 2u);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].kind, "invalid-free");
}

TEST_F(FindingsApi, NoCallbackOnlyCounts) {
  unsigned mark = debugmalloc_mark();
  leak_for_the_findings_test(17);
  scrub_stack_below();
  EXPECT_EQ(debugmalloc_leaks_since_each(mark, nullptr, nullptr), 17u);
  size_t before = debugmalloc_error_count();
  char* p = allocate_for_the_findings_test(4);
  free(p);
  free(p);
  EXPECT_EQ(debugmalloc_errors_since_each(before, nullptr, nullptr), 1u);
}

TEST(WithoutTheLibrary, TheStructuredCallsAreNoOps) {
  if (g_expect_library) GTEST_SKIP() << "runs under the library";
  int calls = 0;
  auto count = [](const debugmalloc_finding*, void* context) { ++*static_cast<int*>(context); };
  leak_for_the_findings_test(9);
  EXPECT_EQ(debugmalloc_leaks_since_each(0, count, &calls), 0u);
  EXPECT_EQ(debugmalloc_errors_since_each(0, count, &calls), 0u);
  EXPECT_EQ(calls, 0);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--without-library") g_expect_library = false;
  return RUN_ALL_TESTS();
}
