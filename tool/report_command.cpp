// `debugmalloc report`: its options and the pipeline read -> merge -> symbolize -> group -> render.
#include "report_command.h"

#include "baseline.h"
#include "frames.h"
#include "grouping.h"
#include "inputs.h"
#include "model.h"
#include "parse_error.h"
#include "render.h"
#include "suppressions.h"
#include "symbolizer.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace dmtool {

void addReportOptions(CLI::App& app, ReportSettings& s, bool forRun) {
  const char* out = "Output";
  app.add_option("-f,--format", s.format,
                 "text (default), json, sarif, html, xml (Valgrind's), junit, or a suppression file for the "
                 "findings: suppressions (KIND:PATTERN rules) or valgrind-suppressions (Valgrind's entries)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json", "sarif", "html", "xml", "junit", "suppressions", "valgrind-suppressions"}))
      ->group(out);
  app.add_option("-o,--output", s.output,
                 forRun ? "write the report to FILE (default: stderr; '-' = stdout)"
                        : "write the report to FILE (default: stdout)")
      ->type_name("FILE")
      ->group(out);
  app.add_option("--color", s.color, "colour the text report: auto (on a terminal), always, never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->group(out);
  app.add_option("--source-context", s.sourceContext,
                 "source lines shown on each side of the top user frame (text, html; 0 = none)")
      ->type_name("N")
      ->group(out);
  app.add_option("--source-root", s.sourceRoot, "SARIF paths are made relative to DIR (default: the current directory)")
      ->type_name("DIR")
      ->group(out);

  const char* sel = forRun ? "Findings" : "Selecting findings";
  if (!forRun)
    app.add_option("--suppressions", s.suppressionFiles, "leave out findings matching FILE's rules (repeatable)")
        ->type_name("FILE")
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->group(sel);
  app.add_option("--fail-on", s.failOn,
                 "findings that make the exit status non-zero: a comma list of errors, definite, indirect, "
                 "possible, reachable, all, none")
      ->type_name("LIST")
      ->group(sel);
  app.add_option("--group-frames", s.groupFrames,
                 "group stacks on N frames only, from the frame that names them (default: all)")
      ->type_name("N")
      ->group(sel);
  app.add_option("--alloc-fns", s.allocFns,
                 std::string("allocation wrappers: a comma list of globs of functions that only allocate for their "
                             "caller; a finding is named and grouped after the first frame below them. Added to the "
                             "built-ins (xmalloc, g_malloc*, strdup, operator new*, PyMem_Malloc, ...) and to each "
                             "process's alloc_fns option; '-' in the list drops the built-ins") +
                     (forRun ? " (alloc_fns; passed to the library too)" : ""))
      ->type_name("GLOBS")
      ->group(sel);
  if (!forRun) {
    app.add_option(
           "--diff", s.diff,
           "show only what is new since BASELINE: report files, a directory, or a previous --format json output")
        ->type_name("BASELINE")
        ->group(sel);
    app.add_flag("-k,--keep-going", s.keepGoing, "skip unreadable report files with a warning instead of failing")
        ->group(sel);
  }
  const char* adv = "Advanced";
  app.add_option("-j,--jobs", s.jobs, "threads reading report files (default: one per core)")
      ->type_name("N")
      ->group(adv);
  app.add_option("--debug-root", s.debugRoot,
                 "where separate debug files are found by build-id (default /usr/lib/debug)")
      ->type_name("DIR")
      ->group(adv);
  app.add_flag_callback(
         "--no-symbolize", [&s] { s.symbolize = false; }, "do not symbolize frames the library could not")
      ->group(adv);
}

namespace {

bool wantColor(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return ::isatty(fd) && !std::getenv("NO_COLOR") && !(term && std::string(term) == "dumb");
}

}  // namespace

int executeReport(const ReportSettings& s, bool toStderr, ReportOutcome* outcome) {
  try {
    Format format = *parseFormat(s.format);
    std::string bad;
    auto failOn = FailOn::parse(s.failOn, bad);
    if (!failOn) {
      std::cerr << "debugmalloc: --fail-on: unknown word \"" << bad
                << "\" (expected errors, definite, indirect, possible, reachable, all, none)\n";
      return kExitBadInput;
    }
    Suppressions suppressions;
    for (const std::string& file : s.suppressionFiles) suppressions.append(Suppressions::load(file));

    LoadOptions load{s.keepGoing, s.jobs};
    LoadResult loaded = loadReports(s.paths, load);
    RenderOptions render;
    render.warnings = std::move(loaded.warnings);
    render.warnings.insert(render.warnings.begin(), suppressions.warnings().begin(), suppressions.warnings().end());

    Model model;
    for (const ReportFile& r : loaded.reports) model.add(r);
    model.allocFns = effectiveAllocFns(s.allocFns, loaded.reports);
    loaded.reports.clear();
    SymbolizeOptions symOptions{s.debugRoot};
    if (s.symbolize)
      symbolize(model, symOptions, render.warnings);
    else
      demangleNames(model);

    std::optional<Baseline> baseline;
    if (!s.diff.empty())
      baseline = loadBaseline(s.diff, s.groupFrames, load, s.symbolize ? &symOptions : nullptr, model.allocFns);

    GroupOptions group;
    group.groupFrames = s.groupFrames;
    group.suppressions = suppressions.empty() ? nullptr : &suppressions;
    group.baseline = baseline ? &*baseline : nullptr;
    Findings findings = groupFindings(model, group);
    if (outcome) outcome->processes = model.processes;

    render.failOn = *failOn;
    render.sourceContext = s.sourceContext;
    render.sourceRoot = s.sourceRoot.empty() ? std::filesystem::current_path().string() : s.sourceRoot;

    // Warnings of machine formats go to stderr; text and html show them in the output.
    if (format != Format::Text && format != Format::Html)
      for (const std::string& w : render.warnings) std::cerr << "debugmalloc: warning: " << w << "\n";

    if (!s.output.empty() && s.output != "-") {
      std::ofstream file(s.output, std::ios::binary | std::ios::trunc);
      if (!file) {
        std::cerr << "debugmalloc: " << s.output << ": cannot write the report\n";
        return kExitBadInput;
      }
      render.color = s.color == "always";
      dmtool::render(format, file, model, findings, render);
      file.flush();
      if (!file) {
        std::cerr << "debugmalloc: " << s.output << ": write failed\n";
        return kExitBadInput;
      }
    } else {
      bool useStderr = toStderr && s.output.empty();
      render.color = format == Format::Text && wantColor(s.color, useStderr ? 2 : 1);
      std::ostream& out = useStderr ? std::cerr : std::cout;
      dmtool::render(format, out, model, findings, render);
      out.flush();
    }
    return failing(findings, *failOn) ? kExitFindings : kExitClean;
  } catch (const InputError& e) {
    std::cerr << "debugmalloc: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {  // e.g. a directory that vanished while being read
    std::cerr << "debugmalloc: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace dmtool
