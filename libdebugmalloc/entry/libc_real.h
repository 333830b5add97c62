// The C library's own string, memory and I/O functions behind the interposers
// of entry/libc_*.cpp, and behind the library's own calls of them.
//
// One pointer per function. Until start-up resolves it (dlsym(RTLD_NEXT) in a
// constructor, under ScopedInternal) it points at a stand-in that needs no
// resolution: a local implementation for the string and memory functions, one
// of glibc's exported aliases (__read, _IO_fread, ...) for I/O, or a
// resolution on first use. So an interposer works before the library is
// initialised, from inside the dynamic loader, in a vfork child and in a signal
// handler, and never allocates to find the function it forwards to.
//
// The library's own calls of these functions (and the calls the compiler
// emits for copies) are linked to __wrap_<name> (-Wl,--wrap, see
// CMakeLists.txt), which forwards here unchecked: the allocator's fills write
// guards and freed blocks on purpose.
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <wchar.h>

// glibc's fortified entry points (its headers declare them only under _FORTIFY_SOURCE).
extern "C" {
void* __memcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept;
void* __memmove_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept;
void* __mempcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept;
void* __memset_chk(void* dst, int c, size_t n, size_t dst_size) noexcept;
char* __strcpy_chk(char* dst, const char* src, size_t dst_size) noexcept;
char* __stpcpy_chk(char* dst, const char* src, size_t dst_size) noexcept;
char* __strncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept;
char* __stpncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept;
char* __strcat_chk(char* dst, const char* src, size_t dst_size) noexcept;
char* __strncat_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept;
wchar_t* __wcscpy_chk(wchar_t* dst, const wchar_t* src, size_t dst_wchars) noexcept;
int __sprintf_chk(char* s, int flag, size_t s_size, const char* format, ...) noexcept;
int __vsprintf_chk(char* s, int flag, size_t s_size, const char* format, va_list ap) noexcept;
int __snprintf_chk(char* s, size_t n, int flag, size_t s_size, const char* format, ...) noexcept;
int __vsnprintf_chk(char* s, size_t n, int flag, size_t s_size, const char* format, va_list ap) noexcept;
ssize_t __read_chk(int fd, void* buf, size_t n, size_t buf_size);
ssize_t __pread_chk(int fd, void* buf, size_t n, off_t offset, size_t buf_size);
ssize_t __pread64_chk(int fd, void* buf, size_t n, off64_t offset, size_t buf_size);
ssize_t __recv_chk(int fd, void* buf, size_t n, size_t buf_size, int flags);
size_t __fread_chk(void* ptr, size_t ptr_size, size_t size, size_t count, FILE* stream);
char* __fgets_chk(char* s, size_t s_size, int n, FILE* stream);
char* __realpath_chk(const char* path, char* resolved, size_t resolved_size) noexcept;
[[noreturn]] void __chk_fail() noexcept;
}

namespace dm::libc {

// Every function with a pointer here: the interposed ones (the _chk forms of
// the I/O and printf families included) and the few the interposers use. In
// C++ <string.h> declares memchr, strchr and strrchr twice (const and not):
// their C types are spelled out.
#define DM_LIBC_FUNCTIONS(X)                                                                                     \
  X(memcpy) X(memmove) X(mempcpy) X(memset) X(memcmp) X(bcmp) X(strcpy) X(stpcpy) X(strncpy) X(stpncpy)         \
  X(strcat) X(strncat) X(strlen) X(strnlen) X(strcmp) X(strncmp) X(wcscpy) X(wcslen) X(wcsnlen) X(read)         \
  X(pread64) X(recv) X(fread) X(fgets) X(getdelim) X(realpath) X(vsprintf) X(vsnprintf) X(__memcpy_chk)         \
  X(__memmove_chk) X(__mempcpy_chk) X(__memset_chk) X(__strcpy_chk) X(__stpcpy_chk) X(__strncpy_chk)           \
  X(__stpncpy_chk) X(__strcat_chk) X(__strncat_chk) X(__wcscpy_chk) X(__vsprintf_chk) X(__vsnprintf_chk)       \
  X(__read_chk) X(__pread64_chk) X(__recv_chk) X(__fread_chk) X(__fgets_chk) X(__realpath_chk)
#define DM_LIBC_OVERLOADED_FUNCTIONS(X) X(memchr) X(strchr) X(strrchr)

using memchr_type = void* (*)(const void* s, int c, size_t n) noexcept;
using strchr_type = char* (*)(const char* s, int c) noexcept;
using strrchr_type = strchr_type;

#define DM_LIBC_DECLARE(name) extern decltype(&::name) g_##name;
DM_LIBC_FUNCTIONS(DM_LIBC_DECLARE)
#undef DM_LIBC_DECLARE
#define DM_LIBC_DECLARE_OVERLOADED(name) extern name##_type g_##name;
DM_LIBC_OVERLOADED_FUNCTIONS(DM_LIBC_DECLARE_OVERLOADED)
#undef DM_LIBC_DECLARE_OVERLOADED

template <typename F>
inline F load(const F& slot) {
  return __atomic_load_n(&slot, __ATOMIC_RELAXED);
}

// Resolves every pointer with dlsym(RTLD_NEXT); done once at start-up.
void resolve_all();

}  // namespace dm::libc

// The C library's `name`, never an interposer.
#define DM_REAL(name) (::dm::libc::load(::dm::libc::g_##name))
