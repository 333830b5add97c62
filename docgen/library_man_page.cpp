// debugmalloc(7) in roff. The options come from the options table, the error and leak kinds and
// the report file names from the contract in common/, so none of them can go stale here.
#include "library_man_page.h"

#include <string>

#include "common/kinds.h"
#include "common/report_format.h"
#include "options_table.h"
#include "roff.h"

namespace docgen {
namespace {

// A bare name, which the dynamic loader looks for in the system's library directories: the page holds
// no install prefix.
constexpr char kLibrary[] = "libdebugmalloc.so";

// Prose paragraphs: every line goes through roff_text(); "" starts a new paragraph.
void paragraphs(std::FILE* out, std::initializer_list<const char*> lines) {
  for (const char* line : lines) {
    if (*line == '\0') {
      std::fprintf(out, ".PP\n");
    } else {
      std::fprintf(out, "%s\n", roff_text(line).c_str());
    }
  }
}

// A .TP item: `tag` is roff already, `body` is prose.
void item(std::FILE* out, const std::string& tag, const std::string& body) {
  std::fprintf(out, ".TP\n%s\n%s\n", tag.c_str(), roff_text(body).c_str());
}

std::string bold(const std::string& text) { return "\\fB" + roff_plain(text) + "\\fR"; }
std::string italic(const std::string& text) { return "\\fI" + roff_plain(text) + "\\fR"; }

std::string comma_list(const char* const* names, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += std::string(i ? ", " : "") + "`" + names[i] + "`";
  return out;
}

void name_and_synopsis(std::FILE* out, const LibraryPageFacts& facts) {
  std::fprintf(out, ".TH DEBUGMALLOC 7 \"\" \"debugmalloc %s\" \"debugmalloc\"\n", roff_plain(facts.version).c_str());
  std::fprintf(out, ".\\\" Generated from the options table by docgen/options_doc.cpp; do not edit.\n");
  std::fprintf(out, ".nh\n.ad l\n");  // no hyphens inside option names and paths
  std::fprintf(out, ".SH NAME\ndebugmalloc \\- libdebugmalloc.so, a preloaded malloc debugger and leak checker\n");
  std::fprintf(out, ".SH SYNOPSIS\n.nf\n");
  const std::string preload = bold(std::string("LD_PRELOAD=") + kLibrary);
  std::fprintf(out, "%s %s [%s...]\n", preload.c_str(), italic("prog").c_str(), italic("args").c_str());
  std::fprintf(out, "%s %s %s\n", bold("FtLeaks=1").c_str(), preload.c_str(), italic("prog").c_str());
  std::fprintf(out, "%s%s%s%s[%s%s...] %s %s\n", bold("DEBUGMALLOC_OPTIONS=").c_str(), italic("name").c_str(),
               bold("=").c_str(), italic("value").c_str(), bold(":").c_str(), italic("name=value").c_str(),
               preload.c_str(), italic("prog").c_str());
  std::fprintf(out, "%s %s\n", bold("LD_PRELOAD=$(pkg-config --variable=preload debugmalloc)").c_str(),
               italic("prog").c_str());
  std::fprintf(out, ".fi\n");
}

void description(std::FILE* out) {
  std::fprintf(out, ".SH DESCRIPTION\n");
  paragraphs(out, {
                      "`libdebugmalloc.so` replaces `malloc`, `calloc`, `realloc`, `free`, the aligned "
                      "allocation functions and every C++ `operator new` and `operator delete` of an unmodified, "
                      "dynamically linked program that it is preloaded into. Every block gets guard bytes on both "
                      "sides (`redzone`), fresh and freed memory is scribbled (`scribble`), freed blocks wait in a "
                      "quarantine before their memory is reused (`quarantine_mb`), some blocks end against an "
                      "inaccessible page so that a bad access faults at the instruction (`guard_pages`), and every "
                      "allocation and free records a backtrace (`stack_depth`).",
                      "",
                      "Each error is reported the moment it is found, with the stack where it was found, the "
                      "block's allocation stack and, when it was freed, its free stack. The error kinds are:",
                  });
  std::fprintf(out, "%s.\n", roff_text(comma_list(dm::kErrorKindNames, dm::kNumErrorKinds)).c_str());
  paragraphs(out, {
                      "",
                      "With `leaks=1` (or `FtLeaks=1`) a conservative reachability scan runs at exit and classifies "
                      "the blocks no longer referenced as Valgrind does:",
                  });
  std::fprintf(out, "%s;\n", roff_text(comma_list(dm::kLeakKindNames, dm::kNumLeakKinds)).c_str());
  paragraphs(out, {
                      "`leak_kinds` chooses which are reported. Leaks are grouped by allocation stack.",
                      "",
                      "A bare `libdebugmalloc.so` in `LD_PRELOAD` is looked for in the system's library "
                      "directories, where the package installs it; elsewhere give its path, which "
                      "`pkg-config --variable=preload debugmalloc` prints.",
                      "",
                      "The library needs no recompilation and no link flag. `debugmalloc run` (see "
                      "`debugmalloc`(1)) preloads it, turns the leak check on and renders one merged report for a "
                      "program and every process it starts. The ft_malloc conventions' `show_alloc_mem()` prints the "
                      "zones (TINY, SMALL, LARGE) and their blocks.",
                  });
}

void options(std::FILE* out) {
  std::fprintf(out, ".SH OPTIONS\n");
  paragraphs(out, {
                      "Options are set in `DEBUGMALLOC_OPTIONS` as `name=value` pairs separated by `:` or `,`, for "
                      "example `DEBUGMALLOC_OPTIONS=leaks=1:quarantine_mb=16`; a later setting wins. A `bool` is "
                      "0/1, true/false or yes/no; a `uint` is a decimal or 0x-hex number (k, m and g suffixes where "
                      "sizes are meant); a `string` is the rest of the value, up to the next `:` or `,`. An unknown "
                      "name or a malformed value gets one line on stderr and the program runs on. "
                      "`DEBUGMALLOC_OPTIONS=help=1` prints this table.",
                  });
  for (const OptionRow& row : kOptionRows) {
    std::string value = default_text(row) == "(empty)" ? "empty" : default_text(row);
    std::string tag = bold(row.name) + "=" + italic(row.type) + " (default: " + roff_plain(value) + ")";
    item(out, tag, row.help);
  }
}

void environment(std::FILE* out) {
  std::fprintf(out, ".SH ENVIRONMENT\n");
  item(out, bold("DEBUGMALLOC_OPTIONS"), "the options above, `name=value` pairs separated by `:` or `,`.");
  paragraphs(out, {"", "The ft_malloc conventions' variables are read too:"});
  item(out, bold("FtLeaks=1"), "the same as `leaks=1`.");
  item(out, bold("FtMallocErrorAbort=1"), "the same as `abort_on_error=1`.");
  item(out, bold("FtMallocScribble=0") + "|" + bold("1"), "the same as `scribble=0` or `scribble=1`.");
  paragraphs(out, {
                      "",
                      "`DEBUGMALLOC_OPTIONS` wins when both set an option. In set-uid and set-gid programs the "
                      "environment is ignored and the defaults apply.",
                  });
  item(out, bold("LD_PRELOAD"),
       "loads the library into the program (see `ld.so`(8)); it is passed on to the processes the program starts, "
       "so they are checked too.");
}

void exit_status(std::FILE* out) {
  std::fprintf(out, ".SH EXIT STATUS\n");
  paragraphs(out, {
                      "The program's own status, unless it had heap errors or definite or indirect leaks: then the "
                      "process exits with the `exitcode` status (default 23; `exitcode=0` keeps the program's own). "
                      "With `abort_on_error=1` the first error calls `abort()` (SIGABRT, status 134 in a shell). A "
                      "bad access caught by an inaccessible guard page is reported, then the program gets the default "
                      "action of SIGSEGV (status 139 in a shell) unless it handles the signal itself.",
                  });
}

void files(std::FILE* out) {
  using namespace dm::report_format;
  const std::string base = std::string(kFilePrefix) + "<pid>";
  const std::string finished = base + "-<start>-<gen>";
  std::fprintf(out, ".SH FILES\n");
  item(out, bold("<debugmalloc/debugmalloc.h>"),
       "the runtime API (check the heap now, leaks since a mark, ignore an object, root regions). It is "
       "weak-linked: a program built with it runs unchanged without the library and needs no link flag; "
       "`pkg-config --cflags debugmalloc` gives its include directory.");
  item(out, italic("LOG_PATH.<pid>"),
       "the readable error reports with `log_path=LOG_PATH` (a path, not stderr "
       "or stdout).");
  paragraphs(out, {"",
                   "With `report_dir=DIR` each process leaves one report file (JSON Lines) in DIR, which "
                   "`debugmalloc report` reads. Files are created with mode 0600; nothing existing is "
                   "overwritten or followed through a symbolic link."});
  item(out, italic("DIR/" + base + kJournalSuffix),
       "the report of a process still running, or of one that died without finishing it (abort, fatal signal, "
       "`_exit`); records are appended as they happen.");
  item(out, italic("DIR/" + finished + kFinishedSuffix),
       "a finished report, written to a temporary file (`" + std::string(kTemporarySuffix) +
           "`) and renamed at exit or `exec`. <start> is the process's start time in clock ticks since boot, <gen> "
           "the number of `exec`s before this program image.");
  item(out, italic("DIR/" + finished + kIncompleteSuffix),
       "a journal left by a dead process, renamed when a later process got the same pid.");
}

void examples(std::FILE* out) {
  std::fprintf(out, ".SH EXAMPLES\n");
  const std::string preload = std::string("LD_PRELOAD=") + kLibrary;
  struct Example {
    std::string command;
    const char* what;
  };
  const Example list[] = {
      {preload + " ./prog", "errors only, on stderr as they are found"},
      {"FtLeaks=1 " + preload + " ./prog", "and the leaks at exit"},
      {"DEBUGMALLOC_OPTIONS=leaks=1:report_dir=/tmp/r " + preload + " ./prog",
       "and a report file in /tmp/r for `debugmalloc report /tmp/r --format html -o r.html`"},
      {"DEBUGMALLOC_OPTIONS=guard_pages=all FtMallocErrorAbort=1 " + preload + " ./prog",
       "every small block against an inaccessible page; a core dump at the first error"},
  };
  for (const Example& e : list) {
    std::fprintf(out, ".TP\n%s\n%s\n", bold(e.command).c_str(), roff_text(e.what).c_str());
  }
}

void see_also(std::FILE* out) {
  std::fprintf(out, ".SH SEE ALSO\n");
  std::fprintf(out, ".BR debugmalloc (1),\n.BR ld.so (8),\n.BR malloc (3),\n.BR valgrind (1)\n");
}

}  // namespace

void write_library_man_page(std::FILE* out, const LibraryPageFacts& facts) {
  name_and_synopsis(out, facts);
  description(out);
  options(out);
  environment(out);
  exit_status(out);
  files(out);
  examples(out);
  see_also(out);
}

}  // namespace docgen
