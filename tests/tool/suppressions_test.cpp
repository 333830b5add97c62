// Unit tests of suppression files (the glob matcher is tested with the contract: tests/contract).
#include "grouping.h"
#include "parse_error.h"
#include "suppressions.h"
#include "test_util.h"

#include <gtest/gtest.h>

namespace dmtool {
namespace {

TEST(SuppressionFile, ParsesKindsCommentsAndBlankLines) {
  Suppressions s = Suppressions::parse(
      "# comment\n\nleak:*libfoo*\n error : my_pool_* \nheap-buffer-overflow:third_party/*\n", "s.supp");
  ASSERT_EQ(s.rules().size(), 3u);
  EXPECT_EQ(s.rules()[0].scope, SuppressionRule::Scope::kAnyLeak);
  EXPECT_EQ(s.rules()[1].scope, SuppressionRule::Scope::kAnyError);
  EXPECT_EQ(s.rules()[1].pattern, "my_pool_*");
  EXPECT_EQ(s.rules()[2].errorKind, ErrorKind::kHeapBufferOverflow);
  EXPECT_EQ(s.rules()[2].origin, "s.supp:5");
}

TEST(SuppressionFile, MalformedLinesNameFileAndLine) {
  auto message = [](const std::string& text) {
    try {
      Suppressions::parse(text, "bad.supp");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("leak:x\nno colon here\n"),
            "bad.supp:2: malformed suppression \"no colon here\" (expected KIND:PATTERN)");
  EXPECT_NE(message("# c\nstack-overflow:x\n").find("bad.supp:2: unknown suppression kind \"stack-overflow\""),
            std::string::npos);
  EXPECT_EQ(message("leak:\n"), "bad.supp:1: suppression \"leak:\" has no pattern");
  EXPECT_THROW(Suppressions::load("/no/such/file.supp"), InputError);
}

Model sample() {
  std::string body =
      R"({"t":"module","id":1,"path":"/opt/lib/libfoo.so.1","build_id":null})"
      "\n"
      R"({"t":"module","id":2,"path":"/home/u/app","build_id":null})"
      "\n"
      R"({"t":"stack","id":1,"frames":[{"pc":"0x1","module":1,"offset":"0x1","function":"foo_alloc"},{"pc":"0x3","module":2,"offset":"0x3","function":"main","file":"/home/u/src/main.cpp","line":2}]})"
      "\n"
      R"j({"t":"stack","id":2,"frames":[{"pc":"0x4","module":2,"offset":"0x4","function":"ns::Pool<int>::grab()","file":"/home/u/src/pool.h","line":9}]})j"
      "\n"
      R"({"t":"leak","kind":"definite","bytes":10,"blocks":1,"stack":1})"
      "\n"
      R"({"t":"leak","kind":"possible","bytes":5,"blocks":1,"stack":2})"
      "\n"
      R"({"t":"error","kind":"double-free","count":3,"message":"m","stack":2,"alloc_stack":1})"
      "\n";
  return test::modelOf({test::reportText(body)});
}

std::pair<std::size_t, std::size_t> remaining(const Model& m, const std::string& rules, Findings* out = nullptr) {
  Suppressions s = Suppressions::parse(rules, "t.supp");
  GroupOptions o;
  o.suppressions = &s;
  Findings f = groupFindings(m, o);
  if (out) *out = f;
  return {f.errors.size(), f.leaks.size()};
}

TEST(Suppressions, MatchFunctionFileOrModuleOnAnyFrame) {
  Model m = sample();
  EXPECT_EQ(remaining(m, "leak:foo_alloc"), std::make_pair(1ul, 1ul));
  EXPECT_EQ(remaining(m, "leak:libfoo.so*"), std::make_pair(1ul, 1ul));      // module file name
  EXPECT_EQ(remaining(m, "leak:/opt/lib/*"), std::make_pair(1ul, 1ul));      // module path
  EXPECT_EQ(remaining(m, "leak:*/src/main.cpp"), std::make_pair(1ul, 1ul));  // source path, deeper frame
  EXPECT_EQ(remaining(m, "leak:ns::Pool<*>::grab()"), std::make_pair(1ul, 1ul));
  EXPECT_EQ(remaining(m, "leak:*"), std::make_pair(1ul, 0ul));
  EXPECT_EQ(remaining(m, "leak:nothing"), std::make_pair(1ul, 2ul));
}

TEST(Suppressions, ErrorRulesLookAtDetectionAndAllocationStacks) {
  Model m = sample();
  Findings f;
  EXPECT_EQ(remaining(m, "double-free:foo_alloc", &f), std::make_pair(0ul, 2ul));  // in the allocation stack
  EXPECT_EQ(f.suppressed.errors, 3u);
  EXPECT_EQ(remaining(m, "error:main"), std::make_pair(0ul, 2ul));
  EXPECT_EQ(remaining(m, "use-after-free:*"), std::make_pair(1ul, 2ul));  // another kind
  EXPECT_EQ(remaining(m, "leak:foo_alloc\nerror:nothing", &f), std::make_pair(1ul, 1ul));
  EXPECT_EQ(f.suppressed.leakBytes, 10u);
  EXPECT_EQ(f.suppressed.leakBlocks, 1u);
}

// A rule naming a bad-request kind suppresses that kind only.
TEST(Suppressions, RulesForTheBadRequestKinds) {
  Suppressions parsed = Suppressions::parse("allocation-size-too-big:read_*\ncalloc-overflow:*/g.c\n", "k.supp");
  ASSERT_EQ(parsed.rules().size(), 2u);
  EXPECT_EQ(parsed.rules()[0].scope, SuppressionRule::Scope::kOneError);
  EXPECT_EQ(parsed.rules()[0].errorKind, ErrorKind::kAllocationSizeTooBig);
  EXPECT_EQ(parsed.rules()[1].errorKind, ErrorKind::kCallocOverflow);

  std::string body =
      R"({"t":"stack","id":1,"frames":[{"pc":"0x1","function":"read_record","file":"/src/r.c","line":9},{"pc":"0x2","function":"main","file":"/src/main.c","line":3}]})"
      "\n"
      R"({"t":"stack","id":2,"frames":[{"pc":"0x3","function":"make_grid","file":"/src/g.c","line":4},{"pc":"0x2","function":"main","file":"/src/main.c","line":3}]})"
      "\n"
      R"({"t":"error","kind":"allocation-size-too-big","count":2,"address":null,"message":"m","stack":1})"
      "\n"
      R"({"t":"error","kind":"calloc-overflow","count":1,"address":null,"message":"m","stack":2})"
      "\n";
  Model m = test::modelOf({test::reportText(body)});
  Findings f;
  EXPECT_EQ(remaining(m, "allocation-size-too-big:read_record", &f), std::make_pair(1ul, 0ul));
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].kind, ErrorKind::kCallocOverflow);
  EXPECT_EQ(f.suppressed.errors, 2u);
  EXPECT_EQ(remaining(m, "calloc-overflow:*/g.c", &f), std::make_pair(1ul, 0ul));
  EXPECT_EQ(f.errors[0].kind, ErrorKind::kAllocationSizeTooBig);
  EXPECT_EQ(remaining(m, "calloc-overflow:read_record"), std::make_pair(2ul, 0ul));  // another kind's frame
  EXPECT_EQ(remaining(m, "allocation-size-too-big:main\ncalloc-overflow:main"), std::make_pair(0ul, 0ul));
  EXPECT_EQ(remaining(m, "error:main"), std::make_pair(0ul, 0ul));
}

}  // namespace
}  // namespace dmtool
