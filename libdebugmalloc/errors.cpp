// Readable error reports, written with a bounded formatter to stderr.
#include "errors.h"

#include <atomic>

#include "text_buffer.h"

namespace dm {

namespace {

constinit std::atomic<uint64_t> g_error_count{0};

void header_line(TextBuffer& out, ErrorKind kind) {
  out.str("==").dec(static_cast<uint64_t>(os_getpid())).str("== debugmalloc: ERROR: ").str(error_kind_name(kind));
}

void block_line(TextBuffer& out, const BlockRef& block) {
  out.str("  block ").ptr(block.user).str(" of ").dec(block.size).str(" bytes, allocated by ")
      .str(origin_alloc_name(block.header->origin())).ch('\n');
}

void finish(TextBuffer& out) {
  g_error_count.fetch_add(1, std::memory_order_relaxed);
  out.flush(2);
}

}  // namespace

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kHeapBufferOverflow: return "heap-buffer-overflow";
    case ErrorKind::kHeapBufferUnderflow: return "heap-buffer-underflow";
    case ErrorKind::kUseAfterFree: return "use-after-free";
    case ErrorKind::kDoubleFree: return "double-free";
    case ErrorKind::kInvalidFree: return "invalid-free";
    case ErrorKind::kAllocDeallocMismatch: return "alloc-dealloc-mismatch";
    case ErrorKind::kHeapCorruption: return "heap-corruption";
  }
  return "unknown";
}

void report_invalid_free(uintptr_t pointer, const char* api, Locate why, const BlockRef* block) {
  InlineText<1024> out;
  header_line(out, ErrorKind::kInvalidFree);
  out.str(": ").str(api).str(" on ").ptr(pointer);
  if (why == Locate::kNotHeap) out.str(", which was not allocated by malloc or new\n");
  else if (why == Locate::kNeverAllocated) out.str(", inside the heap but never allocated\n");
  else if (block != nullptr) {
    out.str(", ").dec(pointer - block->user).str(" bytes inside a block\n");
    block_line(out, *block);
  } else {
    out.ch('\n');
  }
  finish(out);
}

void report_double_free(uintptr_t pointer, const char* api, const BlockRef& block) {
  InlineText<1024> out;
  header_line(out, ErrorKind::kDoubleFree);
  out.str(": ").str(api).str(" on ").ptr(pointer).str(", which was already freed\n");
  block_line(out, block);
  finish(out);
}

void report_heap_corruption(uintptr_t pointer, const char* api, const BlockRef& block) {
  InlineText<1024> out;
  header_line(out, ErrorKind::kHeapCorruption);
  out.str(": ").str(api).str(" on ").ptr(pointer).str(": the header of the slot at ").ptr(block.slot)
      .str(" is damaged\n");
  finish(out);
}

void report_alloc_dealloc_mismatch(uintptr_t pointer, const char* api, const BlockRef& block, const char* detail) {
  InlineText<1024> out;
  header_line(out, ErrorKind::kAllocDeallocMismatch);
  out.str(": ").str(api).str(" on ").ptr(pointer);
  if (detail != nullptr) out.str(": ").str(detail).ch('\n');
  else out.str(", allocated by ").str(origin_alloc_name(block.header->origin())).ch('\n');
  finish(out);
}

uint64_t error_count() { return g_error_count.load(std::memory_order_relaxed); }

}  // namespace dm
