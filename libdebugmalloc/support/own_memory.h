// Which memory is the tool's own: every mapping of the library's metadata
// (stack depot, thread caches, object pools, scan buffers, ...) is marked here,
// one bit per 64 KiB granule, so that the leak scan can leave it out of the
// roots. Heap zones and large blocks are the registry's (registry.h), not this map's.
//
// Thread-safety: lock-free; set and clear are atomic per granule. Leaves are
// mapped directly (never through os_map, which records into this map).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

// Marks or unmarks [start, start + size), both multiples of kGranule.
void own_memory_add(uintptr_t start, size_t size);
void own_memory_remove(uintptr_t start, size_t size);
bool own_memory_contains(uintptr_t address);

// Calls fn(begin, end) for each leaf of the map itself (memory that is also
// the tool's own, but not marked in the map).
template <typename Fn>
void own_memory_for_each_leaf(Fn&& fn);

namespace own_memory_detail {
inline constexpr size_t kLeafBytes = 8192;  // 65,536 granules: 4 GiB of address space
size_t leaf_count_limit();
uintptr_t leaf_at(size_t i);  // the i-th leaf below leaf_count_limit(), 0 for none
}  // namespace own_memory_detail

template <typename Fn>
void own_memory_for_each_leaf(Fn&& fn) {
  for (size_t i = 0; i < own_memory_detail::leaf_count_limit(); ++i)
    if (uintptr_t leaf = own_memory_detail::leaf_at(i)) fn(leaf, leaf + own_memory_detail::kLeafBytes);
}

}  // namespace dm
