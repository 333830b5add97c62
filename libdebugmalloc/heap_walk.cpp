// Address-ordered snapshot of the registry.
#include "heap_walk.h"

#include "platform.h"

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

}  // namespace dm
