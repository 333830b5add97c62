// Parses every line of a directory of report files with the tool's JSON line reader and with
// simdjson's DOM parser, walking each tree the same way, and prints the best of N passes.
// Not part of the build (simdjson is not a dependency); README.md here says how to run it.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "json_lite.h"

namespace jl = dmtool::json_lite;

struct Totals {
  uint64_t nodes = 0, text = 0, sum = 0;
};

void walk(const jl::Document& doc, const jl::Value& v, Totals& t) {
  ++t.nodes;
  t.text += v.key.size();
  switch (v.type) {
    case jl::Type::String: t.text += v.string.size(); break;
    case jl::Type::Integer: t.sum += static_cast<uint64_t>(v.integer); break;
    case jl::Type::Array:
    case jl::Type::Object:
      for (const jl::Value* c = doc.begin(v); c != doc.end(v); ++c) walk(doc, *c, t);
      break;
    default: break;
  }
}

void walk(simdjson::dom::element e, Totals& t) {
  ++t.nodes;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: t.text += std::string_view(e).size(); break;
    case simdjson::dom::element_type::INT64: t.sum += static_cast<uint64_t>(int64_t(e)); break;
    case simdjson::dom::element_type::ARRAY:
      for (auto c : simdjson::dom::array(e)) walk(c, t);
      break;
    case simdjson::dom::element_type::OBJECT:
      for (auto [key, value] : simdjson::dom::object(e)) {
        t.text += key.size();
        walk(value, t);
      }
      break;
    default: break;
  }
}

template <class F>
double best_of(int passes, F&& f) {
  double best = 1e9;
  for (int i = 0; i < passes; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s REPORT_DIR [PASSES]\n", argv[0]);
    return 2;
  }
  int passes = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      bytes += line.size();
      lines.push_back(std::move(line));
    }
  }
  Totals a, b;
  double lite = best_of(passes, [&] {
    a = {};
    jl::Document doc;
    for (const auto& line : lines) {
      if (!doc.parse(line)) std::abort();
      walk(doc, doc.root(), a);
    }
  });
  std::vector<simdjson::padded_string> padded;
  padded.reserve(lines.size());
  for (const auto& line : lines) padded.emplace_back(line);
  double simd = best_of(passes, [&] {
    b = {};
    simdjson::dom::parser parser;
    for (const auto& line : padded) walk(parser.parse(line).value(), b);
  });
  // simdjson feeding the tool's flat tree (what a drop-in replacement of the reader would do).
  std::vector<jl::Value> flat;
  Totals c;
  double simd_flat = best_of(passes, [&] {
    c = {};
    simdjson::dom::parser parser;
    for (const auto& line : padded) {
      flat.clear();
      struct F {
        std::vector<jl::Value>& out;
        void fill(simdjson::dom::element e, jl::Value& v) {
          switch (e.type()) {
            case simdjson::dom::element_type::STRING: v.type = jl::Type::String; v.string = std::string_view(e); break;
            case simdjson::dom::element_type::INT64: v.type = jl::Type::Integer; v.integer = int64_t(e); break;
            case simdjson::dom::element_type::ARRAY: {
              v.type = jl::Type::Array;
              simdjson::dom::array a(e);
              v.first = static_cast<uint32_t>(out.size());
              v.count = static_cast<uint32_t>(a.size());
              out.resize(out.size() + v.count);
              uint32_t i = v.first;
              for (auto c : a) { jl::Value child; fill(c, child); out[i++] = child; }
              break;
            }
            case simdjson::dom::element_type::OBJECT: {
              v.type = jl::Type::Object;
              simdjson::dom::object o(e);
              v.first = static_cast<uint32_t>(out.size());
              v.count = static_cast<uint32_t>(o.size());
              out.resize(out.size() + v.count);
              uint32_t i = v.first;
              for (auto [k, val] : o) { jl::Value child; fill(val, child); child.key = k; out[i++] = child; }
              break;
            }
            default: break;
          }
        }
      } f{flat};
      jl::Value root;
      f.fill(parser.parse(line).value(), root);
      c.nodes += flat.size() + 1;
    }
  });
  std::printf("simdjson into the flat tree: %.3f s, %lu nodes\n", simd_flat, (unsigned long)c.nodes);
  std::printf("%zu lines, %.1f MB\n", lines.size(), bytes / 1e6);
  std::printf("json_lite: %.3f s (%.0f MB/s), %lu nodes\n", lite, bytes / 1e6 / lite, (unsigned long)a.nodes);
  std::printf("simdjson:  %.3f s (%.0f MB/s), %lu nodes (padded copies made outside the timing)\n", simd,
              bytes / 1e6 / simd, (unsigned long)b.nodes);
  return a.text == b.text && a.sum == b.sum ? 0 : 1;
}
