// The exported C entry points of the malloc family, with glibc's documented
// semantics (man 3 malloc, posix_memalign, malloc_usable_size).
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <dlfcn.h>

#include "core/allocator.h"
#include "findings/errors.h"
#include "core/init.h"
#include "stacks/fast_unwind.h"
#include "stacks/modules.h"
#include "support/platform.h"

using dm::AllocOrigin;

namespace {

constexpr auto kNum = dm::AllocCall::kNumber;
constexpr auto kPtr = dm::AllocCall::kPointer;

DM_ALWAYS_INLINE void* malloc_family(size_t size, size_t align, const dm::CallerFrame& caller) {
  void* p = dm::allocate(size, align, AllocOrigin::kMalloc, caller);
  if (DM_UNLIKELY(p == nullptr)) errno = ENOMEM;
  return p;
}

// A negative size is reported, then fails as any request too large does.
DM_NOINLINE void* size_too_big(const char* api, const dm::AllocCall& call, size_t size, const dm::CallerFrame& caller) {
  dm::ensure_initialized();
  dm::report_allocation_size_too_big({api, &caller}, call, size);
  errno = ENOMEM;
  return nullptr;
}

// calloc and reallocarray: count * size overflowed, or has its top bit set.
DM_NOINLINE void* array_too_big(const char* api, const dm::AllocCall& call, size_t count, size_t size,
                                const dm::CallerFrame& caller) {
  dm::ensure_initialized();
  size_t total;
  if (__builtin_mul_overflow(count, size, &total))
    dm::report_calloc_overflow({api, &caller}, call, count, size);
  else
    dm::report_allocation_size_too_big({api, &caller}, call, total);
  errno = ENOMEM;
  return nullptr;
}

}  // namespace

DM_EXPORT void* malloc(size_t size) {
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("malloc()", {"malloc", {size}, {kNum}}, size, DM_CALLER_FRAME());
  return malloc_family(size, dm::kMinAlign, DM_CALLER_FRAME());
}

DM_EXPORT void free(void* pointer) {
  dm::deallocate(pointer, {AllocOrigin::kMalloc, "free()", dm::kUnsized, 0, DM_CALLER_FRAME()});
}

DM_EXPORT void* calloc(size_t count, size_t size) {
  size_t total;
  if (DM_UNLIKELY(__builtin_mul_overflow(count, size, &total) || dm::is_negative_size(total)))
    return array_too_big("calloc()", {"calloc", {count, size}, {kNum, kNum}}, count, size, DM_CALLER_FRAME());
  void* p = dm::allocate_zeroed(total, DM_CALLER_FRAME());
  if (p == nullptr) errno = ENOMEM;
  return p;
}

namespace {

void* realloc_from(void* pointer, size_t size, const dm::CallerFrame& caller) {
  if (pointer == nullptr) return malloc_family(size, dm::kMinAlign, caller);
  if (size == 0) {  // glibc: frees the block and returns NULL
    dm::deallocate(pointer, {AllocOrigin::kMalloc, "realloc()", dm::kUnsized, 0, caller});
    return nullptr;
  }
  dm::ReallocStatus status;
  void* p = dm::reallocate(pointer, size, caller, &status);
  if (p == nullptr) errno = status == dm::ReallocStatus::kOutOfMemory ? ENOMEM : EINVAL;
  return p;
}

}  // namespace

// A bad size leaves the block as it was, as any failed realloc does.
DM_EXPORT void* realloc(void* pointer, size_t size) {
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("realloc()", {"realloc", {reinterpret_cast<uintptr_t>(pointer), size}, {kPtr, kNum}}, size,
                        DM_CALLER_FRAME());
  return realloc_from(pointer, size, DM_CALLER_FRAME());
}

DM_EXPORT void* reallocarray(void* pointer, size_t count, size_t size) {
  size_t total;
  if (DM_UNLIKELY(__builtin_mul_overflow(count, size, &total) || dm::is_negative_size(total)))
    return array_too_big("reallocarray()",
                         {"reallocarray", {reinterpret_cast<uintptr_t>(pointer), count, size}, {kPtr, kNum, kNum}},
                         count, size, DM_CALLER_FRAME());
  return realloc_from(pointer, total, DM_CALLER_FRAME());
}

DM_EXPORT int posix_memalign(void** result, size_t align, size_t size) {
  if (align % sizeof(void*) != 0 || !dm::is_power_of_two(align)) return EINVAL;
  if (DM_UNLIKELY(dm::is_negative_size(size))) {
    const dm::CallerFrame caller = DM_CALLER_FRAME();
    dm::report_allocation_size_too_big(
        {"posix_memalign()", &caller},
        {"posix_memalign", {reinterpret_cast<uintptr_t>(result), align, size}, {kPtr, kNum, kNum}}, size);
    return ENOMEM;
  }
  int saved = errno;
  void* p = dm::allocate(size, align, AllocOrigin::kMalloc, DM_CALLER_FRAME());
  errno = saved;  // posix_memalign reports through its result, not errno
  if (p == nullptr) return ENOMEM;
  *result = p;
  return 0;
}

DM_EXPORT void* aligned_alloc(size_t align, size_t size) {
  if (!dm::is_power_of_two(align)) {
    errno = EINVAL;
    return nullptr;
  }
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("aligned_alloc()", {"aligned_alloc", {align, size}, {kNum, kNum}}, size, DM_CALLER_FRAME());
  return malloc_family(size, align, DM_CALLER_FRAME());
}

DM_EXPORT void* memalign(size_t align, size_t size) {
  if (align > SIZE_MAX / 2 + 1) {
    errno = EINVAL;
    return nullptr;
  }
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("memalign()", {"memalign", {align, size}, {kNum, kNum}}, size, DM_CALLER_FRAME());
  // glibc rounds a non-power-of-two alignment up to the next power of two.
  size_t rounded = 1;
  while (rounded < align) rounded <<= 1;
  return malloc_family(size, rounded, DM_CALLER_FRAME());
}

DM_EXPORT void* valloc(size_t size) {
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("valloc()", {"valloc", {size}, {kNum}}, size, DM_CALLER_FRAME());
  return malloc_family(size, dm::kPageSize, DM_CALLER_FRAME());
}

DM_EXPORT void* pvalloc(size_t size) {
  if (DM_UNLIKELY(dm::is_negative_size(size)))
    return size_too_big("pvalloc()", {"pvalloc", {size}, {kNum}}, size, DM_CALLER_FRAME());
  size_t rounded = dm::align_up(size, dm::kPageSize);
  if (rounded < size) {
    errno = ENOMEM;
    return nullptr;
  }
  return malloc_family(rounded == 0 ? dm::kPageSize : rounded, dm::kPageSize, DM_CALLER_FRAME());
}

DM_EXPORT size_t malloc_usable_size(void* pointer) { return dm::usable_size(pointer); }

// Records the library about to be closed, so that stacks captured in it keep
// their module (and can be symbolized from its file later).
DM_EXPORT int dlclose(void* handle) {
  using DlcloseFn = int (*)(void*);
  static DlcloseFn real = reinterpret_cast<DlcloseFn>(dlsym(RTLD_NEXT, "dlclose"));
  dm::modules_refresh();
  int result = real != nullptr ? real(handle) : -1;
  dm::modules_refresh();
  dm::fast_unwind_forget_all();  // its unwind rules must not serve code loaded there later
  return result;
}
