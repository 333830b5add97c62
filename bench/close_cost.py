#!/usr/bin/env python3
"""What close() costs under the library (the kernel-held table's lookup, docs/performance.md).

Runs build/bin/bench-closecost in each mode under glibc and under each library
given, alternating, REPS times; the table gives the median and the fastest run
(ns per dup/close pair in modes plain and table, ns per close in mode registered;
bench/src/close_cost.cpp says what each mode does). On a machine shared with
other work the fastest run is the steadier figure.

  bench/close_cost.py --lib before=/path/old.so --lib after=build/lib/libdebugmalloc.so [--reps 9]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("plain", "table", "registered")


def one_run(binary, pairs, mode, lib):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if lib is not None:
        env["LD_PRELOAD"] = os.path.abspath(lib)
        env["DEBUGMALLOC_OPTIONS"] = "leaks=0:exitcode=0"
    count = pairs if mode != "registered" else pairs // 5  # a registered close is slower
    out = subprocess.run([binary, str(count), mode], env=env, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"([\d.]+) ns per", out).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", default=[], metavar="NAME=PATH", help="a library to measure")
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--pairs", type=int, default=1000000)
    ap.add_argument("--build-dir", default=os.path.join(REPO_DIR, "build"))
    args = ap.parse_args()
    binary = os.path.join(args.build_dir, "bin", "bench-closecost")
    configs = [("glibc", None)] + [tuple(item.split("=", 1)) for item in args.lib]
    times = {(name, mode): [] for name, _ in configs for mode in MODES}
    for _ in range(args.reps):
        for mode in MODES:
            for name, lib in configs:
                times[(name, mode)].append(one_run(binary, args.pairs, mode, lib))
    print("| mode | " + " | ".join("%s: median (fastest), ns" % name for name, _ in configs) + " |")
    print("| --- |" + " --- |" * len(configs))
    for mode in MODES:
        cells = ["%.1f (%.1f)" % (statistics.median(times[(name, mode)]), min(times[(name, mode)]))
                 for name, _ in configs]
        print("| %s | %s |" % (mode, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
