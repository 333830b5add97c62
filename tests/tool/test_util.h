// Helpers for the reporter's unit tests: fixture paths and building a Model from report text.
#pragma once

#include "grouping.h"
#include "model.h"
#include "report_parser.h"

#include <string>
#include <vector>

namespace dmtool::test {

inline std::string fixture(const std::string& rel) { return std::string(DM_FIXTURES) + "/" + rel; }

// A minimal report: the process record, `body` lines, and an end record.
inline std::string reportText(const std::string& body, int pid = 100, bool end = true) {
  std::string s = R"({"t":"process","format":"debugmalloc-report","version":1,"pid":)" + std::to_string(pid) +
                  R"(,"command":["./t"]})" "\n" + body;
  if (end) s += R"({"t":"end","reason":"exit","exit_code":0})" "\n";
  return s;
}

inline Model modelOf(const std::vector<std::string>& texts) {
  Model m;
  int n = 0;
  for (const std::string& t : texts) m.add(parseReport(t, "t" + std::to_string(n++) + ".report", EndRule::Required));
  return m;
}

}  // namespace dmtool::test
