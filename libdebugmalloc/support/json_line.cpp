// JSON string escaping with UTF-8 validation.
#include "support/json_line.h"

#include <cstring>

namespace dm {

namespace {

// Length of the valid UTF-8 sequence starting at s (at most n bytes), or 0.
size_t utf8_sequence(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; ++i)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return len;
}

}  // namespace

JsonLine& JsonLine::string(const char* s) {
  if (s == nullptr) return null();
  return string(s, strlen(s));
}

JsonLine& JsonLine::string(const char* s, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  out_.ch('"');
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      out_.ch('\\').ch(static_cast<char>(c));
    } else if (c == '\n') {
      out_.str("\\n");
    } else if (c == '\t') {
      out_.str("\\t");
    } else if (c < 0x20 || c == 0x7F) {
      out_.str("\\u00").hex(c, 2);
    } else if (c < 0x80) {
      out_.ch(static_cast<char>(c));
    } else if (size_t len = utf8_sequence(p + i, n - i); len != 0) {
      out_.bytes(s + i, len);
      i += len;
      continue;
    } else {
      out_.str("\\u00").hex(c, 2);
    }
    ++i;
  }
  out_.ch('"');
  return *this;
}

}  // namespace dm
