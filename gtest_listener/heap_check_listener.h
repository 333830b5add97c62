// heap_check_listener.h: the GoogleTest event listener that checks the heap around each test.
#ifndef DEBUGMALLOC_GTEST_HEAP_CHECK_LISTENER_H
#define DEBUGMALLOC_GTEST_HEAP_CHECK_LISTENER_H

#include <debugmalloc/gtest.h>
#include <gtest/gtest.h>

#include <memory>

namespace debugmalloc::gtest_internal {

// Failures added in OnTestEnd come after the default result printer has printed "[ OK ]"
// if it sees the event first. So this listener takes the printer over: it releases it
// from GoogleTest's list, forwards every event to it, and does its checks in OnTestEnd
// before forwarding. It also moves itself to the end of the list, because GoogleTest
// sends the end-of-test event to listeners in reverse order: being last, it adds its
// failures before any other listener (streaming, user listeners) sees the result.
//
// The take-over happens in take_over(), called from a global test environment's SetUp:
// after flag parsing (--gtest_brief replaces the default printer) and outside any loop
// over the listeners (changing the list while GoogleTest iterates it would skip events).
//
// Thread-safety: GoogleTest sends events from the main thread only.
class HeapCheckListener final : public ::testing::TestEventListener {
 public:
  explicit HeapCheckListener(const GTestChecks& checks);
  ~HeapCheckListener() override;

  void set_checks(const GTestChecks& checks) { checks_ = checks; }
  void take_over();

  void OnTestProgramStart(const ::testing::UnitTest& unit_test) override;
  void OnTestIterationStart(const ::testing::UnitTest& unit_test, int iteration) override;
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& unit_test) override;
  void OnEnvironmentsSetUpEnd(const ::testing::UnitTest& unit_test) override;
  void OnTestSuiteStart(const ::testing::TestSuite& test_suite) override;
  void OnTestStart(const ::testing::TestInfo& test_info) override;
  void OnTestDisabled(const ::testing::TestInfo& test_info) override;
  void OnTestPartResult(const ::testing::TestPartResult& result) override;
  void OnTestEnd(const ::testing::TestInfo& test_info) override;
  void OnTestSuiteEnd(const ::testing::TestSuite& test_suite) override;
  void OnEnvironmentsTearDownStart(const ::testing::UnitTest& unit_test) override;
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) override;
  void OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit_test) override;
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  // GoogleTest 1.10-1.12's printers still implement the legacy test-case events: the
  // suite lines ("[----------] 8 tests from X") come from these.
  void OnTestCaseStart(const ::testing::TestCase& test_case) override;
  void OnTestCaseEnd(const ::testing::TestCase& test_case) override;
#endif

 private:
  void check(const ::testing::TestInfo& test_info);

  GTestChecks checks_;
  bool took_over_ = false;
  std::unique_ptr<::testing::TestEventListener> printer_;  // null until take_over()
  unsigned mark_ = 0;
  size_t errors_at_start_ = 0;
};

}  // namespace debugmalloc::gtest_internal

#endif  // DEBUGMALLOC_GTEST_HEAP_CHECK_LISTENER_H
