// A snapshot of the process's mappings (/proc/self/maps), read without
// malloc: used to bound stack scans and to check that root ranges are readable.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

struct Mapping {
  uintptr_t start;
  uintptr_t end;
  bool readable;
  bool writable;
  bool anonymous;  // no file behind it (heap-like, stacks)
  bool device;     // a device file (/dev/..., but not /dev/zero or /dev/shm): reading it may have effects
};

class MemoryMap {
 public:
  MemoryMap();  // reads /proc/self/maps; empty on failure
  ~MemoryMap();
  MemoryMap(const MemoryMap&) = delete;
  MemoryMap& operator=(const MemoryMap&) = delete;

  // The mapping containing `address`, or nullptr.
  const Mapping* find(uintptr_t address) const;
  size_t size() const { return count_; }
  const Mapping& operator[](size_t i) const { return mappings_[i]; }

 private:
  Mapping* mappings_ = nullptr;
  size_t count_ = 0;
  size_t capacity_bytes_ = 0;
};

}  // namespace dm
