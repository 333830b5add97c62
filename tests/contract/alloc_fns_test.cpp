// Unit tests of common/alloc_fns.h (the built-in allocation wrappers, the list syntax, the
// naming rule) and common/options_text.h (finding an option's value in DEBUGMALLOC_OPTIONS).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/alloc_fns.h"
#include "common/options_text.h"

namespace {

bool wrapper(std::string_view function, std::string_view list = "") {
  return dm::is_alloc_fn(function.data(), function.size(), list.data(), list.size());
}

std::vector<std::string> items(std::string_view list) {
  std::vector<std::string> out;
  size_t position = 0;
  const char* item = nullptr;
  size_t length = 0;
  while (dm::next_alloc_fn(list.data(), list.size(), &position, &item, &length)) out.emplace_back(item, length);
  return out;
}

// One frame as the rule sees it: function, file, module.
struct F {
  std::string function, file, module;
};

size_t naming(const std::vector<F>& stack, std::string_view list = "") {
  return dm::naming_frame(
      stack.size(),
      [&](size_t i) {
        dm::FrameText t;
        t.function = stack[i].function.data();
        t.function_length = stack[i].function.size();
        t.file = stack[i].file.data();
        t.file_length = stack[i].file.size();
        t.module = stack[i].module.data();
        t.module_length = stack[i].module.size();
        return t;
      },
      list.data(), list.size());
}

TEST(AllocFns, TheBuiltInsCoverTheWrappersOfCommonLibrariesAsTheyAreNamedInStacks) {
  for (const char* name : {"xmalloc",
                           "xcalloc",
                           "xrealloc",
                           "xstrdup",
                           "xstrndup",
                           "xmemdup",  // libiberty
                           "g_malloc",
                           "g_malloc0",
                           "g_malloc_n",
                           "g_malloc0_n",
                           "g_realloc",
                           "g_realloc_n",
                           "g_try_malloc",
                           "g_try_malloc0_n",
                           "g_try_realloc",
                           "g_strdup",
                           "g_strdup_printf",
                           "g_strndup",
                           "g_memdup2",
                           "g_slice_alloc0",  // GLib (g_new* expand to these)
                           "strdup",
                           "__strdup",
                           "__GI___strdup",
                           "__GI___strndup",
                           "___asprintf",  // the C library
                           "__vasprintf_internal",
                           "asprintf",
                           "vasprintf",
                           "operator new(unsigned long)",
                           "operator new[](unsigned long)",  // C++, as the demangler names them
                           "operator new(unsigned long, std::nothrow_t const&)",
                           "operator new(unsigned long, std::align_val_t)",
                           "std::__new_allocator<int>::allocate(unsigned long, void const*)",
                           "__gnu_cxx::new_allocator<char>::allocate(unsigned long, void const*)",
                           "std::allocator<long>::allocate(unsigned long)",
                           "std::allocator_traits<std::allocator<int> >::allocate(std::allocator<int>&, unsigned long)",
                           "PyMem_Malloc",
                           "PyMem_RawMalloc",
                           "PyMem_RawCalloc",
                           "_PyMem_RawMalloc",
                           "PyObject_Malloc",  // CPython
                           "_PyObject_Malloc",
                           "_PyObject_MallocWithType",
                           "pymalloc_alloc",
                           "new_arena",
                           "_PyObject_GC_New",
                           "gc_alloc"})
    EXPECT_TRUE(wrapper(name)) << name;
  for (const char* name :
       {"main", "my_xmalloc", "xmalloc_stats", "g_main_loop_new", "g_free", "PyMem_Free", "operator delete(void*)",
        "std::vector<int, std::allocator<int> >::push_back(int const&)", "strdupa_helper", ""})
    EXPECT_FALSE(wrapper(name)) << name;
}

TEST(AllocFns, ListItemsAreTrimmedAndEmptyOnesSkipped) {
  EXPECT_EQ(items("a, b* ,,\tc?d\t,"), (std::vector<std::string>{"a", "b*", "c?d"}));
  EXPECT_EQ(items(""), std::vector<std::string>{});
  EXPECT_EQ(items(" , "), std::vector<std::string>{});
  EXPECT_EQ(items("operator new(unsigned long)"), std::vector<std::string>{"operator new(unsigned long)"});
}

TEST(AllocFns, TheListAddsGlobsAndItsDashDropsTheBuiltIns) {
  EXPECT_TRUE(wrapper("my_xmalloc", "my_x*"));
  EXPECT_TRUE(wrapper("xmalloc", "my_x*"));            // the built-ins stay
  EXPECT_FALSE(wrapper("my_xmalloc2", "my_xmalloc"));  // a glob matches the whole name
  EXPECT_FALSE(wrapper("xmalloc", "-"));
  EXPECT_FALSE(wrapper("xmalloc", "my_x*, -"));  // "-" anywhere in the list
  EXPECT_TRUE(wrapper("my_xmalloc", "-,my_x*"));
  EXPECT_TRUE(dm::alloc_fns_keep_builtins("a,b", 3));
  EXPECT_FALSE(dm::alloc_fns_keep_builtins("a, - ", 5));
  EXPECT_TRUE(dm::alloc_fns_keep_builtins("a,-b", 4));  // "-b" is a glob, not the switch
}

TEST(AllocFns, TheRuntimeFramesAreTheToolsAndTheSystemsOwn) {
  auto runtime = [](const char* function, const char* file, const char* module) {
    std::string fn = function, fl = file, md = module;
    dm::FrameText t;
    t.function = fn.data();
    t.function_length = fn.size();
    t.file = fl.data();
    t.file_length = fl.size();
    t.module = md.data();
    t.module_length = md.size();
    return dm::is_runtime_frame(t);
  };
  EXPECT_TRUE(runtime("", "", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_TRUE(runtime("", "", "/opt/build/lib/libdebugmalloc.so"));
  EXPECT_TRUE(runtime("malloc", "", "/app"));
  EXPECT_TRUE(runtime("std::vector<int>::push_back(int&&)", "", "/app"));
  EXPECT_TRUE(runtime("__libc_start_main_impl", "", ""));
  EXPECT_TRUE(runtime("helper", "/usr/include/c++/12/bits/stl_vector.h", "/app"));
  EXPECT_FALSE(runtime("main", "/src/a.c", "/app"));
  EXPECT_FALSE(runtime("mallocate", "", "/app"));          // a name, not a prefix
  EXPECT_FALSE(runtime("", "", "/opt/lib/libcurl.so.4"));  // libc.so is a prefix of the file name only
  EXPECT_FALSE(runtime("", "", "/home/libc.so.dir/app"));
}

TEST(AllocFns, OnlyTheLeadingRunOfWrappersAndRuntimeFramesIsSkipped) {
  const F xmalloc{"xmalloc", "xmalloc.c", "/app"}, caller{"parse", "parse.c", "/app"},
      libc{"__vasprintf_internal", "", "/lib/libc.so.6"}, main{"main", "main.c", "/app"},
      mine{"my_alloc", "pool.c", "/app"}, unnamed{"", "", "/app"};
  EXPECT_EQ(naming({xmalloc, caller, main}), 1u);
  EXPECT_EQ(naming({libc, xmalloc, caller, main}), 2u);
  EXPECT_EQ(naming({caller, xmalloc, main}), 0u);  // a wrapper below the naming frame is ordinary
  EXPECT_EQ(naming({mine, xmalloc, caller}), 0u);  // not a wrapper here: it names the stack
  EXPECT_EQ(naming({mine, xmalloc, caller}, "my_*"), 2u);
  EXPECT_EQ(naming({xmalloc, caller}, "-"), 0u);
  EXPECT_EQ(naming({xmalloc, unnamed, caller}), 1u);  // a frame without a name is never a wrapper
  // Only wrappers (and the runtime): the first wrapper names the stack.
  EXPECT_EQ(naming({libc, xmalloc, mine}, "my_*"), 1u);
  // Only the runtime: no naming frame; the callers fall back to the first frame.
  EXPECT_EQ(naming({libc, libc}), dm::kNoNamingFrame);
  EXPECT_EQ(naming({}), dm::kNoNamingFrame);
}

TEST(OptionsText, AValueEndsAtAColonOrAtACommaStartingTheNextOption) {
  auto value = [](std::string_view text, const char* name) -> std::string {
    const char* v = nullptr;
    size_t n = 0;
    if (!dm::find_option_value(text.data(), text.size(), name, dm::c_string_length(name), &v, &n)) return "<unset>";
    return std::string(v, n);
  };
  EXPECT_EQ(value("leaks=1:alloc_fns=my_x*,pool_?:exitcode=0", "alloc_fns"), "my_x*,pool_?");
  EXPECT_EQ(value("alloc_fns=a,b,leaks=1", "alloc_fns"), "a,b");
  EXPECT_EQ(value("alloc_fns=a:alloc_fns=b", "alloc_fns"), "b");  // the last one wins
  EXPECT_EQ(value("alloc_fns=operator new(unsigned long)", "alloc_fns"), "operator new(unsigned long)");
  EXPECT_EQ(value("my_alloc_fns=x", "alloc_fns"), "<unset>");
  EXPECT_EQ(value("alloc_fns:leaks=1", "alloc_fns"), "<unset>");  // no '=value'
  EXPECT_EQ(value("alloc_fns=", "alloc_fns"), "");
  EXPECT_EQ(value("", "alloc_fns"), "<unset>");
  EXPECT_EQ(value("leak_kinds=definite,indirect:leaks=1", "leak_kinds"), "definite,indirect");
}

}  // namespace
