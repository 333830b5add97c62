// A small templated C++ file compiled with `g++ -c` (cc1plus and as). Only two
// standard headers: cc1plus is slow under Valgrind, and parsing headers is most
// of its work.
#include <memory>
#include <vector>

template <typename T, int N>
struct Fixed {
  T items[N];
  constexpr int size() const { return N; }
};

template <typename K, typename V>
class Registry {
 public:
  void add(const K& key, V value) {
    for (auto& entry : entries_) {
      if (entry.first == key) {
        entry.second.push_back(std::move(value));
        return;
      }
    }
    entries_.emplace_back(key, std::vector<V>());
    entries_.back().second.push_back(std::move(value));
  }
  std::size_t count(const K& key) const {
    for (const auto& entry : entries_)
      if (entry.first == key) return entry.second.size();
    return 0;
  }

 private:
  struct Entry {
    Entry(const K& k, std::vector<V> v) : first(k), second(std::move(v)) {}
    K first;
    std::vector<V> second;
  };
  std::vector<Entry> entries_;
};

template <typename... Ts>
constexpr std::size_t total_size() { return (sizeof(Ts) + ... + 0); }

template <int N>
struct Factorial { static constexpr long value = N * Factorial<N - 1>::value; };
template <>
struct Factorial<0> { static constexpr long value = 1; };

std::size_t use_them() {
  Registry<int, std::unique_ptr<Fixed<int, 4>>> reg;
  reg.add(1, std::make_unique<Fixed<int, 4>>());
  reg.add(1, std::make_unique<Fixed<int, 4>>());
  reg.add(2, std::make_unique<Fixed<int, 4>>());
  static_assert(Factorial<10>::value == 3628800, "factorial");
  return reg.count(1) + total_size<int, double, char>();
}
