// Unit tests of offline symbolization (libdwfl) against this test binary, and of demangling.
#include "symbolizer.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

#include <filesystem>

namespace dm_test_symbols {
// A function with a known name, file and line for the symbolizer to find.
__attribute__((noinline)) int knownFunction(int x) {
  return x * 3 + 1;  // line of interest
}
}  // namespace dm_test_symbols

namespace dmtool {
namespace {

std::string selfBuildId() {
  int fd = ::open("/proc/self/exe", O_RDONLY);
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  const void* bytes = nullptr;
  ssize_t n = dwelf_elf_gnu_build_id(elf, &bytes);
  std::string hex;
  for (ssize_t i = 0; i < n; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", static_cast<const unsigned char*>(bytes)[i]);
    hex += b;
  }
  elf_end(elf);
  ::close(fd);
  return hex;
}

// A report whose one frame is a return address inside knownFunction, left unsymbolized.
std::string reportFor(const std::string& buildId, const std::string& path) {
  Dl_info info{};
  void* fn = reinterpret_cast<void*>(&dm_test_symbols::knownFunction);
  EXPECT_NE(dladdr(fn, &info), 0);
  auto offset = static_cast<std::uint64_t>(static_cast<char*>(fn) - static_cast<char*>(info.dli_fbase)) + 4;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(offset));
  return test::reportText(R"({"t":"module","id":1,"path":")" + path + R"(","build_id":")" + buildId + "\"}\n" +
                          R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":1,"offset":")" + hex +
                          R"("}]})"
                          "\n");
}

TEST(Symbolizer, NamesFramesFromTheModuleFileWhenItsBuildIdMatches) {
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  Model m = test::modelOf({reportFor(selfBuildId(), self)});
  std::vector<std::string> warnings;
  symbolize(m, {}, warnings);
  EXPECT_TRUE(warnings.empty());
  const Frame& f = m.frames.at(0);
  EXPECT_EQ(m.str(f.function), "dm_test_symbols::knownFunction(int)");
  EXPECT_EQ(std::filesystem::path(m.str(f.file)).filename(), "symbolizer_test.cpp");
  EXPECT_GT(f.line, 0u);
}

TEST(Symbolizer, DoesNotTrustAFileWithAnotherBuildId) {
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  Model m = test::modelOf({reportFor("00112233445566778899aabbccddeeff00112233", self)});
  std::vector<std::string> warnings;
  symbolize(m, {"/nonexistent-debug-root"}, warnings);
  EXPECT_FALSE(m.frames.at(0).function);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("is not the reported 00112233"), std::string::npos) << warnings[0];
}

TEST(Symbolizer, FindsSeparateDebugFilesByBuildId) {
  std::string id = selfBuildId();
  auto root = std::filesystem::temp_directory_path() / ("dm-debug-root-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / ".build-id" / id.substr(0, 2));
  std::filesystem::copy_file("/proc/self/exe", root / ".build-id" / id.substr(0, 2) / (id.substr(2) + ".debug"));
  Model m = test::modelOf({reportFor(id, "/gone/from/this/machine/app")});
  std::vector<std::string> warnings;
  symbolize(m, {root.string()}, warnings);
  std::filesystem::remove_all(root);
  EXPECT_EQ(m.str(m.frames.at(0).function), "dm_test_symbols::knownFunction(int)");
}

TEST(Symbolizer, MissingModulesAreNamedOnce) {
  Model m = test::modelOf({reportFor("abcd", "/gone/app")});
  std::vector<std::string> warnings;
  symbolize(m, {"/nonexistent"}, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "/gone/app: not found; its frames are not symbolized");
}

TEST(Demangle, CxxNamesOnly) {
  EXPECT_EQ(demangle("_ZN3net6Buffer4growEm"), "net::Buffer::grow(unsigned long)");
  EXPECT_EQ(demangle("main"), "main");
  EXPECT_EQ(demangle("_Znot-valid"), "_Znot-valid");
}

// abi::__cxa_demangle accepts bare type codes: a C function "f" must not read "float".
const char* const kCNames[] = {"f", "i", "d", "v", "main", "Sa", "St", "c", "_start", "_", ""};

const std::pair<const char*, const char*> kCxxNames[] = {
    {"_Z1fv", "f()"},
    {"_ZN2ns3fooEi", "ns::foo(int)"},
    {"_Z3maxIiET_S0_S0_", "int max<int>(int, int)"},
    {"_ZN2ns3BoxIdE3getEv", "ns::Box<double>::get()"},
    {"_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)"},
};

const char* const kMalformed[] = {"_Zxx", "_Z", "_ZN2ns3foo"};

TEST(Demangle, CNamesStayUnchanged) {
  for (const char* name : kCNames) EXPECT_EQ(demangle(name), name) << "'" << name << "'";
}

TEST(Demangle, CxxNamesAreDemangled) {
  for (auto [mangled, plain] : kCxxNames) EXPECT_EQ(demangle(mangled), plain) << mangled;
}

TEST(Demangle, MalformedMangledNamesStayAsTheyAre) {
  for (const char* name : kMalformed) EXPECT_EQ(demangle(name), name);
}

// demangleNames() over the frames of a report, as the library wrote them.
TEST(Demangle, NamesInAReport) {
  std::vector<std::pair<std::string, std::string>> cases;  // written, expected
  for (const char* name : kCNames)
    if (name[0] != '\0') cases.emplace_back(name, name);
  for (auto [mangled, plain] : kCxxNames) cases.emplace_back(mangled, plain);
  for (const char* name : kMalformed) cases.emplace_back(name, name);
  std::string frames;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%zx", i + 1);  // frame i at offset i + 1
    frames += (i ? "," : "") + std::string(R"({"pc":")") + hex + R"(","module":1,"offset":")" + hex +
              R"(","function":")" + cases[i].first + "\"}";
  }
  Model m = test::modelOf({test::reportText(R"({"t":"module","id":1,"path":"/gone/app"})"
                                            "\n"
                                            R"({"t":"stack","id":1,"frames":[)" +
                                            frames + "]}\n")});
  demangleNames(m);
  ASSERT_EQ(m.frames.size(), cases.size());
  for (const Frame& f : m.frames) {
    ASSERT_TRUE(f.offset);
    std::size_t i = *f.offset - 1;
    ASSERT_LT(i, cases.size());
    EXPECT_EQ(m.str(f.function), cases[i].second) << "written as " << cases[i].first;
  }
}

}  // namespace
}  // namespace dmtool
