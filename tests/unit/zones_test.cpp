// Zones: slots come from zones of the right size, empty zones are unmapped
// beyond one spare per class (hysteresis), and thread caches round-trip slots.
#include "heap/zones.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "heap/thread_cache.h"

namespace dm {
namespace {

// A class that nothing else in this test binary uses.
constexpr int kClass = kNumClasses - 2;

TEST(Zones, TakeHandsOutDistinctSlotsInsideRegisteredZones) {
  std::vector<void*> slots(300);
  int n = 0;
  while (n < 300) n += central_take(kClass, slots.data() + n, 300 - n);
  std::set<void*> unique(slots.begin(), slots.end());
  EXPECT_EQ(unique.size(), 300u);
  for (void* s : slots) {
    auto* zone = static_cast<ZoneMeta*>(registry().lookup(reinterpret_cast<uintptr_t>(s)));
    ASSERT_NE(zone, nullptr);
    EXPECT_EQ(zone->cls, kClass);
    EXPECT_EQ(zone->kind, ZoneKind::kSmall);
    EXPECT_EQ((reinterpret_cast<uintptr_t>(s) - zone->start) % zone->slot_size, 0u);
  }
  central_give(kClass, slots.data(), n);
}

TEST(Zones, EmptyZonesAreUnmappedButOneSpareIsKept) {
  const size_t per_zone = class_zone_size(kClass) / class_slot_size(kClass);
  std::vector<void*> slots(3 * per_zone);
  size_t n = 0;
  while (n < slots.size()) n += central_take(kClass, slots.data() + n, static_cast<int>(slots.size() - n));
  ZoneStats before = zone_stats();
  central_give(kClass, slots.data(), static_cast<int>(n));
  ZoneStats after = zone_stats();
  EXPECT_EQ(after.zones_unmapped - before.zones_unmapped, 2u) << "three zones emptied, one kept as spare";
  // The spare serves the next request without a new mapping.
  void* again = nullptr;
  ASSERT_EQ(central_take(kClass, &again, 1), 1);
  EXPECT_EQ(zone_stats().zones_mapped, after.zones_mapped);
  central_give(kClass, &again, 1);
}

TEST(ThreadCache, ReusesFreedSlotsWithoutCentral) {
  const int cls = 3;
  void* a = thread_cache_pop(cls);
  ASSERT_NE(a, nullptr);
  thread_cache_push(cls, a);
  EXPECT_EQ(thread_cache_pop(cls), a) << "LIFO: the slot just freed comes back first";
  thread_cache_push(cls, a);
}

TEST(ThreadCache, ManyPushesFlushToCentralAndComeBack) {
  const int cls = 5;
  std::vector<void*> slots;
  for (int i = 0; i < 5000; ++i) slots.push_back(thread_cache_pop(cls));
  std::set<void*> unique(slots.begin(), slots.end());
  EXPECT_EQ(unique.size(), slots.size());
  for (void* s : slots) thread_cache_push(cls, s);
  thread_cache_drain_current();
}

}  // namespace
}  // namespace dm
