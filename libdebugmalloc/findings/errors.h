// Heap errors: one out-of-line reporter per kind (the kinds and their public
// names are in common/kinds.h). Called the moment an error is found; each
// builds one ErrorRecord (kind, block, offsets, stacks, a one-line summary),
// prints it readably to log_path, hands it to the report file, and returns so
// the caller can skip the bad operation and keep the heap sound, unless
// abort_on_error is set.
//
// Thread-safety: reports are serialised; a report that itself fails (re-entry)
// is counted but not printed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/kinds.h"
#include "heap/block.h"
#include "stacks/fast_unwind.h"
#include "heap/guard.h"
#include "support/platform.h"
#include "stacks/stack_depot.h"
#include "support/text_buffer.h"

namespace dm {

// Where an error was found: the API call and the program's frame that called
// it (none for heap checks at exit and the quarantine: no stack is recorded for those).
struct CallSite {
  const char* api;
  const CallerFrame* caller;  // not copied: the hot path only passes it along
  bool has_caller() const { return caller != nullptr && caller->ip != 0; }
};

// How the program touched the bad memory, when that is known (libc range checks,
// faults): the report's optional `access` member.
enum class Access : uint8_t { kUnknown = 0, kRead, kWrite };

// Everything known about one error, for the readable report and the report file.
struct ErrorRecord {
  ErrorKind kind;
  const char* api = nullptr;  // who found it: "free()", "the heap check at exit", ...
  Access access = Access::kUnknown;
  uintptr_t address = 0;  // the pointer passed, or the first bad byte
  bool block_known = false;
  uintptr_t block = 0;  // start of the user's bytes
  size_t block_size = 0;
  int64_t offset = 0;    // address - block (negative before the block)
  size_t bad_bytes = 0;  // changed bytes (guards, freed memory)
  StackId found_stack = 0;
  StackId alloc_stack = 0;
  StackId free_stack = 0;
  uint64_t identity = 0;         // when set, what makes two errors the same (instead of their stacks)
  uint64_t count = 0;            // occurrences (in the table of distinct errors)
  uint64_t last_occurrence = 0;  // error_count() just after its latest occurrence
  bool suppressed = false;       // matched a suppression: not printed, not counted
  char message[320] = {};        // one line a person reads
};

DM_NOINLINE void report_invalid_free(const CallSite& site, uintptr_t pointer, Locate why, const BlockRef* block);
DM_NOINLINE void report_double_free(const CallSite& site, uintptr_t pointer, const BlockRef& block);
DM_NOINLINE void report_heap_corruption(const CallSite& site, uintptr_t pointer, const BlockRef& block);
// `detail` explains a sized/aligned delete mismatch; nullptr for a plain API mismatch.
DM_NOINLINE void report_alloc_dealloc_mismatch(const CallSite& site, uintptr_t pointer, const BlockRef& block,
                                               const char* detail);
// Changed guard bytes: an overflow (rear) or underflow (front) of a live or freed block.
DM_NOINLINE void report_guard_damage(const CallSite& site, const BlockRef& block, const Damage& damage, bool front);
// Changed bytes inside a freed block: a write after free.
DM_NOINLINE void report_use_after_free(const CallSite& site, const BlockRef& block, const Damage& damage);
// For reporters kept in their own files (findings/range_check.cpp, fault_handler.cpp): counts the
// error, prints and records it the first time, aborts with abort_on_error, as the
// reporters here do. `record` has its kind, api, address, stacks and message set.
DM_NOINLINE void report_error_record(ErrorRecord& record);
// For those reporters: the block's address, size, offset of record.address and stacks.
void fill_block(ErrorRecord& record, const BlockRef& block);
// The one-line summary, cut to fit.
void set_message(ErrorRecord& record, const TextBuffer& line);

// A size with its top bit set is a negative value converted to size_t
// (Valgrind's "fishy value"): no program asks for that much on purpose.
constexpr bool is_negative_size(size_t size) { return static_cast<int64_t>(size) < 0; }

// An allocation call as the program wrote it, for the message of a request
// that is certainly a bug: the function and up to three arguments.
struct AllocCall {
  enum Shape : uint8_t { kNone, kNumber, kPointer, kAlignVal };  // how an argument is shown
  const char* name;                                              // "malloc", "operator new []", ...
  uint64_t value[3] = {};
  Shape shape[3] = {};
  bool nothrow = false;  // operator new's std::nothrow form
};
// A request whose size (or calloc's count * size) has its top bit set. The caller has initialised the library.
DM_NOINLINE void report_allocation_size_too_big(const CallSite& site, const AllocCall& call, size_t size);
// calloc or reallocarray whose count * size does not fit in size_t.
DM_NOINLINE void report_calloc_overflow(const CallSite& site, const AllocCall& call, size_t count, size_t size);

// Errors reported so far in this process (each occurrence, suppressed ones
// excluded), and suppressed occurrences.
uint64_t error_count();
uint64_t suppressed_error_count();

// The distinct errors found so far (each with its count), in the order found.
size_t distinct_error_count();
const ErrorRecord& distinct_error(size_t index);
// A copy of distinct_error(index) taken under the report lock, so that a record
// another thread is counting is never read half-updated. Takes the report lock:
// not for callers that may hold it (a report, the error sink).
ErrorRecord copy_distinct_error(size_t index);

// Appends the readable report of `record` (without the memory dump) to `out`.
void render_error(TextBuffer& out, const ErrorRecord& record, const char* line_prefix);

// Called for the first occurrence of every distinct, unsuppressed error, after
// it is printed (the report file's journal registers here).
using ErrorSink = void (*)(const ErrorRecord& record);
void set_error_sink(ErrorSink sink);

// The fd readable reports go to (log_path), opened on first use.
int log_fd();
// Keeps a copy of stderr (at start-up) for reports written after the program closed it.
void keep_stderr();

// Fork: no report is being written across the fork; the child counts its own errors.
void errors_lock();
void errors_unlock();
void errors_after_fork_child();

}  // namespace dm
