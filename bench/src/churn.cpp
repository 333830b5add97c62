// bench-churn: single-threaded allocation churn.
//
// A working set of SLOTS live blocks; each step picks a random slot, frees
// what is there (after reading back the bytes written at allocation) and
// puts a fresh block of a random size in it, writing its first bytes.
// Sizes: 90% 8..512 B, 9.7% 513 B..64 KiB, 0.3% 64 KiB..1 MiB.
// One step in 16 is a realloc of the slot instead, one in 16 a calloc.
//
// usage: bench-churn [SCALE]   (SCALE 1 = the default amount of work)
// Prints one checksum line; same SCALE -> same output under any allocator.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_common.h"

namespace {

constexpr size_t kSlots = 10000;
constexpr double kBaseSteps = 3.0e6;
constexpr size_t kTouch = 32;  // bytes written at allocation / read at free

size_t pick_size(bench::Rng& rng) {
  const uint64_t r = rng.next() % 1000;
  if (r < 900) return rng.range(8, 512);
  if (r < 997) return rng.range(513, 64 * 1024);
  return rng.range(64 * 1024 + 1, 1024 * 1024);
}

struct Slot {
  unsigned char* p = nullptr;
  size_t size = 0;
};

inline void touch(Slot& s, uint64_t tag) {
  const size_t n = s.size < kTouch ? s.size : kTouch;
  for (size_t i = 0; i < n; ++i) s.p[i] = static_cast<unsigned char>(tag + i);
  if (s.size > kTouch) s.p[s.size - 1] = static_cast<unsigned char>(tag);  // last byte too
}

inline uint64_t readback(const Slot& s) {
  uint64_t h = s.size;
  const size_t n = s.size < kTouch ? s.size : kTouch;
  for (size_t i = 0; i < n; ++i) h = h * 31 + s.p[i];
  if (s.size > kTouch) h = h * 31 + s.p[s.size - 1];
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::printf("usage: %s [SCALE]\n", argv[0]);
    return 0;
  }
  const double scale = bench::scale_arg(argc, argv, 1, 1.0);
  const uint64_t steps = static_cast<uint64_t>(kBaseSteps * scale);

  bench::Rng rng(0xC0FFEE);
  Slot* slots = static_cast<Slot*>(std::calloc(kSlots, sizeof(Slot)));
  if (!slots) return 1;
  uint64_t sum = 0;

  for (uint64_t step = 0; step < steps; ++step) {
    Slot& s = slots[rng.next() % kSlots];
    const size_t size = pick_size(rng);
    const unsigned kind = static_cast<unsigned>(rng.next() & 15);
    if (s.p) sum += readback(s);
    if (kind == 0 && s.p) {
      void* q = std::realloc(s.p, size);
      if (!q) {
        std::fprintf(stderr, "realloc(%zu) failed\n", size);
        return 1;
      }
      s.p = static_cast<unsigned char*>(q);
    } else {
      std::free(s.p);
      s.p = static_cast<unsigned char*>(kind == 1 && size <= 4096 ? std::calloc(1, size) : std::malloc(size));
      if (!s.p) {
        std::fprintf(stderr, "malloc(%zu) failed\n", size);
        return 1;
      }
      if (kind == 1 && size <= 4096 && s.p[size - 1] != 0) {
        std::fprintf(stderr, "calloc memory not zeroed\n");
        return 1;
      }
    }
    s.size = size;
    touch(s, step);
  }
  for (size_t i = 0; i < kSlots; ++i) {
    if (slots[i].p) sum += readback(slots[i]);
    std::free(slots[i].p);
  }
  std::free(slots);
  std::printf("churn checksum %016llx steps %llu\n", static_cast<unsigned long long>(sum),
              static_cast<unsigned long long>(steps));
  return 0;
}
