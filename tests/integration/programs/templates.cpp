// Template-heavy C++ program: compiled by g++ under libdebugmalloc (the
// compiler is the allocation-heavy program under test), then run; its output
// must equal that of the same file compiled and run without the library.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace {

template <typename T, std::size_t N>
struct Fib { static constexpr T value = Fib<T, N - 1>::value + Fib<T, N - 2>::value; };
template <typename T> struct Fib<T, 1> { static constexpr T value = 1; };
template <typename T> struct Fib<T, 0> { static constexpr T value = 0; };

template <typename... Ts>
std::string join(const Ts&... xs) {
    std::ostringstream os;
    const char* sep = "";
    ((os << sep << xs, sep = ","), ...);
    return os.str();
}

template <typename K, typename V, template <typename...> class Map>
struct Histogram {
    Map<K, V> counts;
    void add(const K& k) { ++counts[k]; }
    std::vector<std::pair<K, V>> top(std::size_t n) const {
        std::vector<std::pair<K, V>> v(counts.begin(), counts.end());
        std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
            return std::tie(b.second, a.first) < std::tie(a.second, b.first);
        });
        if (v.size() > n) v.resize(n);
        return v;
    }
};

struct Shape { virtual ~Shape() = default; virtual double area() const = 0; virtual std::string name() const = 0; };
struct Rect : Shape {
    double w, h;
    Rect(double w_, double h_) : w(w_), h(h_) {}
    double area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};
struct Tri : Shape {
    double b, h;
    Tri(double b_, double h_) : b(b_), h(h_) {}
    double area() const override { return b * h / 2; }
    std::string name() const override { return "tri"; }
};

using Value = std::variant<long, double, std::string, std::vector<int>>;

struct Visitor {
    std::string operator()(long x) const { return "long:" + std::to_string(x); }
    std::string operator()(double x) const { return "double:" + std::to_string(x); }
    std::string operator()(const std::string& s) const { return "string:" + s; }
    std::string operator()(const std::vector<int>& v) const {
        return "vector:" + std::to_string(std::accumulate(v.begin(), v.end(), 0));
    }
};

template <typename Container>
std::uint64_t checksum(const Container& c) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& x : c) h = (h ^ std::hash<std::decay_t<decltype(x)>>{}(x)) * 1099511628211ull;
    return h;
}

}  // namespace

int main() {
    std::uint32_t seed = 42;
    auto rnd = [&seed] { seed = seed * 1664525u + 1013904223u; return seed >> 8; };

    std::vector<std::string> words;
    for (int i = 0; i < 50000; ++i) {
        std::string w;
        for (unsigned n = 2 + rnd() % 10; n > 0; --n) w += static_cast<char>('a' + rnd() % 26);
        words.push_back(std::move(w));
    }

    Histogram<std::string, int, std::map> ordered;
    Histogram<std::string, int, std::unordered_map> hashed;
    for (const auto& w : words) { ordered.add(w.substr(0, 2)); hashed.add(w.substr(0, 3)); }
    for (const auto& [k, v] : ordered.top(5)) std::cout << "map " << k << " " << v << "\n";
    for (const auto& [k, v] : hashed.top(5)) std::cout << "umap " << k << " " << v << "\n";

    std::set<std::string> uniq(words.begin(), words.end());
    std::list<std::string> lst(uniq.begin(), uniq.end());
    lst.remove_if([](const std::string& s) { return s.size() % 3 == 0; });
    std::cout << "uniq " << uniq.size() << " list " << lst.size() << " front " << lst.front() << "\n";

    std::vector<std::unique_ptr<Shape>> shapes;
    for (int i = 0; i < 20000; ++i) {
        if (i % 3) shapes.push_back(std::make_unique<Rect>(i % 17, i % 13));
        else shapes.push_back(std::make_unique<Tri>(i % 11, i % 7));
    }
    std::map<std::string, double> areas;
    for (const auto& s : shapes) areas[s->name()] += s->area();
    for (const auto& [k, v] : areas) std::cout << "area " << k << " " << v << "\n";

    std::vector<Value> values;
    for (int i = 0; i < 1000; ++i) {
        switch (i % 4) {
            case 0: values.emplace_back(static_cast<long>(i)); break;
            case 1: values.emplace_back(i / 4.0); break;
            case 2: values.emplace_back(words[i]); break;
            default: values.emplace_back(std::vector<int>(i % 50, i)); break;
        }
    }
    std::map<std::size_t, std::vector<std::string>> by_kind;
    for (const auto& v : values) by_kind[v.index()].push_back(std::visit(Visitor{}, v));
    for (const auto& [k, v] : by_kind) std::cout << "variant " << k << " " << v.size() << " " << v.back() << "\n";

    std::vector<std::string> sorted = words;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    std::cout << "sorted " << sorted.front() << " " << sorted.back() << " " << checksum(sorted) << "\n";

    std::ostringstream big;
    for (std::size_t i = 0; i < words.size(); ++i) big << i << ':' << words[i] << ';';
    std::cout << "stream " << big.str().size() << " " << std::hash<std::string>{}(big.str()) << "\n";
    std::cout << "fib " << Fib<std::uint64_t, 80>::value << " " << join(1, 2.5, "three", std::string("four")) << "\n";
    return 0;
}
