#!/usr/bin/env python3
"""Merge benchmark of `debugmalloc report`: writes N realistic report files (a test suite's
worth: 20 distinct stacks shared across processes, a few errors and leaks in each, some
frames left for offline symbolization in the real libc) and times
`debugmalloc report --format json` over the directory.

    bench/reporter/merge_bench.py [--tool build/bin/debugmalloc] [--files 10000] [--repeat 3]
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


def build_id(path):
    try:
        out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    except OSError:
        return None
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else None


def make_stacks(rng, count):
    """`count` distinct stacks of 8-24 frames: allocator, program code, libc at the bottom."""
    functions = ["Parser::parse_%d(std::string const&)" % i for i in range(40)] + \
                ["net::Conn<tcp>::on_read_%d()" % i for i in range(40)] + ["worker_loop", "main"]
    stacks = []
    for s in range(count):
        depth = rng.randint(8, 24)
        frames = [{"module": 2, "offset": 0x1234 + 16 * (s % 4), "function": "malloc", "file": None, "line": None}]
        for d in range(depth - 3):
            frames.append({"module": 1 if d % 5 else 3, "offset": 0x10000 + rng.randrange(0, 0x80000, 4),
                           "function": rng.choice(functions), "file": "/src/app/file%d.cpp" % rng.randrange(60),
                           "line": rng.randint(1, 900)})
        # The bottom frames in libc are left unsymbolized: the reporter does them offline.
        frames.append({"module": 4, "offset": 0x2724a, "function": None, "file": None, "line": None})
        frames.append({"module": 4, "offset": 0x27305, "function": None, "file": None, "line": None})
        stacks.append(frames)
    return stacks


def write_files(directory, n, seed):
    rng = random.Random(seed)
    stacks = make_stacks(rng, 20)
    libc_id = build_id(LIBC) or "00"
    modules = [(1, "/opt/suite/bin/test_runner", "ab" * 20), (2, "/opt/debugmalloc/lib/libdebugmalloc.so", "cd" * 20),
               (3, "/opt/suite/lib/libapp.so", "ef" * 20), (4, LIBC, libc_id)]
    for i in range(n):
        pid = 100000 + i
        bases = {m: rng.randrange(0x550000000000, 0x7f0000000000, 0x1000) for m, _, _ in modules}
        ids = rng.sample(range(1000), 20)  # stack ids differ from file to file
        lines = [json.dumps({"t": "process", "format": "debugmalloc-report", "version": 1, "pid": pid, "ppid": 99999,
                             "start": 5000 + i, "gen": 0, "time": 1795303421 + i, "exe": modules[0][1],
                             "cwd": "/opt/suite", "command": ["./test_runner", "--case", str(i)],
                             "options": "leaks=1:report_dir=/tmp/r"}, separators=(",", ":"))]
        for m, path, bid in modules:
            lines.append(json.dumps({"t": "module", "id": m, "path": path, "base": hex(bases[m]),
                                     "end": hex(bases[m] + 0x200000), "build_id": bid, "unloaded": False},
                                    separators=(",", ":")))
        used = rng.sample(range(20), 6)
        for s in used:
            frames = [dict(f, pc=hex(bases[f["module"]] + f["offset"]), offset=hex(f["offset"])) for f in stacks[s]]
            lines.append(json.dumps({"t": "stack", "id": ids[s], "frames": frames}, separators=(",", ":")))
        kinds = ["heap-buffer-overflow", "use-after-free", "double-free", "alloc-dealloc-mismatch"]
        errors = 0
        for e in range(rng.randint(0, 2)):
            errors += 1
            lines.append(json.dumps({"t": "error", "kind": rng.choice(kinds), "count": 1, "api": "free()",
                                     "address": hex(0x7f0000000000 + i * 64), "block": hex(0x7f0000000000 + i * 64),
                                     "size": 64, "offset": 64, "bad_bytes": 1,
                                     "message": "1 byte changed 0 bytes past the end of a 64-byte block",
                                     "stack": ids[used[e]], "alloc_stack": ids[used[e + 2]],
                                     "free_stack": None}, separators=(",", ":")))
        for l in range(rng.randint(1, 3)):
            lines.append(json.dumps({"t": "leak", "kind": rng.choice(["definite", "definite", "indirect", "possible"]),
                                     "bytes": rng.randint(8, 4096), "blocks": rng.randint(1, 10),
                                     "stack": ids[used[3 + l]], "indirect_bytes": 0, "indirect_blocks": 0},
                                    separators=(",", ":")))
        lines.append(json.dumps({"t": "end", "reason": "exit", "exit_code": 0, "forced_exit_code": 23,
                                 "leak_check": True, "errors": errors, "leaked_bytes": None}, separators=(",", ":")))
        with open(os.path.join(directory, "debugmalloc-%d-%d-0.report" % (pid, 5000 + i)), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(here, "..", "..", "build", "bin", "debugmalloc"))
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated directory")
    args = ap.parse_args()

    directory = tempfile.mkdtemp(prefix="dm-merge-bench-")
    try:
        t0 = time.monotonic()
        write_files(directory, args.files, seed=5)
        size = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))
        print("generated %d report files (%.1f MB) in %.1f s" % (args.files, size / 1e6, time.monotonic() - t0))
        for jobs in ("0", "1"):
            times = []
            for _ in range(args.repeat):
                t0 = time.monotonic()
                proc = subprocess.run([args.tool, "report", "--format", "json", "--jobs", jobs, directory],
                                      capture_output=True, text=True)
                times.append(time.monotonic() - t0)
                if proc.returncode not in (0, 1):
                    print(proc.stderr, file=sys.stderr)
                    return 1
            out = json.loads(proc.stdout)
            print("debugmalloc report --format json --jobs %s: best %.2f s, median %.2f s "
                  "(%d processes, %d error groups, %d leak groups)"
                  % (jobs if jobs != "0" else "auto(%d)" % os.cpu_count(), min(times), statistics.median(times),
                     len(out["processes"]), len(out["errors"]), len(out["leaks"])))
    finally:
        if args.keep:
            print("kept", directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
