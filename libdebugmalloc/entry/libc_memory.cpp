// The memory functions of the C library, interposed: memcpy, memmove, mempcpy,
// memset, memcmp, bcmp, memchr and the fortified __mem*_chk forms. Each checks
// the heap ranges it is given (findings/range_check.h), then calls the C
// library's function with the same arguments, whatever was found (abort_on_error
// aside). Built with -fno-builtin: nothing here may turn into a call of itself.
#undef _FORTIFY_SOURCE
#include <stddef.h>
#include <stdint.h>

#include "entry/libc_real.h"
#include "findings/range_check.h"

using dm::Access;
using dm::LibcSite;

namespace {

// memcpy and kin: `n` bytes read at src, written at dst; with `overlap`, the
// two must not overlap. The fast test, inline: no call, nothing saved.
DM_ALWAYS_INLINE bool copy_ok(const void* dst, const void* src, size_t n, bool overlap) {
  uintptr_t d = reinterpret_cast<uintptr_t>(dst);
  uintptr_t s = reinterpret_cast<uintptr_t>(src);
  if (n == 0) return true;
  if (overlap && DM_UNLIKELY(d < s + n && s < d + n && d != s)) return false;
  return dm::range_ok(d, n) && dm::range_ok(s, n);
}

// The same test, reporting what is wrong.
DM_NOINLINE void report_copy(const LibcSite& site, const void* dst, const void* src, size_t n, bool overlap) {
  dm::check_libc_range(site, dst, n, Access::kWrite);
  dm::check_libc_range(site, src, n, Access::kRead);
  if (overlap) dm::check_libc_overlap(site, dst, n, src, n);
}

DM_NOINLINE void report_compare(const LibcSite& site, const void* a, const void* b, size_t n) {
  dm::check_libc_range(site, a, n, Access::kRead);
  dm::check_libc_range(site, b, n, Access::kRead);
}

// memchr reads up to the first `c`, at most n bytes: only a search that goes on
// past the end of its block (or starts in a freed one) is reported.
DM_NOINLINE void* checked_memchr(const LibcSite& site, const void* s, int c, size_t n, size_t room) {
  if (room != 0) {
    if (void* found = DM_REAL(memchr)(s, c, room)) return found;
  }
  dm::report_libc_range(site, reinterpret_cast<uintptr_t>(s), room + 1, Access::kRead, dm::RangeLength::kAtLeast);
  return DM_REAL(memchr)(s, c, n);
}

}  // namespace

// Each checks, then calls the C library's function whatever was found. The
// fast path keeps the arguments in their registers and jumps to the C library;
// a failed test goes to a function that reports, then makes the call itself.
namespace {

template <typename F, typename... Args>
DM_NOINLINE auto copy_reporting(F real, const LibcSite& site, bool overlap, void* dst, const void* src, size_t n,
                                Args... more) {
  report_copy(site, dst, src, n, overlap);
  return real(dst, src, n, more...);
}

template <typename F, typename... Args>
DM_NOINLINE auto set_reporting(F real, const LibcSite& site, void* dst, int c, size_t n, Args... more) {
  dm::report_libc_range(site, reinterpret_cast<uintptr_t>(dst), n, Access::kWrite);
  return real(dst, c, n, more...);
}

template <typename F>
DM_NOINLINE int compare_reporting(F real, const LibcSite& site, const void* a, const void* b, size_t n) {
  report_compare(site, a, b, n);
  return real(a, b, n);
}

DM_ALWAYS_INLINE bool set_ok(const void* dst, size_t n) {
  return n == 0 || dm::range_ok(reinterpret_cast<uintptr_t>(dst), n);
}

}  // namespace

DM_EXPORT void* memcpy(void* dst, const void* src, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, true))) return DM_REAL(memcpy)(dst, src, n);
  return copy_reporting(DM_REAL(memcpy), DM_LIBC_SITE("memcpy()"), true, dst, src, n);
}

DM_EXPORT void* memmove(void* dst, const void* src, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, false))) return DM_REAL(memmove)(dst, src, n);
  return copy_reporting(DM_REAL(memmove), DM_LIBC_SITE("memmove()"), false, dst, src, n);
}

DM_EXPORT void* mempcpy(void* dst, const void* src, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, true))) return DM_REAL(mempcpy)(dst, src, n);
  return copy_reporting(DM_REAL(mempcpy), DM_LIBC_SITE("mempcpy()"), true, dst, src, n);
}

DM_EXPORT void* memset(void* dst, int c, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(set_ok(dst, n))) return DM_REAL(memset)(dst, c, n);
  return set_reporting(DM_REAL(memset), DM_LIBC_SITE("memset()"), dst, c, n);
}

// Both ranges whole, as ASan's strict_memcmp: comparing past the end of an object is a bug
// even when the bytes differ before it.
DM_EXPORT int memcmp(const void* a, const void* b, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(a, b, n, false))) return DM_REAL(memcmp)(a, b, n);
  return compare_reporting(DM_REAL(memcmp), DM_LIBC_SITE("memcmp()"), a, b, n);
}

DM_EXPORT int bcmp(const void* a, const void* b, size_t n) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(a, b, n, false))) return DM_REAL(bcmp)(a, b, n);
  return compare_reporting(DM_REAL(bcmp), DM_LIBC_SITE("bcmp()"), a, b, n);
}

// <string.h> declares C++ overloads of memchr: the C function is defined under another name.
DM_EXPORT void* dm_memchr(const void* s, int c, size_t n) noexcept __asm__("memchr");
DM_EXPORT void* dm_memchr(const void* s, int c, size_t n) noexcept {
  if (dm::libc_checks_on() && n != 0) {
    size_t room = dm::room_at(reinterpret_cast<uintptr_t>(s));
    if (DM_UNLIKELY(room < n)) return checked_memchr(DM_LIBC_SITE("memchr()"), s, c, n, room);
  }
  return DM_REAL(memchr)(s, c, n);
}

// The fortified forms (_FORTIFY_SOURCE): the same checks, then glibc's own,
// which end the program when n is larger than the object the compiler knew.
DM_EXPORT void* __memcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, true)))
    return DM_REAL(__memcpy_chk)(dst, src, n, dst_size);
  return copy_reporting(DM_REAL(__memcpy_chk), DM_LIBC_SITE("__memcpy_chk()"), true, dst, src, n, dst_size);
}

DM_EXPORT void* __memmove_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, false)))
    return DM_REAL(__memmove_chk)(dst, src, n, dst_size);
  return copy_reporting(DM_REAL(__memmove_chk), DM_LIBC_SITE("__memmove_chk()"), false, dst, src, n, dst_size);
}

DM_EXPORT void* __mempcpy_chk(void* dst, const void* src, size_t n, size_t dst_size) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(copy_ok(dst, src, n, true)))
    return DM_REAL(__mempcpy_chk)(dst, src, n, dst_size);
  return copy_reporting(DM_REAL(__mempcpy_chk), DM_LIBC_SITE("__mempcpy_chk()"), true, dst, src, n, dst_size);
}

DM_EXPORT void* __memset_chk(void* dst, int c, size_t n, size_t dst_size) noexcept {
  if (!dm::libc_checks_on() || DM_LIKELY(set_ok(dst, n))) return DM_REAL(__memset_chk)(dst, c, n, dst_size);
  return set_reporting(DM_REAL(__memset_chk), DM_LIBC_SITE("__memset_chk()"), dst, c, n, dst_size);
}
