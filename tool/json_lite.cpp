// A small, fast JSON reader for report lines (RFC 8259, UTF-8 checked, nesting limited).
#include "json_lite.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace dmtool::json_lite {

namespace {

// Length of the UTF-8 sequence at p (1..4), or 0 if it is not valid UTF-8 (overlong forms,
// surrogates and values above U+10FFFF included).
int utf8Length(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  auto cont = [&](int i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Document::parse(std::string_view text) {
  p_ = text.data();
  end_ = text.data() + text.size();
  nodes_.clear();
  decoded_.clear();
  root_ = Value{};
  skipSpace();
  if (!value(root_, 0)) return false;
  skipSpace();
  return p_ == end_;
}

const Value* Document::find(const Value& object, std::string_view key) const {
  if (object.type != Type::Object) return nullptr;
  for (const Value* v = begin(object); v != end(object); ++v)
    if (v->key == key) return v;
  return nullptr;
}

bool Document::literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
  p_ += word.size();
  return true;
}

bool Document::value(Value& out, int depth) {
  if (p_ >= end_) return false;
  switch (*p_) {
    case '{':
    case '[': {
      if (depth >= kMaxDepth) return false;
      bool object = *p_ == '{';
      char close = object ? '}' : ']';
      ++p_;
      if (scratch_.size() <= static_cast<std::size_t>(depth)) scratch_.resize(depth + 1);
      std::vector<Value>& children = scratch_[depth];
      children.clear();
      skipSpace();
      if (p_ < end_ && *p_ == close) {
        ++p_;
      } else {
        for (;;) {
          Value child;
          if (object) {
            if (p_ >= end_ || *p_ != '"') return false;
            if (!string(child.key)) return false;
            skipSpace();
            if (p_ >= end_ || *p_ != ':') return false;
            ++p_;
            skipSpace();
          }
          std::string_view key = child.key;
          if (!value(child, depth + 1)) return false;
          child.key = key;
          // `children` may have moved if a deeper level grew scratch_: index again.
          scratch_[depth].push_back(child);
          skipSpace();
          if (p_ < end_ && *p_ == ',') {
            ++p_;
            skipSpace();
            continue;
          }
          if (p_ < end_ && *p_ == close) {
            ++p_;
            break;
          }
          return false;
        }
      }
      std::vector<Value>& done = scratch_[depth];
      out.type = object ? Type::Object : Type::Array;
      out.first = static_cast<std::uint32_t>(nodes_.size());
      out.count = static_cast<std::uint32_t>(done.size());
      nodes_.insert(nodes_.end(), done.begin(), done.end());
      return true;
    }
    case '"':
      out.type = Type::String;
      return string(out.string);
    case 't':
      out.type = Type::Bool;
      out.boolean = true;
      return literal("true");
    case 'f':
      out.type = Type::Bool;
      return literal("false");
    case 'n':
      out.type = Type::Null;
      return literal("null");
    default:
      return number(out);
  }
}

bool Document::string(std::string_view& out) {
  ++p_;  // the opening quote
  const char* start = p_;
  // Fast path: no escapes, only checking UTF-8 and control characters.
  while (p_ < end_) {
    unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out = std::string_view(start, p_ - start);
      ++p_;
      return true;
    }
    if (c == '\\') break;
    if (c < 0x20) return false;
    if (c < 0x80) {
      ++p_;
      continue;
    }
    int n = utf8Length(reinterpret_cast<const unsigned char*>(p_), reinterpret_cast<const unsigned char*>(end_));
    if (!n) return false;
    p_ += n;
  }
  if (p_ >= end_) return false;
  // Slow path: decode escapes into a copy that lives as long as the document.
  std::string& s = decoded_.emplace_back(start, p_ - start);
  while (p_ < end_) {
    unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out = s;
      ++p_;
      return true;
    }
    if (c < 0x20) return false;
    if (c != '\\') {
      int n = utf8Length(reinterpret_cast<const unsigned char*>(p_), reinterpret_cast<const unsigned char*>(end_));
      if (!n) return false;
      s.append(p_, n);
      p_ += n;
      continue;
    }
    if (++p_ >= end_) return false;
    switch (*p_++) {
      case '"':
        s += '"';
        break;
      case '\\':
        s += '\\';
        break;
      case '/':
        s += '/';
        break;
      case 'b':
        s += '\b';
        break;
      case 'f':
        s += '\f';
        break;
      case 'n':
        s += '\n';
        break;
      case 'r':
        s += '\r';
        break;
      case 't':
        s += '\t';
        break;
      case 'u': {
        auto hex4 = [&](std::uint32_t& cp) {
          if (end_ - p_ < 4) return false;
          cp = 0;
          for (int i = 0; i < 4; ++i) {
            int d = hexDigit(p_[i]);
            if (d < 0) return false;
            cp = cp << 4 | static_cast<std::uint32_t>(d);
          }
          p_ += 4;
          return true;
        };
        std::uint32_t cp;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
          std::uint32_t low;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        appendUtf8(s, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

bool Document::number(Value& out) {
  const char* start = p_;
  bool negative = false;
  if (p_ < end_ && *p_ == '-') {
    negative = true;
    ++p_;
  }
  if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
  std::uint64_t magnitude = 0;
  bool overflow = false;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      auto digit = static_cast<std::uint64_t>(*p_ - '0');
      if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
        overflow = true;
      else
        magnitude = magnitude * 10 + digit;
      ++p_;
    }
  }
  bool fraction = false;
  if (p_ < end_ && *p_ == '.') {
    fraction = true;
    ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    fraction = true;
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (fraction) {
    // Like nlohmann::json (and so like any JSON tool a person might check the file with),
    // refuse a number that overflows a double. Rare: reports write integers only.
    std::string literal(start, p_);
    out.type = Type::Number;
    return std::isfinite(std::strtod(literal.c_str(), nullptr));
  }
  out.type = Type::Integer;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (overflow || (negative && magnitude > kMax + 1)) {
    out.integerTooLarge = true;
  } else if (negative) {
    out.integer =
        magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(magnitude);
  } else if (magnitude > kMax) {
    out.isUnsigned = true;
    out.unsignedValue = magnitude;
  } else {
    out.integer = static_cast<std::int64_t>(magnitude);
  }
  return true;
}

}  // namespace dmtool::json_lite
