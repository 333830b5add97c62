// A test binary that must run under libdebugmalloc.so refuses to run without it: a test that
// passes on glibc's malloc would prove nothing. Including this header registers the check.
#pragma once

#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>

#include <cstddef>

#include <gtest/gtest.h>

namespace dmtest {

// Hides a value from the optimizer, so that a call the test makes is not folded away.
template <class T>
T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}

class RequireDebugmalloc : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_NE(dlsym(RTLD_DEFAULT, "show_alloc_mem"), nullptr)
        << "NOT RUNNING UNDER debugmalloc: run with LD_PRELOAD=.../libdebugmalloc.so (ctest does)";
    void* p = malloc(opaque(std::size_t{13}));
    ASSERT_EQ(malloc_usable_size(p), 13u) << "NOT RUNNING UNDER debugmalloc: malloc is not interposed";
    free(p);
  }
};

inline ::testing::Environment* const kRequireDebugmalloc =
    ::testing::AddGlobalTestEnvironment(new RequireDebugmalloc);

}  // namespace dmtest
