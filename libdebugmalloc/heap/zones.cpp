// Central free lists of TINY/SMALL slots, zone creation and unmapping.
#include "heap/zones.h"

#include <atomic>
#include <cstring>

#include "support/check.h"
#include "support/mutex.h"
#include "support/object_pool.h"
#include "support/platform.h"

namespace dm {

namespace {

// Slots given back by one thread and soon wanted by another (cross-thread
// frees) pass through a per-class transfer stack as plain pointers: a batch
// moves with one copy, without touching the zones' bitmaps. Slots waiting here
// still count as handed out by their zone; the stack holds at most
// kTransferBytes of them, so big classes keep few.
constexpr int kTransferSlots = 1024;
constexpr size_t kTransferBytes = 512 * 1024;

int transfer_capacity(int cls) {
  size_t n = kTransferBytes / class_slot_size(cls);
  return n < 2 ? 2 : n > kTransferSlots ? kTransferSlots : static_cast<int>(n);
}

struct ClassCentral {
  Mutex mu;
  ZoneMeta* with_free = nullptr;  // zones that can hand out at least one slot
  ZoneMeta* spare = nullptr;      // one empty zone kept mapped for reuse
  int transfer_count = 0;
  void* transfer[kTransferSlots];
};

constinit ClassCentral g_classes[kNumClasses];
constinit ObjectPool<ZoneMeta> g_zone_pool;
constinit std::atomic<size_t> g_zones_mapped{0};
constinit std::atomic<size_t> g_zones_unmapped{0};

void list_push(ClassCentral& c, ZoneMeta* z) {
  z->class_prev = nullptr;
  z->class_next = c.with_free;
  if (c.with_free != nullptr) c.with_free->class_prev = z;
  c.with_free = z;
  z->in_class_list = true;
}

void list_remove(ClassCentral& c, ZoneMeta* z) {
  if (z->class_prev != nullptr)
    z->class_prev->class_next = z->class_next;
  else
    c.with_free = z->class_next;
  if (z->class_next != nullptr) z->class_next->class_prev = z->class_prev;
  z->class_prev = z->class_next = nullptr;
  z->in_class_list = false;
}

ZoneMeta* create_zone(int cls) {
  size_t zone_size = class_zone_size(cls);
  void* memory = os_map_aligned(zone_size, kGranule);
  if (memory == nullptr) return nullptr;
  ZoneMeta* z = g_zone_pool.acquire();
  if (z == nullptr) {
    os_unmap_span(memory, zone_size);
    return nullptr;
  }
  z->kind = class_kind(cls);
  z->start = reinterpret_cast<uintptr_t>(memory);
  z->size = zone_size;
  z->cls = cls;
  z->slot_size = static_cast<uint32_t>(class_slot_size(cls));
  z->slot_count = static_cast<uint32_t>(zone_size / z->slot_size);
  static_assert(kTinyZoneSize / kMinSlot <= ZoneMeta::kMaxSlots, "TINY zones fit the free bitmap");
  static_assert(kSmallZoneSize / (kTinyMaxSlot + 256) <= ZoneMeta::kMaxSlots, "SMALL zones fit the free bitmap");
  if (!registry().add(z)) {
    os_unmap_span(memory, zone_size);
    g_zone_pool.release(z);
    return nullptr;
  }
  g_zones_mapped.fetch_add(1, std::memory_order_relaxed);
  return z;
}

void destroy_zone(ZoneMeta* z) {
  registry().remove(z);
  os_unmap_span(reinterpret_cast<void*>(z->start), z->size);
  g_zone_pool.release(z);
  g_zones_mapped.fetch_sub(1, std::memory_order_relaxed);
  g_zones_unmapped.fetch_add(1, std::memory_order_relaxed);
}

// Takes slots from one zone; the caller holds the class lock.
int take_from_zone(ZoneMeta* z, void** out, int max) {
  int n = 0;
  constexpr uint32_t kWords = ZoneMeta::kMaxSlots / 64;
  uint32_t empty_words = 0;
  while (n < max && z->free_count != 0) {
    uint64_t& word = z->free_bits[z->free_hint];
    if (word == 0) {
      // A whole lap of empty words would mean free_count disagrees with free_bits (it would spin forever).
      ++empty_words;
      DM_CHECK(empty_words <= kWords);
      z->free_hint = (z->free_hint + 1) % kWords;
      continue;
    }
    uint32_t bit = static_cast<uint32_t>(__builtin_ctzll(word));
    word &= word - 1;
    --z->free_count;
    uint32_t index = z->free_hint * 64 + bit;
    out[n++] = reinterpret_cast<void*>(z->start + static_cast<uintptr_t>(index) * z->slot_size);
  }
  while (n < max && z->bump < z->slot_count) {
    out[n++] = reinterpret_cast<void*>(z->start + static_cast<uintptr_t>(z->bump) * z->slot_size);
    ++z->bump;
  }
  z->used += static_cast<uint32_t>(n);
  return n;
}

bool zone_has_free(const ZoneMeta* z) { return z->free_count != 0 || z->bump < z->slot_count; }

}  // namespace

int central_take(int cls, void** out, int max) {
  DM_DCHECK(cls >= 0 && cls < kNumClasses);
  ClassCentral& c = g_classes[cls];
  ScopedLock lock(c.mu);
  int n = c.transfer_count < max ? c.transfer_count : max;
  c.transfer_count -= n;
  memcpy(out, c.transfer + c.transfer_count, static_cast<size_t>(n) * sizeof(void*));
  while (n < max) {
    ZoneMeta* z = c.with_free;
    if (z == nullptr) {
      if (c.spare != nullptr) {
        z = c.spare;
        c.spare = nullptr;
      } else {
        z = create_zone(cls);
        if (z == nullptr) break;
      }
      list_push(c, z);
    }
    n += take_from_zone(z, out + n, max - n);
    if (!zone_has_free(z)) list_remove(c, z);
  }
  return n;
}

void central_give(int cls, void* const* slots, int count) {
  DM_DCHECK(cls >= 0 && cls < kNumClasses);
  ClassCentral& c = g_classes[cls];
  ScopedLock lock(c.mu);
  if (c.transfer_count + count <= transfer_capacity(cls)) {
    memcpy(c.transfer + c.transfer_count, slots, static_cast<size_t>(count) * sizeof(void*));
    c.transfer_count += count;
    return;
  }
  for (int i = 0; i < count; ++i) {
    void* slot = slots[i];
    auto* z = static_cast<ZoneMeta*>(registry().lookup(reinterpret_cast<uintptr_t>(slot)));
    // Slots come back to the class they were taken from, whole, and once.
    DM_CHECK(z != nullptr && z->kind != ZoneKind::kLarge && z->cls == cls);
    uintptr_t offset = reinterpret_cast<uintptr_t>(slot) - z->start;
    uint32_t index = static_cast<uint32_t>(offset / z->slot_size);
    DM_CHECK(offset % z->slot_size == 0 && index < z->bump && z->used != 0);
    DM_CHECK((z->free_bits[index / 64] & (uint64_t{1} << (index % 64))) == 0);
    z->free_bits[index / 64] |= uint64_t{1} << (index % 64);
    if (z->free_count++ == 0) z->free_hint = index / 64;
    --z->used;
    if (z->used == 0) {
      // Empty: keep one spare per class, unmap the rest.
      if (z->in_class_list) list_remove(c, z);
      if (c.spare == nullptr) {
        c.spare = z;
      } else {
        destroy_zone(z);
      }
    } else if (!z->in_class_list) {
      list_push(c, z);
    }
  }
}

void central_lock_all() {
  for (ClassCentral& c : g_classes) c.mu.lock();
  g_zone_pool.mutex().lock();
}

void central_unlock_all() {
  g_zone_pool.mutex().unlock();
  for (ClassCentral& c : g_classes) c.mu.unlock();
}

void central_reset_after_fork() {
  g_zone_pool.mutex().reset_after_fork();
  for (ClassCentral& c : g_classes) c.mu.reset_after_fork();
}

ZoneStats zone_stats() {
  return ZoneStats{g_zones_mapped.load(std::memory_order_relaxed), g_zones_unmapped.load(std::memory_order_relaxed)};
}

}  // namespace dm
