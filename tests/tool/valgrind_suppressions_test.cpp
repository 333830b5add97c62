// Unit tests of Valgrind suppression files in the tool: which findings an entry leaves out (the
// kinds, match-leak-kinds, frame 0, the stack it is matched on), the warnings of a file with
// broken lines, and the files `--format suppressions` and `--format valgrind-suppressions` write,
// which must read back to suppress every group they were written from.
#include "grouping.h"
#include "parse_error.h"
#include "render.h"
#include "suppressions.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace dmtool {
namespace {

// Leaks of three kinds from one stack, errors found by free(), operator delete[], memcpy(), a
// fault, and the heap check at exit (no detection stack).
Model sample() {
  std::string body =
      R"({"t":"module","id":1,"path":"/opt/app/bin/app","build_id":null})"
      "\n"
      R"({"t":"module","id":2,"path":"/usr/lib/libplugin.so","build_id":null})"
      "\n"
      R"({"t":"stack","id":1,"frames":[{"pc":"0x11","module":1,"offset":"0x11","function":"make_node","file":"/src/list.c","line":12},{"pc":"0x12","module":1,"offset":"0x12","function":"build_list","file":"/src/list.c","line":30},{"pc":"0x13","module":2,"offset":"0x13"},{"pc":"0x14","module":1,"offset":"0x14","function":"main","file":"/src/main.c","line":5},{"pc":"0x15","module":1,"offset":"0x15","function":"_start"}]})"
      "\n"
      R"({"t":"stack","id":2,"frames":[{"pc":"0x21","module":1,"offset":"0x21","function":"release","file":"/src/r.cc","line":7},{"pc":"0x14","module":1,"offset":"0x14","function":"main","file":"/src/main.c","line":5}]})"
      "\n"
      R"j({"t":"stack","id":3,"frames":[{"pc":"0x31","module":1,"offset":"0x31","function":"ns::Pool::drop(int*)","file":"/src/pool.cc","line":9},{"pc":"0x14","module":1,"offset":"0x14","function":"main","file":"/src/main.c","line":5}]})j"
      "\n"
      R"({"t":"leak","kind":"definite","bytes":40,"blocks":1,"stack":1})"
      "\n"
      R"({"t":"leak","kind":"indirect","bytes":360,"blocks":9,"stack":1})"
      "\n"
      R"({"t":"leak","kind":"reachable","bytes":8,"blocks":1,"stack":1})"
      "\n"
      R"j({"t":"error","kind":"double-free","count":1,"api":"free()","message":"m","stack":2,"alloc_stack":1})j"
      "\n"
      R"({"t":"error","kind":"alloc-dealloc-mismatch","count":1,"api":"operator delete []","message":"m","stack":3,"alloc_stack":1})"
      "\n"
      R"j({"t":"error","kind":"memcpy-param-overlap","count":1,"api":"memcpy()","message":"m","stack":2})j"
      "\n"
      R"({"t":"error","kind":"use-after-free","count":1,"api":"a write to a protected page","access":"write","message":"m","stack":3,"alloc_stack":1})"
      "\n"
      R"({"t":"error","kind":"heap-buffer-overflow","count":1,"api":"the heap check at exit","message":"m","stack":null,"alloc_stack":1})"
      "\n";
  return test::modelOf({test::reportText(body)});
}

Findings group(const Model& m, const Suppressions& s) {
  GroupOptions o;
  o.suppressions = &s;
  return groupFindings(m, o);
}

// What is left: "definite", "double-free", ... in the order grouped.
std::vector<std::string> left(const Model& m, const std::string& file) {
  Findings f = group(m, Suppressions::parse(file, "t.supp"));
  std::vector<std::string> out;
  for (const ErrorGroup& g : f.errors) out.push_back(error_kind_name(g.kind));
  for (const LeakGroup& g : f.leaks) out.push_back(leak_kind_name(g.kind));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> all_but(std::vector<std::string> gone) {
  std::vector<std::string> all = {
      "alloc-dealloc-mismatch", "definite",  "double-free",   "heap-buffer-overflow", "indirect",
      "memcpy-param-overlap",   "reachable", "use-after-free"};
  std::vector<std::string> out;
  for (const std::string& k : all)
    if (std::find(gone.begin(), gone.end(), k) == gone.end()) out.push_back(k);
  return out;
}

TEST(ValgrindSuppressions, LeaksByMatchLeakKindsWithAnyAllocationFunctionFirst) {
  Model m = sample();
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nfun:malloc\nfun:make_node\n}\n"),
            all_but({"definite", "indirect", "reachable"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nmatch-leak-kinds: definite,indirect\nfun:_Znwm\n...\nfun:main\n}\n"),
            all_but({"definite", "indirect"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nmatch-leak-kinds: reachable\nfun:make_node\nfun:build_list\n}\n"),
            all_but({"reachable"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nfun:malloc\nfun:build_list\n}\n"), all_but({}));  // frame 1 is make_node
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nfun:free\nfun:make_node\n}\n"), all_but({}));
  // The unnamed frame in libplugin.so: by its object, or "???".
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\n...\nfun:build_list\nobj:/usr/lib/libplugin.so\nfun:main\n}\n"),
            all_but({"definite", "indirect", "reachable"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\n...\nfun:build_list\nfun:???\nfun:main\n}\n"),
            all_but({"definite", "indirect", "reachable"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Leak\nmatch-leak-kinds: possible\n...\nfun:main\n}\n"), all_but({}));
}

TEST(ValgrindSuppressions, ErrorsByKindAndTheCallThatFoundThem) {
  Model m = sample();
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Free\nfun:free\nfun:release\nfun:main\n}\n"), all_but({"double-free"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Free\nfun:_ZdaPv\nfun:ns::Pool::drop(int*)\n}\n"),
            all_but({"alloc-dealloc-mismatch"}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Free\nfun:_ZdlPv\nfun:ns::Pool::drop(int*)\n}\n"), all_but({}));  // not delete[]
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Overlap\nfun:memcpy@@GLIBC_2.14\nfun:release\n}\n"),
            all_but({"memcpy-param-overlap"}));
  // A fault: the stack starts at the faulting function, any AddrN.
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Addr4\nfun:ns::Pool::drop(int*)\nfun:main\n}\n"), all_but({"use-after-free"}));
  // The heap check at exit found no stack of its own: the allocation stack, as a leak's.
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Addr1\nfun:calloc\nfun:make_node\n}\n"), all_but({"heap-buffer-overflow"}));
  // Kinds never found here match nothing.
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Cond\n...\nfun:main\n}\n{\nn\nMemcheck:Value8\n...\n}\n"), all_but({}));
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Param\nwrite(buf)\n...\nfun:main\n}\n"), all_but({}));
}

TEST(ValgrindSuppressions, MangledNamesMatchDemangledFrames) {
  Model m = sample();
  EXPECT_EQ(left(m, "{\nn\nMemcheck:Free\nfun:_ZdaPv\nfun:_ZN2ns4Pool4dropEPi\nfun:main\n}\n"),
            all_but({"alloc-dealloc-mismatch"}));
  Suppressions s = Suppressions::parse("{\nn\nMemcheck:Free\nfun:_ZN2ns*\n}\n", "t.supp");
  ASSERT_EQ(s.warnings().size(), 1u);
  EXPECT_NE(s.warnings()[0].find("t.supp:4: \"fun:_ZN2ns*\": a mangled name with wildcards"), std::string::npos);
}

TEST(ValgrindSuppressions, BrokenLinesAreNamedAndTheGoodRulesStillApply) {
  std::string path = testing::TempDir() + "/broken.supp";
  {
    std::ofstream out(path);
    out << "# broken on purpose\n"
           "{\n   free-at-release\n   Memcheck:Free\n   fun:free\n   fnu:release\n}\n"  // lines 2-7
           "{\n   leak-at-make-node\n   Memcheck:Leak\n   match-leak-kinds: definite\n   fun:malloc\n"
           "   fun:make_node\n}\n"                                    // lines 8-14
           "{\n   overlap\n   Memcheck:Overlapp\n   fun:memcpy\n}\n"  // lines 15-19
           "use-after-free:ns::Pool::*\n";                            // line 20
  }
  Suppressions s = Suppressions::load(path);
  ASSERT_EQ(s.warnings().size(), 2u);
  EXPECT_EQ(s.warnings()[0].rfind(path + ":6: \"fnu:release\": not a frame line", 0), 0u) << s.warnings()[0];
  EXPECT_EQ(s.warnings()[1].rfind(path + ":17: \"Memcheck:Overlapp\": unknown Memcheck kind", 0), 0u)
      << s.warnings()[1];
  EXPECT_EQ(s.valgrindRules().size(), 1u);
  EXPECT_EQ(s.valgrindRules()[0].origin, path + ":8");
  EXPECT_EQ(s.rules().size(), 1u);
  Findings f = group(sample(), s);
  std::vector<std::string> kinds;
  for (const ErrorGroup& g : f.errors) kinds.push_back(error_kind_name(g.kind));
  for (const LeakGroup& g : f.leaks) kinds.push_back(leak_kind_name(g.kind));
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, all_but({"definite", "use-after-free"}));
  std::remove(path.c_str());
}

TEST(ValgrindSuppressions, AnEntryLeftOpenRefusesTheFile) {
  try {
    Suppressions::parse("leak:x\n\n{\n  n\n  Memcheck:Leak\n  fun:f\n", "open.supp");
    ADD_FAILURE() << "an entry with no '}' was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "open.supp:3: the entry that begins here has no closing '}'");
  }
}

TEST(ValgrindSuppressions, AppendKeepsTheFramesOfEachFile) {
  Suppressions all;
  {
    Suppressions one = Suppressions::parse("{\nn\nMemcheck:Free\nfun:free\nfun:release\n}\n", "one.supp");
    all.append(one);
  }  // `one` is gone: the rules' frame lines must point into memory they share
  all.append(Suppressions::parse("{\nn\nMemcheck:Leak\nfun:*\nfun:make_node\n}\n", "two.supp"));
  EXPECT_EQ(all.valgrindRules().size(), 2u);
  Findings f = group(sample(), all);
  EXPECT_EQ(f.leaks.size(), 0u);
  for (const ErrorGroup& g : f.errors) EXPECT_NE(g.kind, ErrorKind::kDoubleFree);
}

std::string render(Format format, const Model& m, const Findings& f) {
  std::ostringstream out;
  dmtool::render(format, out, m, f, RenderOptions{});
  return out.str();
}

// Each format reads back (no warning) and suppresses every group it was written from, and
// nothing else: the file written for the leaks alone leaves the errors.
TEST(GeneratedSuppressions, ReadBackToSuppressWhatTheyWereWrittenFrom) {
  Model m = sample();
  Findings f = group(m, Suppressions{});
  ASSERT_EQ(f.errors.size() + f.leaks.size(), 8u);
  for (Format format : {Format::Suppressions, Format::ValgrindSuppressions}) {
    SCOPED_TRACE(static_cast<int>(format));
    std::string written = render(format, m, f);
    Suppressions s = Suppressions::parse(written, "written.supp");
    EXPECT_TRUE(s.warnings().empty()) << s.warnings()[0] << "\n" << written;
    Findings after = group(m, s);
    EXPECT_TRUE(after.errors.empty()) << written;
    EXPECT_TRUE(after.leaks.empty()) << written;

    Findings leaks_only = f;
    leaks_only.errors.clear();
    Findings rest = group(m, Suppressions::parse(render(format, m, leaks_only), "leaks.supp"));
    EXPECT_EQ(rest.errors.size(), f.errors.size());
    EXPECT_TRUE(rest.leaks.empty());
  }
}

TEST(GeneratedSuppressions, ValgrindEntriesAsValgrindWritesThem) {
  Model m = sample();
  Findings f = group(m, Suppressions{});
  std::string written = render(Format::ValgrindSuppressions, m, f);
  // A leak: its kind, frame 0 any allocation function, the stack down to main.
  EXPECT_NE(written.find("{\n   debugmalloc-definite-"), std::string::npos) << written;
  EXPECT_NE(written.find("   Memcheck:Leak\n   match-leak-kinds: definite\n   fun:*\n   fun:make_node\n"
                         "   fun:build_list\n   obj:/usr/lib/libplugin.so\n   fun:main\n}\n"),
            std::string::npos)
      << written;
  EXPECT_EQ(written.find("fun:_start"), std::string::npos);  // below main: left out
  EXPECT_NE(written.find("   Memcheck:Free\n   fun:free\n   fun:release\n   fun:main\n}\n"), std::string::npos);
  EXPECT_NE(written.find("   Memcheck:Free\n   fun:_ZdaPv*\n   fun:ns::Pool::drop(int*)\n"), std::string::npos);
  EXPECT_NE(written.find("   Memcheck:Overlap\n   fun:memcpy\n   fun:release\n"), std::string::npos);
  EXPECT_NE(written.find("   Memcheck:Addr1\n   fun:ns::Pool::drop(int*)\n   fun:main\n}\n"), std::string::npos);
  EXPECT_NE(written.find("   Memcheck:Addr1\n   fun:*\n   fun:make_node\n"), std::string::npos);
  EXPECT_NE(written.find("# C++ names are written demangled"), std::string::npos);
}

TEST(GeneratedSuppressions, OurRulesNameTheSiteFrame) {
  Model m = sample();
  Findings f = group(m, Suppressions{});
  std::string written = render(Format::Suppressions, m, f);
  EXPECT_NE(written.find("\ndouble-free:release\n"), std::string::npos) << written;
  EXPECT_NE(written.find("\nalloc-dealloc-mismatch:ns::Pool::drop(int*)\n"), std::string::npos) << written;
  EXPECT_NE(written.find("\nleak:make_node\n"), std::string::npos) << written;
  // Three leak groups, one rule: the others say so.
  EXPECT_EQ(written.find("\nleak:make_node\n"), written.rfind("\nleak:make_node\n"));
  EXPECT_EQ(render(Format::Suppressions, m, Findings{}).find("\nleak:"), std::string::npos);
}

TEST(GeneratedSuppressions, FormatNames) {
  EXPECT_EQ(parseFormat("suppressions"), Format::Suppressions);
  EXPECT_EQ(parseFormat("valgrind-suppressions"), Format::ValgrindSuppressions);
  EXPECT_EQ(parseFormat("valgrind"), std::nullopt);
}

}  // namespace
}  // namespace dmtool
