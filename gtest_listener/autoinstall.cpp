// autoinstall.cpp: installs the listener from a static initializer, so that linking is enough.
//
// A static initializer in an archive member is linked only if something refers to that
// member: debugmalloc::gtest makes the linker do so with --undefined=<the symbol below>.
#include <debugmalloc/gtest.h>

namespace {

// Before main(): InitGoogleTest() may come later; the listener copes with that (it
// rearranges GoogleTest's listeners only when the tests start).
const bool g_auto_installed = debugmalloc::install_gtest_listener();

}  // namespace

// Referred to by the link option of debugmalloc::gtest; see gtest_listener/CMakeLists.txt.
extern "C" {
__attribute__((visibility("default"), used)) const bool* debugmalloc_gtest_autoinstall = &g_auto_installed;
}
