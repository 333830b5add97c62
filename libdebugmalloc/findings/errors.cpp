// The readable error reports: one reporter per kind, one way of printing.
#include "findings/errors.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "heap/page_guard.h"
#include "support/internal_arena.h"
#include "support/mutex.h"
#include "support/options.h"
#include "stacks/stack_capture.h"
#include "findings/site_name.h"
#include "findings/suppressions.h"
#include "stacks/symbolize.h"
#include "support/text_buffer.h"
#include "heap/zones.h"

namespace dm {

namespace {

constinit std::atomic<uint64_t> g_error_count{0};
constinit std::atomic<uint64_t> g_suppressed_count{0};
constinit Mutex g_report_mu;
constinit ErrorSink g_sink = nullptr;
constinit int g_log_fd = -1;
constinit int g_saved_stderr = -1;
constinit dev_t g_saved_stderr_dev = 0;
constinit ino_t g_saved_stderr_ino = 0;
__thread int t_reporting __attribute__((tls_model("initial-exec"))) = 0;

// Distinct errors, by (kind, found stack, allocation stack): the first of each
// is printed in full, later ones only counted (like Valgrind's error contexts).
constexpr size_t kMaxDistinct = 4096;
constinit uint64_t g_keys[kMaxDistinct * 2] = {};       // open addressing: key
constinit uint32_t g_key_index[kMaxDistinct * 2] = {};  // ... -> index + 1 into g_distinct
constinit ErrorRecord* g_distinct = nullptr;            // mmap'd on first use
constinit size_t g_distinct_used = 0;

uint64_t key_of(const ErrorRecord& r) {
  uint64_t key = (static_cast<uint64_t>(r.kind) + 1) * 0x9E3779B97F4A7C15ull;
  uint64_t what = r.identity != 0 ? r.identity : (static_cast<uint64_t>(r.found_stack) << 32 | r.alloc_stack);
  key ^= what * 0xC2B2AE3D27D4EB4Full;
  return key == 0 ? 1 : key;
}

// The stored record of this error, new (count 0) the first time; nullptr when the table is full.
ErrorRecord* distinct_entry(const ErrorRecord& r, bool* first) {
  uint64_t key = key_of(r);
  constexpr size_t kSlots = kMaxDistinct * 2;
  for (size_t i = 0; i < kSlots; ++i) {
    size_t slot = (key + i) & (kSlots - 1);
    if (g_keys[slot] == key) {
      *first = false;
      return &g_distinct[g_key_index[slot] - 1];
    }
    if (g_keys[slot] != 0) continue;
    if (g_distinct == nullptr)
      g_distinct = static_cast<ErrorRecord*>(os_map(align_up(kMaxDistinct * sizeof(ErrorRecord), kPageSize)));
    if (g_distinct == nullptr || g_distinct_used == kMaxDistinct) break;
    g_keys[slot] = key;
    g_distinct[g_distinct_used] = r;
    g_key_index[slot] = static_cast<uint32_t>(++g_distinct_used);
    *first = true;
    return &g_distinct[g_distinct_used - 1];
  }
  *first = true;
  return nullptr;
}

// Bytes of memory around `address`, 16 per row, bad bytes bracketed; stays inside [lo, hi).
void dump_bytes(TextBuffer& out, const char* prefix, uintptr_t address, uintptr_t lo, uintptr_t hi,
                const Damage* damage) {
  uintptr_t begin = align_down(address, 16) - 32;
  uintptr_t end = align_down(address, 16) + 48;
  if (begin < align_down(lo, 16)) begin = align_down(lo, 16);
  if (end > align_up(hi, 16)) end = align_up(hi, 16);
  out.str(prefix).str("  memory around ").ptr(address).str(" (changed bytes in [ ]):\n");
  for (uintptr_t row = begin; row < end; row += 16) {
    out.str(prefix).str("    ").ptr(row).ch(':');
    for (uintptr_t a = row; a < row + 16; ++a) {
      bool bad = damage != nullptr && a >= damage->first && a <= damage->last;
      bool inside = a >= lo && a < hi;
      out.ch(bad ? '[' : ' ');
      if (inside)
        out.hex(*reinterpret_cast<const uint8_t*>(a), 2);
      else
        out.str("  ");
      if (bad) out.ch(']');
    }
    out.ch('\n');
  }
}

void print_stack(TextBuffer& out, const char* prefix, StackId id) {
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(id, &depth);
  format_stack(out, frames, frames != nullptr ? depth : 0, prefix);
}

// "SUMMARY: KIND in SITE, on a block allocated in SITE": where it was found and where the block
// came from, each named after the frame the tool names it after (findings/site_name.h).
void render_summary_line(TextBuffer& out, const ErrorRecord& r, const char* prefix) {
  bool found = r.found_stack != 0, allocated = r.block_known && r.alloc_stack != 0;
  if (!found && !allocated) return;  // no stack at all: nothing to name
  out.str(prefix).str("SUMMARY: ").str(error_kind_name(r.kind));
  if (found) {
    out.str(" in ");
    if (!append_site_name(out, r.found_stack)) out.str("an unknown place");
  }
  if (allocated) {
    out.str(found ? ", on a block allocated in " : " on a block allocated in ");
    if (!append_site_name(out, r.alloc_stack)) out.str("an unknown place");
  }
  out.ch('\n');
}

void render_block_context(TextBuffer& out, const ErrorRecord& r, const char* prefix) {
  out.str(prefix).str("ERROR: debugmalloc: ").str(error_kind_name(r.kind));
  if (r.address != 0) out.str(" on ").ptr(r.address);  // bad requests have no address
  out.ch('\n');
  out.str(prefix).str(r.message).ch('\n');
  if (r.found_stack != 0) {
    out.str(prefix).str("  found by ").str(r.api).str(" at:\n");
    print_stack(out, prefix, r.found_stack);
  } else {
    out.str(prefix).str("  found by ").str(r.api).str("\n");
  }
  if (r.block_known) {
    out.str(prefix).str("  the ").dec(r.block_size).str("-byte block at ").ptr(r.block).str(" was allocated at:\n");
    print_stack(out, prefix, r.alloc_stack);
    if (r.free_stack != 0) {
      out.str(prefix).str("  and freed at:\n");
      print_stack(out, prefix, r.free_stack);
    }
  }
  render_summary_line(out, r, prefix);
}

void print_report(const ErrorRecord& r, const BlockRef* block, const Damage* damage) {
  InlineText<64> prefix_text;
  prefix_text.str("==").dec(static_cast<uint64_t>(os_getpid())).str("== ").ch('\0');
  const char* prefix = prefix_text.data();
  // Large enough for three deep stacks with long C++ names.
  constexpr size_t kCap = 64 * 1024;
  char* storage = static_cast<char*>(internal_allocate(kCap, 16));
  if (storage == nullptr) return;
  TextBuffer out(storage, kCap);
  render_block_context(out, r, prefix);
  if (block != nullptr) {
    uintptr_t at = damage != nullptr ? damage->first : r.address;
    dump_bytes(out, prefix, at, block->slot, block->slot_end, damage);
  }
  out.str(prefix).ch('\n');
  out.flush(log_fd());
  internal_free(storage);
}

// Counts, prints (the first time), records and (abort_on_error) aborts.
void emit(ErrorRecord& r, const BlockRef* block, const Damage* damage) {
  if (t_reporting > 0) {  // an error inside a report: count it, print nothing
    g_error_count.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  ++t_reporting;
  bool counted = true;
  {
    ScopedInternal internal;
    ScopedLock lock(g_report_mu);
    bool first = false;
    ErrorRecord* entry = distinct_entry(r, &first);
    if (first && entry != nullptr) entry->suppressed = error_is_suppressed(r.kind, r.found_stack, r.alloc_stack, r.api);
    counted = entry == nullptr || !entry->suppressed;
    if (entry != nullptr) {
      ++entry->count;
      entry->last_occurrence = g_error_count.load(std::memory_order_relaxed) + (counted ? 1 : 0);
    }
    if (first && counted) {
      print_report(r, block, damage);
      if (g_sink != nullptr && entry != nullptr) g_sink(*entry);
    }
  }
  (counted ? g_error_count : g_suppressed_count).fetch_add(1, std::memory_order_relaxed);
  if (counted) page_guard_note_error_site(r.alloc_stack);  // guard_pages=site: its later blocks get guard pages
  --t_reporting;
  if (counted && g_options.abort_on_error) abort();
}

// Heap checks at exit pass no caller: their own stack would only show the library.
StackId found_here(const CallSite& site) { return site.has_caller() ? record_stack(*site.caller) : 0; }

// A record of `kind` found by `site` at `address`, with the stack where it was found.
ErrorRecord new_record(ErrorKind kind, const CallSite& site, uintptr_t address) {
  ErrorRecord r{kind};
  r.api = site.api;
  r.address = address;
  r.found_stack = found_here(site);
  return r;
}

const char* plural(size_t n) { return n == 1 ? "" : "s"; }

// Says what a pointer that is not a heap block points to.
void describe_foreign(TextBuffer& line, uintptr_t pointer) {
  uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (pointer > here && pointer - here < (size_t{8} << 20)) {
    line.str("it points into the stack");
    return;
  }
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(pointer), &info) != 0 && info.dli_fname != nullptr) {
    FrameInfo module;
    symbolize_frame(pointer + 1, false, &module);  // the module's absolute path
    line.str("it points into the memory of ").str(module.module != nullptr ? module.module : info.dli_fname);
    if (info.dli_sname != nullptr) line.str(" (near '").str(info.dli_sname).str("')");
    return;
  }
  line.str("it was not returned by malloc or new");
}

}  // namespace

void fill_block(ErrorRecord& r, const BlockRef& block) {
  r.block_known = true;
  r.block = block.user;
  r.block_size = block.size;
  r.offset = static_cast<int64_t>(r.address - block.user);
  r.alloc_stack = block.header->alloc_stack;
  r.free_stack = block.header->free_stack_id();
}

void set_message(ErrorRecord& r, const TextBuffer& line) {
  size_t n = line.size() < sizeof r.message - 1 ? line.size() : sizeof r.message - 1;
  memcpy(r.message, line.data(), n);
  r.message[n] = '\0';
}


void keep_stderr() {
  struct stat st;
  if (fstat(2, &st) != 0) return;
  g_saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, 500);
  g_saved_stderr_dev = st.st_dev;
  g_saved_stderr_ino = st.st_ino;
}

// stderr, or the copy kept at start-up when the program has closed fd 2 (as
// `sort` and other coreutils do at exit), if that copy is still the same file.
int stderr_fd() {
  if (fcntl(2, F_GETFD) != -1 || g_saved_stderr < 0) return 2;
  struct stat st;
  if (fstat(g_saved_stderr, &st) == 0 && st.st_dev == g_saved_stderr_dev && st.st_ino == g_saved_stderr_ino)
    return g_saved_stderr;
  return 2;
}

int log_fd() {
  if (g_log_fd >= 0) return g_log_fd;
  const char* path = g_options.log_path;
  if (path == nullptr || path[0] == '\0' || strcmp(path, "stderr") == 0) return stderr_fd();
  if (strcmp(path, "stdout") == 0) return g_log_fd = 1;
  InlineText<4200> full;
  full.str(path).ch('.').dec(static_cast<uint64_t>(os_getpid())).ch('\0');
  int fd = open(full.data(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  return g_log_fd = fd >= 0 ? fd : 2;
}

void set_error_sink(ErrorSink sink) { g_sink = sink; }

void render_error(TextBuffer& out, const ErrorRecord& record, const char* line_prefix) {
  ScopedInternal internal;
  render_block_context(out, record, line_prefix);
}

void errors_lock() { g_report_mu.lock(); }
void errors_unlock() { g_report_mu.unlock(); }
void errors_after_fork_child() {
  g_report_mu.reset_after_fork();
  if (g_distinct_used != 0) {
    g_error_count.store(0, std::memory_order_relaxed);
    g_suppressed_count.store(0, std::memory_order_relaxed);
    memset(g_keys, 0, sizeof g_keys);
    g_distinct_used = 0;
  }
  // A log file named after the pid: the child opens its own.
  if (g_log_fd > 2) {
    close(g_log_fd);
    g_log_fd = -1;
  }
}
uint64_t error_count() { return g_error_count.load(std::memory_order_relaxed); }
uint64_t suppressed_error_count() { return g_suppressed_count.load(std::memory_order_relaxed); }
size_t distinct_error_count() { return g_distinct_used; }
const ErrorRecord& distinct_error(size_t index) { return g_distinct[index]; }
ErrorRecord copy_distinct_error(size_t index) {
  ScopedLock lock(g_report_mu);
  return g_distinct[index];
}

void report_invalid_free(const CallSite& site, uintptr_t pointer, Locate why, const BlockRef* block) {
  ErrorRecord r = new_record(ErrorKind::kInvalidFree, site, pointer);
  InlineText<320> line;
  line.str(site.api).str(" on ").ptr(pointer).str(", which is not the start of a heap block: ");
  if (why == Locate::kFound && block != nullptr) {
    fill_block(r, *block);
    bool live = block->header->state() == ChunkState::kAllocated;
    if (r.offset < 0)
      line.str("it is ").dec(static_cast<uint64_t>(-r.offset)).str(" bytes before the start of a ");
    else
      line.str("it is ").dec(static_cast<uint64_t>(r.offset)).str(" bytes inside a ");
    line.dec(block->size).str("-byte ").str(live ? "" : "freed ").str("block at ").ptr(block->user);
  } else if (why == Locate::kNeverAllocated) {
    line.str("it points into the heap, at memory never handed out");
  } else {
    describe_foreign(line, pointer);
  }
  set_message(r, line);
  emit(r, nullptr, nullptr);
}

void report_double_free(const CallSite& site, uintptr_t pointer, const BlockRef& block) {
  ErrorRecord r = new_record(ErrorKind::kDoubleFree, site, pointer);
  fill_block(r, block);
  InlineText<320> line;
  line.str(site.api).str(" on ").ptr(pointer).str(": the ").dec(block.size).str("-byte block was already freed");
  set_message(r, line);
  emit(r, nullptr, nullptr);
}

void report_heap_corruption(const CallSite& site, uintptr_t pointer, const BlockRef& block) {
  ErrorRecord r = new_record(ErrorKind::kHeapCorruption, site, pointer);
  r.identity = block.slot;  // found again by later checks: the same error
  InlineText<320> line;
  if (site.has_caller()) line.str(site.api).str(" on ").ptr(pointer).str(": ");
  line.str("the header of the slot at ").ptr(block.slot).str(" is damaged, so its block cannot be identified");
  // The usual culprit is an overflow of the block just before this slot.
  if (block.zone != nullptr && block.slot > block.zone->start) {
    BlockRef previous;
    if (block_at_slot(block.zone, block.slot - block.zone->slot_size, &previous) == Locate::kFound &&
        rear_guard_damage(previous).found()) {
      line.str(" (the ")
          .dec(previous.size)
          .str("-byte block before it, at ")
          .ptr(previous.user)
          .str(", was overflowed)");
      r.alloc_stack = previous.header->alloc_stack;
    }
  }
  set_message(r, line);
  BlockRef whole = block;
  whole.slot_end = block.slot + kHeaderSize;
  emit(r, &whole, nullptr);
}

void report_alloc_dealloc_mismatch(const CallSite& site, uintptr_t pointer, const BlockRef& block, const char* detail) {
  ErrorRecord r = new_record(ErrorKind::kAllocDeallocMismatch, site, pointer);
  fill_block(r, block);
  InlineText<320> line;
  line.str(site.api)
      .str(" on a ")
      .dec(block.size)
      .str("-byte block allocated by ")
      .str(origin_alloc_name(block.header->origin()));
  if (detail != nullptr)
    line.str(": ").str(detail);
  else
    line.str(" (use ").str(origin_dealloc_name(block.header->origin())).ch(')');
  set_message(r, line);
  emit(r, nullptr, nullptr);
}

void report_guard_damage(const CallSite& site, const BlockRef& block, const Damage& damage, bool front) {
  ErrorRecord r =
      new_record(front ? ErrorKind::kHeapBufferUnderflow : ErrorKind::kHeapBufferOverflow, site, damage.first);
  fill_block(r, block);
  r.bad_bytes = damage.count;
  bool freed = block.header->state() != ChunkState::kAllocated;
  InlineText<320> line;
  line.dec(damage.count).str(" byte").str(plural(damage.count)).str(" changed ");
  if (front)
    line.dec(block.user - damage.first).str(" bytes before the start of a ");
  else
    line.dec(damage.first - (block.user + block.size)).str(" bytes past the end of a ");
  line.str(freed ? "freed " : "").dec(block.size).str("-byte block at ").ptr(block.user);
  set_message(r, line);
  emit(r, &block, &damage);
  repair(damage, kGuardByte);  // reported once, not again at the next check
}

void report_use_after_free(const CallSite& site, const BlockRef& block, const Damage& damage) {
  ErrorRecord r = new_record(ErrorKind::kUseAfterFree, site, damage.first);
  fill_block(r, block);
  r.bad_bytes = damage.count;
  InlineText<320> line;
  line.dec(damage.count)
      .str(" byte")
      .str(plural(damage.count))
      .str(" written at offset ")
      .dec(damage.first - block.user)
      .str(" of a ")
      .dec(block.size)
      .str("-byte block at ")
      .ptr(block.user)
      .str(" after it was freed");
  set_message(r, line);
  emit(r, &block, &damage);
  repair(damage, static_cast<uint8_t>(g_options.free_fill));
}

void report_error_record(ErrorRecord& record) { emit(record, nullptr, nullptr); }

// Bad requests: the caller then fails the call as the C library does, so the
// report must keep errno, and must not report the library's own requests.
namespace {

void format_call(TextBuffer& line, const AllocCall& call) {
  line.str(call.name).ch('(');
  for (int i = 0; i < 3 && call.shape[i] != AllocCall::kNone; ++i) {
    if (i != 0) line.str(", ");
    if (call.shape[i] == AllocCall::kPointer)
      line.ptr(call.value[i]);
    else if (call.shape[i] == AllocCall::kAlignVal)
      line.str("std::align_val_t(").dec(call.value[i]).ch(')');
    else
      line.dec(call.value[i]);
  }
  if (call.nothrow) line.str(", std::nothrow");
  line.ch(')');
}

}  // namespace

void report_allocation_size_too_big(const CallSite& site, const AllocCall& call, size_t size) {
  if (in_internal_code()) return;
  int saved_errno = errno;
  ErrorRecord r = new_record(ErrorKind::kAllocationSizeTooBig, site, 0);
  InlineText<320> line;
  format_call(line, call);
  line.str(": the requested size ");
  // calloc's and reallocarray's size is a product: say what it came to.
  bool shown = false;
  for (int i = 0; i < 3; ++i) shown |= call.shape[i] == AllocCall::kNumber && call.value[i] == size;
  if (!shown) line.ch('(').dec(size).str(" bytes) ");
  line.str("has its top bit set (a negative value passed as a size)");
  set_message(r, line);
  emit(r, nullptr, nullptr);
  errno = saved_errno;
}

void report_calloc_overflow(const CallSite& site, const AllocCall& call, size_t count, size_t size) {
  if (in_internal_code()) return;
  int saved_errno = errno;
  ErrorRecord r = new_record(ErrorKind::kCallocOverflow, site, 0);
  InlineText<320> line;
  format_call(line, call);
  line.str(": the total size, ").dec(count).str(" * ").dec(size).str(", does not fit in size_t");
  set_message(r, line);
  emit(r, nullptr, nullptr);
  errno = saved_errno;
}

}  // namespace dm
