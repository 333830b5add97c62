// Input for the "g++" workload of bench/run.sh: template-heavy C++ that makes
// the compiler allocate a lot (g++ -O0 -c). BENCH_N (set by run.sh from the
// scale) is how many distinct instantiation families are generated.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#ifndef BENCH_N
#define BENCH_N 3
#endif

template <int I>
struct Key {
  int a;
  std::string s;
  bool operator<(const Key& o) const { return std::tie(a, s) < std::tie(o.a, o.s); }
  bool operator==(const Key& o) const { return a == o.a && s == o.s; }
};

template <int I>
struct KeyHash {
  size_t operator()(const Key<I>& k) const { return std::hash<std::string>()(k.s) ^ k.a; }
};

template <int I>
struct Val {
  std::vector<double> xs;
  std::optional<std::string> name;
  std::variant<int, double, std::string> v;
};

template <int I>
struct Family {
  std::map<Key<I>, std::vector<Val<I>>> ordered;
  std::set<std::pair<int, Key<I>>> pairs;
  std::vector<std::function<int(const Val<I>&)>> fns;

  int run(int seed) {
    Key<I> k{seed, std::to_string(seed + I)};
    ordered[k].push_back(Val<I>{{1.0, 2.0}, std::nullopt, I});
    pairs.insert({I, k});
    fns.push_back([](const Val<I>& v) { return static_cast<int>(v.xs.size()) + I; });
    std::vector<int> tmp(static_cast<size_t>(seed % 16 + I));
    std::iota(tmp.begin(), tmp.end(), I);
    std::sort(tmp.begin(), tmp.end(), [](int a, int b) { return a % (I + 2) < b % (I + 2); });
    auto it = std::find_if(tmp.begin(), tmp.end(), [](int x) { return x % 3 == I % 3; });
    int acc = std::accumulate(tmp.begin(), tmp.end(), 0);
    for (auto& [key, vals] : ordered)
      for (auto& v : vals) acc += fns.back()(v) + static_cast<int>(v.v.index());
    return acc + (it != tmp.end() ? *it : 0) + static_cast<int>(pairs.size());
  }
};

// One unordered_map + shared_ptr + variant visit for the whole file.
int shared_part(int seed) {
  std::unordered_map<Key<-1>, std::shared_ptr<Val<-1>>, KeyHash<-1>> hashed;
  hashed.emplace(Key<-1>{seed, "x"}, std::make_shared<Val<-1>>());
  int acc = 0;
  for (auto& [k, v] : hashed) acc += std::visit([](auto&& x) { return static_cast<int>(sizeof(x)); }, v->v) + k.a;
  return acc;
}

template <int... Is>
int run_all(std::integer_sequence<int, Is...>, int seed) {
  return (Family<Is>{}.run(seed) + ... + 0);
}

int bench_entry(int seed) { return shared_part(seed) + run_all(std::make_integer_sequence<int, BENCH_N>{}, seed); }
