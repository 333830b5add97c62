// Thin wrappers over the system calls the allocator needs. None of them allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#define DM_ALWAYS_INLINE inline __attribute__((always_inline))
#define DM_NOINLINE __attribute__((noinline))
#define DM_LIKELY(x) __builtin_expect(!!(x), 1)
#define DM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define DM_EXPORT extern "C" __attribute__((visibility("default")))

namespace dm {

inline constexpr size_t kPageSize = 4096;     // checked against getpagesize() at init
inline constexpr size_t kMapGranule = 65536;  // os_map's unit (the page map's granule)

constexpr uintptr_t align_up(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }
constexpr uintptr_t align_down(uintptr_t v, uintptr_t a) { return v & ~(a - 1); }
constexpr bool is_power_of_two(size_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Anonymous read-write mapping for the library's own metadata, in whole 64 KiB
// granules marked as the tool's (own_memory.h); nullptr on failure. errno is
// left untouched. Release it with os_unmap and the same size.
void* os_map(size_t size);
// Same, with the start aligned to `align` (a power of two >= the page size).
// With `committed`, the kernel's overcommit check applies (as it does to glibc's
// own large blocks): a request the system cannot back fails here, at once.
void* os_map_aligned(size_t size, size_t align, bool committed = false);
// Heap spans (zones, large blocks) come from os_map_aligned and go back with
// os_unmap_span: the registry, not the own-memory map, knows them.
void os_unmap(void* p, size_t size);
void os_unmap_span(void* p, size_t size);
// While on, os_unmap keeps the memory mapped (the leak scan holds a snapshot
// of the mappings); turning it off unmaps what waited. One scan at a time.
void os_defer_unmaps(bool defer);
// Gives the pages back to the kernel but keeps the mapping (reads see zeros).
void os_release(void* p, size_t size);
// Makes pages readable and writable, or inaccessible.
void os_protect(void* p, size_t size, bool accessible);

// Writes everything, retrying on EINTR and short writes. errno is preserved.
void os_write_all(int fd, const char* data, size_t size);

int os_getpid();
int os_gettid();

}  // namespace dm
