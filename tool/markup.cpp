// Helpers shared by the markup renderers: escaping, one-line frame text, stable hashes.
#include "markup.h"

#include "frames.h"

namespace dmtool {

std::string escapeXml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

std::string frameText(const Model& model, FrameId id) {
  const Frame& f = model.frame(id);
  std::string s = f.function ? model.str(f.function) : "??";
  if (f.file) {
    s += " " + model.str(f.file);
    if (f.line) s += ":" + std::to_string(f.line);
  }
  if (f.module) {
    s += " (" + model.str(model.module(*f.module).path);
    if (f.offset) s += "+" + hexString(*f.offset);
    s += ")";
  } else if (!f.function) {
    s += " " + hexString(f.pc);
  }
  return s;
}

std::string siteName(const Model& model, std::optional<StackId> stack) {
  if (!stack) return "(no stack)";
  const std::vector<FrameId>& frames = model.stack(*stack);
  if (frames.empty()) return "(no frames)";
  auto user = topUserFrame(model, frames);
  const Frame& f = model.frame(frames[user ? *user : 0]);
  if (f.function) {
    std::string s = model.str(f.function);
    if (f.file)
      s += " (" + std::string(baseName(model.str(f.file))) + (f.line ? ":" + std::to_string(f.line) : "") + ")";
    return s;
  }
  // Not symbolized: where it is in its module says more than a neighbour's name.
  if (f.module && f.offset)
    return std::string(baseName(model.str(model.module(*f.module).path))) + "+" + hexString(*f.offset);
  return hexString(f.pc);
}

std::string fingerprint(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  std::string hex = hexString(h).substr(2);
  return std::string(16 - hex.size(), '0') + hex;
}

std::string uriPath(std::string_view path) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

}  // namespace dmtool
