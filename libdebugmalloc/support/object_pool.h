// Fixed-size object pool over mmap for the allocator's own metadata
// (zone and large-block records, thread caches). Never calls malloc.
// Thread-safety: acquire/release take the pool's lock. Objects are never unmapped,
// so a stale pointer to a released object still points to readable memory.
#pragma once

#include <cstring>
#include <new>

#include "support/check.h"
#include "support/mutex.h"
#include "support/platform.h"

namespace dm {

template <typename T>
class ObjectPool {
 public:
  constexpr ObjectPool() = default;

  // Returns a value-initialised object, or nullptr when the system is out of memory.
  T* acquire() {
    void* raw = nullptr;
    {
      ScopedLock lock(mu_);
      if (free_ != nullptr) {
        raw = free_;
        free_ = free_->next;
      } else {
        if (cursor_ + kSlot > end_ && !grow()) return nullptr;
        raw = reinterpret_cast<void*>(cursor_);
        cursor_ += kSlot;
      }
    }
    memset(raw, 0, sizeof(T));
    return new (raw) T();
  }

  void release(T* object) {
    DM_DCHECK(object != nullptr);
    ScopedLock lock(mu_);
    auto* node = reinterpret_cast<FreeNode*>(object);
    node->next = free_;
    free_ = node;
  }

  Mutex& mutex() { return mu_; }

 private:
  struct FreeNode {
    FreeNode* next;
  };
  static constexpr size_t kSlot = align_up(sizeof(T) > sizeof(FreeNode) ? sizeof(T) : sizeof(FreeNode), 16);
  static constexpr size_t kChunk = align_up(kSlot * 64 > 65536 ? kSlot * 64 : 65536, kPageSize);

  bool grow() {
    void* chunk = os_map(kChunk);
    if (chunk == nullptr) return false;
    cursor_ = reinterpret_cast<uintptr_t>(chunk);
    end_ = cursor_ + kChunk;
    return true;
  }

  Mutex mu_;
  FreeNode* free_ = nullptr;
  uintptr_t cursor_ = 0;
  uintptr_t end_ = 0;
};

}  // namespace dm
