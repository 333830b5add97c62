// The string functions of the C library, interposed: strlen, strnlen, strcmp,
// strncmp, strchr, strrchr, strcpy, stpcpy, strncpy, stpncpy, strcat, strncat,
// strdup, strndup, wcslen, wcscpy and the fortified __str*_chk forms.
//
// A string in a heap block must end inside it: a function reads up to the NUL
// (or the first difference, or the character searched for), and a search that
// finds no NUL among the block's bytes reads past its end. The block's bytes are
// searched first with the C library's bounded functions (strnlen, memchr), so a
// string that ends inside its block costs one pass, and one that does not is
// reported before the C library's function runs off the end. Built with
// -fno-builtin: nothing here may turn into a call of itself.
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "core/allocator.h"
#include "entry/libc_real.h"
#include "findings/range_check.h"

using dm::Access;
using dm::LibcSite;
using dm::RangeLength;

namespace {

DM_ALWAYS_INLINE uintptr_t address_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// Reports a string at `s` that runs past the end of its block (`room` bytes of it
// are the block's): the call reads at least room + 1 bytes.
DM_NOINLINE void report_unterminated(const LibcSite& site, const void* s, size_t room, size_t unit) {
  dm::report_libc_range(site, address_of(s), (room / unit + 1) * unit, Access::kRead, RangeLength::kAtLeast);
}

// strlen(s), reporting a string that does not end inside its block.
DM_ALWAYS_INLINE size_t checked_strlen(const LibcSite& site, const char* s) {
  size_t room = dm::room_at(address_of(s));
  if (DM_LIKELY(room == dm::kNoLimit)) return DM_REAL(strlen)(s);
  size_t length = room == 0 ? 0 : DM_REAL(strnlen)(s, room);
  if (DM_LIKELY(length < room)) return length;
  report_unterminated(site, s, room, 1);
  return DM_REAL(strlen)(s);
}

// strnlen(s, limit): reads min(length + 1, limit) bytes.
DM_ALWAYS_INLINE size_t checked_strnlen(const LibcSite& site, const char* s, size_t limit) {
  size_t room = dm::room_at(address_of(s));
  if (DM_LIKELY(limit <= room)) return DM_REAL(strnlen)(s, limit);
  size_t length = room == 0 ? 0 : DM_REAL(strnlen)(s, room);
  if (DM_LIKELY(length < room)) return length;
  report_unterminated(site, s, room, 1);
  return DM_REAL(strnlen)(s, limit);
}

DM_ALWAYS_INLINE size_t checked_wcslen(const LibcSite& site, const wchar_t* s) {
  size_t room = dm::room_at(address_of(s));
  if (DM_LIKELY(room == dm::kNoLimit)) return DM_REAL(wcslen)(s);
  size_t units = room / sizeof(wchar_t);
  size_t length = units == 0 ? 0 : DM_REAL(wcsnlen)(s, units);
  if (DM_LIKELY(length < units)) return length;
  report_unterminated(site, s, room, sizeof(wchar_t));
  return DM_REAL(wcslen)(s);
}

// strcmp and strncmp read each string up to the first difference, a NUL, or
// `limit` bytes. Checks `x`'s side of the comparison with `y`.
DM_NOINLINE void check_compared_slow(const LibcSite& site, const char* x, const char* y, size_t room) {
  if (room != 0) {
    if (DM_REAL(strnlen)(x, room) < room) return;  // x ends inside its block
    // x has no NUL in its block: the comparison stops inside it only at a
    // difference or at y's end (read as far as the comparison itself would).
    for (size_t i = 0; i < room; ++i)
      if (x[i] != y[i] || y[i] == '\0') return;
  }
  report_unterminated(site, x, room, 1);
}

DM_ALWAYS_INLINE void check_compared(const LibcSite& site, const char* x, const char* y, size_t limit) {
  size_t room = dm::room_at(address_of(x));
  if (DM_LIKELY(limit <= room)) return;
  check_compared_slow(site, x, y, room);
}

// strchr reads up to `c` or the NUL, whichever comes first.
DM_NOINLINE void check_search_slow(const LibcSite& site, const char* s, int c, size_t room) {
  if (room != 0) {
    if (DM_REAL(strnlen)(s, room) < room) return;
    if (DM_REAL(memchr)(s, c, room) != nullptr) return;
  }
  report_unterminated(site, s, room, 1);
}

// strcpy and kin: n bytes written at dst, `read` bytes read at src, which must not overlap.
DM_ALWAYS_INLINE void check_string_copy(const LibcSite& site, const void* dst, size_t n, const void* src, size_t read) {
  dm::check_libc_range(site, dst, n, Access::kWrite);
  dm::check_libc_overlap(site, dst, n, src, read);
}

// strcpy(dst, src) and stpcpy: the whole string and its NUL.
DM_ALWAYS_INLINE void check_strcpy(const LibcSite& site, char* dst, const char* src) {
  size_t n = checked_strlen(site, src) + 1;
  check_string_copy(site, dst, n, src, n);
}

// strncpy(dst, src, n) and stpncpy: reads up to n bytes of src (or its NUL), always writes n.
DM_ALWAYS_INLINE void check_strncpy(const LibcSite& site, char* dst, const char* src, size_t n) {
  if (n == 0) return;
  size_t length = checked_strnlen(site, src, n);
  check_string_copy(site, dst, n, src, length < n ? length + 1 : n);
}

// strcat(dst, src): dst's string, then src's and its NUL written after it.
DM_ALWAYS_INLINE void check_strcat(const LibcSite& site, char* dst, const char* src) {
  size_t dst_length = checked_strlen(site, dst);
  size_t n = checked_strlen(site, src) + 1;
  dm::check_libc_range(site, dst + dst_length, n, Access::kWrite);
  dm::check_libc_overlap(site, dst, dst_length + n, src, n);
}

// strncat(dst, src, n): at most n bytes of src, then a NUL.
DM_ALWAYS_INLINE void check_strncat(const LibcSite& site, char* dst, const char* src, size_t n) {
  size_t dst_length = checked_strlen(site, dst);
  size_t length = n == 0 ? 0 : checked_strnlen(site, src, n);
  dm::check_libc_range(site, dst + dst_length, length + 1, Access::kWrite);
  dm::check_libc_overlap(site, dst, dst_length + length + 1, src, length < n ? length + 1 : n);
}

DM_ALWAYS_INLINE void check_wcscpy(const LibcSite& site, wchar_t* dst, const wchar_t* src) {
  size_t n = (checked_wcslen(site, src) + 1) * sizeof(wchar_t);
  check_string_copy(site, dst, n, src, n);
}

// strdup and strndup allocate as malloc does, with the program's frame as the allocation stack.
DM_ALWAYS_INLINE char* duplicate(const char* s, size_t length, const dm::CallerFrame& caller) {
  auto* copy = static_cast<char*>(dm::allocate(length + 1, dm::kMinAlign, dm::AllocOrigin::kMalloc, caller));
  if (copy == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  DM_REAL(memcpy)(copy, s, length);
  copy[length] = '\0';
  return copy;
}

}  // namespace

namespace {

// A string in a heap block: the bounded search first.
DM_NOINLINE size_t heap_strlen(const LibcSite& site, const char* s, size_t room) {
  size_t length = room == 0 ? 0 : DM_REAL(strnlen)(s, room);
  if (DM_LIKELY(length < room)) return length;
  report_unterminated(site, s, room, 1);
  return DM_REAL(strlen)(s);
}

}  // namespace

// Outside the heap (the fast path) straight to the C library, nothing saved.
DM_EXPORT size_t strlen(const char* s) noexcept {
  if (!dm::libc_checks_on()) return DM_REAL(strlen)(s);
  size_t room = dm::room_at(address_of(s));
  if (DM_LIKELY(room == dm::kNoLimit)) return DM_REAL(strlen)(s);
  return heap_strlen(DM_LIBC_SITE("strlen()"), s, room);
}

DM_EXPORT size_t strnlen(const char* s, size_t n) noexcept {
  if (!dm::libc_checks_on()) return DM_REAL(strnlen)(s, n);
  return checked_strnlen(DM_LIBC_SITE("strnlen()"), s, n);
}

DM_EXPORT int strcmp(const char* a, const char* b) noexcept {
  if (dm::libc_checks_on()) {
    const LibcSite site = DM_LIBC_SITE("strcmp()");
    check_compared(site, a, b, dm::kNoLimit);
    check_compared(site, b, a, dm::kNoLimit);
  }
  return DM_REAL(strcmp)(a, b);
}

DM_EXPORT int strncmp(const char* a, const char* b, size_t n) noexcept {
  if (dm::libc_checks_on() && n != 0) {
    const LibcSite site = DM_LIBC_SITE("strncmp()");
    check_compared(site, a, b, n);
    check_compared(site, b, a, n);
  }
  return DM_REAL(strncmp)(a, b, n);
}

// <string.h> declares C++ overloads of strchr and strrchr: the C functions are defined under other names.
DM_EXPORT char* dm_strchr(const char* s, int c) noexcept __asm__("strchr");
DM_EXPORT char* dm_strchr(const char* s, int c) noexcept {
  if (dm::libc_checks_on()) {
    size_t room = dm::room_at(address_of(s));
    if (DM_UNLIKELY(room != dm::kNoLimit)) check_search_slow(DM_LIBC_SITE("strchr()"), s, c, room);
  }
  return DM_REAL(strchr)(s, c);
}

DM_EXPORT char* dm_strrchr(const char* s, int c) noexcept __asm__("strrchr");
DM_EXPORT char* dm_strrchr(const char* s, int c) noexcept {
  if (dm::libc_checks_on()) checked_strlen(DM_LIBC_SITE("strrchr()"), s);
  return DM_REAL(strrchr)(s, c);
}

DM_EXPORT char* strcpy(char* dst, const char* src) noexcept {
  if (dm::libc_checks_on()) check_strcpy(DM_LIBC_SITE("strcpy()"), dst, src);
  return DM_REAL(strcpy)(dst, src);
}

DM_EXPORT char* stpcpy(char* dst, const char* src) noexcept {
  if (dm::libc_checks_on()) check_strcpy(DM_LIBC_SITE("stpcpy()"), dst, src);
  return DM_REAL(stpcpy)(dst, src);
}

DM_EXPORT char* strncpy(char* dst, const char* src, size_t n) noexcept {
  if (dm::libc_checks_on()) check_strncpy(DM_LIBC_SITE("strncpy()"), dst, src, n);
  return DM_REAL(strncpy)(dst, src, n);
}

DM_EXPORT char* stpncpy(char* dst, const char* src, size_t n) noexcept {
  if (dm::libc_checks_on()) check_strncpy(DM_LIBC_SITE("stpncpy()"), dst, src, n);
  return DM_REAL(stpncpy)(dst, src, n);
}

DM_EXPORT char* strcat(char* dst, const char* src) noexcept {
  if (dm::libc_checks_on()) check_strcat(DM_LIBC_SITE("strcat()"), dst, src);
  return DM_REAL(strcat)(dst, src);
}

DM_EXPORT char* strncat(char* dst, const char* src, size_t n) noexcept {
  if (dm::libc_checks_on()) check_strncat(DM_LIBC_SITE("strncat()"), dst, src, n);
  return DM_REAL(strncat)(dst, src, n);
}

DM_EXPORT char* strdup(const char* s) noexcept {
  size_t length = dm::libc_checks_on() ? checked_strlen(DM_LIBC_SITE("strdup()"), s) : DM_REAL(strlen)(s);
  return duplicate(s, length, DM_CALLER_FRAME());
}

DM_EXPORT char* strndup(const char* s, size_t n) noexcept {
  size_t length = dm::libc_checks_on() ? checked_strnlen(DM_LIBC_SITE("strndup()"), s, n) : DM_REAL(strnlen)(s, n);
  return duplicate(s, length, DM_CALLER_FRAME());
}

DM_EXPORT size_t wcslen(const wchar_t* s) noexcept {
  if (!dm::libc_checks_on()) return DM_REAL(wcslen)(s);
  return checked_wcslen(DM_LIBC_SITE("wcslen()"), s);
}

DM_EXPORT wchar_t* wcscpy(wchar_t* dst, const wchar_t* src) noexcept {
  if (dm::libc_checks_on()) check_wcscpy(DM_LIBC_SITE("wcscpy()"), dst, src);
  return DM_REAL(wcscpy)(dst, src);
}

// The fortified forms: the same checks, then glibc's own.
DM_EXPORT char* __strcpy_chk(char* dst, const char* src, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strcpy(DM_LIBC_SITE("__strcpy_chk()"), dst, src);
  return DM_REAL(__strcpy_chk)(dst, src, dst_size);
}

DM_EXPORT char* __stpcpy_chk(char* dst, const char* src, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strcpy(DM_LIBC_SITE("__stpcpy_chk()"), dst, src);
  return DM_REAL(__stpcpy_chk)(dst, src, dst_size);
}

DM_EXPORT char* __strncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strncpy(DM_LIBC_SITE("__strncpy_chk()"), dst, src, n);
  return DM_REAL(__strncpy_chk)(dst, src, n, dst_size);
}

DM_EXPORT char* __stpncpy_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strncpy(DM_LIBC_SITE("__stpncpy_chk()"), dst, src, n);
  return DM_REAL(__stpncpy_chk)(dst, src, n, dst_size);
}

DM_EXPORT char* __strcat_chk(char* dst, const char* src, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strcat(DM_LIBC_SITE("__strcat_chk()"), dst, src);
  return DM_REAL(__strcat_chk)(dst, src, dst_size);
}

DM_EXPORT char* __strncat_chk(char* dst, const char* src, size_t n, size_t dst_size) noexcept {
  if (dm::libc_checks_on()) check_strncat(DM_LIBC_SITE("__strncat_chk()"), dst, src, n);
  return DM_REAL(__strncat_chk)(dst, src, n, dst_size);
}

DM_EXPORT wchar_t* __wcscpy_chk(wchar_t* dst, const wchar_t* src, size_t dst_wchars) noexcept {
  if (dm::libc_checks_on()) check_wcscpy(DM_LIBC_SITE("__wcscpy_chk()"), dst, src);
  return DM_REAL(__wcscpy_chk)(dst, src, dst_wchars);
}
