// Cost of the leak scan against heap size: N live blocks of SIZE bytes, all
// reachable through one array (and a tenth of them leaked), then one leak
// check through the runtime API, timed. Run under the library:
//   LD_PRELOAD=build/lib/libdebugmalloc.so build/bin/bench-leakscan 10000000 100
#include <debugmalloc/debugmalloc.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  size_t size = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;
  if (!debugmalloc_running()) {
    std::fprintf(stderr, "run me under libdebugmalloc.so\n");
    return 2;
  }
  std::vector<void*> blocks(n);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) blocks[i] = std::malloc(size);
  for (size_t i = 0; i < n; i += 10) blocks[i] = nullptr;  // leak a tenth
  // CPU time too: the scan runs on this thread alone, and CPU time varies less than wall
  // time on a machine shared with other work.
  timespec c1{}, c2{};
  auto t1 = std::chrono::steady_clock::now();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  size_t leaked = debugmalloc_leaks_since(0, 0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c2);
  auto t2 = std::chrono::steady_clock::now();
  double cpu = static_cast<double>(c2.tv_sec - c1.tv_sec) + static_cast<double>(c2.tv_nsec - c1.tv_nsec) / 1e9;
  std::printf("blocks %zu of %zu bytes (%.2f GiB), allocation %.2f s, leak scan %.2f s (cpu %.3f s), leaked %zu bytes\n",
              n, size, static_cast<double>(n * size) / (1u << 30), std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count(), cpu, leaked);
  debugmalloc_disable_leaks();  // the exit check is not what is measured
  return 0;
}
