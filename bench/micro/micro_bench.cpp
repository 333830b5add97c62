// Microbenchmarks of the allocator's hot path (Google Benchmark), linked
// against the library's components: malloc/free pairs by size and mode, stack
// capture by depth, the stack depot, the quarantine, guard verification, and
// the per-call cost against the number of live blocks.
//   build/bin/bench-micro --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "core/allocator.h"
#include "stacks/fast_unwind.h"
#include "heap/guard.h"
#include "support/options.h"
#include "stacks/stack_capture.h"
#include "stacks/stack_depot.h"

namespace {

void release(void* p) { dm::deallocate(p, {dm::AllocOrigin::kMalloc, "free()", dm::kUnsized, 0, DM_CALLER_FRAME()}); }

// Options presets: every check (the defaults), and the lightest mode.
void set_mode(int mode) {
  dm::g_options = dm::Options{};
  dm::g_options.exitcode = 0;
  if (mode == 1) {  // light: no stacks, no quarantine, no scribble
    dm::g_options.stack_depth = 0;
    dm::g_options.quarantine_mb = 0;
    dm::g_options.scribble = false;
  }
}

__attribute__((noinline)) void malloc_free(benchmark::State& state) {
  set_mode(static_cast<int>(state.range(1)));
  size_t size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = dm::allocate(size, 0, dm::AllocOrigin::kMalloc, DM_CALLER_FRAME());
    benchmark::DoNotOptimize(p);
    release(p);
  }
  set_mode(0);
}
BENCHMARK(malloc_free)->ArgNames({"size", "light"})->ArgsProduct({{16, 256, 4096, 65536, 1 << 20}, {0, 1}});

// Stack capture at a given depth: the walk itself, the memo hit, libunwind.
__attribute__((noinline)) int capture_at(int depth, int how) {
  if (depth > 0) {
    int r = capture_at(depth - 1, how);
    asm volatile("" ::: "memory");
    return r;
  }
  dm::CallerFrame frame = DM_CALLER_FRAME();
  uintptr_t frames[64];
  if (how == 0) return dm::fast_unwind(frame, frames, 64);
  if (how == 1) return static_cast<int>(dm::record_stack(frame));
  return unw_backtrace(reinterpret_cast<void**>(frames), 64);
}

void capture(benchmark::State& state) {
  dm::g_options.stack_depth = 64;
  int depth = static_cast<int>(state.range(0)), how = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(capture_at(depth, how));
  state.SetLabel(how == 0 ? "fast walk" : how == 1 ? "record_stack (memo)" : "libunwind unw_backtrace");
  dm::g_options.stack_depth = 30;
}
BENCHMARK(capture)->ArgNames({"depth", "how"})->ArgsProduct({{1, 8, 16, 32, 60}, {0, 1, 2}});

void depot_lookup(benchmark::State& state) {
  uintptr_t frames[30];
  for (int i = 0; i < 30; ++i) frames[i] = 0x400000u + static_cast<uintptr_t>(i) * 64;
  dm::depot_put(frames, 30);
  for (auto _ : state) benchmark::DoNotOptimize(dm::depot_put(frames, 30));
}
BENCHMARK(depot_lookup);

void depot_insert(benchmark::State& state) {
  uintptr_t frames[30];
  for (int i = 0; i < 30; ++i) frames[i] = 0x500000u + static_cast<uintptr_t>(i) * 64;
  uintptr_t n = 0;
  for (auto _ : state) {
    frames[0] = 0x900000000000u + ++n;  // a new stack every time
    benchmark::DoNotOptimize(dm::depot_put(frames, 30));
  }
}
BENCHMARK(depot_insert);

void guard_check(benchmark::State& state) {
  std::vector<uint8_t> bytes(static_cast<size_t>(state.range(0)), dm::kGuardByte);
  uintptr_t p = reinterpret_cast<uintptr_t>(bytes.data());
  for (auto _ : state) benchmark::DoNotOptimize(dm::all_pattern(p, bytes.size(), dm::kGuardByte));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(guard_check)->Arg(16)->Arg(64)->Arg(256)->Arg(4096);

// The quarantine: a free that enters it (and, at steady state, pushes an
// older block out, verifying its fill) against one that reuses at once.
void free_with_quarantine(benchmark::State& state) {
  set_mode(0);
  dm::g_options.stack_depth = 0;
  dm::g_options.quarantine_mb = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) release(dm::allocate(128, 0, dm::AllocOrigin::kMalloc, DM_CALLER_FRAME()));
  set_mode(0);
}
BENCHMARK(free_with_quarantine)->ArgName("quarantine_mb")->Arg(0)->Arg(1)->Arg(16)->Arg(64);

// Per-call cost with N live blocks around: it should not grow with N.
void pair_with_live_blocks(benchmark::State& state) {
  set_mode(0);
  std::vector<void*> live(static_cast<size_t>(state.range(0)));
  for (void*& p : live) p = dm::allocate(48, 0, dm::AllocOrigin::kMalloc, DM_CALLER_FRAME());
  size_t i = 0;
  for (auto _ : state) {  // replace one live block: a malloc and a free per iteration
    release(live[i]);
    live[i] = dm::allocate(48, 0, dm::AllocOrigin::kMalloc, DM_CALLER_FRAME());
    i = (i + 7919) % live.size();
  }
  for (void* p : live) release(p);
}
BENCHMARK(pair_with_live_blocks)
    ->ArgName("live")
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(10000000)
    ->Unit(benchmark::kNanosecond);

// The same with glibc's malloc (this binary does not preload the library), for
// what the cache misses of a bigger heap cost any allocator.
void pair_with_live_blocks_glibc(benchmark::State& state) {
  std::vector<void*> live(static_cast<size_t>(state.range(0)));
  for (void*& p : live) p = std::malloc(48);
  size_t i = 0;
  for (auto _ : state) {
    std::free(live[i]);
    live[i] = std::malloc(48);
    benchmark::DoNotOptimize(live[i]);
    i = (i + 7919) % live.size();
  }
  for (void* p : live) std::free(p);
}
BENCHMARK(pair_with_live_blocks_glibc)->ArgName("live")->Arg(1000)->Arg(100000)->Arg(1000000)->Arg(10000000);

}  // namespace

BENCHMARK_MAIN();
