// The report file of this process (docs/report-format.md): a journal that
// errors are appended to as they are found, and at normal exit the whole
// report written to a temporary file and renamed into place. Nothing is
// lost if the process dies: the journal stays, marked incomplete by its
// missing `end` record.
//
// Thread-safety: journal appends happen under the error reporter's lock;
// report_finish runs once, at exit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "findings/leaks.h"

namespace dm {

// Starts this process's journal if report_dir is set (at start-up, after exec).
void report_start();
// In a forked child: the parent's journal is not ours; start the child's own.
void report_after_fork_child();

// Which leak kinds are reported (leak_kinds option), as a bit per LeakKind.
unsigned reported_leak_kinds();

struct ExitFindings {
  const LeakResult* leaks = nullptr;  // nullptr when leaks were not checked
  uint64_t suppressed_leak_blocks = 0;
  uint64_t suppressed_leak_bytes = 0;
  int exit_code = 0;
  int forced_exit_code = -1;  // -1: the program's status stands
};

// Writes the finished report and removes the journal.
void report_finish(const ExitFindings& findings);

struct ErrorRecord;
using ErrorSource = ErrorRecord (*)(size_t index);
// Writes a whole report to `fd`, the records in the file's order: process, the
// `errors` records `error_at` returns (suppressed ones left out, each with its
// count), the leak groups of the reported kinds, suppressed, end. report_finish
// passes the table of distinct errors; the contract test (tests/contract) its
// own records. Call it under ScopedInternal, after modules_refresh().
void write_report(int fd, size_t errors, ErrorSource error_at, const ExitFindings& findings);

}  // namespace dm
