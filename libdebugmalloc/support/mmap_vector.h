// A growable array of trivially copyable values in mmap'd memory, for the
// library's own bookkeeping (no malloc, no STL containers).
#pragma once

#include <cstring>
#include <type_traits>

#include "support/check.h"
#include "support/platform.h"

namespace dm {

template <typename T>
class MmapVector {
  static_assert(std::is_trivially_copyable_v<T>, "MmapVector holds plain values");

 public:
  MmapVector() = default;
  ~MmapVector() { reset(); }
  MmapVector(const MmapVector&) = delete;
  MmapVector& operator=(const MmapVector&) = delete;

  // Returns false when memory ran out (the value is not added).
  bool push_back(const T& value) {
    if (size_ == capacity_ && !grow()) return false;
    data_[size_++] = value;
    return true;
  }
  // Room for `count` elements without growing again; false when out of memory.
  bool reserve(size_t count) {
    while (capacity_ < count)
      if (!grow()) return false;
    return true;
  }
  T& back() {
    DM_DCHECK(size_ != 0);
    return data_[size_ - 1];
  }
  void pop_back() {
    DM_DCHECK(size_ != 0);
    --size_;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T& operator[](size_t i) {
    DM_DCHECK(i < size_);
    return data_[i];
  }
  const T& operator[](size_t i) const {
    DM_DCHECK(i < size_);
    return data_[i];
  }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  void clear() { size_ = 0; }
  void reset() {
    if (data_ != nullptr) os_unmap(data_, capacity_ * sizeof(T));
    data_ = nullptr;
    size_ = capacity_ = 0;
  }

 private:
  bool grow() {
    size_t bytes = align_up((capacity_ == 0 ? 4096 : capacity_ * sizeof(T) * 2), kMapGranule);
    T* fresh = static_cast<T*>(os_map(bytes));
    if (fresh == nullptr) return false;
    if (data_ != nullptr) {
      memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
      os_unmap(data_, capacity_ * sizeof(T));
    }
    data_ = fresh;
    capacity_ = bytes / sizeof(T);
    return true;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace dm
