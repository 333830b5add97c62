// Format names, --fail-on, and dispatch to the renderers.
#include "render.h"

namespace dmtool {

std::optional<Format> parseFormat(std::string_view s) {
  if (s == "text") return Format::Text;
  if (s == "json") return Format::Json;
  if (s == "sarif") return Format::Sarif;
  if (s == "html") return Format::Html;
  if (s == "xml") return Format::Xml;
  if (s == "junit") return Format::Junit;
  if (s == "suppressions") return Format::Suppressions;
  if (s == "valgrind-suppressions") return Format::ValgrindSuppressions;
  return std::nullopt;
}

std::optional<FailOn> FailOn::parse(std::string_view list, std::string& bad) {
  FailOn f;
  f.errors = false;
  f.leaks = {};
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t comma = list.find(',', pos);
    std::string_view word = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (word.empty() || word == "none") continue;
    if (word == "errors" || word == "error") {
      f.errors = true;
    } else if (word == "all") {
      f.errors = true;
      f.leaks = {true, true, true, true};
    } else if (word == "leaks") {  // the default leak kinds
      f.leaks[0] = f.leaks[1] = true;
    } else if (LeakKind k{}; dm::leak_kind_from_name(word.data(), word.size(), &k)) {
      f.leaks[static_cast<std::size_t>(k)] = true;
    } else {
      bad = std::string(word);
      return std::nullopt;
    }
  }
  return f;
}

bool failing(const Findings& findings, const FailOn& failOn) {
  if (failOn.errors && !findings.errors.empty()) return true;
  for (const LeakGroup& g : findings.leaks)
    if (failOn.names(g.kind)) return true;
  return false;
}

void render(Format format, std::ostream& out, const Model& model, const Findings& findings,
            const RenderOptions& options) {
  switch (format) {
    case Format::Text:
      return renderText(out, model, findings, options);
    case Format::Json:
      return renderJson(out, model, findings, options);
    case Format::Sarif:
      return renderSarif(out, model, findings, options);
    case Format::Html:
      return renderHtml(out, model, findings, options);
    case Format::Xml:
      return renderValgrindXml(out, model, findings, options);
    case Format::Junit:
      return renderJunit(out, model, findings, options);
    case Format::Suppressions:
      return renderSuppressions(out, model, findings, options);
    case Format::ValgrindSuppressions:
      return renderValgrindSuppressions(out, model, findings, options);
  }
}

}  // namespace dmtool
