// Demangling of the names in the library's own stacks: only Itanium C++ names
// ("_Z...") are demangled. abi::__cxa_demangle also accepts bare type codes
// ("f" -> "float", "i" -> "int", "Sa" -> "std::allocator"), so C functions with
// such names must be left alone.
//
// The test binary links the components without the interposer, so malloc is
// glibc's here; demangled_name() enters internal code itself, which under
// LD_PRELOAD routes the demangler's allocation to the internal arena.
#include "stacks/symbolize.h"

#include <gtest/gtest.h>

#include <cstring>

namespace dm {
namespace {

TEST(Demangle, CNamesStayUnchanged) {
  for (const char* name : {"f", "i", "d", "v", "main", "Sa", "St", "c", "b", "x", "Ss", "_start", "_", ""}) {
    EXPECT_STREQ(demangled_name(name), name) << "'" << name << "'";
    EXPECT_FALSE(is_mangled(name)) << "'" << name << "'";
  }
}

TEST(Demangle, CxxNamesAreDemangled) {
  EXPECT_TRUE(is_mangled("_Z1fv"));
  EXPECT_STREQ(demangled_name("_Z1fv"), "f()");
  EXPECT_STREQ(demangled_name("_Z1iv"), "i()");
  EXPECT_STREQ(demangled_name("_ZN2ns3fooEi"), "ns::foo(int)");
  EXPECT_STREQ(demangled_name("_Z3maxIiET_S0_S0_"), "int max<int>(int, int)");
  EXPECT_STREQ(demangled_name("_ZN2ns3BoxIdE3getEv"), "ns::Box<double>::get()");
  EXPECT_STREQ(demangled_name("_ZNSt6vectorIiSaIiEE9push_backERKi"),
               "std::vector<int, std::allocator<int> >::push_back(int const&)");
}

TEST(Demangle, MalformedMangledNamesStayAsTheyAre) {
  for (const char* name : {"_Zxx", "_Z", "_Znot-valid", "_ZN2ns3foo"}) {
    EXPECT_TRUE(is_mangled(name)) << name;
    EXPECT_STREQ(demangled_name(name), name) << name;
  }
}

TEST(Demangle, TheResultIsAKeptCopy) {
  char c_name[] = "f";
  char cxx_name[] = "_Z1fv";
  const char* kept_c = demangled_name(c_name);
  const char* kept_cxx = demangled_name(cxx_name);
  EXPECT_NE(kept_c, c_name);
  std::memset(c_name, 'z', 1);
  std::memset(cxx_name, 'z', 5);
  EXPECT_STREQ(kept_c, "f");
  EXPECT_STREQ(kept_cxx, "f()");
}

}  // namespace
}  // namespace dm
