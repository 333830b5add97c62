// LeakSanitizer's interface (sanitizer/lsan_interface.h), declared weak as
// programs that annotate for LeakSanitizer do: under debugmalloc the calls
// mean what they mean under LeakSanitizer; without it they are skipped.
// LEAK_CASE picks one:
//
//   ignore        __lsan_ignore_object(root): root -> 2 children -> 1 grandchild, none a leak
//   disable       root allocated between __lsan_disable() and __lsan_enable(): the same
//   root_region   a lost block's interior registered with __lsan_register_root_region:
//                 the block it points to is reachable, the lost block definite
//   unregister    the same, checked (__lsan_do_recoverable_leak_check) while registered,
//                 then unregistered before exit: the block pointed to is indirect
//   recoverable   __lsan_do_recoverable_leak_check(): 0 before a leak, 1 after (printed on stderr)
//   check_leak    a leak, then __lsan_do_leak_check(): the process ends there (status exitcode)
//   check_clean   __lsan_do_leak_check() without a leak returns; a leak after it is not
//                 reported (the check at exit does not run again)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern "C" {
void __lsan_ignore_object(const void* p) __attribute__((weak));
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));
void __lsan_register_root_region(const void* p, size_t size) __attribute__((weak));
void __lsan_unregister_root_region(const void* p, size_t size) __attribute__((weak));
void __lsan_do_leak_check(void) __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
}

namespace {

void missing(const char* name) { std::fprintf(stderr, "%s is not available\n", name); }

struct Holder {
  void* children[2];
  char name[48];
};

const unsigned long kDisguise = 0x5a5a5a5a5a5a5a5aul;
unsigned long region_start_xor;  // a registered region's start, disguised: not a pointer

}  // namespace

extern "C" {

__attribute__((noinline)) Holder* make_root(bool disable) {
  if (disable) {
    if (__lsan_disable) __lsan_disable();
    else missing("__lsan_disable");
  }
  auto* root = static_cast<Holder*>(std::calloc(1, sizeof(Holder)));
  if (disable && __lsan_enable) __lsan_enable();
  return root;
}

__attribute__((noinline)) void** make_child(void) { return static_cast<void**>(std::calloc(4, sizeof(void*))); }
__attribute__((noinline)) char* make_grandchild(void) { return static_cast<char*>(std::calloc(1, 48)); }

__attribute__((noinline)) void build_and_forget(bool disable) {
  Holder* root = make_root(disable);
  char* grandchild = make_grandchild();
  for (int i = 0; i < 2; ++i) {
    void** child = make_child();
    child[0] = grandchild;
    root->children[i] = child;
  }
  if (!disable) {
    if (__lsan_ignore_object) __lsan_ignore_object(root);
    else missing("__lsan_ignore_object");
  }
}

__attribute__((noinline)) void* make_entry(void) { return std::calloc(1, 48); }

__attribute__((noinline)) void make_table_with_root_region(void) {
  Holder* volatile table = static_cast<Holder*>(std::calloc(1, sizeof(Holder)));
  table->children[1] = make_entry();
  if (__lsan_register_root_region) __lsan_register_root_region(&table->children[1], sizeof(void*));
  else missing("__lsan_register_root_region");
  region_start_xor = reinterpret_cast<unsigned long>(&table->children[1]) ^ kDisguise;
  table = nullptr;
}

__attribute__((noinline)) void leak_block(size_t size) {
  void* volatile block = std::malloc(size);
  std::memset(block, 'l', size);
  block = nullptr;
}

}  // extern "C"

int main() {
  const char* c = std::getenv("LEAK_CASE");
  std::string_view how = c != nullptr ? c : "";
  std::printf("case %s\n", c != nullptr ? c : "(none)");
  if (how == "ignore" || how == "disable") {
    build_and_forget(how == "disable");
  } else if (how == "root_region" || how == "unregister") {
    make_table_with_root_region();
    if (how == "unregister") {
      if (__lsan_do_recoverable_leak_check)  // while registered: only the table is lost
        std::fprintf(stderr, "__lsan_do_recoverable_leak_check() while registered: %d\n",
                     __lsan_do_recoverable_leak_check());
      if (__lsan_unregister_root_region)
        __lsan_unregister_root_region(reinterpret_cast<const void*>(region_start_xor ^ kDisguise), sizeof(void*));
      else missing("__lsan_unregister_root_region");
    }
  } else if (how == "recoverable") {
    if (!__lsan_do_recoverable_leak_check) {
      missing("__lsan_do_recoverable_leak_check");
    } else {
      std::fprintf(stderr, "__lsan_do_recoverable_leak_check() before the leak: %d\n", __lsan_do_recoverable_leak_check());
      leak_block(91);
      std::fprintf(stderr, "__lsan_do_recoverable_leak_check() after the leak: %d\n", __lsan_do_recoverable_leak_check());
    }
  } else if (how == "check_leak" || how == "check_clean") {
    if (how == "check_leak") leak_block(93);
    std::printf("before __lsan_do_leak_check\n");
    if (__lsan_do_leak_check) __lsan_do_leak_check();
    else missing("__lsan_do_leak_check");
    std::printf("after __lsan_do_leak_check\n");
    if (how == "check_clean") leak_block(95);
  } else {
    return 2;
  }
  std::printf("done\n");
  return 0;
}
