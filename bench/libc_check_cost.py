#!/usr/bin/env python3
"""What the range checks of the interposed C library functions cost (check_libc=1
against check_libc=0, the same build, both with leaks=1 as bench/run.sh's debugmalloc):

  time:       the workload alternately with the checks on and off, REPS times each
              (the order swapped every round; perl's and python's hash seeds fixed):
              medians and minima of CPU time (user + sys) and of wall time, and
              their ratio (on / off).
  callgrind:  instructions executed (Valgrind's callgrind, Ir), once each: exact and
              repeatable, whatever else runs on the machine, so small differences show;
              not time (the checks' instructions are cheap: L1 loads, no division).

  python3 bench/libc_check_cost.py [--mode time|callgrind] [--reps 15] [--scale 1]
                                   [--workloads containers,perl,...]

The workloads are bench/run.sh's (runner.py); DEBUGMALLOC_BUILD_DIR points at the build
(default build/).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import runner  # noqa: E402


def options(on):
    return "leaks=1:check_libc=" + ("1" if on else "0")


def timed(argv, env, cwd):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("time", "callgrind"), default="time")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--scale", type=float, default=None, help="default 1 (time), 0.1 (callgrind)")
    parser.add_argument("--workloads", default=",".join(w.name for w in runner.WORKLOADS))
    args = parser.parse_args()
    build = os.environ.get("DEBUGMALLOC_BUILD_DIR", os.path.join(HERE, "..", "build"))
    lib = os.path.join(build, "lib", "libdebugmalloc.so")
    scale = args.scale if args.scale is not None else (1.0 if args.mode == "time" else 0.1)
    tmp = tempfile.mkdtemp(prefix="dm-libc-cost-")
    ctx = runner.Ctx(build=build, tmp=tmp)
    wanted = args.workloads.split(",")
    for w in runner.WORKLOADS:
        if w.name not in wanted:
            continue
        argv = [a.replace("{scratch}", tmp) for a in w.argv(scale, ctx)]

        def env(on):
            e = dict(os.environ, **w.env)
            # The interpreters' hash seeds fixed: the same work in every run (a random
            # seed alone moves perl's time by 10-30% from run to run).
            e.update({"LD_PRELOAD": lib, "DEBUGMALLOC_OPTIONS": options(on), "PYTHONHASHSEED": "0",
                      "PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"})
            return e

        if args.mode == "callgrind":
            ir = {}
            for on in (True, False):
                err = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv,
                                     env=env(on), cwd=tmp, capture_output=True, text=True).stderr
                m = re.search(r"Collected : (\d+)", err)
                ir[on] = int(m.group(1)) if m else float("nan")
            print("%-11s scale %-4s instructions on %d  off %d  on/off %.3f" % (
                w.name, runner.fmt_scale(scale), ir[True], ir[False], ir[True] / ir[False]), flush=True)
            continue
        runs = {True: [], False: []}
        for i in range(args.reps):
            for on in ((True, False) if i % 2 == 0 else (False, True)):
                runs[on].append(timed(argv, env(on), tmp))

        def stat(on, k, f):
            return f(r[k] for r in runs[on])

        cpu = [stat(o, 0, statistics.median) for o in (True, False)]
        cpu_min = [stat(o, 0, min) for o in (True, False)]
        wall = [stat(o, 1, statistics.median) for o in (True, False)]
        print("%-11s n=%d  cpu median %.3f/%.3f s = %.3f  min %.3f/%.3f s = %.3f  wall median %.3f/%.3f s = %.3f" % (
            w.name, args.reps, cpu[0], cpu[1], cpu[0] / cpu[1], cpu_min[0], cpu_min[1], cpu_min[0] / cpu_min[1],
            wall[0], wall[1], wall[0] / wall[1]), flush=True)


if __name__ == "__main__":
    main()
