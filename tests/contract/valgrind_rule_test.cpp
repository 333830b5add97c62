// Unit tests of common/valgrind_suppression.h, the Valgrind entry parser and stack matcher that
// the library and the tool both call: the kinds table, the tokens, the events of a whole file,
// and the frame-sequence rule with Valgrind's frame 0.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/valgrind_suppression.h"

namespace {

using dm::ErrorKind;
using dm::LeakKind;
using dm::ValgrindEvent;
using dm::ValgrindFrameLine;

// The events of a whole text, with the frame lines of each kept entry.
struct Parsed {
  struct Entry {
    dm::ValgrindEntry entry;
    std::vector<ValgrindFrameLine> lines;
    uint32_t open_line;
  };
  std::vector<Entry> entries;
  std::vector<uint32_t> warned;  // line numbers of kWarning events
  std::vector<std::string> problems;
  std::vector<uint32_t> noted;  // kFrame events with a note
  std::vector<uint32_t> ours;   // kNotValgrind lines
  int other_tools = 0;
  uint32_t unterminated = 0;                // the `{` line of an entry left open at the end
  std::shared_ptr<const std::string> text;  // what the views point into
};

Parsed parse(const std::string& original) {
  Parsed out;
  out.text = std::make_shared<const std::string>(original);
  const std::string& text = *out.text;
  dm::ValgrindParser p;
  std::vector<ValgrindFrameLine> lines;
  uint32_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    size_t n = (eol == std::string::npos ? text.size() : eol) - pos;
    const char* line = text.data() + pos;
    pos += n + 1;
    switch (dm::valgrind_feed(p, line, n, ++line_no)) {
      case ValgrindEvent::kNotValgrind:
        out.ours.push_back(line_no);
        break;
      case ValgrindEvent::kNone:
        break;
      case ValgrindEvent::kOtherTool:
        ++out.other_tools;
        break;
      case ValgrindEvent::kBegin:
        lines.clear();
        break;
      case ValgrindEvent::kWarning:
        out.warned.push_back(line_no);
        out.problems.push_back(p.problem);
        lines.clear();
        break;
      case ValgrindEvent::kFrame:
        if (p.note != nullptr) out.noted.push_back(line_no);
        lines.push_back(p.frame);
        break;
      case ValgrindEvent::kEntry:
        EXPECT_EQ(p.entry.frame_count, lines.size());
        out.entries.push_back({p.entry, lines, p.open_line});
        lines.clear();
        break;
    }
  }
  if (dm::valgrind_unterminated(p)) out.unterminated = p.open_line;
  return out;
}

std::string text_of(const char* s, size_t n) { return std::string(s, n); }

TEST(MemcheckKinds, EveryErrorKindHasAKindThatSuppressesIt) {
  for (int k = 0; k < dm::kNumErrorKinds; ++k) {
    auto kind = static_cast<ErrorKind>(k);
    std::string name = dm::memcheck_kind_name(kind);
    const dm::MemcheckKind* memcheck = dm::memcheck_kind_from_name(name.data(), name.size());
    ASSERT_NE(memcheck, nullptr) << name;
    EXPECT_NE(memcheck->error_kinds & dm::error_kind_bit(kind), 0) << dm::error_kind_name(kind) << " " << name;
  }
  const dm::MemcheckKind* leak = dm::memcheck_kind_from_name("Leak", 4);
  ASSERT_NE(leak, nullptr);
  EXPECT_TRUE(leak->leaks);
  EXPECT_EQ(leak->error_kinds, 0);
}

TEST(MemcheckKinds, TheMapping) {
  auto kinds = [](std::string_view name) {
    const dm::MemcheckKind* k = dm::memcheck_kind_from_name(name.data(), name.size());
    return k == nullptr ? -1 : k->error_kinds;
  };
  auto bit = [](ErrorKind k) { return static_cast<int>(dm::error_kind_bit(k)); };
  int address = bit(ErrorKind::kHeapBufferOverflow) | bit(ErrorKind::kHeapBufferUnderflow) |
                bit(ErrorKind::kUseAfterFree) | bit(ErrorKind::kHeapCorruption);
  for (const char* addr : {"Addr1", "Addr2", "Addr4", "Addr8", "Addr16", "Addr32", "Param"})
    EXPECT_EQ(kinds(addr), address) << addr;
  EXPECT_EQ(kinds("Free"),
            bit(ErrorKind::kDoubleFree) | bit(ErrorKind::kInvalidFree) | bit(ErrorKind::kAllocDeallocMismatch));
  EXPECT_EQ(kinds("Overlap"), bit(ErrorKind::kMemcpyParamOverlap));
  EXPECT_EQ(kinds("FishyValue"), bit(ErrorKind::kAllocationSizeTooBig) | bit(ErrorKind::kCallocOverflow));
  EXPECT_EQ(kinds("SizeMismatch"), bit(ErrorKind::kAllocDeallocMismatch));
  // Uninitialised values and the rest: read, never matching.
  for (const char* none : {"Cond", "Value0", "Value1", "Value8", "Value32", "Jump", "User", "CoreMem", "Mempool"})
    EXPECT_EQ(kinds(none), 0) << none;
  EXPECT_EQ(kinds("Addr3"), -1);
  EXPECT_EQ(kinds("leak"), -1);  // Valgrind's names are case-sensitive
  EXPECT_EQ(kinds("Addr"), -1);
}

// The example of Valgrind's manual ("Suppressing errors"), and the one from its FAQ with `...`.
TEST(ValgrindParse, TheManualsExamples) {
  Parsed p = parse(
      "{\n"
      "   __gconv_transform_ascii_internal/__mbrtowc/mbtowc\n"
      "   Memcheck:Value4\n"
      "   fun:__gconv_transform_ascii_internal\n"
      "   fun:__mbr*toc\n"
      "   fun:mbtowc\n"
      "}\n"
      "{\n"
      "   libX11.so.6.2/libX11.so.6.2/libXaw.so.7.0\n"
      "   Memcheck:Value4\n"
      "   obj:/usr/X11R6/lib/libX11.so.6.2\n"
      "   obj:/usr/X11R6/lib/libX11.so.6.2\n"
      "   obj:/usr/X11R6/lib/libXaw.so.7.0\n"
      "}\n"
      "{\n"
      "   a-contrived-example\n"
      "   Memcheck:Leak\n"
      "   fun:malloc\n"
      "   ...\n"
      "   fun:ddd\n"
      "   ...\n"
      "   fun:ccc\n"
      "   ...\n"
      "   fun:main\n"
      "}\n"
      "{\n"
      "   boring-leak\n"
      "   Memcheck:Leak\n"
      "   match-leak-kinds: possible,definite\n"
      "   fun:malloc\n"
      "   src:leak.c:10\n"
      "}\n"
      "{\n"
      "   a-param-one\n"
      "   Memcheck:Param\n"
      "   write(buf)\n"
      "   obj:/lib/libc-2.2.4.so\n"
      "}\n");
  EXPECT_TRUE(p.warned.empty()) << (p.problems.empty() ? "" : p.problems[0]);
  ASSERT_EQ(p.entries.size(), 5u);
  EXPECT_EQ(text_of(p.entries[0].entry.name, p.entries[0].entry.name_length),
            "__gconv_transform_ascii_internal/__mbrtowc/mbtowc");
  EXPECT_STREQ(p.entries[0].entry.kind->name, "Value4");
  EXPECT_EQ(p.entries[0].entry.error_kinds, 0);  // uninitialised values: never matches
  ASSERT_EQ(p.entries[0].lines.size(), 3u);
  EXPECT_EQ(text_of(p.entries[0].lines[1].pattern, p.entries[0].lines[1].pattern_length), "__mbr*toc");
  EXPECT_EQ(p.entries[1].lines[2].type, ValgrindFrameLine::Type::kObj);

  const Parsed::Entry& contrived = p.entries[2];
  EXPECT_EQ(contrived.entry.leak_kinds, dm::kAllLeakKindBits);  // no match-leak-kinds: every kind
  ASSERT_EQ(contrived.lines.size(), 7u);
  EXPECT_EQ(contrived.lines[1].type, ValgrindFrameLine::Type::kAnyFrames);
  EXPECT_EQ(contrived.entry.non_wildcard_lines, 4u);
  EXPECT_EQ(contrived.open_line, 15u);

  EXPECT_EQ(p.entries[3].entry.leak_kinds,
            dm::leak_kind_bit(LeakKind::kDefinite) | dm::leak_kind_bit(LeakKind::kPossible));
  EXPECT_EQ(p.entries[3].lines[1].type, ValgrindFrameLine::Type::kSrc);
  EXPECT_EQ(text_of(p.entries[3].lines[1].pattern, p.entries[3].lines[1].pattern_length), "leak.c");
  EXPECT_EQ(p.entries[3].lines[1].line, 10u);

  EXPECT_EQ(text_of(p.entries[4].entry.call, p.entries[4].entry.call_length), "write");
}

TEST(ValgrindParse, ToolListsAndOtherTools) {
  Parsed p = parse(
      "{\n a\n Memcheck,Addrcheck:Leak\n fun:f\n}\n"
      "{\n b\n Helgrind:Race\n fun:g\n   whatever helgrind reads\n}\n"
      "{\n c\n drd:ConflictingAccess\n fun:h\n}\n"
      "{\n d\n Addrcheck , Memcheck : Addr4\n fun:i\n}\n"
      "{\n e\n memcheck:Leak\n fun:j\n}\n");  // Valgrind's tool names are case-sensitive too
  EXPECT_TRUE(p.warned.empty());
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_STREQ(p.entries[0].entry.kind->name, "Leak");
  EXPECT_STREQ(p.entries[1].entry.kind->name, "Addr4");
  EXPECT_EQ(p.other_tools, 3);
}

TEST(ValgrindParse, MatchLeakKinds) {
  auto kinds = [](const std::string& line) {
    Parsed p = parse("{\nn\nMemcheck:Leak\n" + line + "\nfun:f\n}\n");
    return p.entries.size() == 1 ? static_cast<int>(p.entries[0].entry.leak_kinds) : -1;
  };
  using dm::leak_kind_bit;
  EXPECT_EQ(kinds("match-leak-kinds: definite"), leak_kind_bit(LeakKind::kDefinite));
  EXPECT_EQ(kinds("match-leak-kinds:indirect,reachable"),
            leak_kind_bit(LeakKind::kIndirect) | leak_kind_bit(LeakKind::kReachable));
  EXPECT_EQ(kinds("match-leak-kinds: definite, possible"),
            leak_kind_bit(LeakKind::kDefinite) | leak_kind_bit(LeakKind::kPossible));
  EXPECT_EQ(kinds("match-leak-kinds: all"), dm::kAllLeakKindBits);
  EXPECT_EQ(kinds("match-leak-kinds: none"), 0);
  EXPECT_EQ(kinds("match-leak-kinds: lost"), -1);
  EXPECT_EQ(kinds("match-leak-kinds:"), -1);
  EXPECT_EQ(kinds("match-leak-kinds: definite,"), -1);
  EXPECT_EQ(kinds("leak-kinds: definite"), -1);
}

TEST(ValgrindParse, CommentsBlankLinesAndSpacesAnywhere) {
  Parsed p = parse(
      "# a Valgrind file\n"
      "\t{  \r\n"
      "   # the name comes next\n"
      "\n"
      "   my entry   \r\n"
      "   Memcheck:Free\r\n"
      "   # the frames\n"
      "   fun:  free\t\n"
      "   fun:main\n"
      "  }\n"
      "leak:zz_ours\n");
  EXPECT_TRUE(p.warned.empty());
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(text_of(p.entries[0].entry.name, p.entries[0].entry.name_length), "my entry");
  EXPECT_EQ(text_of(p.entries[0].lines[0].pattern, p.entries[0].lines[0].pattern_length), "free");
  EXPECT_EQ(p.ours, (std::vector<uint32_t>{1, 11}));  // outside the entry: the KIND:PATTERN syntax's
}

struct Refused {
  const char* text;
  uint32_t warned_line;
  const char* problem;
};

TEST(ValgrindParse, MalformedLinesAreNamedAndTheirEntryLeftOut) {
  namespace vp = dm::valgrind_problem;
  const Refused cases[] = {
      {"{\nn\nMemcheck\nfun:f\n}\n", 3, vp::kNoToolColon},
      {"{\nn\nMemcheck:Lake\nfun:f\n}\n", 3, vp::kUnknownKind},
      {"{\nn\nMemcheck:Leak\nmatch-leak-kinds: lost\nfun:f\n}\n", 4, vp::kBadLeakKinds},
      {"{\nn\nMemcheck:Leak\nmalloc\n}\n", 4, vp::kLeakExtra},
      {"{\nn\nMemcheck:Addr4\nfnu:f\n}\n", 4, vp::kNotFrame},
      {"{\nn\nMemcheck:Addr4\nfun:f\nmain\n}\n", 5, vp::kNotFrame},
      {"{\nn\nMemcheck:Addr4\nsrc:a.c:x\n}\n", 4, vp::kBadSrcLine},
      {"{\nn\nMemcheck:Addr4\nsrc:a.c:\n}\n", 4, vp::kBadSrcLine},
      {"{\nn\nMemcheck:Param\nfun:f\n}\n", 4, vp::kNoParam},
      {"{\nn\nMemcheck:Param\n}\n", 4, vp::kNoParam},
      {"{\nn\nMemcheck:FishyValue\nmalloc\nfun:f\n}\n", 4, vp::kBadFishyValue},
      {"{\nn\nMemcheck:Leak\n}\n", 4, vp::kNoFrames},
      {"{\nn\nMemcheck:Leak\n...\n...\n}\n", 6, vp::kOnlyWildcards},
      {"{\n}\n", 2, vp::kEmpty},
      {"{\nn\n}\n", 3, vp::kEmpty},
      {"}\n", 1, vp::kStrayClose},
  };
  for (const Refused& c : cases) {
    SCOPED_TRACE(c.text);
    Parsed p = parse(std::string(c.text) + "{\ngood\nMemcheck:Leak\nfun:zz\n}\n");
    ASSERT_EQ(p.warned.size(), 1u);
    EXPECT_EQ(p.warned[0], c.warned_line);
    EXPECT_EQ(p.problems[0], c.problem);
    // The next entry still applies.
    ASSERT_EQ(p.entries.size(), 1u);
    EXPECT_EQ(text_of(p.entries[0].entry.name, p.entries[0].entry.name_length), "good");
    EXPECT_EQ(p.unterminated, 0u);
  }
}

TEST(ValgrindParse, AMissingCloseLeavesOutOneEntry) {
  Parsed p = parse("{\na\nMemcheck:Leak\nfun:f\n{\nb\nMemcheck:Leak\nfun:g\n}\n");
  EXPECT_EQ(p.warned, (std::vector<uint32_t>{5}));
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(text_of(p.entries[0].entry.name, p.entries[0].entry.name_length), "b");
  EXPECT_EQ(p.entries[0].open_line, 5u);

  Parsed open = parse("leak:zz\n{\na\nMemcheck:Leak\nfun:f\n");
  EXPECT_EQ(open.unterminated, 2u);
  EXPECT_TRUE(open.entries.empty());
}

TEST(ValgrindParse, LinesBeyondTheLastKeptOneAreIgnored) {
  std::string text = "{\nn\nMemcheck:Leak\n";
  for (uint32_t i = 0; i < dm::kMaxValgrindFrameLines + 10; ++i) text += "fun:f" + std::to_string(i) + "\n";
  text += "not judged either\n}\n";
  Parsed p = parse(text);
  EXPECT_TRUE(p.warned.empty());
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].lines.size(), dm::kMaxValgrindFrameLines);
}

TEST(ValgrindParse, AMangledNameWithWildcardsGetsANote) {
  Parsed p = parse(
      "{\nn\nMemcheck:Leak\nfun:_Znw*\nfun:_ZN5boost*\nfun:_ZN3foo3barEv\nfun:boost::*\n}\n"
      "{\nn\nMemcheck:Free\nfun:_ZdlPv*\nfun:main\n}\n");
  EXPECT_EQ(p.noted, (std::vector<uint32_t>{5}));  // _Znw* and _ZdlPv* may match frame 0
  EXPECT_EQ(p.entries.size(), 2u);                 // kept
  EXPECT_TRUE(dm::valgrind_pattern_is_plain_mangled(p.entries[0].lines[2]));
  EXPECT_FALSE(dm::valgrind_pattern_is_plain_mangled(p.entries[0].lines[1]));
  EXPECT_FALSE(dm::valgrind_pattern_is_plain_mangled(p.entries[0].lines[3]));
}

// ---- matching ----

struct Frame {
  std::string function, file, module;
  uint32_t line = 0;
};

dm::FrameText text(const Frame& f) {
  dm::FrameText t;
  t.function = f.function.data();
  t.function_length = f.function.size();
  t.file = f.file.data();
  t.file_length = f.file.size();
  t.module = f.module.data();
  t.module_length = f.module.size();
  t.line = f.line;
  return t;
}

// Whether the first entry of `entry_text` matches `stack` with `top` as frame 0.
bool matches(const std::string& entry_text, const std::vector<Frame>& stack, const dm::ValgrindTopFrame& top,
             const char* demangled = nullptr) {
  Parsed p = parse(entry_text);
  EXPECT_EQ(p.entries.size(), 1u) << entry_text;
  if (p.entries.empty()) return false;
  std::vector<ValgrindFrameLine> lines = p.entries[0].lines;
  for (ValgrindFrameLine& l : lines)
    if (demangled != nullptr && dm::valgrind_pattern_is_plain_mangled(l)) {
      l.demangled = demangled;
      l.demangled_length = strlen(demangled);
    }
  return dm::valgrind_stack_matches(lines.data(), lines.size(), top, stack.size(),
                                    [&](size_t i) { return text(stack[i]); });
}

std::string leak_entry(const std::string& frames) { return "{\nn\nMemcheck:Leak\n" + frames + "}\n"; }

const std::vector<Frame> kStack = {
    {"make_node", "/src/list.c", "/opt/app/bin/app", 12},
    {"build_list", "/src/list.c", "/opt/app/bin/app", 30},
    {"", "", "/usr/lib/libplugin.so", 0},
    {"main", "/src/main.c", "/opt/app/bin/app", 5},
    {"__libc_start_call_main", "", "/usr/lib/x86_64-linux-gnu/libc.so.6", 0},
};

TEST(ValgrindMatch, FrameZeroIsTheAllocationFunction) {
  dm::ValgrindTopFrame any = dm::valgrind_top_for_allocation();
  EXPECT_TRUE(matches(leak_entry("fun:malloc\nfun:make_node\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:calloc\nfun:make_node\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:_Znwm\nfun:make_node\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:operator new[](unsigned long)\nfun:make_node\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:*alloc\nfun:make_node\nfun:build_list\n"), kStack, any));
  EXPECT_FALSE(matches(leak_entry("fun:free\nfun:make_node\n"), kStack, any));  // not an allocation function
  EXPECT_FALSE(matches(leak_entry("fun:malloc\nfun:build_list\n"), kStack, any));
  // A rule may also start at the caller.
  EXPECT_TRUE(matches(leak_entry("fun:make_node\nfun:build_list\n"), kStack, any));
  // obj:* and fun:* take frame 0 as any other frame.
  EXPECT_TRUE(matches(leak_entry("obj:*\nfun:make_node\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:*\nfun:make_node\nfun:build_list\nobj:*/libplugin.so\nfun:main\n"), kStack, any));
  EXPECT_FALSE(matches(leak_entry("obj:/opt/app/bin/app\nfun:make_node\n"), kStack, any));
}

TEST(ValgrindMatch, FrameZeroOfAnErrorIsTheCallThatFoundIt) {
  std::vector<Frame> stack = {{"release", "", "/bin/app"}, {"main", "", "/bin/app"}};
  auto top = [](const char* api) { return dm::valgrind_top_for_api(api, strlen(api)); };
  std::string free_entry = "{\nn\nMemcheck:Free\nfun:free\nfun:release\nfun:main\n}\n";
  EXPECT_TRUE(matches(free_entry, stack, top("free()")));
  EXPECT_FALSE(matches(free_entry, stack, top("realloc()")));
  EXPECT_FALSE(matches(free_entry, stack, top("the heap check at exit")));
  std::string delete_entry = "{\nn\nMemcheck:Free\nfun:_ZdlPv\nfun:release\n}\n";
  EXPECT_TRUE(matches(delete_entry, stack, top("operator delete")));
  EXPECT_FALSE(matches(delete_entry, stack, top("operator delete []")));
  EXPECT_TRUE(matches("{\nn\nMemcheck:Free\nfun:_ZdaPv*\nfun:release\n}\n", stack, top("operator delete []")));
  EXPECT_TRUE(matches("{\nn\nMemcheck:Free\nfun:operator delete(void*, unsigned long)\nfun:release\n}\n", stack,
                      top("operator delete")));
  // Valgrind shows replaced C library functions with their symbol version.
  EXPECT_TRUE(matches("{\nn\nMemcheck:Overlap\nfun:memcpy@@GLIBC_2.14\nfun:release\n}\n", stack, top("memcpy()")));
  EXPECT_FALSE(matches("{\nn\nMemcheck:Overlap\nfun:memmove\nfun:release\n}\n", stack, top("memcpy()")));
  // A fault has no frame 0: the stack starts at the faulting instruction.
  EXPECT_FALSE(dm::valgrind_top_present(top("a write to a protected page")));
  EXPECT_TRUE(matches("{\nn\nMemcheck:Addr4\nfun:release\nfun:main\n}\n", stack, top("a write to a protected page")));
}

TEST(ValgrindMatch, FrameLinesInSequenceAgainstAPrefix) {
  dm::ValgrindTopFrame any = dm::valgrind_top_for_allocation();
  EXPECT_TRUE(matches(leak_entry("fun:malloc\n...\nfun:main\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("...\nfun:main\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:malloc\n...\nfun:build_list\n...\nfun:main\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("fun:malloc\n...\nfun:make_node\n"), kStack, any));  // `...` takes no frame
  EXPECT_FALSE(matches(leak_entry("fun:malloc\n...\nfun:main\nfun:build_list\n"), kStack, any));  // out of order
  EXPECT_FALSE(matches(leak_entry("fun:malloc\nfun:build_list\n"), kStack, any));  // no `...`: one frame each
  // The stack may be longer than the entry, not shorter.
  EXPECT_FALSE(matches(leak_entry("...\nfun:__libc_start_call_main\nfun:_start\n"), kStack, any));
  EXPECT_TRUE(matches(leak_entry("...\nfun:__libc_start_call_main\n...\n"), kStack, any));
  EXPECT_FALSE(matches(leak_entry("fun:nothing\n...\n"), kStack, any));
}

TEST(ValgrindMatch, FunObjAndSrc) {
  dm::ValgrindTopFrame none;
  EXPECT_TRUE(matches(leak_entry("fun:make_*\nfun:build_?ist\n"), kStack, none));
  EXPECT_TRUE(matches(leak_entry("fun:make_node\nfun:build_list\nobj:/usr/lib/libplugin.so\n"), kStack, none));
  // obj: is the whole path, as in Valgrind.
  EXPECT_FALSE(matches(leak_entry("...\nobj:libplugin.so\n"), kStack, none));
  EXPECT_TRUE(matches(leak_entry("...\nobj:*/libplugin.so\n"), kStack, none));
  // An unknown name is "???".
  EXPECT_TRUE(matches(leak_entry("...\nfun:build_list\nfun:???\n"), kStack, none));
  EXPECT_FALSE(matches(leak_entry("...\nfun:build_list\nfun:main\n"), kStack, none));
  // src: is the source file, its last component or whole, with or without the line.
  EXPECT_TRUE(matches(leak_entry("src:list.c\n"), kStack, none));
  EXPECT_TRUE(matches(leak_entry("src:list.c:12\nsrc:/src/list.c:30\n"), kStack, none));
  EXPECT_FALSE(matches(leak_entry("src:list.c:13\n"), kStack, none));
  EXPECT_FALSE(matches(leak_entry("...\nsrc:libplugin.so\n"), kStack, none));  // no source there
}

TEST(ValgrindMatch, AMangledNameMatchesByItsDemangledForm) {
  std::vector<Frame> stack = {{"foo::bar()", "", "/bin/app"}, {"main", "", "/bin/app"}};
  dm::ValgrindTopFrame none;
  EXPECT_TRUE(matches(leak_entry("fun:_ZN3foo3barEv\nfun:main\n"), stack, none, "foo::bar()"));
  EXPECT_FALSE(matches(leak_entry("fun:_ZN3foo3barEv\nfun:main\n"), stack, none));  // not demangled: no match
  EXPECT_FALSE(matches(leak_entry("fun:_ZN3foo3bazEv\nfun:main\n"), stack, none, "foo::baz()"));
  EXPECT_TRUE(matches(leak_entry("fun:foo::*\n"), stack, none));
}

TEST(ValgrindMatch, WhatAnEntryAppliesTo) {
  Parsed p = parse(
      "{\nn\nMemcheck:Leak\nmatch-leak-kinds: definite,indirect\nfun:f\n}\n"
      "{\nn\nMemcheck:Param\nread(buf)\nfun:f\n}\n"
      "{\nn\nMemcheck:FishyValue\nmalloc(size)\nfun:f\n}\n");
  ASSERT_EQ(p.entries.size(), 3u);
  uint8_t leaks = p.entries[0].entry.leak_kinds;
  EXPECT_TRUE(dm::valgrind_entry_applies_to_leak(leaks, LeakKind::kDefinite));
  EXPECT_TRUE(dm::valgrind_entry_applies_to_leak(leaks, LeakKind::kIndirect));
  EXPECT_FALSE(dm::valgrind_entry_applies_to_leak(leaks, LeakKind::kPossible));
  EXPECT_FALSE(dm::valgrind_entry_applies_to_leak(leaks, LeakKind::kReachable));

  auto applies = [&](size_t entry, ErrorKind kind, const char* api) {
    const dm::ValgrindEntry& e = p.entries[entry].entry;
    return dm::valgrind_entry_applies_to_error(e.error_kinds, e.call, e.call_length, kind, api, strlen(api));
  };
  EXPECT_FALSE(applies(0, ErrorKind::kDoubleFree, "free()"));
  EXPECT_TRUE(applies(1, ErrorKind::kHeapBufferOverflow, "read()"));
  EXPECT_TRUE(applies(1, ErrorKind::kUseAfterFree, "__read_chk()"));
  EXPECT_FALSE(applies(1, ErrorKind::kHeapBufferOverflow, "recv()"));
  EXPECT_FALSE(applies(1, ErrorKind::kHeapBufferOverflow, "readv()"));
  EXPECT_FALSE(applies(1, ErrorKind::kDoubleFree, "read()"));
  EXPECT_TRUE(applies(2, ErrorKind::kAllocationSizeTooBig, "malloc()"));
  EXPECT_FALSE(applies(2, ErrorKind::kAllocationSizeTooBig, "calloc()"));
}

TEST(ValgrindMatch, LongStacksStayFast) {
  // Many `...` against a deep stack that never matches: backtracking stays linear per `...`.
  std::string frames;
  for (int i = 0; i < 30; ++i) frames += "...\nfun:f\n";
  frames += "fun:never\n";
  std::vector<Frame> stack(64, Frame{"f", "", "/bin/app"});
  EXPECT_FALSE(matches(leak_entry(frames), stack, dm::valgrind_top_for_allocation()));
}

}  // namespace
