// The renderers: one function per output format, all reading the same Model and Findings.
#pragma once

#include "findings.h"
#include "model.h"

#include <array>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace dmtool {

enum class Format { Text, Json, Sarif, Html, Xml, Junit, Suppressions, ValgrindSuppressions };
std::optional<Format> parseFormat(std::string_view s);

// Which findings make the exit status 1 (--fail-on).
struct FailOn {
  bool errors = true;
  std::array<bool, dm::kNumLeakKinds> leaks = {true, true, false, false};
  // "errors,definite,indirect"; also "all" and "none". nullopt + `bad` set on an unknown word.
  static std::optional<FailOn> parse(std::string_view list, std::string& bad);
  bool names(LeakKind k) const { return leaks[static_cast<std::size_t>(k)]; }
};

// True when the findings hold something --fail-on names.
bool failing(const Findings& findings, const FailOn& failOn);

struct RenderOptions {
  bool color = false;                 // ANSI colours (text only)
  unsigned sourceContext = 2;         // lines shown around the top user frame (text, html)
  std::string sourceRoot;             // SARIF: paths under it are written relative to it
  FailOn failOn;                      // JUnit: which groups are failures
  std::vector<std::string> warnings;  // shown in text and html
};

void renderText(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderJson(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderSarif(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderHtml(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderValgrindXml(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderJunit(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
// One suppression per finding group: KIND:PATTERN rules, or Valgrind entries (render_suppressions.cpp).
void renderSuppressions(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options);
void renderValgrindSuppressions(std::ostream& out, const Model& model, const Findings& findings,
                                const RenderOptions& options);

void render(Format format, std::ostream& out, const Model& model, const Findings& findings,
            const RenderOptions& options);

}  // namespace dmtool
