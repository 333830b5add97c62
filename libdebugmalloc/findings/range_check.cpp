// The reports of the libc range checks: what a bad range hits, said once per site.
#include "findings/range_check.h"

#include <errno.h>

#include "heap/block.h"
#include "stacks/stack_capture.h"
#include "support/text_buffer.h"

namespace dm {

namespace {

const char* plural(uint64_t n) { return n == 1 ? "" : "s"; }

bool is_live(const BlockRef& block) { return block.header->state() == ChunkState::kAllocated; }

// Bytes between `address` and the block's requested bytes (0 inside them).
uint64_t distance(const BlockRef& block, uintptr_t address) {
  if (address < block.user) return block.user - address;
  uintptr_t end = block.user + block.size;
  return address >= end ? address - end + 1 : 0;
}

// The block a heap address outside any block's bytes belongs with: the one of
// its slot or the previous slot's, whichever is nearer (an index past the end
// of a block usually lands in the next slot's header or guard).
bool nearest_block(uintptr_t address, BlockRef* out) {
  BlockRef own;
  Locate where = locate_block(address, &own);
  if (where == Locate::kNotHeap) return false;
  bool have_own = where == Locate::kFound;
  BlockRef previous;
  bool have_previous = false;
  if (own.zone != nullptr && own.slot > own.zone->start && (!have_own || address < own.user))
    have_previous = block_at_slot(own.zone, own.slot - own.zone->slot_size, &previous) == Locate::kFound &&
                    previous.header->state() != ChunkState::kNeverUsed;
  if (have_own && (!have_previous || distance(own, address) <= distance(previous, address))) {
    *out = own;
    return true;
  }
  if (have_previous) {
    *out = previous;
    return true;
  }
  return false;
}

// "memcpy() reads 20 bytes at [0x.., 0x..)"
void describe_access(TextBuffer& line, const LibcSite& site, uintptr_t p, size_t n, Access access,
                     RangeLength length) {
  line.str(site.function).str(access == Access::kWrite ? " writes " : " reads ");
  if (length == RangeLength::kAtLeast) line.str("at least ");
  line.dec(n).str(" byte").str(plural(n)).str(" at [").ptr(p).str(", ").ptr(p + n).ch(')');
}

void describe_block(TextBuffer& line, const BlockRef& block) {
  line.str(is_live(block) ? "" : "freed ").dec(block.size).str("-byte block at ").ptr(block.user);
}

}  // namespace

void report_libc_range(const LibcSite& site, uintptr_t p, size_t n, Access access, RangeLength length) {
  if (n == 0) return;
  int saved_errno = errno;
  uintptr_t last = n - 1 > ~uintptr_t{0} - p ? ~uintptr_t{0} : p + (n - 1);
  BlockRef block;
  if (!nearest_block(p, &block)) return;  // not the heap, or no block to compare with
  uintptr_t end = block.user + block.size;
  ErrorRecord r{ErrorKind::kHeapBufferOverflow};
  InlineText<320> line;
  describe_access(line, site, p, n, access, length);
  bool live = is_live(block);
  if (!live && p >= block.user && p < end) {
    r.kind = ErrorKind::kUseAfterFree;
    r.address = p;
    r.bad_bytes = n;
    line.str(", at offset ").dec(p - block.user).str(" of a ").dec(block.size).str("-byte block at ").ptr(block.user);
    line.str(" after it was freed");
  } else if (p < block.user) {
    r.kind = ErrorKind::kHeapBufferUnderflow;
    r.address = p;
    uintptr_t outside_end = last < block.user ? last + 1 : block.user;
    r.bad_bytes = outside_end - p;
    if (last >= block.user)
      line.str(", ").dec(block.user - p).str(" byte").str(plural(block.user - p)).str(" before the start of a ");
    else
      line.str(", starting ").dec(block.user - p).str(" bytes before the start of a ");
    describe_block(line, block);
  } else if (last >= end) {
    r.address = p > end ? p : end;
    r.bad_bytes = last - r.address + 1;
    if (p < end)
      line.str(", ").dec(r.bad_bytes).str(" byte").str(plural(r.bad_bytes)).str(" past the end of a ");
    else
      line.str(", starting ").dec(p - end).str(" byte").str(plural(p - end)).str(" past the end of a ");
    describe_block(line, block);
    if (length == RangeLength::kAtLeast) line.str(" (no terminating NUL inside it)");
  } else {
    errno = saved_errno;
    return;  // inside a live block after all (another thread changed the header meanwhile)
  }
  r.api = site.function;
  r.access = access;
  fill_block(r, block);
  r.found_stack = record_stack(site.caller);
  set_message(r, line);
  report_error_record(r);
  errno = saved_errno;
}

void report_libc_overlap(const LibcSite& site, uintptr_t dst, size_t dst_size, uintptr_t src, size_t src_size) {
  int saved_errno = errno;
  ErrorRecord r{ErrorKind::kMemcpyParamOverlap};
  r.api = site.function;
  r.address = dst > src ? dst : src;  // the first byte both ranges hold
  uintptr_t overlap_end = dst + dst_size < src + src_size ? dst + dst_size : src + src_size;
  r.bad_bytes = overlap_end - r.address;
  InlineText<320> line;
  line.str(site.function)
      .str(": source [")
      .ptr(src)
      .str(", ")
      .ptr(src + src_size)
      .str(") and destination [")
      .ptr(dst)
      .str(", ")
      .ptr(dst + dst_size)
      .str(") overlap by ")
      .dec(r.bad_bytes)
      .str(" byte")
      .str(plural(r.bad_bytes));
  BlockRef block;
  if (locate_block(r.address, &block) == Locate::kFound && block.header->state() != ChunkState::kNeverUsed) {
    fill_block(r, block);
    line.str(", in a ");
    describe_block(line, block);
  }
  r.found_stack = record_stack(site.caller);
  set_message(r, line);
  report_error_record(r);
  errno = saved_errno;
}

}  // namespace dm
