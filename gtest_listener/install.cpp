// install.cpp: debugmalloc::install_gtest_listener() and the DEBUGMALLOC_GTEST variable.
#include "heap_check_listener.h"

#include <stdio.h>
#include <stdlib.h>

#include <string_view>

namespace debugmalloc {
namespace gtest_internal {
namespace {

// Owned by GoogleTest's listener list once appended; GoogleTest deletes it at exit.
HeapCheckListener* g_listener = nullptr;

// SetUp runs inside RUN_ALL_TESTS(), after flag parsing and outside the loops over the
// listeners: the one safe moment to rearrange them (see HeapCheckListener).
class TakeOverEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    if (g_listener != nullptr) g_listener->take_over();
  }
};

// DEBUGMALLOC_GTEST: unset = `fallback`; 0/off/none = no listener; else a comma list.
bool checks_from_environment(const GTestChecks& fallback, GTestChecks* out) {
  const char* value = getenv("DEBUGMALLOC_GTEST");
  *out = fallback;
  if (value == nullptr || *value == '\0') return true;
  std::string_view v = value;
  if (v == "0" || v == "off" || v == "none") return false;
  *out = GTestChecks{false, false, false};
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    if (item == "leaks")
      out->leaks = true;
    else if (item == "errors")
      out->errors = true;
    else if (item == "check_heap")
      out->check_heap = true;
    else if (item == "1" || item == "on" || item == "all")
      *out = GTestChecks{};
    else if (!item.empty())
      fprintf(stderr, "debugmalloc: DEBUGMALLOC_GTEST: unknown check '%.*s' (leaks, errors, check_heap)\n",
              static_cast<int>(item.size()), item.data());
    v.remove_prefix(comma == std::string_view::npos ? v.size() : comma + 1);
  }
  return true;
}

}  // namespace
}  // namespace gtest_internal

bool install_gtest_listener(const GTestChecks& requested) {
  using namespace gtest_internal;
  // Without the library every check would be a no-op: register nothing at all.
  if (!debugmalloc_running()) return false;
  GTestChecks checks;
  if (!checks_from_environment(requested, &checks)) return false;
  if (g_listener != nullptr) {
    g_listener->set_checks(checks);
    return true;
  }
  g_listener = new HeapCheckListener(checks);
  ::testing::UnitTest::GetInstance()->listeners().Append(g_listener);
  ::testing::AddGlobalTestEnvironment(new TakeOverEnvironment);
  return true;
}

}  // namespace debugmalloc
