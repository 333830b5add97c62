// A bounded text formatter into a fixed buffer: how the library builds every
// message without calling malloc or printf. Text past the capacity is dropped
// (and marked with "..."), never written out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "support/platform.h"

namespace dm {

class TextBuffer {
 public:
  TextBuffer(char* storage, size_t capacity) : data_(storage), capacity_(capacity) {}

  TextBuffer& str(const char* s) { return bytes(s, strlen(s)); }
  TextBuffer& bytes(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) ch(s[i]);
    return *this;
  }
  TextBuffer& ch(char c) {
    if (len_ < capacity_)
      data_[len_++] = c;
    else
      truncated_ = true;
    return *this;
  }
  TextBuffer& dec(uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) ch(tmp[--n]);
    return *this;
  }
  TextBuffer& sdec(int64_t v) {
    if (v < 0) {
      ch('-');
      return dec(static_cast<uint64_t>(-(v + 1)) + 1);
    }
    return dec(static_cast<uint64_t>(v));
  }
  // Hex digits without prefix, at least `min_digits` of them.
  TextBuffer& hex(uint64_t v, int min_digits = 1, bool upper = false) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[16];
    int n = 0;
    do {
      tmp[n++] = digits[v & 15];
      v >>= 4;
    } while (v != 0);
    while (n < min_digits && n < 16) tmp[n++] = '0';
    while (n > 0) ch(tmp[--n]);
    return *this;
  }
  TextBuffer& ptr(uintptr_t v) { return str("0x").hex(v); }
  TextBuffer& pad_to(size_t column) {
    while (len_ < column && len_ < capacity_) ch(' ');
    return *this;
  }

  const char* data() const { return data_; }
  size_t size() const { return len_; }
  bool truncated() const { return truncated_; }
  void clear() {
    len_ = 0;
    truncated_ = false;
  }
  // Writes the text to `fd` and empties the buffer.
  void flush(int fd) {
    if (truncated_ && capacity_ >= 4) {
      memcpy(data_ + capacity_ - 4, "...\n", 4);
      len_ = capacity_;
    }
    os_write_all(fd, data_, len_);
    clear();
  }

 private:
  char* data_;
  size_t capacity_;
  size_t len_ = 0;
  bool truncated_ = false;
};

// A TextBuffer with its storage inline (on the stack: keep N modest).
template <size_t N>
class InlineText : public TextBuffer {
 public:
  InlineText() : TextBuffer(storage_, N) {}

 private:
  char storage_[N];
};

}  // namespace dm
