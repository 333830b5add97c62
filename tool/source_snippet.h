// Source lines around a frame, read from the file on disk when it is there.
#pragma once

#include "model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dmtool {

struct Snippet {
  std::string file;        // as shown (the frame's path)
  std::uint32_t line = 0;  // the frame's line, marked in the output
  std::string function;
  std::vector<std::pair<std::uint32_t, std::string>> lines;  // (number, text)
};

class SourceCache {
 public:
  // The snippet of the first user frame of `stack` (frames.h), `context` lines each side;
  // nullopt when there is no such frame, no line, or the file cannot be read.
  std::optional<Snippet> around(const Model& model, const std::vector<FrameId>& stack, unsigned context);

 private:
  const std::vector<std::string>* load(const std::string& path);
  std::unordered_map<std::string, std::optional<std::vector<std::string>>> files_;
};

}  // namespace dmtool
