// The HTML output: one self-contained page (inline CSS, JS and SVG; nothing fetched).
#include "frames.h"
#include "markup.h"
#include "render.h"
#include "source_snippet.h"

#include <algorithm>
#include <sstream>

namespace dmtool {
namespace {

const char* kStyle = R"(
:root { --err:#b3261e; --leak:#7b3fa0; --muted:#666; --bg:#fafafa; --line:#e4e4e4; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: var(--bg); color: #1d1d1d; }
header { background: #263238; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #cfd8dc; }
main { padding: 16px 24px; max-width: 1400px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 28px; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--err); margin: 12px 0; padding: 8px 14px; border-radius: 4px; }
.finding.leak { border-left-color: var(--leak); }
.finding h3 { margin: 4px 0; font-size: 15px; }
.kind { font-weight: 700; color: var(--err); }
.leak .kind { color: var(--leak); }
.meta { color: var(--muted); margin: 2px 0 6px; }
details { margin: 4px 0; }
summary { cursor: pointer; color: #0b57d0; }
ol.stack { margin: 4px 0; padding-left: 0; list-style: none; font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; }
ol.stack li { white-space: pre-wrap; word-break: break-all; }
ol.stack li.runtime { color: #999; }
.fn { color: #0b3d91; font-weight: 600; }
.file { color: #1b6e20; }
.mod { color: var(--muted); }
pre.source { background: #f3f3f3; border: 1px solid var(--line); padding: 6px 8px; overflow-x: auto; font-size: 12.5px; margin: 6px 0; }
pre.source .hit { background: #fff3b0; display: inline-block; width: 100%; }
.toolbar { margin: 8px 0; }
.toolbar button, .toolbar input { font: inherit; padding: 3px 10px; margin-right: 6px; }
.warn { color: #8a5300; }
svg text { font: 12px system-ui, sans-serif; }
.empty { color: var(--muted); font-style: italic; }
)";

const char* kScript = R"(
(function () {
  function all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  document.getElementById('expand').addEventListener('click', function () { all('details').forEach(function (d) { d.open = true; }); });
  document.getElementById('collapse').addEventListener('click', function () { all('details').forEach(function (d) { d.open = false; }); });
  document.getElementById('filter').addEventListener('input', function (e) {
    var q = e.target.value.toLowerCase();
    all('.finding').forEach(function (f) { f.style.display = f.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
  });
})();
)";

std::string pidText(const std::vector<std::int64_t>& pids) {
  std::string s = pids.size() == 1 ? "pid " : "pids ";
  for (std::size_t i = 0; i < pids.size(); ++i) s += (i ? ", " : "") + std::to_string(pids[i]);
  return s;
}

class HtmlWriter {
 public:
  HtmlWriter(std::ostream& out, const Model& model, const RenderOptions& options)
      : out_(out), model_(model), options_(options) {}

  void stack(const std::string& title, std::optional<StackId> id, bool open) {
    if (!id) return;
    const auto& frames = model_.stack(*id);
    auto user = topUserFrame(model_, frames);
    out_ << "<details" << (open ? " open" : "") << "><summary>" << escapeXml(title) << " (" << frames.size()
         << " frames)</summary><ol class=\"stack\">";
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const Frame& f = model_.frame(frames[i]);
      out_ << "<li" << (user && i < *user ? " class=\"runtime\"" : "") << ">#" << i << " <span class=\"fn\">"
           << escapeXml(f.function ? model_.str(f.function) : "??") << "</span>";
      if (f.file)
        out_ << " <span class=\"file\">" << escapeXml(model_.str(f.file))
             << (f.line ? ":" + std::to_string(f.line) : "") << "</span>";
      if (f.module)
        out_ << " <span class=\"mod\">(" << escapeXml(model_.str(model_.module(*f.module).path))
             << (f.offset ? "+" + hexString(*f.offset) : "") << ")</span>";
      out_ << "</li>";
    }
    out_ << "</ol></details>\n";
  }

  void snippet(std::optional<StackId> id) {
    if (!id) return;
    auto s = sources_.around(model_, model_.stack(*id), options_.sourceContext);
    if (!s) return;
    out_ << "<p class=\"meta\">source of <span class=\"fn\">" << escapeXml(s->function.empty() ? "??" : s->function)
         << "</span> at <span class=\"file\">" << escapeXml(s->file) << ":" << s->line << "</span></p>\n";
    out_ << "<pre class=\"source\" title=\"" << escapeXml(s->file) << "\">";
    for (const auto& [n, text] : s->lines) {
      std::ostringstream row;
      row << (n == s->line ? "&gt; " : "  ") << n << " | " << escapeXml(text);
      if (n == s->line)
        out_ << "<span class=\"hit\">" << row.str() << "</span>\n";
      else
        out_ << row.str() << "\n";
    }
    out_ << "</pre>\n";
  }

  // Bytes per leak site, largest first: a horizontal bar chart in inline SVG.
  void chart(const Findings& findings) {
    std::vector<const LeakGroup*> leaks;
    for (const LeakGroup& g : findings.leaks) leaks.push_back(&g);
    std::stable_sort(leaks.begin(), leaks.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
    if (leaks.size() > 20) leaks.resize(20);
    if (leaks.empty()) return;
    std::uint64_t max = std::max<std::uint64_t>(1, leaks.front()->bytes);
    const int labelWidth = 420, barWidth = 560, row = 24;
    int height = static_cast<int>(leaks.size()) * row + 10;
    out_ << "<h2>Leaked bytes per allocation site</h2>\n<svg id=\"leak-chart\" role=\"img\" width=\""
         << labelWidth + barWidth + 120 << "\" height=\"" << height << "\" viewBox=\"0 0 "
         << labelWidth + barWidth + 120 << " " << height
         << "\" xmlns=\"http://www.w3.org/2000/svg\"><title>Leaked bytes per allocation site</title>\n";
    for (std::size_t i = 0; i < leaks.size(); ++i) {
      const LeakGroup& g = *leaks[i];
      int y = static_cast<int>(i) * row + 4;
      int w = std::max(1, static_cast<int>(static_cast<double>(g.bytes) / static_cast<double>(max) * barWidth));
      std::string label = siteName(model_, g.stack);
      if (label.size() > 60) label = label.substr(0, 57) + "...";
      const char* colour = g.kind == LeakKind::kDefinite   ? "#7b3fa0"
                           : g.kind == LeakKind::kIndirect ? "#a678c2"
                                                           : "#c9b3d9";
      out_ << "<g><title>" << escapeXml(siteName(model_, g.stack)) << ": " << g.bytes << " bytes in " << g.blocks
           << " blocks " << leak_kind_phrase(g.kind) << "</title><text x=\"" << labelWidth - 6 << "\" y=\"" << y + 15
           << "\" text-anchor=\"end\">" << escapeXml(label) << "</text><rect x=\"" << labelWidth << "\" y=\"" << y
           << "\" width=\"" << w << "\" height=\"" << row - 6 << "\" fill=\"" << colour << "\"/><text x=\""
           << labelWidth + w + 6 << "\" y=\"" << y + 15 << "\">" << g.bytes << " B</text></g>\n";
    }
    out_ << "</svg>\n";
  }

 private:
  std::ostream& out_;
  const Model& model_;
  const RenderOptions& options_;
  SourceCache sources_;
};

}  // namespace

void renderHtml(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options) {
  HtmlWriter w(out, model, options);
  std::size_t incomplete = 0;
  for (const Process& p : model.processes) incomplete += p.incomplete;
  std::uint64_t leakedBytes = 0;  // in the groups listed below
  for (const LeakGroup& g : findings.leaks) leakedBytes += g.bytes;

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>debugmalloc report</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<header><h1>debugmalloc report</h1><p>" << model.processes.size() << " process"
      << (model.processes.size() == 1 ? "" : "es")
      << (incomplete ? ", " + std::to_string(incomplete) + " incomplete" : "") << " &middot; " << findings.errorCount
      << " error" << (findings.errorCount == 1 ? "" : "s") << " in " << findings.errors.size() << " group"
      << (findings.errors.size() == 1 ? "" : "s") << " &middot; ";
  if (findings.leaksCollected())
    out << leakedBytes << " bytes leaked in " << findings.leaks.size() << " group"
        << (findings.leaks.size() == 1 ? "" : "s");
  else
    out << "leaks not collected";
  out << "</p></header>\n<main>\n";

  for (const std::string& warning : options.warnings)
    out << "<p class=\"warn\">warning: " << escapeXml(warning) << "</p>\n";

  // Summary tables.
  out << "<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\"><tr><th>errors</th><th class=\"num\" "
         "colspan=\"2\">count</th></tr>\n";
  std::array<std::uint64_t, dm::kNumErrorKinds> byKind{};
  for (const ErrorGroup& g : findings.errors) byKind[static_cast<std::size_t>(g.kind)] += g.count;
  bool anyError = false;
  for (std::size_t k = 0; k < dm::kNumErrorKinds; ++k)
    if (byKind[k]) {
      anyError = true;
      out << "<tr><td>" << dm::kErrorKindNames[k] << "</td><td class=\"num\" colspan=\"2\">" << byKind[k]
          << "</td></tr>\n";
    }
  if (!anyError) out << "<tr><td colspan=\"3\" class=\"empty\">none</td></tr>\n";
  out << "<tr><th>leaks</th><th class=\"num\">bytes</th><th class=\"num\">blocks</th></tr>\n";
  bool anyLeak = false;
  for (std::size_t k = 0; findings.leaksCollected() && k < dm::kNumLeakKinds; ++k) {
    bool known = findings.totalKnown(k);
    if (known && findings.leakedBlocks[k] == 0) continue;
    anyLeak = true;
    out << "<tr><td>" << leak_kind_phrase(static_cast<LeakKind>(k))
        << (findings.totalListed(k) ? "" : " <span class=\"empty\">(not listed: see leak_kinds)</span>")
        << "</td><td class=\"num\">" << (known ? std::to_string(findings.leakedBytes[k]) : "?")
        << "</td><td class=\"num\">" << (known ? std::to_string(findings.leakedBlocks[k]) : "?") << "</td></tr>\n";
  }
  if (!findings.leaksCollected())
    out << "<tr><td colspan=\"3\" class=\"empty\">not collected (no process checked leaks at exit)</td></tr>\n";
  else if (!anyLeak)
    out << "<tr><td colspan=\"3\" class=\"empty\">none</td></tr>\n";
  const SuppressedCounts& s = findings.suppressed;
  out << "<tr><th>suppressed</th><td class=\"num\" colspan=\"2\">" << s.errors << " errors, " << s.leakBytes
      << " bytes in " << s.leakBlocks << " leaked blocks</td></tr>\n";
  if (findings.diff)
    out << "<tr><th>in the baseline</th><td class=\"num\" colspan=\"2\">" << findings.inBaseline
        << " groups</td></tr>\n";
  out << "</table>\n";

  w.chart(findings);

  out << "<div class=\"toolbar\"><button id=\"expand\" type=\"button\">Expand all</button>"
      << "<button id=\"collapse\" type=\"button\">Collapse all</button>"
      << "<input id=\"filter\" type=\"search\" placeholder=\"Filter findings\" aria-label=\"Filter findings\"></div>\n";

  out << "<h2 id=\"errors\">Errors (" << findings.errors.size() << " groups)</h2>\n";
  if (findings.errors.empty()) out << "<p class=\"empty\">No errors.</p>\n";
  std::size_t n = 0;
  for (const ErrorGroup& g : findings.errors) {
    const char* access = accessName(g.access);
    out << "<article class=\"finding error\" id=\"error-" << ++n << "\" data-kind=\"" << error_kind_name(g.kind)
        << (access ? std::string("\" data-access=\"") + access : std::string()) << "\"><h3><span class=\"kind\">"
        << error_kind_name(g.kind) << (access ? std::string(" (") + access + ")" : std::string())
        << "</span>: " << escapeXml(model.str(g.message))
        << "</h3>\n<p class=\"meta\">" << g.count << (g.count == 1 ? " time" : " times") << " in " << g.pids.size()
        << (g.pids.size() == 1 ? " process" : " processes") << " (" << pidText(g.pids) << ")</p>\n";
    w.snippet(g.stack ? g.stack : g.allocStack);
    if (!g.stack) out << "<p class=\"meta\">found by the heap check at exit</p>\n";
    w.stack("found at", g.stack, true);
    w.stack("allocated at", g.allocStack, false);
    w.stack("freed at", g.freeStack, false);
    out << "</article>\n";
  }

  out << "<h2 id=\"leaks\">Leaks (" << findings.leaks.size() << " groups)</h2>\n";
  if (findings.leaks.empty())
    out << "<p class=\"empty\">"
        << (findings.leaksCollected() ? "No leaks." : "Leaks not collected: no process checked leaks at exit.")
        << "</p>\n";
  std::vector<const LeakGroup*> leaks;
  for (const LeakGroup& g : findings.leaks) leaks.push_back(&g);
  std::stable_sort(leaks.begin(), leaks.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
  n = 0;
  for (const LeakGroup* g : leaks) {
    out << "<article class=\"finding leak\" id=\"leak-" << ++n << "\" data-kind=\"" << leak_kind_name(g->kind)
        << "\"><h3><span class=\"kind\">" << leak_kind_phrase(g->kind) << "</span>: " << g->bytes << " bytes in "
        << g->blocks << " blocks, allocated in " << escapeXml(siteName(model, g->stack)) << "</h3>\n<p class=\"meta\">"
        << pidText(g->pids);
    if (g->indirectBlocks)
      out << "; and " << g->indirectBytes << " bytes in " << g->indirectBlocks << " blocks reachable only through them";
    out << "</p>\n";
    w.snippet(g->stack);
    if (g->stack)
      w.stack("allocated at", g->stack, true);
    else
      out << "<p class=\"meta\">no stack recorded</p>\n";
    out << "</article>\n";
  }

  out << "<h2 id=\"processes\">Processes</h2>\n<table><tr><th class=\"num\">pid</th><th>command</th><th>report "
         "file</th><th>state</th></tr>\n";
  for (const Process& p : model.processes)
    out << "<tr><td class=\"num\">" << p.pid << "</td><td><code>" << escapeXml(p.command) << "</code></td><td><code>"
        << escapeXml(p.reportFile) << "</code></td><td>" << (p.incomplete ? "incomplete" : "finished")
        << "</td></tr>\n";
  out << "</table>\n</main>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace dmtool
