// A small, fast JSON reader for report lines: one parse per line into a flat, reusable tree.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace dmtool::json_lite {

// The report files of a test suite are hundreds of megabytes of short JSON lines; a general
// DOM (nlohmann::json) spends most of its time allocating maps and strings. This reader
// keeps strings as views into the line (unescaped copies only when a string has escapes)
// and children in one vector, reused from line to line. It accepts exactly RFC 8259 JSON
// with valid UTF-8, and limits nesting (kMaxDepth) so that no input can exhaust the stack.

enum class Type : std::uint8_t { Null, Bool, Integer, Number, String, Array, Object };

struct Value {
  Type type = Type::Null;
  bool boolean = false;
  bool integerTooLarge = false;  // an integer literal outside int64/uint64
  bool isUnsigned = false;       // integer above INT64_MAX, held in `unsignedValue`
  std::int64_t integer = 0;
  std::uint64_t unsignedValue = 0;
  std::string_view string;  // String: the decoded text; also the key of an object member
  std::string_view key;
  std::uint32_t first = 0, count = 0;  // Array/Object: children are nodes[first, first+count)
};

class Document {
 public:
  static constexpr int kMaxDepth = 64;

  // Parses `text` (one whole JSON value, surrounding whitespace allowed). Returns false on any
  // error; the views in the tree stay valid while `text` and this document live, until the
  // next parse().
  bool parse(std::string_view text);

  const Value& root() const { return root_; }
  // The member `key` of an object, or nullptr.
  const Value* find(const Value& object, std::string_view key) const;
  const Value* begin(const Value& v) const { return nodes_.data() + v.first; }
  const Value* end(const Value& v) const { return nodes_.data() + v.first + v.count; }

 private:
  bool value(Value& out, int depth);
  bool string(std::string_view& out);
  bool number(Value& out);
  bool literal(std::string_view word);
  void skipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  Value root_;
  std::vector<Value> nodes_;
  std::vector<std::vector<Value>> scratch_;  // per depth, reused: children being collected
  std::deque<std::string> decoded_;          // strings that had escapes
};

}  // namespace dmtool::json_lite
