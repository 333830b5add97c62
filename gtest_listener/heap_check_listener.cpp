// heap_check_listener.cpp: marks the heap when a test starts, fails it at its end on leaks and errors.
#include "heap_check_listener.h"

#include "failure_text.h"

#include <string.h>

#include <string>

namespace debugmalloc::gtest_internal {
namespace {

constexpr size_t kMessageLimit = 32 * 1024;  // what goes into one failure message

// Zeroes the stack below the caller. The leak check scans the calling thread's stack
// from its own frames up; those frames lie where the test body's frames were, and their
// unwritten slots would still hold the test's pointers, keeping leaked blocks "alive".
__attribute__((noinline)) void scrub_stack_below() {
  char area[32 * 1024];
  explicit_bzero(area, sizeof area);
  asm volatile("" : : "r"(area) : "memory");
}

// The library's callbacks: each finding becomes text while it is valid (during the call).
// They run outside the library's locks, as this program's code: the strings they grow
// are ordinary blocks, freed before the next test starts.
void add_error(const debugmalloc_finding* finding, void* context) noexcept {
  static_cast<FailureText*>(context)->add_error(*finding);
}
void add_leak(const debugmalloc_finding* finding, void* context) noexcept {
  static_cast<FailureText*>(context)->add_leak(*finding);
}

void add_failure(const ::testing::TestInfo& test_info, const std::string& headline, const FailureText& report) {
  std::string text = cap_text(report.text(), kMessageLimit);
  while (!text.empty() && text.back() == '\n') text.pop_back();  // GoogleTest ends the message
  // Reported at the first frame in the program's sources, so that the file:line a CI
  // or an IDE links to is the bug's; else at the test itself.
  const std::optional<SourceLine>& at = report.first_user_line();
  std::string file = at ? at->file : (test_info.file() ? test_info.file() : "unknown file");
  int line = at ? at->line : test_info.line();
  ADD_FAILURE_AT(file.c_str(), line) << headline << "\n" << text;
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

HeapCheckListener::HeapCheckListener(const GTestChecks& checks) : checks_(checks) {}

HeapCheckListener::~HeapCheckListener() = default;

void HeapCheckListener::take_over() {
  if (took_over_) return;
  took_over_ = true;
  ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
  // Null when the program removed the default printer: then there is nothing to wrap.
  if (::testing::TestEventListener* printer = listeners.default_result_printer())
    printer_.reset(listeners.Release(printer));
  // Last in the list: first to see OnTestEnd, last to see OnTestStart.
  listeners.Release(this);
  listeners.Append(this);
}

void HeapCheckListener::OnTestStart(const ::testing::TestInfo& test_info) {
  if (printer_) printer_->OnTestStart(test_info);
  // After everything GoogleTest and the printer do at the start of a test.
  errors_at_start_ = debugmalloc_error_count();
  mark_ = debugmalloc_mark();
}

void HeapCheckListener::OnTestEnd(const ::testing::TestInfo& test_info) {
  // GoogleTest still attributes results to this test here (it clears the current test
  // only after OnTestEnd), so the failures below are this test's.
  check(test_info);
  if (printer_) printer_->OnTestEnd(test_info);
}

void HeapCheckListener::check(const ::testing::TestInfo& test_info) {
  // The leak check first: nothing of the listener's is allocated yet, and the stack
  // below holds nothing but zeros. The scan is over before the first callback, so the
  // text the callbacks build is never seen by it.
  scrub_stack_below();
  size_t leaked = 0;
  const std::string alloc_fns = alloc_fns_from_environment();
  FailureText leaks(alloc_fns);
  if (checks_.leaks) leaked = debugmalloc_leaks_since_each(mark_, add_leak, &leaks);
  // Overflows of blocks that are still live, and writes into freed ones, are found only
  // when the block is checked: check them all now, while they are this test's doing.
  if (checks_.check_heap) debugmalloc_check_heap();
  size_t errors = 0;
  FailureText error_text(alloc_fns);
  if (checks_.errors) errors = debugmalloc_errors_since_each(errors_at_start_, add_error, &error_text);
  // No finding means every error was suppressed (the count includes them).
  if (errors > 0 && !error_text.text().empty())
    add_failure(test_info,
                "debugmalloc: " + plural(errors, "heap error", "heap errors") + " during this test:", error_text);
  if (leaked > 0)
    add_failure(test_info,
                "debugmalloc: this test leaked " + plural(leaked, "byte", "bytes") +
                    " (definite and indirect leaks of blocks allocated during the test):",
                leaks);
}

// Every other event goes to the printer unchanged.
void HeapCheckListener::OnTestProgramStart(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnTestProgramStart(u);
}
void HeapCheckListener::OnTestIterationStart(const ::testing::UnitTest& u, int i) {
  if (printer_) printer_->OnTestIterationStart(u, i);
}
void HeapCheckListener::OnEnvironmentsSetUpStart(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnEnvironmentsSetUpStart(u);
}
void HeapCheckListener::OnEnvironmentsSetUpEnd(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnEnvironmentsSetUpEnd(u);
}
void HeapCheckListener::OnTestSuiteStart(const ::testing::TestSuite& s) {
  if (printer_) printer_->OnTestSuiteStart(s);
}
void HeapCheckListener::OnTestDisabled(const ::testing::TestInfo& t) {
  if (printer_) printer_->OnTestDisabled(t);
}
void HeapCheckListener::OnTestPartResult(const ::testing::TestPartResult& r) {
  if (printer_) printer_->OnTestPartResult(r);
}
void HeapCheckListener::OnTestSuiteEnd(const ::testing::TestSuite& s) {
  if (printer_) printer_->OnTestSuiteEnd(s);
}
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
void HeapCheckListener::OnTestCaseStart(const ::testing::TestCase& c) {
  if (printer_) printer_->OnTestCaseStart(c);
}
void HeapCheckListener::OnTestCaseEnd(const ::testing::TestCase& c) {
  if (printer_) printer_->OnTestCaseEnd(c);
}
#endif
void HeapCheckListener::OnEnvironmentsTearDownStart(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnEnvironmentsTearDownStart(u);
}
void HeapCheckListener::OnEnvironmentsTearDownEnd(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnEnvironmentsTearDownEnd(u);
}
void HeapCheckListener::OnTestIterationEnd(const ::testing::UnitTest& u, int i) {
  if (printer_) printer_->OnTestIterationEnd(u, i);
}
void HeapCheckListener::OnTestProgramEnd(const ::testing::UnitTest& u) {
  if (printer_) printer_->OnTestProgramEnd(u);
}

}  // namespace debugmalloc::gtest_internal
