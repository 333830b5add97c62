// Threads racing to free the same block, run with libdebugmalloc.so preloaded
// (check_double_free_race.py drives it and reads the report file).
//
//   double_free_race free    THREADS SIZE ROUNDS   every thread frees the block
//   double_free_race realloc THREADS SIZE ROUNDS   one thread reallocs it, the others free it
//
// Each round the main thread allocates one block, all threads leave a barrier
// together and free (or realloc) it; exactly one of them may succeed, every
// other one is a double free. Afterwards the heap must be sound: every thread
// allocates many blocks of the raced size and no two live blocks may share an
// address or overlap (a block freed twice would be handed out twice).
//
// Prints "SOUND ..." on stdout when the heap passed, "UNSOUND: ..." otherwise;
// the exit status is the library's (23 when it found errors), so the driver
// reads stdout for the program's own verdict.
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

// Keeps the compiler from folding or eliding an allocation call.
template <typename T>
T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}

// A reusable barrier that releases everyone at once: waiting threads spin
// briefly, then yield (there are many more threads than cores).
class Barrier {
 public:
  explicit Barrier(int parties) : parties_(parties) {}
  void wait() {
    uint32_t gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == parties_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
      return;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == gen; ++spins) {
      if (spins < 200)
        __builtin_ia32_pause();
      else
        sched_yield();
    }
  }

 private:
  const int parties_;
  std::atomic<int> arrived_{0};
  std::atomic<uint32_t> generation_{0};
};

uint8_t pattern_byte(uint32_t tag, size_t i) { return static_cast<uint8_t>(tag * 0x9Du ^ (tag >> 8) ^ i * 0x3Bu); }

void fill(void* p, size_t n, uint32_t tag) {
  auto* b = static_cast<uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) b[i] = pattern_byte(tag, i);
}

// The first `n` bytes hold the pattern of `tag`.
bool intact(const void* p, size_t n, uint32_t tag) {
  auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i)
    if (b[i] != pattern_byte(tag, i)) return false;
  return true;
}

struct Shared {
  Shared(bool realloc, int n, size_t bytes, int r)
      : realloc_mode(realloc), threads(n), size(bytes), rounds(r), start(n + 1), end(n + 1) {}
  const bool realloc_mode;
  const int threads;
  const size_t size;
  const int rounds;
  Barrier start;  // the racers and the main thread
  Barrier end;
  void* block = nullptr;  // this round's block (published by the start barrier)
  uint32_t tag = 0;       // its pattern
  std::atomic<int> realloc_wins{0};
  std::atomic<int> realloc_bad_copies{0};   // realloc won but copied bytes that were not the block's
  std::atomic<void*> moved_block{nullptr};  // realloc's result this round (freed by main)
};

// Patterns cover the first 4 KiB of a block at most: large blocks are big.
size_t checked_bytes(size_t size) { return size < 4096 ? size : 4096; }

void racer(Shared* s, int id) {
  for (int round = 0; round < s->rounds; ++round) {
    s->start.wait();
    void* p = s->block;
    if (s->realloc_mode && id == round % s->threads) {
      void* q = realloc(p, opaque(s->size));
      if (q != nullptr) {
        s->realloc_wins.fetch_add(1, std::memory_order_relaxed);
        if (!intact(q, checked_bytes(s->size), s->tag)) s->realloc_bad_copies.fetch_add(1, std::memory_order_relaxed);
        s->moved_block.store(q, std::memory_order_relaxed);
      }
    } else {
      // Odd rounds give realloc a head start, so that it wins some rounds too.
      if (s->realloc_mode && round % 2 == 1) sched_yield();
      free(p);
    }
    s->end.wait();
  }
}

struct Live {
  void* p;
  size_t n;
  uint32_t tag;
};

// Allocates `count` blocks of `size` bytes, each with its own pattern, and keeps them.
void allocate_many(size_t size, int count, uint32_t first_tag, std::vector<Live>* out) {
  out->reserve(count);
  for (int i = 0; i < count; ++i) {
    void* p = malloc(opaque(size));
    if (p == nullptr) continue;
    uint32_t tag = first_tag + static_cast<uint32_t>(i);
    fill(p, checked_bytes(size), tag);
    out->push_back({p, size, tag});
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || (strcmp(argv[1], "free") != 0 && strcmp(argv[1], "realloc") != 0)) {
    fprintf(stderr, "usage: %s free|realloc THREADS SIZE ROUNDS\n", argv[0]);
    return 2;
  }
  Shared s(strcmp(argv[1], "realloc") == 0, atoi(argv[2]), strtoull(argv[3], nullptr, 0), atoi(argv[4]));
  if (s.threads < 2 || s.size == 0 || s.rounds < 1) return 2;

  std::vector<std::thread> pool;
  for (int i = 0; i < s.threads; ++i) pool.emplace_back(racer, &s, i);
  for (int round = 0; round < s.rounds; ++round) {
    void* p = malloc(opaque(s.size));
    if (p == nullptr) {
      printf("UNSOUND: malloc(%zu) failed in round %d\n", s.size, round);
      fflush(stdout);
      _exit(1);
    }
    s.tag = 0x10000u + static_cast<uint32_t>(round);
    fill(p, checked_bytes(s.size), s.tag);
    s.block = p;
    s.moved_block.store(nullptr, std::memory_order_relaxed);
    s.start.wait();
    s.end.wait();
    free(s.moved_block.load(std::memory_order_relaxed));
  }
  for (auto& t : pool) t.join();

  // The heap after the races: each thread (the racers' slots sit in their
  // thread caches) allocates blocks of the raced size and keeps them.
  int per_thread = s.size > 65536 ? 2 : 512;
  std::vector<std::vector<Live>> live(s.threads + 1);
  Barrier hold(s.threads + 1);
  Barrier checked(s.threads + 1);
  std::vector<std::thread> owners;
  for (int i = 0; i < s.threads; ++i) {
    owners.emplace_back([&, i] {
      allocate_many(s.size, per_thread, 0x100000u * static_cast<uint32_t>(i + 1), &live[i]);
      hold.wait();     // every block is live now
      checked.wait();  // main compared them: give them back
      for (const Live& b : live[i]) free(b.p);
    });
  }
  allocate_many(s.size, per_thread, 0x100000u * static_cast<uint32_t>(s.threads + 1), &live[s.threads]);
  hold.wait();

  std::vector<Live> all;
  for (const auto& v : live) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end(), [](const Live& a, const Live& b) { return a.p < b.p; });
  size_t shared = 0, overlapping = 0, damaged = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0 && all[i].p == all[i - 1].p)
      ++shared;
    else if (i > 0 && static_cast<char*>(all[i - 1].p) + all[i - 1].n > all[i].p)
      ++overlapping;
    if (!intact(all[i].p, checked_bytes(all[i].n), all[i].tag)) ++damaged;
  }
  bool lost = all.size() != static_cast<size_t>(per_thread) * (s.threads + 1);
  checked.wait();
  for (auto& t : owners) t.join();

  int wins = s.realloc_wins.load();
  if (shared != 0 || overlapping != 0 || damaged != 0 || lost || s.realloc_bad_copies.load() != 0) {
    printf("UNSOUND: %zu blocks, %zu share an address, %zu overlap, %zu overwritten, %d bad realloc copies%s\n",
           all.size(), shared, overlapping, damaged, s.realloc_bad_copies.load(), lost ? ", allocations failed" : "");
  } else {
    printf("SOUND %zu live blocks checked; realloc won %d of %d rounds\n", all.size(), wins, s.rounds);
  }
  fflush(stdout);
  return 0;
}
