// A correct program that exercises every entry point: it must report nothing.
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <cstdio>
#include <map>
#include <new>
#include <string>
#include <thread>
#include <vector>

extern "C" void show_alloc_mem(void) __attribute__((weak));

struct alignas(64) Aligned {
  char bytes[64];
};

int main() {
  void* a = malloc(10);
  void* b = calloc(10, 10);
  a = realloc(a, 1000);
  b = reallocarray(b, 20, 10);
  void* c = nullptr;
  if (posix_memalign(&c, 256, 300) != 0) return 1;
  void* d = aligned_alloc(64, 128);
  void* e = memalign(32, 50);
  void* f = valloc(100);
  void* g = pvalloc(100);
  size_t usable = malloc_usable_size(a);
  memset(a, 1, usable);
  for (void* p : {a, b, c, d, e, f, g}) free(p);
  free(nullptr);
  free(realloc(nullptr, 5));

  auto* one = new int(5);
  delete one;
  auto* many = new int[10];
  delete[] many;
  auto* aligned = new Aligned;
  delete aligned;
  auto* aligned_many = new Aligned[3];
  delete[] aligned_many;
  auto* nothrow = new (std::nothrow) long[4];
  delete[] nothrow;

  std::map<std::string, std::vector<int>> m;
  for (int i = 0; i < 1000; ++i) m[std::to_string(i)].push_back(i);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      std::vector<std::string> v;
      for (int i = 0; i < 1000; ++i) v.push_back(std::string(static_cast<size_t>(i % 50 + 1), 'x'));
    });
  for (auto& t : threads) t.join();
  std::printf("clean: %zu keys\n", m.size());
  return 0;
}
