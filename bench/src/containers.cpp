// bench-containers: allocation patterns of ordinary C++ code.
//
// Each round: std::map<std::string, ...> inserts/lookups/erases with keys
// long enough to defeat the small-string buffer, std::string concatenation,
// std::unordered_map<uint64_t, std::string> churn, std::vector growth by
// push_back (no reserve) including vectors of strings, and a
// std::list/std::shared_ptr pass. All of it goes through operator new/delete.
//
// usage: bench-containers [SCALE]   (SCALE 1 = the default amount of work)
// Prints one checksum line; same SCALE -> same output under any allocator.
#include <cstdint>
#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_common.h"

namespace {

constexpr double kBaseRounds = 25;

std::string make_key(bench::Rng& rng, uint64_t n) {
  // "key-" + number + variable padding: 20..60 chars, always heap-allocated.
  std::string k = "key-" + std::to_string(n) + "-";
  const size_t pad = static_cast<size_t>(rng.range(12, 50));
  for (size_t i = 0; i < pad; ++i) k += static_cast<char>('a' + (n + i) % 26);
  return k;
}

uint64_t map_phase(bench::Rng& rng) {
  std::map<std::string, std::vector<int>> m;
  uint64_t sum = 0;
  for (int i = 0; i < 12000; ++i) {
    const uint64_t n = rng.next() % 20000;
    auto& v = m[make_key(rng, n)];
    v.push_back(i);
  }
  for (int i = 0; i < 8000; ++i) {
    const uint64_t n = rng.next() % 20000;
    auto it = m.lower_bound("key-" + std::to_string(n));
    if (it != m.end()) {
      sum += it->second.size() + it->first.size();
      if (n & 1) m.erase(it);
    }
  }
  for (const auto& [k, v] : m) sum += k[k.size() / 2] + v.size();
  return sum;
}

uint64_t string_phase(bench::Rng& rng) {
  uint64_t sum = 0;
  for (int j = 0; j < 200; ++j) {
    std::string s;
    std::vector<std::string> parts;
    for (int i = 0; i < 200; ++i) {
      std::string piece = std::to_string(rng.next() % 100000) + ",";
      s += piece;  // amortised growth
      s = s + "";  // copy (a new buffer every time)
      if (i % 8 == 0) parts.push_back(s.substr(s.size() / 2));
    }
    std::string joined;
    for (const auto& p : parts) joined = joined + p + ";";
    sum += s.size() + joined.size() + static_cast<unsigned char>(joined[joined.size() / 3]);
  }
  return sum;
}

uint64_t unordered_phase(bench::Rng& rng) {
  std::unordered_map<uint64_t, std::string> um;
  uint64_t sum = 0;
  for (int i = 0; i < 60000; ++i) {
    const uint64_t k = rng.next() % 8192;
    const uint64_t op = rng.next() % 4;
    if (op == 0) {
      sum += um.erase(k);
    } else if (op == 1) {
      auto it = um.find(k);
      if (it != um.end()) sum += it->second.size();
    } else {
      um[k] = std::string(static_cast<size_t>(16 + (k % 100)), static_cast<char>('A' + k % 26));
    }
    if (i % 20000 == 19999) um.rehash(0);
  }
  return sum + um.size();
}

uint64_t vector_phase(bench::Rng& rng) {
  uint64_t sum = 0;
  for (int j = 0; j < 60; ++j) {
    std::vector<uint64_t> v;
    const size_t n = static_cast<size_t>(rng.range(1000, 40000));
    for (size_t i = 0; i < n; ++i) v.push_back(i ^ j);
    std::vector<std::string> vs;
    for (size_t i = 0; i < n / 16; ++i) vs.push_back(std::string(24 + i % 40, 'x'));
    std::vector<std::vector<int>> vv(200);
    for (size_t i = 0; i < n / 4; ++i) vv[i % vv.size()].push_back(static_cast<int>(i));
    sum += v[n / 2] + vs.size() + vv[7].size();
  }
  return sum;
}

uint64_t list_phase(bench::Rng& rng) {
  std::list<std::shared_ptr<std::string>> l;
  uint64_t sum = 0;
  for (int i = 0; i < 20000; ++i) {
    l.push_back(std::make_shared<std::string>(static_cast<size_t>(rng.range(20, 80)), 'q'));
    if (l.size() > 500) {
      sum += l.front()->size();
      l.pop_front();
    }
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::printf("usage: %s [SCALE]\n", argv[0]);
    return 0;
  }
  const double scale = bench::scale_arg(argc, argv, 1, 1.0);
  const int rounds = static_cast<int>(kBaseRounds * scale + 0.5) > 0 ? static_cast<int>(kBaseRounds * scale + 0.5) : 1;
  bench::Rng rng(42);
  uint64_t sum = 0;
  for (int r = 0; r < rounds; ++r) {
    sum += map_phase(rng);
    sum += string_phase(rng);
    sum += unordered_phase(rng);
    sum += vector_phase(rng);
    sum += list_phase(rng);
  }
  std::printf("containers checksum %016llx rounds %d\n", static_cast<unsigned long long>(sum), rounds);
  return 0;
}
