// Stress tests of libdebugmalloc.so, run with the library preloaded into this
// plain program: many threads with cross-thread frees, fork while other threads
// allocate, a million live blocks, 1 GiB blocks, and thread churn. Every block
// carries a byte pattern of its own, verified before it is freed, so handing
// the same memory out twice or overlapping blocks shows up as corruption.
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "require_debugmalloc.h"

namespace {

using Clock = std::chrono::steady_clock;

// Keeps the compiler from eliding an allocation or folding a size it can see.
using dmtest::opaque;

// ------------------------------------------------------------ patterned blocks

uint8_t pattern_byte(uint32_t tag, size_t i) {
  return static_cast<uint8_t>((tag * 0x9Du) ^ (tag >> 8) ^ (i * 0x3Bu) ^ (i >> 9));
}

struct Block {
  uint8_t* p = nullptr;
  size_t n = 0;
  uint32_t tag = 0;  // unique per block: its pattern differs from every other's
  int owner = -1;    // thread that allocated it
};

void fill(const Block& b) {
  for (size_t i = 0; i < b.n; ++i) b.p[i] = pattern_byte(b.tag, i);
}
// The first `n` bytes still hold the block's pattern.
bool intact(const Block& b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (b.p[i] != pattern_byte(b.tag, i)) return false;
  return true;
}
bool intact(const Block& b) { return intact(b, b.n); }

std::atomic<uint32_t> g_next_tag{1};

// 1 B - 1 KiB mostly, up to 256 KiB sometimes, 1-4 MiB rarely.
size_t random_size(std::mt19937_64& rng) {
  unsigned r = rng() % 1000;
  if (r == 0) return (size_t{1} << 20) + rng() % (size_t{3} << 20);
  if (r < 60) return 1 + rng() % (256 * 1024);
  return 1 + rng() % 1024;
}

// Allocates, checks what the allocator promises, and fills. Fails the test (and
// returns an empty block) when the allocator misbehaves.
Block make_block(size_t n, int owner) {
  Block b{static_cast<uint8_t*>(malloc(n)), n, g_next_tag.fetch_add(1, std::memory_order_relaxed), owner};
  if (b.p == nullptr) {
    ADD_FAILURE() << "malloc(" << n << ") failed";
    return Block{};
  }
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.p) % 16, 0u) << "misaligned block of " << n;
  EXPECT_EQ(malloc_usable_size(b.p), n);
  fill(b);
  return b;
}

// Verifies the block's pattern, then frees it. False on corruption.
bool check_and_free(const Block& b) {
  bool ok = intact(b);
  EXPECT_TRUE(ok) << "block of " << b.n << " bytes (tag " << b.tag << ") was overwritten";
  free(b.p);
  return ok;
}

// Blocks handed from one thread to another, which frees them.
class Handoff {
 public:
  void put(const Block& b) {
    std::lock_guard<std::mutex> lock(mu_);
    q_.push_back(b);
  }
  bool take(Block* b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (q_.empty()) return false;
    *b = q_.front();
    q_.pop_front();
    return true;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return q_.size();
  }

 private:
  std::mutex mu_;
  std::deque<Block> q_;
};

// One thread's random malloc/free/realloc chains; some blocks go through the
// handoff queue to be freed by another thread. Returns the cross-thread frees.
size_t churn(int id, int ops, Handoff& handoff, std::atomic<bool>* stop) {
  std::mt19937_64 rng(0xC0FFEE + id);
  std::vector<Block> mine;
  size_t cross_frees = 0;
  for (int op = 0; op < ops && !(stop != nullptr && stop->load(std::memory_order_relaxed)); ++op) {
    unsigned r = rng() % 100;
    if (mine.size() < 16 || (r < 40 && mine.size() < 256)) {
      Block b = make_block(random_size(rng), id);
      if (b.p == nullptr) return cross_frees;
      mine.push_back(b);
      continue;
    }
    size_t i = rng() % mine.size();
    Block b = mine[i];
    if (r < 70) {  // free
      mine[i] = mine.back();
      mine.pop_back();
      if (!check_and_free(b)) return cross_frees;
    } else if (r < 85) {  // realloc: the common prefix survives the move
      size_t n = random_size(rng);
      auto* q = static_cast<uint8_t*>(realloc(b.p, n));
      if (q == nullptr) {
        ADD_FAILURE() << "realloc to " << n << " failed";
        return cross_frees;
      }
      Block moved{q, n, b.tag, id};
      if (!intact(moved, std::min(b.n, n))) {
        ADD_FAILURE() << "realloc " << b.n << " -> " << n << " lost the contents";
        return cross_frees;
      }
      moved.tag = g_next_tag.fetch_add(1, std::memory_order_relaxed);
      fill(moved);
      mine[i] = moved;
    } else if (r < 95) {  // give to another thread
      mine[i] = mine.back();
      mine.pop_back();
      handoff.put(b);
    } else {  // free one that another thread allocated
      Block theirs;
      if (handoff.take(&theirs)) {
        cross_frees += theirs.owner != id;
        if (!check_and_free(theirs)) return cross_frees;
      }
    }
  }
  for (const Block& b : mine) check_and_free(b);
  return cross_frees;
}

// ------------------------------------------------------------ threads

TEST(Stress, EightThreadsWithCrossThreadFrees) {
  Handoff handoff;
  std::atomic<size_t> cross_frees{0};
  std::vector<std::thread> threads;
  for (int id = 0; id < 8; ++id) threads.emplace_back([&, id] { cross_frees += churn(id, 60000, handoff, nullptr); });
  for (auto& t : threads) t.join();
  Block b;
  while (handoff.take(&b)) check_and_free(b);
  EXPECT_GT(cross_frees.load(), 1000u) << "the test did not exercise cross-thread frees";
}

// ------------------------------------------------------------ fork

// Sizes that together reach every TINY and SMALL size class, LARGE blocks from the
// mapping cache, and one too big to be cached (mmap + registry each time).
std::vector<size_t> sizes_touching_every_lock() {
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 128 * 1024; n = n + 1 + n / 8) sizes.push_back(n);
  sizes.push_back(300 * 1024);
  sizes.push_back(size_t{20} << 20);
  return sizes;
}

// Background load for the fork test: keeps the allocator's shared locks busy
// (bins overflowing to and refilling from central lists, large mappings, thread
// start and exit), so that fork() often happens while one of them is held.
void hammer_locks(std::atomic<bool>& stop) {
  const std::vector<size_t> sizes = sizes_touching_every_lock();
  std::vector<void*> batch;
  for (unsigned round = 0; !stop.load(std::memory_order_relaxed); ++round) {
    size_t n = sizes[round % sizes.size()];
    int count = n > 64 * 1024 ? 2 : 300;  // more than a thread cache bin holds
    for (int i = 0; i < count; ++i) batch.push_back(malloc(n));
    for (void* p : batch) free(p);
    batch.clear();
    if (round % 64 == 0) std::thread([] { free(malloc(100)); }).join();
  }
}

// What a child does after most forks: one block of every size class and kind,
// so that any lock inherited in the held state deadlocks it. No gtest in children.
int child_touch_everything() {
  alarm(20);  // a deadlock ends the child with SIGALRM, which the parent reports
  std::vector<void*> blocks;
  for (size_t n : sizes_touching_every_lock()) {
    void* p = malloc(n);
    if (p == nullptr || malloc_usable_size(p) != n) return 2;
    memset(p, 0x5A, std::min<size_t>(n, 4096));
    blocks.push_back(p);
  }
  for (void* p : blocks) free(p);
  int thread_status = 0;  // threads can still be created and allocate
  std::thread([&] {
    void* p = malloc(3000);
    thread_status = p == nullptr ? 4 : 0;
    free(p);
  }).join();
  return thread_status;
}

// What a child does after some forks: a lot of patterned blocks (small, SMALL
// and LARGE), also from a new thread.
int child_work() {
  alarm(20);
  std::mt19937_64 rng(getpid());
  std::vector<Block> blocks;
  for (int i = 0; i < 6000; ++i) {
    size_t n = i % 1000 == 0 ? (size_t{2} << 20) : rng() % 100 == 0 ? 1 + rng() % 200000 : 1 + rng() % 2048;
    Block b{static_cast<uint8_t*>(malloc(n)), n, static_cast<uint32_t>(i), 0};
    if (b.p == nullptr || malloc_usable_size(b.p) != n) return 2;
    fill(b);
    blocks.push_back(b);
    if (blocks.size() > 200) {
      size_t k = rng() % blocks.size();
      if (!intact(blocks[k])) return 3;
      free(blocks[k].p);
      blocks[k] = blocks.back();
      blocks.pop_back();
    }
  }
  for (const Block& b : blocks) {
    if (!intact(b)) return 3;
    free(b.p);
  }
  int thread_status = 0;
  std::thread t([&] {
    for (int i = 0; i < 5000; ++i) {
      void* p = malloc(1 + i % 5000);
      if (p == nullptr) thread_status = 4;
      free(p);
    }
  });
  t.join();
  return thread_status;
}

// Waits for `pid` at most `timeout`; kills it on timeout. The wait status, or -1.
int wait_with_timeout(pid_t pid, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  int status = 0;
  while (Clock::now() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

std::string describe(int status) {
  if (status == -1) return "did not finish in time (deadlock?) and was killed";
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// fork() while other threads are inside malloc/free: the child must not inherit
// a held lock or a half-updated list, and the parent keeps going.
TEST(Stress, ForkWhileOtherThreadsAllocate) {
  Handoff handoff;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int id = 0; id < 2; ++id) threads.emplace_back([&, id] { churn(100 + id, 1 << 30, handoff, &stop); });
  for (int id = 0; id < 2; ++id) threads.emplace_back([&] { hammer_locks(stop); });
  for (int round = 0; round < 60; ++round) {
    pid_t pid = fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork failed: " << strerror(errno);
      break;  // not ASSERT: the threads must still be stopped and joined
    }
    if (pid == 0) _exit(round % 10 == 0 ? child_work() : child_touch_everything());
    int status = wait_with_timeout(pid, std::chrono::seconds(30));
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    ADD_FAILURE() << "child of fork " << round << " " << describe(status)
                  << " (2: malloc failed, 3: pattern corrupted, 4: malloc failed in a thread)";
    break;
  }
  stop = true;
  for (auto& t : threads) t.join();
  Block b;
  while (handoff.take(&b)) check_and_free(b);
}

// ------------------------------------------------------------ volume

// A million small blocks live at once: all distinct, none overlapping, each intact.
TEST(Stress, OneMillionLiveSmallBlocks) {
  constexpr size_t kCount = 1000000;
  auto size_of = [](size_t i) { return 1 + (i * 7919) % 96; };
  std::vector<uint8_t*> blocks(kCount);
  for (size_t i = 0; i < kCount; ++i) {
    blocks[i] = static_cast<uint8_t*>(malloc(size_of(i)));
    ASSERT_NE(blocks[i], nullptr) << "block " << i;
    fill(Block{blocks[i], size_of(i), static_cast<uint32_t>(i)});
  }
  for (size_t i = 0; i < kCount; ++i)
    ASSERT_TRUE(intact(Block{blocks[i], size_of(i), static_cast<uint32_t>(i)})) << "block " << i << " overwritten";
  std::vector<std::pair<uint8_t*, size_t>> sorted(kCount);
  for (size_t i = 0; i < kCount; ++i) sorted[i] = {blocks[i], size_of(i)};
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < kCount; ++i)
    ASSERT_LE(sorted[i - 1].first + sorted[i - 1].second, sorted[i].first) << "blocks overlap or repeat";
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937_64(1));
  for (uint8_t* p : blocks) free(p);
}

// Virtual size of the process, in bytes (to see that big blocks are unmapped).
size_t vm_size() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

// 1 GiB blocks: usable at both ends and in between, touching only a few pages;
// calloc of 1 GiB is zeroed without writing 1 GiB; freeing gives it all back.
TEST(Stress, OneGibibyteBlocks) {
  constexpr size_t kGiB = size_t{1} << 30;
  constexpr size_t kStride = 64 << 20;
  size_t vm_before = vm_size();
  for (int round = 0; round < 4; ++round) {
    auto* p = static_cast<uint8_t*>(malloc(opaque(kGiB)));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    EXPECT_EQ(malloc_usable_size(p), kGiB);
    for (size_t off = 0; off < kGiB; off += kStride) p[off + round * 4096] = static_cast<uint8_t>(off >> 26);
    p[kGiB - 1] = 0xEE;
    for (size_t off = 0; off < kGiB; off += kStride) ASSERT_EQ(p[off + round * 4096], static_cast<uint8_t>(off >> 26));
    EXPECT_EQ(p[kGiB - 1], 0xEE);
    free(p);

    auto start = Clock::now();
    auto* z = static_cast<uint8_t*>(round % 2 ? calloc(opaque(kGiB), 1) : calloc(opaque(size_t{1} << 15), 1 << 15));
    auto took = Clock::now() - start;
    ASSERT_NE(z, nullptr);
    EXPECT_LT(took, std::chrono::milliseconds(500)) << "calloc(1 GiB) wrote the memory instead of mapping zeros";
    for (size_t off = 0; off < kGiB; off += kStride) ASSERT_EQ(z[off + 12345], 0) << off;
    EXPECT_EQ(z[0], 0);
    EXPECT_EQ(z[kGiB - 1], 0);
    z[kGiB / 2] = 1;
    free(z);
  }
  EXPECT_LT(vm_size(), vm_before + (size_t{256} << 20)) << "freed 1 GiB blocks stay mapped";
}

// ------------------------------------------------------------ thread churn

// Resident set size in bytes.
size_t rss() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

// A block freed by a pthread key destructor: after the library's own cache
// teardown at thread exit (its key is older), the thread still allocates and frees.
pthread_key_t g_exit_key;
void free_at_thread_exit(void* p) {
  free(p);
  void* late = malloc(100);
  free(late);
}

// One short-lived thread: fills its cache across many size classes, frees
// blocks that earlier (now dead) threads allocated, leaves a few for later ones.
void short_lived_thread(int id, Handoff& survivors) {
  pthread_setspecific(g_exit_key, malloc(64));
  std::vector<Block> mine;
  for (size_t n = 8; n <= 48 * 1024; n = n * 5 / 4 + 8)
    for (int k = 0; k < 4; ++k) mine.push_back(make_block(n, id));
  Block b;
  for (int k = 0; k < 8 && survivors.take(&b); ++k) check_and_free(b);
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i].p == nullptr) continue;
    if (i % 16 == 0)
      survivors.put(mine[i]);
    else
      check_and_free(mine[i]);
  }
}

// 200 threads, 8 at a time, each exiting with a full cache. Their cached blocks
// must return to circulation: memory stays flat once the first waves are done.
TEST(Stress, ThreadChurnReusesCachedBlocks) {
  ASSERT_EQ(pthread_key_create(&g_exit_key, free_at_thread_exit), 0);
  Handoff survivors;
  size_t rss_warm = 0;
  for (int wave = 0; wave < 25; ++wave) {
    std::vector<std::thread> threads;
    for (int k = 0; k < 8; ++k) threads.emplace_back(short_lived_thread, wave * 8 + k, std::ref(survivors));
    for (auto& t : threads) t.join();
    if (wave == 4) rss_warm = rss();
  }
  size_t rss_end = rss();
  Block b;
  while (survivors.take(&b)) check_and_free(b);
  pthread_key_delete(g_exit_key);
  // Each thread leaves about 2 MiB in its cache: 160 lost caches would be ~300 MiB.
  EXPECT_LT(rss_end, rss_warm + (size_t{48} << 20))
      << "memory grew from " << (rss_warm >> 20) << " MiB to " << (rss_end >> 20)
      << " MiB: the caches of exited threads are not reused";
}

}  // namespace
