// Reading the baseline of --diff: report files, a directory of them, or a previous JSON output.
#include "baseline.h"

#include "frames.h"
#include "parse_error.h"

#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dmtool {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InputError(path, 0, "not a usable baseline: " + what);
}

std::string stringOr(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string stackKeyOf(const json& group, const char* member, unsigned depth, const std::string& allocFns,
                       const std::string& path) {
  auto it = group.find(member);
  if (it == group.end() || it->is_null()) return "";
  if (!it->is_array()) bad(path, std::string("\"") + member + "\" is not a list of frames");
  std::vector<std::string> keys;
  std::deque<std::string> texts;  // function, file and module of each frame: `frames` points into them
  std::vector<dm::FrameText> frames;
  for (const json& f : *it) {
    if (!f.is_object()) bad(path, std::string("a frame of \"") + member + "\" is not an object");
    std::uint32_t line = 0;
    if (auto l = f.find("line"); l != f.end() && l->is_number_unsigned()) line = l->get<std::uint32_t>();
    std::optional<std::uint64_t> offset;
    std::string off = stringOr(f, "offset");
    if (off.size() > 2 && off.size() <= 18 && off[0] == '0' && off[1] == 'x') {
      try {
        offset = std::stoull(off.substr(2), nullptr, 16);
      } catch (const std::exception&) {
        bad(path, "bad offset \"" + off + "\"");
      }
    }
    const std::string& function = texts.emplace_back(stringOr(f, "function"));
    const std::string& file = texts.emplace_back(stringOr(f, "file"));
    const std::string& module = texts.emplace_back(stringOr(f, "module"));
    keys.push_back(frameKeyFrom(function, file, line, module, offset, 0));
    dm::FrameText text;
    text.function = function.data();
    text.function_length = function.size();
    text.file = file.data();
    text.file_length = file.size();
    text.module = module.data();
    text.module_length = module.size();
    frames.push_back(text);
  }
  return stackKeyFrom(frames, keys, allocFns, depth);
}

}  // namespace

bool looksLikeJsonOutput(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("tool") && j["tool"] == "debugmalloc";
}

Baseline baselineFromJson(const std::string& text, const std::string& path, unsigned groupFrames,
                          const std::string& allocFns) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("tool") || j["tool"] != "debugmalloc") bad(path, "not a debugmalloc JSON output");
  if (auto v = j.find("format_version"); v == j.end() || !v->is_number_integer() || v->get<int>() != 1)
    bad(path, "unsupported \"format_version\" (this reader supports 1)");
  Baseline b;
  for (const char* list : {"errors", "leaks"}) {
    auto it = j.find(list);
    if (it == j.end()) continue;
    if (!it->is_array()) bad(path, std::string("\"") + list + "\" is not a list");
    for (const json& g : *it) {
      if (!g.is_object()) bad(path, std::string("an entry of \"") + list + "\" is not an object");
      std::string kind = stringOr(g, "kind");
      if (list[0] == 'e') {
        ErrorKind k{};
        if (!dm::error_kind_from_name(kind.data(), kind.size(), &k)) bad(path, "unknown error kind \"" + kind + "\"");
        std::string access = stringOr(g, "access");
        Access a = access == "read" ? Access::Read : access == "write" ? Access::Write : Access::Unknown;
        b.keys.insert(errorGroupKey(k, stackKeyOf(g, "stack", groupFrames, allocFns, path),
                                    stackKeyOf(g, "alloc_stack", groupFrames, allocFns, path), a));
      } else {
        LeakKind k{};
        if (!dm::leak_kind_from_name(kind.data(), kind.size(), &k)) bad(path, "unknown leak kind \"" + kind + "\"");
        b.keys.insert(leakGroupKey(k, stackKeyOf(g, "stack", groupFrames, allocFns, path)));
      }
    }
  }
  return b;
}

Baseline loadBaseline(const std::string& path, unsigned groupFrames, const LoadOptions& load,
                      const SymbolizeOptions* symbolizeOptions, const std::string& allocFns) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, 0, "cannot read the baseline");
    std::ostringstream text;
    text << in.rdbuf();
    // A JSON output is one object; a report file has one per line and does not parse whole.
    if (looksLikeJsonOutput(text.str())) return baselineFromJson(text.str(), path, groupFrames, allocFns);
  }
  LoadResult loaded = loadReports({path}, load);
  Model model;
  for (const ReportFile& r : loaded.reports) model.add(r);
  model.allocFns = allocFns;  // the run's wrappers: the same frames name the groups on both sides
  std::vector<std::string> ignored;
  if (symbolizeOptions)
    symbolize(model, *symbolizeOptions, ignored);
  else
    demangleNames(model);
  GroupOptions options;
  options.groupFrames = groupFrames;
  Findings findings = groupFindings(model, options);
  Baseline b;
  for (const ErrorGroup& g : findings.errors) b.keys.insert(g.key);
  for (const LeakGroup& g : findings.leaks) b.keys.insert(g.key);
  return b;
}

}  // namespace dmtool
