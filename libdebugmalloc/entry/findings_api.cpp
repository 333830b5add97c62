// The structured findings of the runtime API (include/debugmalloc/findings.h):
// each distinct error and each leak group passed to the caller's callback as one
// debugmalloc_finding, built from the records the library keeps (the table of
// distinct errors, the leak check's groups, the stack depot) and symbolized
// frame by frame, never from the readable text.
//
// The callback is the program's code, so it runs as such: outside every lock of
// the library and outside internal mode (ScopedInternal), with the errors
// lock, the symbolizer's lock and the leak scan all released. What it allocates
// is an ordinary heap block of the program's: it may keep it past the callback
// and free it later, it is checked like any other, and it is a leak if never
// freed. (Served from the internal arena instead, a kept block would vanish
// from leak checks, and a callback that grows a block allocated earlier would
// mix the two heaps.) The finding itself, its frames and its strings are the
// library's: stack buffers and an internal-arena array, valid only during the
// call.
#include <debugmalloc/findings.h>

#include <stddef.h>
#include <stdint.h>

#include "core/init.h"
#include "findings/errors.h"
#include "findings/leak_report.h"
#include "findings/leak_roots.h"
#include "findings/leaks.h"
#include "findings/report_writer.h"
#include "stacks/stack_depot.h"
#include "stacks/symbolize.h"
#include "support/internal_arena.h"
#include "support/options.h"
#include "support/text_buffer.h"

namespace {

// The frames of up to three stacks of one finding (where found, allocated,
// freed), reused from finding to finding. Internal-arena memory: a deep stack
// of frames is too much for a thread stack the program may have made small.
class FrameStore {
 public:
  static constexpr size_t kStacks = 3;
  FrameStore()
      : frames_(static_cast<debugmalloc_frame*>(dm::internal_allocate(
            kStacks * dm::kMaxStackDepth * sizeof(debugmalloc_frame), alignof(debugmalloc_frame)))) {}
  ~FrameStore() {
    if (frames_ != nullptr) dm::internal_free(frames_);
  }
  FrameStore(const FrameStore&) = delete;
  FrameStore& operator=(const FrameStore&) = delete;

  // The stack `id` as frames in slot `which` (< kStacks); empty for no stack,
  // an unknown id or when the store could not be allocated.
  debugmalloc_stack stack(size_t which, dm::StackId id) {
    debugmalloc_stack out = {nullptr, 0};
    if (id == 0 || frames_ == nullptr) return out;
    uint32_t depth = 0;
    const uintptr_t* pcs = dm::depot_get(id, &depth);
    if (pcs == nullptr || depth == 0) return out;
    if (depth > dm::kMaxStackDepth) depth = dm::kMaxStackDepth;
    debugmalloc_frame* frames = frames_ + which * dm::kMaxStackDepth;
    for (uint32_t i = 0; i < depth; ++i) {
      dm::FrameInfo info;
      dm::symbolize_frame(pcs[i], dm::g_options.symbolize, &info);  // its own lock and internal mode
      debugmalloc_frame& f = frames[i];
      f.pc = pcs[i];
      f.module = info.module;
      f.offset = info.module != nullptr ? info.offset : 0;
      f.function = info.function[0] != '\0' ? info.function : nullptr;
      f.file = info.file[0] != '\0' ? info.file : nullptr;
      f.line = info.line;
    }
    out.frames = frames;
    out.count = depth;
    return out;
  }

 private:
  debugmalloc_frame* frames_;
};

debugmalloc_finding empty_finding() {
  debugmalloc_finding f = {};
  f.size = sizeof f;
  return f;
}

}  // namespace

DM_EXPORT __attribute__((noinline)) size_t __debugmalloc_leaks_since_each(unsigned mark, debugmalloc_finding_fn fn,
                                                                          void* context) {
  // The scan starts at this frame, with the caller's registers (as the text form does).
  dm::ScanStart start;
  DM_CAPTURE_SCAN_START(start);
  dm::ensure_initialized();
  dm::LeakCheck check;
  dm::run_leak_check(&check, mark, false, start);
  if (!check.ran) return 0;
  size_t definite_and_indirect = dm::definite_and_indirect_bytes(check);
  if (fn == nullptr) return definite_and_indirect;
  // The groups are sorted as the listing is (run_leak_check); the scan is over,
  // every other thread runs again and no lock is held.
  unsigned kinds = dm::reported_leak_kinds();
  FrameStore store;
  for (const dm::LeakGroup& g : check.result.groups) {
    if (g.suppressed || (kinds & (1u << static_cast<int>(g.kind))) == 0) continue;
    char message[256];
    dm::TextBuffer line(message, sizeof message - 1);
    dm::render_leak_headline(line, g);
    message[line.size()] = '\0';
    debugmalloc_finding f = empty_finding();
    f.is_leak = 1;
    f.kind = dm::leak_kind_name(g.kind);
    f.message = message;
    f.bytes = g.bytes;
    f.blocks = g.blocks;
    f.indirect_bytes = g.indirect_bytes;
    f.indirect_blocks = g.indirect_blocks;
    f.alloc_stack = store.stack(1, g.stack);
    fn(&f, context);
  }
  return definite_and_indirect;
}

DM_EXPORT size_t __debugmalloc_errors_since_each(size_t since, debugmalloc_finding_fn fn, void* context) {
  dm::ensure_initialized();
  size_t now = dm::error_count();
  // The errors known now: those the callback itself causes are appended later
  // and not walked (a callback that errs each time would never end the walk).
  size_t distinct = dm::distinct_error_count();
  if (fn != nullptr) {
    FrameStore store;
    for (size_t i = 0; i < distinct; ++i) {
      // A copy: the record's strings stay put while the callback runs, and the
      // errors lock is not held across it (the callback may report errors).
      dm::ErrorRecord r = dm::copy_distinct_error(i);
      if (r.suppressed || r.last_occurrence <= since) continue;
      debugmalloc_finding f = empty_finding();
      f.kind = dm::error_kind_name(r.kind);
      f.message = r.message;
      f.found_by = r.api;
      f.address = r.address;
      f.block_known = r.block_known ? 1 : 0;
      f.block = r.block;
      f.block_size = r.block_size;
      f.bad_bytes = r.bad_bytes;
      f.occurrences = r.count;
      f.found_stack = store.stack(0, r.found_stack);
      f.alloc_stack = store.stack(1, r.alloc_stack);
      f.free_stack = store.stack(2, r.free_stack);
      fn(&f, context);
    }
  }
  return now > since ? now - since : 0;
}
