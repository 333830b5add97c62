// The registry of every span (zone or large block) the allocator has mapped:
// the page map for address lookups plus one list for walks (show_alloc_mem,
// heap sweeps, the leak scan).
//
// Thread-safety: add/remove take the registry lock; lookup is lock-free.
// Lock order: a size class's lock, then the registry lock.
#pragma once

#include "support/mutex.h"
#include "heap/page_map.h"

namespace dm {

struct ListedSpan : Span {
  ListedSpan* registry_prev = nullptr;
  ListedSpan* registry_next = nullptr;
};

class Registry {
 public:
  constexpr Registry() = default;

  bool add(ListedSpan* span);
  void remove(ListedSpan* span);
  ListedSpan* lookup(uintptr_t address) const { return static_cast<ListedSpan*>(page_map_.lookup(address)); }

  // The list of all spans and its length; the caller holds mutex().
  ListedSpan* head_locked() const { return head_; }
  size_t count() const { return count_; }

  Mutex& mutex() { return mu_; }

 private:
  Mutex mu_;
  PageMap page_map_;
  ListedSpan* head_ = nullptr;
  size_t count_ = 0;
};

// The one registry. Inline: the range checks of the interposed libc functions
// (findings/range_check.h) look addresses up on every call.
extern Registry g_registry;
inline Registry& registry() { return g_registry; }

}  // namespace dm
