// Source lines around a frame, read from the file on disk when it is there.
#include "source_snippet.h"

#include "frames.h"

#include <fstream>
#include <sys/stat.h>

namespace dmtool {

const std::vector<std::string>* SourceCache::load(const std::string& path) {
  auto [it, inserted] = files_.try_emplace(path);
  if (inserted) {
    // Only regular files of a sane size: a frame's path could name a device or a FIFO.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (64 << 20)) {
      std::ifstream in(path, std::ios::binary);
      if (in) {
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          lines.push_back(std::move(line));
        }
        it->second = std::move(lines);
      }
    }
  }
  return it->second ? &*it->second : nullptr;
}

std::optional<Snippet> SourceCache::around(const Model& model, const std::vector<FrameId>& stack, unsigned context) {
  if (context == 0) return std::nullopt;
  auto index = topUserFrame(model, stack);
  if (!index) return std::nullopt;
  const Frame& f = model.frame(stack[*index]);
  if (!f.file || !f.line) return std::nullopt;
  const std::vector<std::string>* lines = load(model.str(f.file));
  if (!lines || f.line > lines->size()) return std::nullopt;
  Snippet s;
  s.file = model.str(f.file);
  s.line = f.line;
  s.function = model.str(f.function);
  std::uint32_t first = f.line > context ? f.line - context : 1;
  std::uint32_t last = std::min<std::uint64_t>(lines->size(), std::uint64_t{f.line} + context);
  for (std::uint32_t n = first; n <= last; ++n) s.lines.emplace_back(n, (*lines)[n - 1]);
  return s;
}

}  // namespace dmtool
