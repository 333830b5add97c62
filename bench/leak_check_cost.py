#!/usr/bin/env python3
"""What the exit-time leak check costs on the bench programs.

The check at exit is a small part of a whole run, smaller than the noise of
whole-process timings, so it is timed inside the run: `strace -tt` stamps the
moment the check starts stopping threads (it opens /proc/self/task) and the
moment the process exits; the interval is the scan, the report and the exit.
Each workload of bench/runner.py runs under each library REPS times,
alternating; the table gives the medians.

  bench/leak_check_cost.py --lib before=/path/old.so --lib after=build/lib/libdebugmalloc.so \\
                           [--workloads python3,perl,g++,sqlite3,churn,containers] [--reps 5]

The same library twice with different options (--options NAME=OPTS is added to
its DEBUGMALLOC_OPTIONS):

  bench/leak_check_cost.py --lib tags=build/lib/libdebugmalloc.so --lib notags=build/lib/libdebugmalloc.so \\
                           --options notags=tagged_pointers=0
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402  (the workloads and their inputs)


def stamp(line):
    hours, minutes, seconds = line.split()[0].split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def check_seconds(argv, env, cwd, trace):
    subprocess.run(["strace", "-qq", "-f", "-tt", "-e", "trace=openat,exit_group", "-o", trace] + argv, env=env, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(trace) as f:
        lines = f.read().splitlines()
    start = next((stamp(l.split(None, 1)[1]) for l in lines if "/proc/self/task" in l), None)
    end = next((stamp(l.split(None, 1)[1]) for l in lines if "exit_group" in l and start is not None
                and stamp(l.split(None, 1)[1]) >= start), None)
    return None if start is None or end is None else end - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", required=True, metavar="NAME=PATH", help="a library to measure")
    ap.add_argument("--options", action="append", default=[], metavar="NAME=OPTS",
                    help="more DEBUGMALLOC_OPTIONS for library NAME")
    ap.add_argument("--workloads", default="python3,perl,g++,sqlite3,churn,containers")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--build-dir", default=os.path.join(runner.REPO_DIR, "build"))
    args = ap.parse_args()
    libs = dict(item.split("=", 1) for item in args.lib)
    extra = dict(item.split("=", 1) for item in args.options)
    wanted = args.workloads.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        ctx = runner.Ctx(build=args.build_dir, tmp=tmp)
        print("| workload | " + " | ".join("%s: leak check at exit (s)" % name for name in libs) + " |")
        print("| --- |" + " --- |" * len(libs))
        for w in (w for w in runner.WORKLOADS if w.name in wanted):
            argv = w.argv(args.scale, ctx)
            times = {name: [] for name in libs}
            for _ in range(args.reps):
                for name, path in libs.items():
                    env = dict(os.environ, **w.env, LD_PRELOAD=os.path.abspath(path),
                               DEBUGMALLOC_OPTIONS="leaks=1:exitcode=0" + (":" + extra[name] if name in extra else ""))
                    t = check_seconds(argv, env, tmp, os.path.join(tmp, "trace"))
                    if t is not None:
                        times[name].append(t)
            cells = ["%.3f" % statistics.median(v) if v else "n/a" for v in times.values()]
            print("| %s | %s |" % (w.name, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
