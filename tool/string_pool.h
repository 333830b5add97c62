// Interned strings: each distinct string is stored once and named by a typed id.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dmtool {

// Id 0 is the null string ("unknown"), so a default-constructed id means "no value".
struct StringId {
  std::uint32_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend bool operator==(StringId, StringId) = default;
};

class StringPool {
 public:
  StringPool() { strings_.emplace_back(); }

  StringId intern(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    const std::string& stored = strings_.emplace_back(s);  // deque: references stay valid
    StringId id{static_cast<std::uint32_t>(strings_.size() - 1)};
    index_.emplace(std::string_view(stored), id);
    return id;
  }
  template <class Opt>
  StringId internOpt(const Opt& s) {
    return s ? intern(*s) : StringId{};
  }

  const std::string& operator[](StringId id) const { return strings_[id.value]; }
  std::size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;
  std::unordered_map<std::string_view, StringId> index_;
};

}  // namespace dmtool

template <>
struct std::hash<dmtool::StringId> {
  std::size_t operator()(dmtool::StringId id) const noexcept { return std::hash<std::uint32_t>()(id.value); }
};
