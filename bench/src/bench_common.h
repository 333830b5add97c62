// Shared helpers for the bench-* workload programs: a fixed PRNG (so every
// run, on every libstdc++, does the same work) and argument parsing.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bench {

// xoshiro256** seeded through splitmix64: deterministic, cheap, and does not
// allocate (std::*_distribution output is not portable across libraries).
class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (auto& w : s_) {
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            w = z ^ (z >> 31);
        }
    }
    uint64_t next() {
        const uint64_t r = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return r;
    }
    // Uniform in [lo, hi] (inclusive); the tiny modulo bias is irrelevant here.
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + next() % (hi - lo + 1); }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

// argv[i] as a positive scale factor (default when absent).
inline double scale_arg(int argc, char** argv, int i, double def) {
    if (argc <= i) return def;
    char* end = nullptr;
    double v = std::strtod(argv[i], &end);
    if (end == argv[i] || *end != '\0' || !(v > 0)) {
        std::fprintf(stderr, "%s: bad scale '%s' (want a positive number)\n", argv[0], argv[i]);
        std::exit(2);
    }
    return v;
}

inline long int_arg(int argc, char** argv, int i, long def, long lo, long hi) {
    if (argc <= i) return def;
    char* end = nullptr;
    long v = std::strtol(argv[i], &end, 10);
    if (end == argv[i] || *end != '\0' || v < lo || v > hi) {
        std::fprintf(stderr, "%s: bad count '%s' (want %ld..%ld)\n", argv[0], argv[i], lo, hi);
        std::exit(2);
    }
    return v;
}

inline bool wants_help(int argc, char** argv) {
    return argc > 1 && (!std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help"));
}

}  // namespace bench
