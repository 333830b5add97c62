// The C library functions that fill a caller's buffer, interposed: read, pread,
// recv, fread, fgets, getline (the whole size they are given must be the
// buffer's: the kernel or stdio may fill all of it), realpath (PATH_MAX bytes,
// as glibc's own fortified check demands), and the destination of sprintf,
// vsprintf, snprintf, vsnprintf, with their fortified __*_chk forms.
//
// sprintf into a heap block is formatted once with the block's room as the
// bound: when the text fits, that was the call; when it does not, the overflow
// is reported and the C library's function runs as the program asked.
#undef _FORTIFY_SOURCE
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "entry/libc_real.h"
#include "findings/range_check.h"

using dm::Access;
using dm::LibcSite;

namespace {

DM_ALWAYS_INLINE uintptr_t address_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// The bytes a fill of `size` items of `count` writes; 0 when the product overflows (nothing checked).
DM_ALWAYS_INLINE size_t product(size_t size, size_t count) {
  size_t total;
  return __builtin_mul_overflow(size, count, &total) ? 0 : total;
}

DM_ALWAYS_INLINE void check_path(const LibcSite& site, const char* path, const char* resolved) {
  if (path != nullptr) {
    size_t room = dm::room_at(address_of(path));
    if (DM_UNLIKELY(room != dm::kNoLimit) && (room == 0 || DM_REAL(strnlen)(path, room) == room))
      dm::report_libc_range(site, address_of(path), room + 1, Access::kRead, dm::RangeLength::kAtLeast);
  }
  if (resolved != nullptr) dm::check_libc_range(site, resolved, PATH_MAX, Access::kWrite);
}

// sprintf's text, written at s (which is in the heap: `room` bytes of its block are left).
// Returns true with *result set when the bounded call was the whole call.
DM_NOINLINE bool format_in_block(const LibcSite& site, char* s, size_t room, size_t limit, const char* format,
                                 va_list ap, int* result) {
  va_list copy;
  va_copy(copy, ap);
  size_t bound = room < limit ? room : limit;
  int length = DM_REAL(vsnprintf)(s, bound, format, copy);
  va_end(copy);
  if (length < 0) return false;  // an encoding error: the C library's call says the same
  size_t written = static_cast<size_t>(length) + 1;
  if (written <= bound) {
    *result = length;
    return true;
  }
  if (limit < written) written = limit;
  if (written > room) dm::report_libc_range(site, address_of(s), written, Access::kWrite);
  return false;
}

// The fortified form: glibc's bounded call, with the same flag and object size.
DM_NOINLINE bool format_in_block_chk(const LibcSite& site, char* s, size_t room, size_t limit, int flag,
                                     size_t s_size, const char* format, va_list ap, int* result) {
  va_list copy;
  va_copy(copy, ap);
  size_t bound = room < limit ? room : limit;
  int length = DM_REAL(__vsnprintf_chk)(s, bound, flag, s_size, format, copy);
  va_end(copy);
  if (length < 0) return false;
  size_t written = static_cast<size_t>(length) + 1;
  if (written <= bound) {
    *result = length;
    return true;
  }
  if (limit < written) written = limit;
  if (written > room) dm::report_libc_range(site, address_of(s), written, Access::kWrite);
  return false;
}

// The room of a heap destination, or kNoLimit when nothing is to be checked.
DM_ALWAYS_INLINE size_t destination_room(const char* s) {
  return dm::libc_checks_on() ? dm::room_at(address_of(s)) : dm::kNoLimit;
}

int format(const LibcSite& site, char* s, const char* format, va_list ap) {
  size_t room = destination_room(s);
  int result;
  if (DM_UNLIKELY(room != dm::kNoLimit) && format_in_block(site, s, room, dm::kNoLimit, format, ap, &result))
    return result;
  return DM_REAL(vsprintf)(s, format, ap);
}

int format_bounded(const LibcSite& site, char* s, size_t n, const char* format, va_list ap) {
  size_t room = destination_room(s);
  int result;
  if (DM_UNLIKELY(room < n) && format_in_block(site, s, room, n, format, ap, &result)) return result;
  return DM_REAL(vsnprintf)(s, n, format, ap);
}

int format_chk(const LibcSite& site, char* s, int flag, size_t s_size, const char* format, va_list ap) {
  size_t room = destination_room(s);
  int result;
  if (DM_UNLIKELY(room != dm::kNoLimit) && s_size != 0 &&
      format_in_block_chk(site, s, room, s_size, flag, s_size, format, ap, &result))
    return result;
  return DM_REAL(__vsprintf_chk)(s, flag, s_size, format, ap);
}

int format_bounded_chk(const LibcSite& site, char* s, size_t n, int flag, size_t s_size, const char* format,
                       va_list ap) {
  size_t room = destination_room(s);
  int result;
  // n > s_size makes glibc end the program: leave that to it.
  if (DM_UNLIKELY(room < n) && n <= s_size &&
      format_in_block_chk(site, s, room, n, flag, s_size, format, ap, &result))
    return result;
  return DM_REAL(__vsnprintf_chk)(s, n, flag, s_size, format, ap);
}

}  // namespace

DM_EXPORT ssize_t read(int fd, void* buf, size_t n) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("read()"), buf, n, Access::kWrite);
  return DM_REAL(read)(fd, buf, n);
}

DM_EXPORT ssize_t pread(int fd, void* buf, size_t n, off_t offset) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("pread()"), buf, n, Access::kWrite);
  return DM_REAL(pread64)(fd, buf, n, offset);
}

DM_EXPORT ssize_t pread64(int fd, void* buf, size_t n, off64_t offset) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("pread64()"), buf, n, Access::kWrite);
  return DM_REAL(pread64)(fd, buf, n, offset);
}

DM_EXPORT ssize_t recv(int fd, void* buf, size_t n, int flags) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("recv()"), buf, n, Access::kWrite);
  return DM_REAL(recv)(fd, buf, n, flags);
}

DM_EXPORT size_t fread(void* ptr, size_t size, size_t count, FILE* stream) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("fread()"), ptr, product(size, count), Access::kWrite);
  return DM_REAL(fread)(ptr, size, count, stream);
}

DM_EXPORT char* fgets(char* s, int n, FILE* stream) {
  if (dm::libc_checks_on() && n > 0)
    dm::check_libc_range(DM_LIBC_SITE("fgets()"), s, static_cast<size_t>(n), Access::kWrite);
  return DM_REAL(fgets)(s, n, stream);
}

// getline grows *line with realloc when *n bytes are not enough: *n must be the block's size.
DM_EXPORT ssize_t getline(char** line, size_t* n, FILE* stream) {
  if (dm::libc_checks_on() && line != nullptr && n != nullptr && *line != nullptr)
    dm::check_libc_range(DM_LIBC_SITE("getline()"), *line, *n, Access::kWrite);
  return DM_REAL(getdelim)(line, n, '\n', stream);
}

DM_EXPORT char* realpath(const char* path, char* resolved) noexcept {
  if (dm::libc_checks_on()) check_path(DM_LIBC_SITE("realpath()"), path, resolved);
  return DM_REAL(realpath)(path, resolved);
}

DM_EXPORT int vsprintf(char* s, const char* fmt, va_list ap) noexcept {
  return format(DM_LIBC_SITE("vsprintf()"), s, fmt, ap);
}

DM_EXPORT int sprintf(char* s, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  int result = format(DM_LIBC_SITE("sprintf()"), s, fmt, ap);
  va_end(ap);
  return result;
}

DM_EXPORT int vsnprintf(char* s, size_t n, const char* fmt, va_list ap) noexcept {
  return format_bounded(DM_LIBC_SITE("vsnprintf()"), s, n, fmt, ap);
}

DM_EXPORT int snprintf(char* s, size_t n, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  int result = format_bounded(DM_LIBC_SITE("snprintf()"), s, n, fmt, ap);
  va_end(ap);
  return result;
}

// The fortified forms: the same checks, then glibc's own.
DM_EXPORT ssize_t __read_chk(int fd, void* buf, size_t n, size_t buf_size) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("__read_chk()"), buf, n, Access::kWrite);
  return DM_REAL(__read_chk)(fd, buf, n, buf_size);
}

DM_EXPORT ssize_t __pread_chk(int fd, void* buf, size_t n, off_t offset, size_t buf_size) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("__pread_chk()"), buf, n, Access::kWrite);
  return DM_REAL(__pread64_chk)(fd, buf, n, offset, buf_size);
}

DM_EXPORT ssize_t __pread64_chk(int fd, void* buf, size_t n, off64_t offset, size_t buf_size) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("__pread64_chk()"), buf, n, Access::kWrite);
  return DM_REAL(__pread64_chk)(fd, buf, n, offset, buf_size);
}

DM_EXPORT ssize_t __recv_chk(int fd, void* buf, size_t n, size_t buf_size, int flags) {
  if (dm::libc_checks_on()) dm::check_libc_range(DM_LIBC_SITE("__recv_chk()"), buf, n, Access::kWrite);
  return DM_REAL(__recv_chk)(fd, buf, n, buf_size, flags);
}

DM_EXPORT size_t __fread_chk(void* ptr, size_t ptr_size, size_t size, size_t count, FILE* stream) {
  if (dm::libc_checks_on())
    dm::check_libc_range(DM_LIBC_SITE("__fread_chk()"), ptr, product(size, count), Access::kWrite);
  return DM_REAL(__fread_chk)(ptr, ptr_size, size, count, stream);
}

DM_EXPORT char* __fgets_chk(char* s, size_t s_size, int n, FILE* stream) {
  if (dm::libc_checks_on() && n > 0)
    dm::check_libc_range(DM_LIBC_SITE("__fgets_chk()"), s, static_cast<size_t>(n), Access::kWrite);
  return DM_REAL(__fgets_chk)(s, s_size, n, stream);
}

DM_EXPORT char* __realpath_chk(const char* path, char* resolved, size_t resolved_size) noexcept {
  if (dm::libc_checks_on()) check_path(DM_LIBC_SITE("__realpath_chk()"), path, resolved);
  return DM_REAL(__realpath_chk)(path, resolved, resolved_size);
}

DM_EXPORT int __vsprintf_chk(char* s, int flag, size_t s_size, const char* fmt, va_list ap) noexcept {
  return format_chk(DM_LIBC_SITE("__vsprintf_chk()"), s, flag, s_size, fmt, ap);
}

DM_EXPORT int __sprintf_chk(char* s, int flag, size_t s_size, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  int result = format_chk(DM_LIBC_SITE("__sprintf_chk()"), s, flag, s_size, fmt, ap);
  va_end(ap);
  return result;
}

DM_EXPORT int __vsnprintf_chk(char* s, size_t n, int flag, size_t s_size, const char* fmt, va_list ap) noexcept {
  return format_bounded_chk(DM_LIBC_SITE("__vsnprintf_chk()"), s, n, flag, s_size, fmt, ap);
}

DM_EXPORT int __snprintf_chk(char* s, size_t n, int flag, size_t s_size, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  int result = format_bounded_chk(DM_LIBC_SITE("__snprintf_chk()"), s, n, flag, s_size, fmt, ap);
  va_end(ap);
  return result;
}
