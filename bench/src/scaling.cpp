// Allocator scaling with cross-thread frees, without a shared queue: each of T
// threads allocates blocks and hands them, in batches, through a lock-free
// single-producer/single-consumer ring to the next thread, which frees them.
// With T = 1 the ring loops back: every free is local. Same work per thread.
// With `local`, every thread frees its own blocks (the same work, no crossing).
//   bench-scaling THREADS [MILLION_BLOCKS_PER_THREAD] [local]   prints seconds and Mops/s
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kBatch = 64;
constexpr size_t kRingBatches = 256;

struct alignas(64) Ring {
  std::atomic<size_t> head{0};              // written by the consumer
  alignas(64) std::atomic<size_t> tail{0};  // written by the producer
  alignas(64) void* slots[kRingBatches][kBatch];
};

void worker(Ring* out, Ring* in, size_t blocks, unsigned seed, std::atomic<size_t>* freed) {
  size_t made = 0, local_freed = 0;
  void* batch[kBatch];
  size_t n = 0;
  unsigned s = seed;
  while (made < blocks || local_freed < blocks) {
    if (made < blocks) {
      s = s * 1103515245u + 12345u;
      size_t size = 16 + (s >> 16) % 240;
      auto* p = static_cast<char*>(std::malloc(size));
      p[0] = static_cast<char>(made);
      batch[n++] = p;
      ++made;
      if (n == kBatch || made == blocks) {
        size_t tail = out->tail.load(std::memory_order_relaxed);
        while (tail - out->head.load(std::memory_order_acquire) == kRingBatches) std::this_thread::yield();
        for (size_t i = 0; i < kBatch; ++i) out->slots[tail % kRingBatches][i] = i < n ? batch[i] : nullptr;
        out->tail.store(tail + 1, std::memory_order_release);
        n = 0;
      }
    }
    size_t head = in->head.load(std::memory_order_relaxed);
    if (head != in->tail.load(std::memory_order_acquire)) {
      for (void* p : in->slots[head % kRingBatches]) {
        if (p == nullptr) continue;
        std::free(p);
        ++local_freed;
      }
      in->head.store(head + 1, std::memory_order_release);
    } else if (made == blocks) {
      std::this_thread::yield();
    }
  }
  freed->fetch_add(local_freed);
}

}  // namespace

int main(int argc, char** argv) {
  size_t threads = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2;
  double millions = argc > 2 ? std::atof(argv[2]) : 2.0;
  auto blocks = static_cast<size_t>(millions * 1e6);
  bool local = argc > 3 && std::string(argv[3]) == "local";
  std::vector<Ring*> rings(threads);
  for (auto& r : rings) r = new Ring;
  std::atomic<size_t> freed{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back(worker, rings[t], rings[local ? t : (t + threads - 1) % threads], blocks,
                      static_cast<unsigned>(t + 1), &freed);
  for (auto& th : pool) th.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("threads %zu%s: %.3f s, %.2f M malloc+free pairs/s (freed %zu)\n", threads, local ? " local" : "",
              seconds, static_cast<double>(blocks * threads) / seconds / 1e6, freed.load());
  (void)local;
  for (auto& r : rings) delete r;
  return 0;
}
