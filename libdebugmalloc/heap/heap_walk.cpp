// Address-ordered snapshot of the registry.
#include "heap/heap_walk.h"

#include "support/check.h"
#include "support/platform.h"

namespace dm {

SpanSnapshot::SpanSnapshot() {
  registry().mutex().lock();
  size_t n = registry().count();
  if (n == 0) return;
  mapped_bytes_ = align_up(n * sizeof(ListedSpan*), kPageSize);
  spans_ = static_cast<ListedSpan**>(os_map(mapped_bytes_));
  if (spans_ == nullptr) return;
  size_t i = 0;
  for (ListedSpan* s = registry().head_locked(); s != nullptr && i < n; s = s->registry_next) spans_[i++] = s;
  count_ = i;
  // Shell sort by start address: no recursion, no allocation.
  for (size_t gap = count_ / 2; gap > 0; gap /= 2) {
    for (size_t j = gap; j < count_; ++j) {
      ListedSpan* v = spans_[j];
      size_t k = j;
      while (k >= gap && spans_[k - gap]->start > v->start) {
        spans_[k] = spans_[k - gap];
        k -= gap;
      }
      spans_[k] = v;
    }
  }
}

SpanSnapshot::~SpanSnapshot() {
  if (spans_ != nullptr) os_unmap(spans_, mapped_bytes_);
  registry().mutex().unlock();
}

void SpanSnapshot::find_unreadable(const MemoryMap& maps) {
  unreadable_.clear();
  size_t m = 0;
  for (size_t i = 0; i < count_; ++i) {
    uintptr_t at = spans_[i]->start, end = spans_[i]->start + spans_[i]->size;
    while (m < maps.size() && maps[m].end <= at) ++m;
    // Every byte of the span not covered by a readable mapping is unreadable
    // (a range left out would be read, and the walk would fault on it).
    for (size_t k = m; at < end; ++k) {
      uintptr_t next = k < maps.size() && maps[k].start < end ? maps[k].start : end;
      if (next > at) DM_CHECK(unreadable_.push_back(Mapping{at, next, false, false, false, false}));
      if (k >= maps.size() || maps[k].start >= end) break;
      uintptr_t covered = maps[k].end < end ? maps[k].end : end;
      if (!maps[k].readable)
        DM_CHECK(
            unreadable_.push_back(Mapping{maps[k].start > at ? maps[k].start : at, covered, false, false, false, false}));
      at = covered;
    }
  }
}

bool SpanSnapshot::readable(uintptr_t begin, uintptr_t end) const {
  if (unreadable_.empty()) return true;
  size_t lo = 0, hi = unreadable_.size();
  while (lo < hi) {  // the first unreadable range ending after `begin`
    size_t mid = (lo + hi) / 2;
    if (unreadable_[mid].end <= begin)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo == unreadable_.size() || unreadable_[lo].start >= end;
}

}  // namespace dm
