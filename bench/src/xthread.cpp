// bench-xthread: cross-thread frees.
//
// THREADS threads in a ring. Thread i allocates blocks of random sizes,
// writes a header into each and passes them through a bounded queue to
// thread (i+1) % THREADS, which reads the header and frees the block. With
// 2 threads both directions carry traffic (0 -> 1 and 1 -> 0), so each
// thread is at once producer and consumer, and every free is a remote free.
// With 1 thread the queue loops back to the same thread (same work, no
// cross-thread frees): compare 1 vs 2 threads for scaling, since the work
// PER THREAD is the same for any THREADS.
//
// usage: bench-xthread [SCALE] [THREADS]   (defaults 1 and 2)
// Prints only a checksum line (same for any allocator; depends on THREADS).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <sched.h>
#include <time.h>

#include "bench_common.h"

namespace {

constexpr double kBaseBlocksPerThread = 4.0e6;
constexpr size_t kQueueCap = 1024;     // power of two
constexpr uint64_t kDrainEvery = 256;  // power of two

// Single-producer single-consumer bounded ring (each queue has exactly one
// writer, the previous thread in the ring, and one reader, its owner).
struct alignas(64) Queue {
  std::atomic<size_t> head{0};  // next slot to read (owner)
  char pad1[64 - sizeof(std::atomic<size_t>)];
  std::atomic<size_t> tail{0};  // next slot to write (producer)
  char pad2[64 - sizeof(std::atomic<size_t>)];
  void* slots[kQueueCap];

  bool push(void* p) {
    const size_t t = tail.load(std::memory_order_relaxed);
    if (t - head.load(std::memory_order_acquire) == kQueueCap) return false;
    slots[t & (kQueueCap - 1)] = p;
    tail.store(t + 1, std::memory_order_release);
    return true;
  }
  void* pop() {
    const size_t h = head.load(std::memory_order_relaxed);
    if (h == tail.load(std::memory_order_acquire)) return nullptr;
    void* p = slots[h & (kQueueCap - 1)];
    head.store(h + 1, std::memory_order_release);
    return p;
  }
};

struct Header {
  uint64_t size;
  uint64_t tag;
};

size_t pick_size(bench::Rng& rng) {
  const uint64_t r = rng.next() % 100;
  if (r < 85) return rng.range(sizeof(Header), 256);
  if (r < 99) return rng.range(257, 4096);
  return rng.range(4097, 32768);
}

std::atomic<int> g_producers_done{0};

// Nothing to do for now: the peer is behind. Spin briefly, then yield; only
// a long wait (the peer is not running: a busy machine) sleeps, so that the
// waiting thread stops burning a core in sched_yield() calls. Sleeping early
// changed the threads' rhythm and made some allocators' timings bimodal.
void backoff(unsigned& idle) {
  ++idle;
  if (idle < 64) {
    __builtin_ia32_pause();
  } else if (idle < 64 + 2048) {  // ~1-2 ms when the peer is running elsewhere
    sched_yield();
  } else {
    struct timespec ts = {0, 50 * 1000};
    nanosleep(&ts, nullptr);
  }
}

// Read back and free one incoming block; returns false if the queue was empty.
bool consume_one(Queue& q, uint64_t& sum) {
  void* p = q.pop();
  if (!p) return false;
  const Header* h = static_cast<const Header*>(p);
  const unsigned char* last = static_cast<const unsigned char*>(p) + h->size - 1;
  sum += h->size * 0x9E3779B97F4A7C15ull ^ h->tag ^ *last;
  std::free(p);
  return true;
}

void worker(int id, int nthreads, uint64_t blocks, Queue* queues, uint64_t* out) {
  Queue& in = queues[id];
  Queue& outq = queues[(id + 1) % nthreads];
  bench::Rng rng(0x5EED0000ull + static_cast<uint64_t>(id));
  uint64_t sum = 0;
  for (uint64_t i = 0; i < blocks; ++i) {
    const size_t size = pick_size(rng);
    void* p = std::malloc(size);
    if (!p) {
      std::fprintf(stderr, "malloc(%zu) failed\n", size);
      std::abort();
    }
    Header* h = static_cast<Header*>(p);
    h->size = size;
    h->tag = rng.next();
    static_cast<unsigned char*>(p)[size - 1] = static_cast<unsigned char>(h->tag >> 7);
    // Queue full: free incoming blocks until there is room (this also
    // keeps the ring from deadlocking). Every kDrainEvery blocks, free
    // all that has arrived: batching the frees keeps the two threads
    // from falling into lock-step on glibc's arena locks, which made the
    // timings bimodal (0.7 s or 2.5 s for the same run).
    for (unsigned idle = 0; !outq.push(p);) {
      if (consume_one(in, sum))
        idle = 0;
      else
        backoff(idle);
    }
    if ((i & (kDrainEvery - 1)) == kDrainEvery - 1)
      while (consume_one(in, sum)) {
      }
  }
  g_producers_done.fetch_add(1);
  for (unsigned idle = 0;;) {
    const bool all_done = g_producers_done.load() == nthreads;
    bool got = false;
    while (consume_one(in, sum)) got = true;
    if (all_done) break;  // nothing more can arrive after the last push
    if (got)
      idle = 0;
    else
      backoff(idle);
  }
  *out = sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::printf("usage: %s [SCALE] [THREADS]\n", argv[0]);
    return 0;
  }
  const double scale = bench::scale_arg(argc, argv, 1, 1.0);
  const int nthreads = static_cast<int>(bench::int_arg(argc, argv, 2, 2, 1, 256));
  const uint64_t blocks = static_cast<uint64_t>(kBaseBlocksPerThread * scale);

  std::unique_ptr<Queue[]> queues(new Queue[nthreads]);
  std::vector<uint64_t> sums(nthreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < nthreads; ++i) threads.emplace_back(worker, i, nthreads, blocks, queues.get(), &sums[i]);
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  for (uint64_t s : sums) total += s;
  std::printf("%016llx\n", static_cast<unsigned long long>(total));
  return 0;
}
