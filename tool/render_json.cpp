// The JSON output: exactly the contract of docs/report-format.md, plus a few extra summary members.
#include "frames.h"
#include "render.h"

#include <nlohmann/json.hpp>

namespace dmtool {
namespace {

using ojson = nlohmann::ordered_json;  // members in the contract's order

ojson nullable(StringId id, const Model& model) { return id ? ojson(model.str(id)) : ojson(nullptr); }

ojson frameJson(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  ojson j;
  j["function"] = nullable(f.function, model);
  j["file"] = nullable(f.file, model);
  j["line"] = f.line ? ojson(f.line) : ojson(nullptr);
  j["module"] = f.module ? nullable(model.module(*f.module).path, model) : ojson(nullptr);
  j["offset"] = f.offset ? ojson(hexString(*f.offset)) : ojson(nullptr);
  return j;
}

// An absent stack (e.g. no free stack for a block never freed) is an empty list, so that
// consumers can always iterate.
ojson stackJson(const Model& model, std::optional<StackId> id) {
  ojson list = ojson::array();
  if (id)
    for (FrameId f : model.stack(*id)) list.push_back(frameJson(model, f));
  return list;
}

}  // namespace

void renderJson(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions&) {
  ojson root;
  root["tool"] = "debugmalloc";
  root["format_version"] = 1;
  ojson processes = ojson::array();
  std::size_t incomplete = 0;
  for (const Process& p : model.processes) {
    ojson j;
    j["pid"] = p.pid;
    j["command"] = p.command;
    j["report_file"] = p.reportFile;
    j["incomplete"] = p.incomplete;
    incomplete += p.incomplete;
    processes.push_back(std::move(j));
  }
  root["processes"] = std::move(processes);

  ojson errors = ojson::array();
  for (const ErrorGroup& g : findings.errors) {
    ojson j;
    j["kind"] = error_kind_name(g.kind);
    if (const char* access = accessName(g.access)) j["access"] = access;  // optional: only when known
    j["count"] = g.count;
    j["pids"] = g.pids;
    j["message"] = model.str(g.message);
    j["stack"] = stackJson(model, g.stack);
    j["alloc_stack"] = stackJson(model, g.allocStack);
    j["free_stack"] = stackJson(model, g.freeStack);
    errors.push_back(std::move(j));
  }
  root["errors"] = std::move(errors);

  ojson leaks = ojson::array();
  for (const LeakGroup& g : findings.leaks) {
    ojson j;
    j["kind"] = leak_kind_name(g.kind);
    j["bytes"] = g.bytes;
    j["blocks"] = g.blocks;
    j["pids"] = g.pids;
    j["stack"] = stackJson(model, g.stack);
    leaks.push_back(std::move(j));
  }
  root["leaks"] = std::move(leaks);

  ojson summary;
  summary["errors"] = findings.errorCount;
  // Unknown totals (leaks not collected, or a kind not listed whose total is unknown) are null.
  ojson bytes, blocks, notListed = ojson::array();
  for (std::size_t k = 0; k < dm::kNumLeakKinds; ++k) {
    std::string kind(dm::kLeakKindNames[k]);
    bytes[kind] = findings.totalKnown(k) ? ojson(findings.leakedBytes[k]) : ojson(nullptr);
    blocks[kind] = findings.totalKnown(k) ? ojson(findings.leakedBlocks[k]) : ojson(nullptr);
    if (findings.leaksCollected() && !findings.totalListed(k)) notListed.push_back(kind);
  }
  summary["leaked_bytes"] = std::move(bytes);
  // Beyond the contract (allowed): blocks; the kinds whose groups are not in "leaks" (the
  // library's leak_kinds option: their totals are the library's, suppressions not applied);
  // what was left out, and the processes that died early.
  summary["leaked_blocks"] = std::move(blocks);
  summary["leak_kinds_not_listed"] = std::move(notListed);
  summary["suppressed"] = {{"errors", findings.suppressed.errors},
                           {"leak_blocks", findings.suppressed.leakBlocks},
                           {"leak_bytes", findings.suppressed.leakBytes}};
  summary["processes"] = model.processes.size();
  summary["incomplete_processes"] = incomplete;
  if (findings.diff) summary["in_baseline"] = findings.inBaseline;
  root["summary"] = std::move(summary);

  out << root.dump(2, ' ', false, ojson::error_handler_t::replace) << '\n';
}

}  // namespace dmtool
