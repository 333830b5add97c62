// The exported runtime API declared in include/debugmalloc/debugmalloc.h.
#include <stddef.h>
#include <stdint.h>

#include "heap/block.h"
#include "findings/errors.h"
#include "stacks/fast_unwind.h"
#include "findings/heap_check.h"
#include "core/init.h"
#include "support/internal_arena.h"
#include "findings/leak_report.h"
#include "findings/leak_roots.h"
#include "support/options.h"
#include "core/process_exit.h"
#include "findings/root_regions.h"
#include "support/text_buffer.h"

namespace {

using dm::definite_and_indirect_bytes;

size_t leaked_bytes(uint32_t min_epoch, int print, const dm::ScanStart& start) {
  dm::ensure_initialized();
  dm::LeakCheck check;
  dm::run_leak_check(&check, min_epoch, print != 0, start);
  return check.ran ? definite_and_indirect_bytes(check) : 0;
}

// A TextBuffer over the caller's buffer, always NUL-terminated.
void terminate(char* text, size_t cap, const dm::TextBuffer& out) {
  if (text == nullptr || cap == 0) return;
  text[out.size() < cap ? out.size() : cap - 1] = '\0';
}

}  // namespace

DM_EXPORT int __debugmalloc_running(void) { return 1; }

DM_EXPORT size_t __debugmalloc_check_heap(void) {
  dm::ensure_initialized();
  return dm::check_heap("debugmalloc_check_heap()", DM_CALLER_FRAME());
}

DM_EXPORT size_t __debugmalloc_error_count(void) { return dm::error_count(); }

// The leak checks scan this thread's stack from the API caller's frame, with
// the caller's registers: the tool's own frames keep nothing alive.
DM_EXPORT __attribute__((noinline)) size_t __debugmalloc_leak_check(void) {
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  return leaked_bytes(1, 1, start);
}

DM_EXPORT unsigned __debugmalloc_mark(void) { return dm::g_heap_epoch.fetch_add(1, std::memory_order_relaxed) + 1; }

DM_EXPORT __attribute__((noinline)) size_t __debugmalloc_leaks_since(unsigned mark, int print) {
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  return leaked_bytes(mark, print, start);
}

DM_EXPORT void __debugmalloc_disable_leaks(void) { ++dm::t_leaks_disabled; }
DM_EXPORT void __debugmalloc_enable_leaks(void) {
  if (dm::t_leaks_disabled > 0) --dm::t_leaks_disabled;
}

DM_EXPORT int __debugmalloc_ignore_object(const void* pointer) {
  dm::ensure_initialized();
  dm::BlockRef block;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  if (dm::locate_block(p, &block) != dm::Locate::kFound || block.header->state() != dm::ChunkState::kAllocated)
    return 0;
  // One atomic step against a racing free: an ignored block is still allocated.
  dm::ChunkHeader seen = *block.header;
  for (;;) {
    if (seen.state() != dm::ChunkState::kAllocated || !seen.checksum_ok(block.slot)) return 0;
    dm::ChunkHeader ignored = seen;
    ignored.store(block.slot, seen.alloc_stack, dm::kIgnoredEpoch, seen.bits & ((uint64_t{1} << 48) - 1));
    if (block.header->compare_exchange(&seen, ignored)) return 1;
  }
}

DM_EXPORT __attribute__((noinline)) size_t __debugmalloc_leaks_since_text(unsigned mark, char* text, size_t cap) {
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  dm::ensure_initialized();
  dm::LeakCheck check;
  dm::run_leak_check(&check, mark, false, start);
  if (!check.ran) return 0;
  if (text != nullptr && cap > 1) {
    dm::TextBuffer out(text, cap - 1);
    dm::render_leaks(out, check, "");
    terminate(text, cap, out);
  }
  return definite_and_indirect_bytes(check);
}

DM_EXPORT size_t __debugmalloc_errors_since_text(size_t since, char* text, size_t cap) {
  size_t now = dm::error_count();
  if (text != nullptr && cap > 1) {
    dm::TextBuffer out(text, cap - 1);
    for (size_t i = 0; i < dm::distinct_error_count(); ++i) {
      const dm::ErrorRecord& r = dm::distinct_error(i);
      if (!r.suppressed && r.last_occurrence > since) dm::render_error(out, r, "");
    }
    terminate(text, cap, out);
  }
  return now > since ? now - since : 0;
}

DM_EXPORT void __debugmalloc_register_root_region(const void* begin, size_t size) {
  dm::ensure_initialized();
  dm::register_root_region(reinterpret_cast<uintptr_t>(begin), size);
}

DM_EXPORT int __debugmalloc_unregister_root_region(const void* begin, size_t size) {
  return dm::unregister_root_region(reinterpret_cast<uintptr_t>(begin), size) ? 1 : 0;
}

// LeakSanitizer's interface (sanitizer/lsan_interface.h), for programs that
// already annotate for it: the same meanings, on this library's runtime API.
DM_EXPORT void __lsan_ignore_object(const void* pointer) { __debugmalloc_ignore_object(pointer); }
DM_EXPORT void __lsan_disable(void) { __debugmalloc_disable_leaks(); }
DM_EXPORT void __lsan_enable(void) { __debugmalloc_enable_leaks(); }
DM_EXPORT void __lsan_register_root_region(const void* begin, size_t size) {
  __debugmalloc_register_root_region(begin, size);
}
DM_EXPORT void __lsan_unregister_root_region(const void* begin, size_t size) {
  __debugmalloc_unregister_root_region(begin, size);
}

// The end-of-process check now: exits with the exitcode status if it finds
// definite or indirect leaks; the check at exit does not run again.
DM_EXPORT __attribute__((noinline)) void __lsan_do_leak_check(void) {
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  dm::ensure_initialized();
  if (dm::g_options.leaks) dm::leak_check_as_at_exit(start);
}

// A check that may be repeated: 1 if it found definite or indirect leaks.
DM_EXPORT __attribute__((noinline)) int __lsan_do_recoverable_leak_check(void) {
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  dm::ensure_initialized();
  if (!dm::g_options.leaks) return 0;
  return leaked_bytes(1, 1, start) > 0 ? 1 : 0;
}
