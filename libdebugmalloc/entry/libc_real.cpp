// The pointers to the C library's functions, their stand-ins until start-up
// resolves them, and the unchecked __wrap_<name> entries the library's own code
// is linked to. Built with -fno-builtin -fno-tree-loop-distribute-patterns: the
// stand-ins' loops must not become calls of the functions they stand in for.
#undef _FORTIFY_SOURCE
#include "entry/libc_real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "core/init.h"
#include "support/internal_arena.h"

// glibc's exported aliases of its I/O functions: bound by the dynamic loader,
// never by dlsym, so they serve before start-up.
extern "C" {
ssize_t __read(int fd, void* buf, size_t n);
ssize_t __pread64(int fd, void* buf, size_t n, off64_t offset);
size_t _IO_fread(void* ptr, size_t size, size_t count, FILE* stream);
char* _IO_fgets(char* s, int n, FILE* stream);
int _IO_vsprintf(char* s, const char* format, va_list ap) noexcept;
int __vsnprintf(char* s, size_t n, const char* format, va_list ap) noexcept;
}

namespace dm::libc {

namespace {

// Byte-wise stand-ins: they run only until start-up (a few hundred calls at most).
void* standin_memmove(void* dst, const void* src, size_t n) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d < s || d >= s + n) {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    for (size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
  }
  return dst;
}
void* standin_memcpy(void* dst, const void* src, size_t n) noexcept { return standin_memmove(dst, src, n); }
void* standin_mempcpy(void* dst, const void* src, size_t n) noexcept {
  return static_cast<char*>(standin_memmove(dst, src, n)) + n;
}
void* standin_memset(void* dst, int c, size_t n) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<unsigned char>(c);
  return dst;
}
int standin_memcmp(const void* a, const void* b, size_t n) noexcept {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}
void* standin_memchr(const void* s, int c, size_t n) noexcept {
  const auto* p = static_cast<const unsigned char*>(s);
  for (size_t i = 0; i < n; ++i)
    if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
  return nullptr;
}
size_t standin_strnlen(const char* s, size_t n) noexcept {
  size_t i = 0;
  while (i < n && s[i] != '\0') ++i;
  return i;
}
size_t standin_strlen(const char* s) noexcept { return standin_strnlen(s, ~size_t{0}); }
char* standin_stpcpy(char* dst, const char* src) noexcept {
  size_t n = standin_strlen(src);
  standin_memmove(dst, src, n + 1);
  return dst + n;
}
char* standin_strcpy(char* dst, const char* src) noexcept {
  standin_stpcpy(dst, src);
  return dst;
}
char* standin_stpncpy(char* dst, const char* src, size_t n) noexcept {
  size_t len = standin_strnlen(src, n);
  standin_memmove(dst, src, len);
  standin_memset(dst + len, 0, n - len);
  return dst + len;
}
char* standin_strncpy(char* dst, const char* src, size_t n) noexcept {
  standin_stpncpy(dst, src, n);
  return dst;
}
char* standin_strcat(char* dst, const char* src) noexcept {
  standin_strcpy(dst + standin_strlen(dst), src);
  return dst;
}
char* standin_strncat(char* dst, const char* src, size_t n) noexcept {
  char* end = dst + standin_strlen(dst);
  size_t len = standin_strnlen(src, n);
  standin_memmove(end, src, len);
  end[len] = '\0';
  return dst;
}
int standin_strncmp(const char* a, const char* b, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
    if (x == 0) return 0;
  }
  return 0;
}
int standin_strcmp(const char* a, const char* b) noexcept { return standin_strncmp(a, b, ~size_t{0}); }
char* standin_strchr(const char* s, int c) noexcept {
  for (;; ++s) {
    if (*s == static_cast<char>(c)) return const_cast<char*>(s);
    if (*s == '\0') return nullptr;
  }
}
char* standin_strrchr(const char* s, int c) noexcept {
  const char* found = nullptr;
  for (;; ++s) {
    if (*s == static_cast<char>(c)) found = s;
    if (*s == '\0') return const_cast<char*>(found);
  }
}
size_t standin_wcsnlen(const wchar_t* s, size_t n) noexcept {
  size_t i = 0;
  while (i < n && s[i] != L'\0') ++i;
  return i;
}
size_t standin_wcslen(const wchar_t* s) noexcept { return standin_wcsnlen(s, ~size_t{0}); }
wchar_t* standin_wcscpy(wchar_t* dst, const wchar_t* src) noexcept {
  size_t n = standin_wcslen(src);
  for (size_t i = 0; i <= n; ++i) dst[i] = src[i];
  return dst;
}

// The fortified forms: glibc's checks, then the plain stand-in.
void* standin_memcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_memmove(dst, src, n);
}
void* standin_memmove_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_memmove(dst, src, n);
}
void* standin_mempcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_mempcpy(dst, src, n);
}
void* standin_memset_chk(void* dst, int c, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_memset(dst, c, n);
}
char* standin_stpcpy_chk(char* dst, const char* src, size_t dst_size) noexcept {
  if (standin_strlen(src) >= dst_size) __chk_fail();
  return standin_stpcpy(dst, src);
}
char* standin_strcpy_chk(char* dst, const char* src, size_t dst_size) noexcept {
  standin_stpcpy_chk(dst, src, dst_size);
  return dst;
}
char* standin_stpncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_stpncpy(dst, src, n);
}
char* standin_strncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (dst_size < n) __chk_fail();
  return standin_strncpy(dst, src, n);
}
char* standin_strcat_chk(char* dst, const char* src, size_t dst_size) noexcept {
  if (standin_strlen(dst) + standin_strlen(src) >= dst_size) __chk_fail();
  return standin_strcat(dst, src);
}
char* standin_strncat_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (standin_strlen(dst) + standin_strnlen(src, n) >= dst_size) __chk_fail();
  return standin_strncat(dst, src, n);
}
wchar_t* standin_wcscpy_chk(wchar_t* dst, const wchar_t* src, size_t dst_wchars) noexcept {
  if (standin_wcslen(src) >= dst_wchars) __chk_fail();
  return standin_wcscpy(dst, src);
}

// Functions without an alias or a stand-in: resolved on their first call.
template <typename F>
F resolve(F& slot, const char* name) {
  void* found;
  {
    ScopedInternal internal;  // dlsym may allocate (its error state)
    found = dlsym(RTLD_NEXT, name);
  }
  if (found == nullptr) return nullptr;
  __atomic_store_n(&slot, reinterpret_cast<F>(found), __ATOMIC_RELAXED);
  return reinterpret_cast<F>(found);
}

ssize_t standin_recv(int fd, void* buf, size_t n, int flags) {
  if (auto fn = resolve(g_recv, "recv")) return fn(fd, buf, n, flags);
  return static_cast<ssize_t>(syscall(SYS_recvfrom, fd, buf, n, flags, nullptr, nullptr));
}
char* standin_realpath(const char* path, char* resolved) noexcept {
  if (auto fn = resolve(g_realpath, "realpath")) return fn(path, resolved);
  errno = ENOSYS;
  return nullptr;
}
int standin_vsprintf_chk(char* s, int flag, size_t s_size, const char* format, va_list ap) noexcept {
  if (auto fn = resolve(g___vsprintf_chk, "__vsprintf_chk")) return fn(s, flag, s_size, format, ap);
  return _IO_vsprintf(s, format, ap);
}
int standin_vsnprintf_chk(char* s, size_t n, int flag, size_t s_size, const char* format, va_list ap) noexcept {
  if (auto fn = resolve(g___vsnprintf_chk, "__vsnprintf_chk")) return fn(s, n, flag, s_size, format, ap);
  return __vsnprintf(s, n, format, ap);
}
ssize_t standin_read_chk(int fd, void* buf, size_t n, size_t buf_size) {
  if (n > buf_size) __chk_fail();
  return __read(fd, buf, n);
}
ssize_t standin_pread64_chk(int fd, void* buf, size_t n, off64_t offset, size_t buf_size) {
  if (n > buf_size) __chk_fail();
  return __pread64(fd, buf, n, offset);
}
ssize_t standin_recv_chk(int fd, void* buf, size_t n, size_t buf_size, int flags) {
  if (n > buf_size) __chk_fail();
  return standin_recv(fd, buf, n, flags);
}
size_t standin_fread_chk(void* ptr, size_t ptr_size, size_t size, size_t count, FILE* stream) {
  if (auto fn = resolve(g___fread_chk, "__fread_chk")) return fn(ptr, ptr_size, size, count, stream);
  return _IO_fread(ptr, size, count, stream);
}
char* standin_fgets_chk(char* s, size_t s_size, int n, FILE* stream) {
  if (auto fn = resolve(g___fgets_chk, "__fgets_chk")) return fn(s, s_size, n, stream);
  return _IO_fgets(s, n, stream);
}
char* standin_realpath_chk(const char* path, char* resolved, size_t resolved_size) noexcept {
  if (auto fn = resolve(g___realpath_chk, "__realpath_chk")) return fn(path, resolved, resolved_size);
  return standin_realpath(path, resolved);
}

}  // namespace

constinit decltype(&::memcpy) g_memcpy = standin_memcpy;
constinit decltype(&::memmove) g_memmove = standin_memmove;
constinit decltype(&::mempcpy) g_mempcpy = standin_mempcpy;
constinit decltype(&::memset) g_memset = standin_memset;
constinit decltype(&::memcmp) g_memcmp = standin_memcmp;
constinit memchr_type g_memchr = standin_memchr;
constinit decltype(&::bcmp) g_bcmp = standin_memcmp;
constinit decltype(&::strcpy) g_strcpy = standin_strcpy;
constinit decltype(&::stpcpy) g_stpcpy = standin_stpcpy;
constinit decltype(&::strncpy) g_strncpy = standin_strncpy;
constinit decltype(&::stpncpy) g_stpncpy = standin_stpncpy;
constinit decltype(&::strcat) g_strcat = standin_strcat;
constinit decltype(&::strncat) g_strncat = standin_strncat;
constinit decltype(&::strlen) g_strlen = standin_strlen;
constinit decltype(&::strnlen) g_strnlen = standin_strnlen;
constinit decltype(&::strcmp) g_strcmp = standin_strcmp;
constinit decltype(&::strncmp) g_strncmp = standin_strncmp;
constinit strchr_type g_strchr = standin_strchr;
constinit strrchr_type g_strrchr = standin_strrchr;
constinit decltype(&::wcscpy) g_wcscpy = standin_wcscpy;
constinit decltype(&::wcslen) g_wcslen = standin_wcslen;
constinit decltype(&::wcsnlen) g_wcsnlen = standin_wcsnlen;
constinit decltype(&::read) g_read = __read;
constinit decltype(&::pread64) g_pread64 = __pread64;
constinit decltype(&::recv) g_recv = standin_recv;
constinit decltype(&::fread) g_fread = _IO_fread;
constinit decltype(&::fgets) g_fgets = _IO_fgets;
constinit decltype(&::getdelim) g_getdelim = __getdelim;
constinit decltype(&::realpath) g_realpath = standin_realpath;
constinit decltype(&::vsprintf) g_vsprintf = _IO_vsprintf;
constinit decltype(&::vsnprintf) g_vsnprintf = __vsnprintf;
constinit decltype(&::__memcpy_chk) g___memcpy_chk = standin_memcpy_chk;
constinit decltype(&::__memmove_chk) g___memmove_chk = standin_memmove_chk;
constinit decltype(&::__mempcpy_chk) g___mempcpy_chk = standin_mempcpy_chk;
constinit decltype(&::__memset_chk) g___memset_chk = standin_memset_chk;
constinit decltype(&::__strcpy_chk) g___strcpy_chk = standin_strcpy_chk;
constinit decltype(&::__stpcpy_chk) g___stpcpy_chk = standin_stpcpy_chk;
constinit decltype(&::__strncpy_chk) g___strncpy_chk = standin_strncpy_chk;
constinit decltype(&::__stpncpy_chk) g___stpncpy_chk = standin_stpncpy_chk;
constinit decltype(&::__strcat_chk) g___strcat_chk = standin_strcat_chk;
constinit decltype(&::__strncat_chk) g___strncat_chk = standin_strncat_chk;
constinit decltype(&::__wcscpy_chk) g___wcscpy_chk = standin_wcscpy_chk;
constinit decltype(&::__vsprintf_chk) g___vsprintf_chk = standin_vsprintf_chk;
constinit decltype(&::__vsnprintf_chk) g___vsnprintf_chk = standin_vsnprintf_chk;
constinit decltype(&::__read_chk) g___read_chk = standin_read_chk;
constinit decltype(&::__pread64_chk) g___pread64_chk = standin_pread64_chk;
constinit decltype(&::__recv_chk) g___recv_chk = standin_recv_chk;
constinit decltype(&::__fread_chk) g___fread_chk = standin_fread_chk;
constinit decltype(&::__fgets_chk) g___fgets_chk = standin_fgets_chk;
constinit decltype(&::__realpath_chk) g___realpath_chk = standin_realpath_chk;

void resolve_all() {
  ScopedInternal internal;  // dlsym may allocate (its error state)
#define DM_LIBC_RESOLVE(name)                                                            \
  if (void* found = dlsym(RTLD_NEXT, #name); found != nullptr)                           \
    __atomic_store_n(&g_##name, reinterpret_cast<decltype(g_##name)>(found), __ATOMIC_RELAXED);
  DM_LIBC_FUNCTIONS(DM_LIBC_RESOLVE)
  DM_LIBC_OVERLOADED_FUNCTIONS(DM_LIBC_RESOLVE)
#undef DM_LIBC_RESOLVE
}

namespace {

// Before the library's other start-up (priority 101 runs before the default):
// from here on every call goes straight to the C library.
__attribute__((constructor(101))) void resolve_at_start_up() {
  ensure_initialized();
  resolve_all();
}

}  // namespace

}  // namespace dm::libc

// The library's own calls (-Wl,--wrap=<name>): unchecked, straight to the C library.
extern "C" {
void* __wrap_memcpy(void* d, const void* s, size_t n) { return DM_REAL(memcpy)(d, s, n); }
void* __wrap_memmove(void* d, const void* s, size_t n) { return DM_REAL(memmove)(d, s, n); }
void* __wrap_mempcpy(void* d, const void* s, size_t n) { return DM_REAL(mempcpy)(d, s, n); }
void* __wrap_memset(void* d, int c, size_t n) { return DM_REAL(memset)(d, c, n); }
int __wrap_memcmp(const void* a, const void* b, size_t n) { return DM_REAL(memcmp)(a, b, n); }
int __wrap_bcmp(const void* a, const void* b, size_t n) { return DM_REAL(bcmp)(a, b, n); }
void* __wrap_memchr(const void* s, int c, size_t n) { return DM_REAL(memchr)(s, c, n); }
char* __wrap_strcpy(char* d, const char* s) { return DM_REAL(strcpy)(d, s); }
char* __wrap_stpcpy(char* d, const char* s) { return DM_REAL(stpcpy)(d, s); }
char* __wrap_strncpy(char* d, const char* s, size_t n) { return DM_REAL(strncpy)(d, s, n); }
char* __wrap_stpncpy(char* d, const char* s, size_t n) { return DM_REAL(stpncpy)(d, s, n); }
char* __wrap_strcat(char* d, const char* s) { return DM_REAL(strcat)(d, s); }
char* __wrap_strncat(char* d, const char* s, size_t n) { return DM_REAL(strncat)(d, s, n); }
size_t __wrap_strlen(const char* s) { return DM_REAL(strlen)(s); }
size_t __wrap_strnlen(const char* s, size_t n) { return DM_REAL(strnlen)(s, n); }
int __wrap_strcmp(const char* a, const char* b) { return DM_REAL(strcmp)(a, b); }
int __wrap_strncmp(const char* a, const char* b, size_t n) { return DM_REAL(strncmp)(a, b, n); }
char* __wrap_strchr(const char* s, int c) { return DM_REAL(strchr)(s, c); }
char* __wrap_strrchr(const char* s, int c) { return DM_REAL(strrchr)(s, c); }
size_t __wrap_wcslen(const wchar_t* s) { return DM_REAL(wcslen)(s); }
wchar_t* __wrap_wcscpy(wchar_t* d, const wchar_t* s) { return DM_REAL(wcscpy)(d, s); }
ssize_t __wrap_read(int fd, void* buf, size_t n) { return DM_REAL(read)(fd, buf, n); }
ssize_t __wrap_pread(int fd, void* buf, size_t n, off_t offset) { return DM_REAL(pread64)(fd, buf, n, offset); }
ssize_t __wrap_pread64(int fd, void* buf, size_t n, off64_t offset) { return DM_REAL(pread64)(fd, buf, n, offset); }
int __wrap_vsnprintf(char* s, size_t n, const char* format, va_list ap) { return DM_REAL(vsnprintf)(s, n, format, ap); }
int __wrap_snprintf(char* s, size_t n, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int result = DM_REAL(vsnprintf)(s, n, format, ap);
  va_end(ap);
  return result;
}
int __wrap_vsprintf(char* s, const char* format, va_list ap) { return DM_REAL(vsprintf)(s, format, ap); }
int __wrap_sprintf(char* s, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int result = DM_REAL(vsprintf)(s, format, ap);
  va_end(ap);
  return result;
}
}
