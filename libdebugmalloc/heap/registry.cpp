// Span registry: page map entries plus the list of all spans.
#include "heap/registry.h"

#include "support/check.h"

namespace dm {

constinit Registry g_registry;

bool Registry::add(ListedSpan* span) {
  ScopedLock lock(mu_);
  if (!page_map_.set(span->start, span->size, span)) return false;
  span->registry_prev = nullptr;
  span->registry_next = head_;
  if (head_ != nullptr) head_->registry_prev = span;
  head_ = span;
  ++count_;
  return true;
}

void Registry::remove(ListedSpan* span) {
  ScopedLock lock(mu_);
  // Only a registered span is removed, once: it is linked from its predecessor or the head.
  DM_CHECK(count_ != 0 && (span->registry_prev != nullptr ? span->registry_prev->registry_next == span : head_ == span));
  page_map_.clear(span->start, span->size);
  if (span->registry_prev != nullptr)
    span->registry_prev->registry_next = span->registry_next;
  else
    head_ = span->registry_next;
  if (span->registry_next != nullptr) span->registry_next->registry_prev = span->registry_prev;
  span->registry_prev = span->registry_next = nullptr;
  --count_;
}

}  // namespace dm
