// JUnit XML: one test case per finding group, so CI systems show findings natively.
#include "frames.h"
#include "markup.h"
#include "render.h"

#include <sstream>

namespace dmtool {
namespace {

std::string stackText(const Model& model, const std::string& title, std::optional<StackId> id) {
  if (!id) return "";
  std::string s = title + ":\n";
  const auto& frames = model.stack(*id);
  for (std::size_t i = 0; i < frames.size(); ++i)
    s += "    #" + std::to_string(i) + " " + frameText(model, frames[i]) + "\n";
  return s;
}

struct Case {
  std::string classname, name, type, message, body;
  bool failed;
};

}  // namespace

void renderJunit(std::ostream& out, const Model& model, const Findings& findings, const RenderOptions& options) {
  std::vector<Case> cases;
  for (const ErrorGroup& g : findings.errors) {
    std::string body = std::string(error_kind_name(g.kind)) + ": " + model.str(g.message) + "\n" +
                       std::to_string(g.count) + " time(s), pids";
    for (auto p : g.pids) body += " " + std::to_string(p);
    body += "\n" + stackText(model, "found at", g.stack) + stackText(model, "allocated at", g.allocStack) +
            stackText(model, "freed at", g.freeStack);
    cases.push_back({"debugmalloc.errors." + std::string(error_kind_name(g.kind)),
                     std::string(error_kind_name(g.kind)) + " in " + siteName(model, g.stack ? g.stack : g.allocStack),
                     std::string(error_kind_name(g.kind)), model.str(g.message), body, options.failOn.errors});
  }
  for (const LeakGroup& g : findings.leaks) {
    std::string message = std::to_string(g.bytes) + " bytes in " + std::to_string(g.blocks) + " blocks " +
                          std::string(leak_kind_phrase(g.kind));
    std::string body = message + "\npids";
    for (auto p : g.pids) body += " " + std::to_string(p);
    body += "\n" + stackText(model, "allocated at", g.stack);
    cases.push_back({"debugmalloc.leaks." + std::string(leak_kind_name(g.kind)),
                     std::string(leak_kind_name(g.kind)) + " leak in " + siteName(model, g.stack),
                     "leak-" + std::string(leak_kind_name(g.kind)), message, body, options.failOn.names(g.kind)});
  }
  bool passingCase = cases.empty();
  if (passingCase)
    cases.push_back({"debugmalloc",
                     findings.leaksCollected() ? "no heap errors or leaks" : "no heap errors (leaks not collected)", "",
                     "", "", false});

  std::size_t failures = 0;
  for (const Case& c : cases) failures += c.failed;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"debugmalloc\" tests=\"" << cases.size()
      << "\" failures=\"" << failures << "\" errors=\"0\">\n  <testsuite name=\"debugmalloc\" tests=\"" << cases.size()
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"0\">\n    <properties>\n";
  for (std::size_t i = 0; i < model.processes.size(); ++i)
    out << "      <property name=\"process." << i + 1 << "\" value=\"pid " << model.processes[i].pid << ": "
        << escapeXml(model.processes[i].command) << "\"/>\n";
  out << "    </properties>\n";
  for (const Case& c : cases) {
    out << "    <testcase classname=\"" << escapeXml(c.classname) << "\" name=\"" << escapeXml(c.name)
        << "\" time=\"0\"";
    if (c.body.empty()) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    if (c.failed)
      out << "      <failure type=\"" << escapeXml(c.type) << "\" message=\"" << escapeXml(c.message) << "\">"
          << escapeXml(c.body) << "</failure>\n";
    else  // found, but not something --fail-on names: shown, not failed
      out << "      <system-out>" << escapeXml(c.body) << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace dmtool
