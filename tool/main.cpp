// The debugmalloc command line: `run` and `report` subcommands, help that reads like a man page.
#include "report_command.h"
#include "run_command.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

extern const char* kRunDescription;
extern const char* kReportDescription;

// A man page's order for the subcommands: SYNOPSIS, DESCRIPTION, OPTIONS (grouped), then the
// footer's EXAMPLES and EXIT STATUS. CLI11's own usage line cannot say "PROG ARGS..." for a
// prefix command.
class ManFormatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override {
    if (!isSubcommand(app)) return CLI::Formatter::make_description(app);
    return "";  // the long description comes after the synopsis, from make_usage
  }
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (!isSubcommand(app)) return CLI::Formatter::make_usage(app, std::move(name));
    std::string synopsis = app->get_name() == "run" ? "debugmalloc run [OPTIONS] [--] PROG [ARGS...]"
                                                    : "debugmalloc report [OPTIONS] PATH...";
    std::string out = "SYNOPSIS\n  " + synopsis + "\n\nDESCRIPTION\n";
    std::string description = app->get_name() == "run" ? kRunDescription : kReportDescription;
    std::size_t pos = 0;
    while (pos <= description.size()) {  // indent each line of the description
      std::size_t nl = description.find('\n', pos);
      std::string line = description.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      out += line.empty() ? "\n" : "  " + line + "\n";
      pos = nl == std::string::npos ? description.size() + 1 : nl + 1;
    }
    return out + "\n";
  }

 private:
  static bool isSubcommand(const CLI::App* app) { return app->get_name() == "run" || app->get_name() == "report"; }
};

const char* kRunDescription = R"(Runs PROG with ARGS under libdebugmalloc.so, the malloc debugger, then prints
one report for PROG and every process it started (children, exec'd programs).

The library is preloaded (LD_PRELOAD; an existing LD_PRELOAD is kept after it)
and leak checking is turned on. Each error is printed on stderr the moment it is
found; at the end, `run` merges the report files of all processes and prints
the summary on stderr (so it does not mix with PROG's stdout), or writes it to
--output FILE. PROG's stdin, stdout and stderr are left alone. SIGINT, SIGTERM,
SIGHUP and SIGQUIT sent to debugmalloc are passed on to PROG.

The options below are added to DEBUGMALLOC_OPTIONS; a DEBUGMALLOC_OPTIONS already
in the environment is kept, and ours come after it (the later setting wins).
Report files go to a fresh directory under $TMPDIR that is removed afterwards,
unless --report-dir or --keep-reports is given.)";

const char* kRunFooter = R"(EXAMPLES
  debugmalloc run ./prog arg1 arg2
      Run prog, show its errors and leaks.
  debugmalloc run --format json -o report.json -- make check
      A whole test suite: every process it starts, merged into one JSON file.
  debugmalloc run --leak-kinds all --fail-on errors,definite ./server
      Record every kind of leak, but fail only on errors and definite leaks.
  debugmalloc run --report-dir reports/ ./prog && debugmalloc report --format html -o r.html reports/
      Keep the report files and render them again later.

EXIT STATUS
  PROG's exit status when nothing that --fail-on names was found;
  the --exitcode value (default 23) when something was;
  128+N when PROG was killed by signal N;
  126 or 127 when PROG could not be run (not executable, not found);
  2 on bad usage.

ENVIRONMENT
  DEBUGMALLOC_OPTIONS  kept; the options above are appended to it
  LD_PRELOAD           kept; libdebugmalloc.so is put first
  TMPDIR               where the temporary report directory is made (default /tmp)
  NO_COLOR             no colour in the text report when --color=auto

SEE ALSO
  debugmalloc report --help; docs/report-format.md)";

const char* kReportDescription = R"(Reads report files written by libdebugmalloc.so (PATH: a file, or a directory
searched recursively for *.report, *.incomplete and *.journal), merges them
across processes, groups errors by (kind, detection stack, allocation stack)
and leaks by (kind, allocation stack), symbolizes the frames the library could
not (libdw, by module file and build-id, or /usr/lib/debug/.build-id), applies
suppressions, and renders the result.

Suppression files hold one rule per line, KIND:PATTERN, where KIND is `leak`,
`error`, or an error kind (heap-buffer-overflow, heap-buffer-underflow,
use-after-free, double-free, invalid-free, alloc-dealloc-mismatch,
heap-corruption, allocation-size-too-big, calloc-overflow, memcpy-param-overlap),
and PATTERN a glob
(* and ?) matched against each frame's function name, source file path or
module path (or their last component).
Lines starting with # are comments. Valgrind's { ... } entries (Memcheck:Leak,
Memcheck:Free, fun:, obj:, src:, ...) are read too, and may be mixed in; see
the user guide, "Suppressions". --format suppressions and --format
valgrind-suppressions write a file that suppresses what the report found.)";

const char* kReportFooter = R"(EXAMPLES
  debugmalloc report /tmp/reports
  debugmalloc report --format sarif -o debugmalloc.sarif reports/
  debugmalloc report --diff baseline.json --format json reports/ > new.json
  debugmalloc report --suppressions known.supp --fail-on errors reports/

EXIT STATUS
  0  no findings that --fail-on names (default: errors, definite and indirect leaks)
  1  findings
  2  bad usage or unreadable input (a message names the file and line))";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"debugmalloc: find heap errors and leaks in unmodified Linux programs", "debugmalloc"};
  app.formatter(std::make_shared<ManFormatter>());
  app.require_subcommand(1);
  app.footer("Run 'debugmalloc run --help' or 'debugmalloc report --help' for each subcommand.");
  app.set_version_flag("--version", "debugmalloc 0.1.0");

  dmtool::RunSettings run;
  CLI::App* runCmd = app.add_subcommand("run", "run a program under the library and report what it found");
  runCmd->footer(kRunFooter);
  runCmd->prefix_command();
  dmtool::addRunOptions(*runCmd, run);

  dmtool::ReportSettings report;
  CLI::App* reportCmd = app.add_subcommand("report", "read report files, merge, group and render them");
  reportCmd->footer(kReportFooter);
  reportCmd->add_option("PATH", report.paths, "report files or directories of them")->required()->group("Input");
  dmtool::addReportOptions(*reportCmd, report, /*forRun=*/false);

  // `run ... -- PROG ARGS`: everything after the first "--" is the program's, whatever it
  // looks like; CLI11 sees only what comes before. Without "--", CLI11's prefix-command mode
  // stops at the first argument that is not an option.
  std::vector<std::string> command;
  if (argc > 1 && std::string(argv[1]) == "run") {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--") {
        command.assign(argv + i + 1, argv + argc);
        argc = i;
        break;
      }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return dmtool::kExitBadInput;  // bad usage is 2 whatever CLI11's own code would be
  }

  if (*runCmd) {
    std::vector<std::string> rest = runCmd->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (!command.empty() && !rest.empty()) {
      std::cerr << "debugmalloc run: unexpected arguments before \"--\": " << rest.front() << "\n";
      return dmtool::kExitBadInput;
    }
    if (command.empty()) command = std::move(rest);
    return dmtool::executeRun(run, command);
  }
  return dmtool::executeReport(report, /*toStderr=*/false);
}
