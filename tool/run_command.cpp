// `debugmalloc run`: run a program under libdebugmalloc.so, then render the merged report.
#include "run_command.h"

#include "child_process.h"
#include "preload.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace dmtool {
namespace fs = std::filesystem;

void addRunOptions(CLI::App& app, RunSettings& s) {
  const char* check = "Checking (passed to the library in DEBUGMALLOC_OPTIONS)";
  app.add_option("--quarantine-mb", s.quarantineMb, "MiB of freed blocks held back before reuse (quarantine_mb)")
      ->type_name("N")
      ->group(check);
  app.add_option("--stack-depth", s.stackDepth, "frames kept per backtrace, at most 64 (stack_depth)")
      ->type_name("N")
      ->group(check);
  app.add_option("--redzone", s.redzone, "minimum guard bytes on each side of a block (redzone)")
      ->type_name("N")
      ->group(check);
  app.add_option("--guard-pages", s.guardPages,
                 "blocks against inaccessible pages, so a bad read or write is caught at the instruction: "
                 "sample (default), all, site or off (guard_pages)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"sample", "all", "site", "off"}))
      ->group(check);
  app.add_option("--sample-rate", s.sampleRate, "--guard-pages=sample: one allocation in N gets guard pages (sample_rate)")
      ->type_name("N")
      ->group(check);
  app.add_option("--guard-sites", s.guardSites,
                 "--guard-pages=site: allocation sites (MODULE+0xOFFSET lines) whose blocks get guard pages (guard_sites)")
      ->type_name("FILE")
      ->group(check);
  app.add_flag("--abort-on-error", s.abortOnError, "abort() at the first error (abort_on_error=1)")->group(check);
  app.add_option("--suppressions", s.suppressions,
                 "suppression rules (KIND:PATTERN lines or Valgrind's { } entries), applied by the library and "
                 "the report")
      ->type_name("FILE")
      ->group(check);
  app.add_option("--leak-kinds", s.leakKinds,
                 "leak kinds recorded: a comma list of definite, indirect, possible, reachable, or all "
                 "(default definite,indirect)")
      ->type_name("LIST")
      ->group(check);
  app.add_option("--exitcode", s.exitcode,
                 "exit status when the report has findings that --fail-on names (default 23; 0 = the program's)")
      ->type_name("N")
      ->group(check);
  app.add_flag("--no-leaks", s.noLeaks, "do not check for leaks at exit (leaks=0)")->group(check);
  app.add_option("--option", s.passThrough, "any library option, passed through (repeatable), e.g. --option scribble=0")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group(check);

  const char* reports = "Report files";
  app.add_option("--report-dir", s.reportDir,
                 "write report files to DIR (created if missing; kept; files already there are included)")
      ->type_name("DIR")
      ->group(reports);
  app.add_flag("--keep-reports", s.keepReports, "keep the temporary report directory and print its path")
      ->group(reports);
  addReportOptions(app, s.report, /*forRun=*/true);
  app.add_option("--library", s.library, "the libdebugmalloc.so to preload (default: the one installed with the tool)")
      ->type_name("FILE")
      ->group("Advanced");
}

std::string libraryOptions(const RunSettings& s) {
  std::string out = s.noLeaks ? "leaks=0" : "leaks=1";
  auto add = [&](const std::string& item) { out += ":" + item; };
  if (s.quarantineMb) add("quarantine_mb=" + std::to_string(*s.quarantineMb));
  if (s.stackDepth) add("stack_depth=" + std::to_string(*s.stackDepth));
  if (s.redzone) add("redzone=" + std::to_string(*s.redzone));
  if (!s.guardPages.empty()) add("guard_pages=" + s.guardPages);
  if (s.sampleRate) add("sample_rate=" + std::to_string(*s.sampleRate));
  if (!s.guardSites.empty()) add("guard_sites=" + fs::absolute(s.guardSites).string());
  if (s.abortOnError) add("abort_on_error=1");
  if (!s.suppressions.empty()) add("suppressions=" + fs::absolute(s.suppressions).string());
  if (!s.leakKinds.empty()) add("leak_kinds=" + s.leakKinds);
  if (!s.report.allocFns.empty()) {
    // ':' ends a value in DEBUGMALLOC_OPTIONS: the library gets '?' (any one character) in its place.
    std::string globs = s.report.allocFns;
    std::replace(globs.begin(), globs.end(), ':', '?');
    add("alloc_fns=" + globs);
  }
  add("exitcode=" + std::to_string(s.exitcode));
  for (const std::string& o : s.passThrough) add(o);
  return out;
}

namespace {

// Values in DEBUGMALLOC_OPTIONS end at ':', so a path holding one cannot be passed.
bool passable(const std::string& what, const std::string& value) {
  if (value.find(':') == std::string::npos) return true;
  std::cerr << "debugmalloc: " << what << " \"" << value
            << "\" contains ':', which DEBUGMALLOC_OPTIONS cannot carry; choose another path\n";
  return false;
}

}  // namespace

int executeRun(RunSettings s, const std::vector<std::string>& command) {
  if (command.empty()) {
    std::cerr << "debugmalloc run: no program given (try 'debugmalloc run --help')\n";
    return kExitBadInput;
  }
  std::string library = s.library;
  if (library.empty()) {
    std::vector<std::string> tried;
    auto found = findPreloadLibrary(tried);
    if (!found) {
      std::cerr << "debugmalloc run: cannot find libdebugmalloc.so (looked at";
      for (const std::string& t : tried) std::cerr << " " << t;
      std::cerr << "); use --library FILE\n";
      return kExitBadInput;
    }
    library = *found;
  }
  library = fs::absolute(library).string();
  if (library.find_first_of(": ") != std::string::npos) {
    std::cerr << "debugmalloc run: the library path \"" << library
              << "\" holds ':' or a space, which LD_PRELOAD cannot carry\n";
    return kExitBadInput;
  }
  if (!s.suppressions.empty()) {
    if (!passable("--suppressions", s.suppressions)) return kExitBadInput;
    s.report.suppressionFiles = {s.suppressions};
  }
  if (!s.guardSites.empty() && !passable("--guard-sites", s.guardSites)) return kExitBadInput;
  for (const std::string& o : s.passThrough)
    if (o.find('=') == std::string::npos) {
      std::cerr << "debugmalloc run: --option \"" << o << "\" is not name=value\n";
      return kExitBadInput;
    }

  // The report directory: the user's, or a fresh private one.
  bool temporary = s.reportDir.empty();
  std::string dir;
  if (temporary) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/debugmalloc-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      std::cerr << "debugmalloc run: cannot create a directory like " << pattern << ": " << std::strerror(errno)
                << "\n";
      return kExitBadInput;
    }
    dir = pattern;
  } else {
    std::error_code ec;
    fs::create_directories(s.reportDir, ec);
    if (ec || !fs::is_directory(s.reportDir)) {
      std::cerr << "debugmalloc run: cannot create --report-dir " << s.reportDir << ": " << ec.message() << "\n";
      return kExitBadInput;
    }
    dir = fs::absolute(s.reportDir).string();
  }
  auto cleanup = [&] {
    if (temporary && !s.keepReports) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    } else if (temporary) {
      std::cerr << "debugmalloc: report files kept in " << dir << "\n";
    }
  };
  if (!passable("the report directory", dir)) {
    cleanup();
    return kExitBadInput;
  }

  std::string options = libraryOptions(s) + ":report_dir=" + dir;
  ChildResult child = runChild(command, childEnvironment(library, options));
  if (!child.started) {
    std::cerr << "debugmalloc run: " << child.error << "\n";
    cleanup();
    return child.exitCode;
  }

  // A broken report file must not hide the program's result: skip it with a warning.
  s.report.paths = {dir};
  s.report.keepGoing = true;
  ReportOutcome outcome;
  int reportStatus = executeReport(s.report, /*toStderr=*/true, &outcome);
  cleanup();

  if (child.signaled) return 128 + child.signal;
  if (reportStatus == kExitFindings) return s.exitcode ? static_cast<int>(s.exitcode) : child.exitCode;
  // No findings that --fail-on names: the program's own status, not the one the library
  // forced because of findings that the user chose not to fail on.
  for (const Process& p : outcome.processes)
    if (p.pid == child.pid && p.forcedExitCode && p.exitCode && *p.forcedExitCode == child.exitCode)
      return static_cast<int>(*p.exitCode);
  if (reportStatus == kExitBadInput && child.exitCode == 0) return kExitBadInput;
  return child.exitCode;
}

}  // namespace dmtool
