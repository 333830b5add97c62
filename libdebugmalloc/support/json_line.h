// Builds one JSON Lines record of the report file into a TextBuffer, without
// allocating. Strings are escaped; bytes that are not UTF-8 become \u00XX.
#pragma once

#include <cstdint>

#include "support/text_buffer.h"

namespace dm {

class JsonLine {
 public:
  JsonLine(TextBuffer& out, const char* type) : out_(out) { out_.str("{\"t\":\"").str(type).ch('"'); }

  JsonLine& key(const char* name) {
    out_.str(",\"").str(name).str("\":");
    return *this;
  }
  JsonLine& string(const char* s);  // null for nullptr
  JsonLine& string(const char* s, size_t n);
  JsonLine& number(int64_t v) {
    out_.sdec(v);
    return *this;
  }
  JsonLine& unsigned_number(uint64_t v) {
    out_.dec(v);
    return *this;
  }
  JsonLine& hex(uint64_t v) {
    out_.str("\"0x").hex(v).ch('"');
    return *this;
  }
  JsonLine& boolean(bool v) {
    out_.str(v ? "true" : "false");
    return *this;
  }
  JsonLine& null() {
    out_.str("null");
    return *this;
  }
  JsonLine& raw(const char* text) {
    out_.str(text);
    return *this;
  }
  void end() { out_.str("}\n"); }
  TextBuffer& buffer() { return out_; }

 private:
  TextBuffer& out_;
};

}  // namespace dm
