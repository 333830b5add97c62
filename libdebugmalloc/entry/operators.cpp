// The exported C++ operator new and delete forms. Each records (through its
// origin) which form allocated a block, so that mismatched pairs are reported.
// This is the one file of the library built with exceptions: operator new must
// throw std::bad_alloc when no new_handler can free memory.
#include <cstddef>
#include <new>

#include "core/allocator.h"
#include "findings/errors.h"
#include "core/init.h"
#include "support/platform.h"

#define DM_EXPORT_CXX __attribute__((visibility("default")))

using dm::AllocOrigin;

namespace {

// A negative size is reported once; the request then fails as any too large
// one does (new_handler, then std::bad_alloc or nullptr).
DM_NOINLINE void report_negative_size(size_t size, size_t align, AllocOrigin origin, const dm::CallerFrame& caller,
                                      bool nothrow) {
  bool array = origin == AllocOrigin::kNewArray || origin == AllocOrigin::kNewArrayAligned;
  dm::AllocCall call{array ? "operator new []" : "operator new", {size, align}, {dm::AllocCall::kNumber}, nothrow};
  if (align != 0) call.shape[1] = dm::AllocCall::kAlignVal;
  dm::ensure_initialized();
  dm::report_allocation_size_too_big({dm::origin_alloc_name(origin), &caller}, call, size);
}

void* new_or_throw(size_t size, size_t align, AllocOrigin origin, const dm::CallerFrame& caller, bool nothrow = false) {
  if (DM_UNLIKELY(dm::is_negative_size(size))) report_negative_size(size, align, origin, caller, nothrow);
  for (;;) {
    if (void* p = dm::allocate(size, align, origin, caller)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* new_nothrow(size_t size, size_t align, AllocOrigin origin, const dm::CallerFrame& caller) noexcept {
  try {
    return new_or_throw(size, align, origin, caller, true);
  } catch (...) {
    return nullptr;
  }
}

size_t align_of(std::align_val_t a) { return static_cast<size_t>(a); }

}  // namespace

DM_EXPORT_CXX void* operator new(size_t size) { return new_or_throw(size, 0, AllocOrigin::kNew, DM_CALLER_FRAME()); }
DM_EXPORT_CXX void* operator new[](size_t size) {
  return new_or_throw(size, 0, AllocOrigin::kNewArray, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return new_nothrow(size, 0, AllocOrigin::kNew, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return new_nothrow(size, 0, AllocOrigin::kNewArray, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new(size_t size, std::align_val_t a) {
  return new_or_throw(size, align_of(a), AllocOrigin::kNewAligned, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new[](size_t size, std::align_val_t a) {
  return new_or_throw(size, align_of(a), AllocOrigin::kNewArrayAligned, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new(size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_nothrow(size, align_of(a), AllocOrigin::kNewAligned, DM_CALLER_FRAME());
}
DM_EXPORT_CXX void* operator new[](size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_nothrow(size, align_of(a), AllocOrigin::kNewArrayAligned, DM_CALLER_FRAME());
}

DM_EXPORT_CXX void operator delete(void* p) noexcept {
  dm::deallocate(p, {AllocOrigin::kNew, "operator delete", dm::kUnsized, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewArray, "operator delete []", dm::kUnsized, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete(void* p, const std::nothrow_t&) noexcept {
  dm::deallocate(p, {AllocOrigin::kNew, "operator delete", dm::kUnsized, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p, const std::nothrow_t&) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewArray, "operator delete []", dm::kUnsized, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete(void* p, size_t size) noexcept {
  dm::deallocate(p, {AllocOrigin::kNew, "operator delete", size, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p, size_t size) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewArray, "operator delete []", size, 0, DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete(void* p, std::align_val_t a) noexcept {
  dm::deallocate(
      p, {AllocOrigin::kNewAligned, "operator delete(align_val_t)", dm::kUnsized, align_of(a), DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p, std::align_val_t a) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewArrayAligned, "operator delete [](align_val_t)", dm::kUnsized, align_of(a),
                     DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete(void* p, size_t size, std::align_val_t a) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewAligned, "operator delete(align_val_t)", size, align_of(a), DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p, size_t size, std::align_val_t a) noexcept {
  dm::deallocate(
      p, {AllocOrigin::kNewArrayAligned, "operator delete [](align_val_t)", size, align_of(a), DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  dm::deallocate(
      p, {AllocOrigin::kNewAligned, "operator delete(align_val_t)", dm::kUnsized, align_of(a), DM_CALLER_FRAME()});
}
DM_EXPORT_CXX void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  dm::deallocate(p, {AllocOrigin::kNewArrayAligned, "operator delete [](align_val_t)", dm::kUnsized, align_of(a),
                     DM_CALLER_FRAME()});
}
