#!/usr/bin/env python3
"""Whole-process benchmark of debugmalloc against glibc and peer tools.

Called by bench/run.sh (see bench/README.md). Standard library only.

Every measurement is one whole process: wall time from just before the fork
to the return of wait4(), and peak RSS (ru_maxrss) from the same wait4().
Runs alternate round-robin over the tools (tool order rotated every
repetition), never all runs of one tool and then the next.

Two tables define what runs, and are the places to extend:
  TOOLS      name + environment + command prefix (+ a scale factor for slow
             tools, whose runs are then compared with glibc at that same scale)
  WORKLOADS  name + argv (a function of the scale) + environment
"""

import argparse
import csv
import datetime
import math
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
LIBDIR = "/usr/lib/x86_64-linux-gnu"


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------

@dataclass
class Tool:
    name: str
    env: Dict[str, str] = field(default_factory=dict)   # values may use {build} {scratch} {bench}
    prefix: List[str] = field(default_factory=list)     # command put before the workload argv
    requires: List[str] = field(default_factory=list)   # paths or commands that must exist
    scale_factor: float = 1.0     # slow tools run a smaller workload (compared at equal scale)
    ok_exit: tuple = (0,)         # exit codes that still count as a completed run
    leak_exit: tuple = ()         # exit codes that mean "leaks were reported" (a completed run)
    leak_report: str = ""         # ...if stderr also matches this regex (when set)
    error_report: str = ""        # ...and does not match this one (a real error report)
    stdout_noise: str = ""        # regex of lines the tool itself prints on stdout
    max_reps: int = 0             # cap on repetitions for very slow tools (0 = --reps)
    note: str = ""


def first_existing(*paths: str) -> str:
    for p in paths:
        if os.path.exists(p):
            return p
    return paths[0]


TOOLS: List[Tool] = [
    Tool("glibc", note="plain glibc malloc, no tool"),
    # Every check on, like the peers: guards, scribble, quarantine, full stacks
    # on every allocation and free, and the leak check at exit (LSan and ASan
    # check leaks at exit by default too).
    Tool("debugmalloc",
         env={"LD_PRELOAD": "{dmlib}", "DEBUGMALLOC_OPTIONS": "leaks=1"},
         requires=["{build}/lib/libdebugmalloc.so"],
         ok_exit=(0,), leak_exit=(23,),  # 23: its exitcode option's default
         note="LD_PRELOAD=build/lib/libdebugmalloc.so (a copy taken at start), every check on (defaults + leaks=1)"),
    # The same with the range checks of the interposed libc functions off
    # (check_libc=0): what those checks cost (docs/performance.md).
    Tool("debugmalloc-nolibc",
         env={"LD_PRELOAD": "{dmlib}", "DEBUGMALLOC_OPTIONS": "leaks=1:check_libc=0"},
         requires=["{build}/lib/libdebugmalloc.so"],
         ok_exit=(0,), leak_exit=(23,),
         note="debugmalloc as above with check_libc=0 (no range checks in memcpy, strlen, ...)"),
    # guard_pages: the default (sample, one allocation in sample_rate against an
    # inaccessible page) against off and all (docs/performance.md, "Guard pages").
    Tool("debugmalloc-guard-off",
         env={"LD_PRELOAD": "{dmlib}", "DEBUGMALLOC_OPTIONS": "leaks=1:guard_pages=off"},
         requires=["{build}/lib/libdebugmalloc.so"],
         ok_exit=(0,), leak_exit=(23,),
         note="debugmalloc as above with guard_pages=off (no sampled page guards)"),
    Tool("debugmalloc-guard-all",
         env={"LD_PRELOAD": "{dmlib}", "DEBUGMALLOC_OPTIONS": "leaks=1:guard_pages=all"},
         requires=["{build}/lib/libdebugmalloc.so"],
         ok_exit=(0,), leak_exit=(23,),
         note="debugmalloc as above with guard_pages=all (every block up to 16 KiB against an inaccessible page)"),
    # The lightest mode: the allocator with its header checks (double, invalid
    # and mismatched frees) but no guards, scribble, quarantine or stacks.
    Tool("debugmalloc-light",
         env={"LD_PRELOAD": "{dmlib}",
              "DEBUGMALLOC_OPTIONS": "quarantine_mb=0:stack_depth=0:scribble=0:redzone=0:free_stacks=0"},
         requires=["{build}/lib/libdebugmalloc.so"],
         ok_exit=(0,), leak_exit=(23,),
         note="debugmalloc's lightest mode: redzone=0 (no guards), no scribble, no quarantine, no stacks"),
    Tool("lsan",
         env={"LD_PRELOAD": first_existing(LIBDIR + "/liblsan.so.0", LIBDIR + "/liblsan.so")},
         requires=[first_existing(LIBDIR + "/liblsan.so.0", LIBDIR + "/liblsan.so")],
         ok_exit=(0,), leak_exit=(23,), leak_report=r"ERROR: LeakSanitizer: detected memory leaks",
         note="LeakSanitizer runtime preloaded (leak check only)"),
    Tool("asan",
         env={"LD_PRELOAD": first_existing(LIBDIR + "/libasan.so.8", LIBDIR + "/libasan.so"),
              "ASAN_OPTIONS": "detect_leaks=1:verify_asan_link_order=0"},
         requires=[first_existing(LIBDIR + "/libasan.so.8", LIBDIR + "/libasan.so")],
         # ASan exits 1 (its exitcode) after a leak report, unlike standalone LSan (23).
         ok_exit=(0,), leak_exit=(1, 23),
         leak_report=r"ERROR: LeakSanitizer: detected memory leaks",
         error_report=r"ERROR: AddressSanitizer",
         note="AddressSanitizer runtime preloaded into uninstrumented code: "
              "allocator + leak check only (no compiler instrumentation of loads/stores)"),
    Tool("heaptrack",
         prefix=["heaptrack", "-o", "{scratch}/heaptrack"],
         requires=["heaptrack"],
         stdout_noise=r"^(heaptrack output will be written to .*|/.*libheaptrack_preload\.so"
                      r"|starting application, this might take some time\.\.\."
                      r"|Heaptrack finished! .*|  heaptrack --analyze .*|)$",
         note="heaptrack record (data written to a temp dir, compressed by heaptrack's own pipeline)"),
    Tool("tcmalloc-debug",
         env={"LD_PRELOAD": first_existing(LIBDIR + "/libtcmalloc_debug.so.4",
                                           LIBDIR + "/libtcmalloc_debug.so")},
         requires=[first_existing(LIBDIR + "/libtcmalloc_debug.so.4",
                                  LIBDIR + "/libtcmalloc_debug.so")],
         scale_factor=0.1, max_reps=3,
         note="gperftools debugallocation preloaded"),
    Tool("memcheck",
         prefix=["valgrind", "--tool=memcheck", "--leak-check=full", "-q"],
         requires=["valgrind"],
         scale_factor=0.1, max_reps=3,
         note="Valgrind memcheck"),
    Tool("efence",
         env={"LD_PRELOAD": "/usr/lib/libefence.so"},
         requires=["/usr/lib/libefence.so"],
         scale_factor=0.01, max_reps=1,
         note="Electric Fence, default settings (can it run the workload at all?)"),
    Tool("duma",
         env={"LD_PRELOAD": "/usr/lib/libduma.so"},
         requires=["/usr/lib/libduma.so"],
         scale_factor=0.01, max_reps=1,
         note="DUMA, default settings (can it run the workload at all?)"),
]

QUICK_TOOLS = ["glibc", "debugmalloc", "debugmalloc-light", "lsan", "asan"]


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------

@dataclass
class Ctx:
    build: str        # build directory
    tmp: str          # session temp dir (generated inputs)


@dataclass
class Workload:
    name: str
    argv: Callable[[float, Ctx], List[str]]   # scale -> argv ({scratch} allowed)
    env: Dict[str, str] = field(default_factory=dict)
    requires: List[str] = field(default_factory=list)
    note: str = ""


def fmt_scale(s: float) -> str:
    return ("%.6f" % s).rstrip("0").rstrip(".")


def find_python() -> str:
    # The distribution's python3 (a real ELF, not a pyenv shim script).
    for p in ("/usr/bin/python3", shutil.which("python3") or ""):
        if p and os.path.exists(p):
            try:
                with open(p, "rb") as f:
                    if f.read(4) == b"\x7fELF":
                        return p
            except OSError:
                pass
    return "/usr/bin/python3"


PYTHON = find_python()


def gpp_argv(scale: float, ctx: Ctx) -> List[str]:
    """cc1plus (the compiler proper) of `g++ -std=c++17 -O0 -c templates.cpp`.

    Running cc1plus directly makes the measured process the one that does the
    allocating under every tool (heaptrack and valgrind would otherwise only
    see the g++ driver, which allocates almost nothing)."""
    n = max(0, int(round(2 * scale)))
    src = os.path.join(BENCH_DIR, "workloads", "templates.cpp")
    key = ("gpp", n)
    if key in _ARGV_CACHE:
        return _ARGV_CACHE[key]
    cmd = ["g++", "-###", "-std=c++17", "-O0", "-c", "-DBENCH_N=%d" % n, src,
           "-o", os.path.join(ctx.tmp, "templates.o")]
    argv = None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stderr
        for line in out.splitlines():
            words = shlex.split(line)
            if words and words[0].endswith("/cc1plus"):
                if "-o" in words:
                    words[words.index("-o") + 1] = "{scratch}/templates.s"
                    argv = words
                break
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    if argv is None:  # fall back to the driver (tools that don't follow children see little)
        argv = ["g++", "-std=c++17", "-O0", "-c", "-DBENCH_N=%d" % n, src,
                "-o", "{scratch}/templates.o"]
    _ARGV_CACHE[key] = argv
    return argv


_ARGV_CACHE: Dict[tuple, List[str]] = {}


def sqlite_argv(scale: float, ctx: Ctx) -> List[str]:
    path = os.path.join(ctx.tmp, "sqlite-%s.sql" % fmt_scale(scale))
    if not os.path.exists(path):
        gen_sqlite_script(path, scale)
    return ["sqlite3", ":memory:", ".read " + path]


def gen_sqlite_script(path: str, scale: float) -> None:
    """Deterministic SQL: bulk inserts in one transaction, indexes, queries."""
    import random
    rng = random.Random(99)
    n = max(100, int(60000 * scale))
    out = ["CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, cat INTEGER, price REAL, note TEXT);",
           "CREATE TABLE cat(id INTEGER PRIMARY KEY, label TEXT);",
           "BEGIN;"]
    out += ["INSERT INTO cat VALUES(%d,'category-%d');" % (c, c) for c in range(100)]
    for _ in range(n):
        name = "item-%d-%s" % (rng.randrange(10 ** 6), "x" * rng.randrange(0, 30))
        note = "".join(rng.choice("abcdefghij ") for _ in range(rng.randrange(10, 60)))
        out.append("INSERT INTO item(name,cat,price,note) VALUES('%s',%d,%.2f,'%s');"
                   % (name, rng.randrange(100), rng.random() * 1000, note))
    out += [
        "COMMIT;",
        "CREATE INDEX item_name ON item(name);",
        "CREATE INDEX item_cat ON item(cat, price);",
        "SELECT cat, count(*), round(avg(price),2), max(length(note)) FROM item"
        " GROUP BY cat ORDER BY 2 DESC, 1 LIMIT 5;",
        "SELECT c.label, count(*) FROM item i JOIN cat c ON c.id = i.cat"
        " WHERE i.note LIKE '%abc%' GROUP BY c.label ORDER BY 2 DESC, 1 LIMIT 3;",
        "SELECT count(DISTINCT substr(name, 1, 8)) FROM item;",
        "SELECT length(group_concat(name, ',')) FROM (SELECT name FROM item ORDER BY note, id LIMIT 2000);",
        "UPDATE item SET note = note || '-updated' WHERE cat % 7 = 0;",
        "DELETE FROM item WHERE price < 100;",
        "SELECT count(*), sum(length(note)) FROM item;",
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < %d)"
        " SELECT count(*) FROM r JOIN item ON item.id = r.x;" % (n // 2),
    ]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def bench_bin(name: str) -> Callable[..., List[str]]:
    return lambda scale, ctx, *extra: [os.path.join(ctx.build, "bin", name), fmt_scale(scale)] + list(extra)


WORKLOADS: List[Workload] = [
    Workload("churn", lambda s, c: bench_bin("bench-churn")(s, c),
             requires=["{build}/bin/bench-churn"],
             note="bench-churn: random sizes, 10k-slot working set"),
    Workload("xthread", lambda s, c: bench_bin("bench-xthread")(s, c, "2"),
             requires=["{build}/bin/bench-xthread"],
             note="bench-xthread SCALE 2: two threads freeing each other's blocks"),
    Workload("xthread-1t", lambda s, c: bench_bin("bench-xthread")(s, c, "1"),
             requires=["{build}/bin/bench-xthread"],
             note="bench-xthread SCALE 1: same work per thread, one thread (for scaling)"),
    Workload("containers", lambda s, c: bench_bin("bench-containers")(s, c),
             requires=["{build}/bin/bench-containers"],
             note="bench-containers: map/string/unordered_map/vector"),
    Workload("python3",
             lambda s, c: [PYTHON, os.path.join(BENCH_DIR, "workloads", "py_churn.py"), fmt_scale(s)],
             env={"PYTHONMALLOC": "malloc", "PYTHONDONTWRITEBYTECODE": "1"},
             requires=[PYTHON],
             note="python3 (PYTHONMALLOC=malloc) bench/workloads/py_churn.py"),
    Workload("perl",
             lambda s, c: ["perl", os.path.join(BENCH_DIR, "workloads", "perl_churn.pl"), fmt_scale(s)],
             requires=["perl"],
             note="perl bench/workloads/perl_churn.pl"),
    Workload("g++", gpp_argv, requires=["g++"],
             note="cc1plus of g++ -std=c++17 -O0 -c bench/workloads/templates.cpp"),
    Workload("sqlite3", sqlite_argv, requires=["sqlite3"],
             note="sqlite3 :memory: .read <generated SQL: inserts, indexes, queries>"),
    Workload("true", lambda s, c: ["/bin/true"], requires=["/bin/true"],
             note="/bin/true: one process that does nothing (start-up and exit alone)"),
    Workload("spawn",
             lambda s, c: ["/bin/sh", os.path.join(BENCH_DIR, "workloads", "spawn.sh"), str(max(1, round(100 * s)))],
             requires=["/bin/sh", "sed", "grep"],
             note="sh bench/workloads/spawn.sh: 100 pipelines echo | sed | grep at scale 1 (300 short processes)"),
]


# --------------------------------------------------------------------------
# Running one process
# --------------------------------------------------------------------------

@dataclass
class Result:
    tool: str
    workload: str
    scale: float
    rep: int
    seq: int
    wall: float = float("nan")
    user: float = float("nan")
    sys: float = float("nan")
    maxrss_kb: int = 0
    rc: Optional[int] = None
    signal: Optional[int] = None
    status: str = ""
    detail: str = ""


# {dmlib}: the copy of build/lib/libdebugmalloc.so taken when the run starts, so
# a rebuild of the tree during a long run cannot mix two libraries in one table.
SNAPSHOT = {"dmlib": ""}


def expand(s: str, build: str, scratch: str) -> str:
    return (s.replace("{build}", build).replace("{scratch}", scratch).replace("{bench}", BENCH_DIR)
            .replace("{dmlib}", SNAPSHOT["dmlib"] or os.path.join(build, "lib", "libdebugmalloc.so")))


def available(req: str, build: str) -> bool:
    req = expand(req, build, "")
    if "/" in req:
        return os.path.exists(req)
    return shutil.which(req) is not None


def base_env() -> Dict[str, str]:
    env = dict(os.environ)
    for k in list(env):
        if k in ("LD_PRELOAD", "MALLOC_CHECK_", "MALLOC_PERTURB_", "PYTHONMALLOC", "DEBUGMALLOC_OPTIONS",
                 "FtLeaks", "FtMallocErrorAbort", "FtMallocScribble") or k.endswith("SAN_OPTIONS") \
                or k.startswith(("EF_", "DUMA_", "TCMALLOC_", "HEAPCHECK", "GLIBC_TUNABLES")):
            del env[k]
    return env


BASE_ENV = base_env()

_ERROR_PATTERNS = re.compile(
    r"(mprotect\(\) failed[^\n]*|address not from malloc[^\n]*|ERROR: [A-Za-z]+Sanitizer[^\n]*"
    r"|Aborting:[^\n]*|Segmentation fault|std::bad_alloc|out of memory[^\n]*|Cannot allocate memory"
    r"|Fatal Python error[^\n]*|Invalid (read|write|free)[^\n]*|==\d+== [A-Z][^\n]*error[^\n]*|debugmalloc[^\n]*)")


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "?"


MAX_MAP_COUNT = _read("/proc/sys/vm/max_map_count")
GNU_TIME = "/usr/bin/time"
TIMER = {"kind": "gnu-time" if os.access(GNU_TIME, os.X_OK) else "wait4"}


def parse_gnu_time(path: str):
    """(maxrss_kb, exit_status or None, signal or None) from `time -f '%M %x' -o path`."""
    try:
        with open(path) as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return None
    sig = None
    for l in lines:
        m = re.match(r"Command terminated by signal (\d+)", l)
        if m:
            sig = int(m.group(1))
    try:
        rss, code = lines[-1].split()
        return int(rss), (None if sig else int(code)), sig
    except (ValueError, IndexError):
        return None


def run_once(tool: Tool, wl: Workload, scale: float, ctx: Ctx, timeout: float,
             rep: int, seq: int, ref_out: Optional[str]) -> (Result, str):
    res = Result(tool.name, wl.name, scale, rep, seq)
    scratch = tempfile.mkdtemp(prefix="run-", dir=ctx.tmp)
    try:
        argv = [expand(a, ctx.build, scratch) for a in tool.prefix + wl.argv(scale, ctx)]
        time_out = os.path.join(scratch, "gnu-time")
        extra = {}
        for k, v in wl.env.items():
            extra[k] = expand(v, ctx.build, scratch)
        for k, v in tool.env.items():
            extra[k] = expand(v, ctx.build, scratch)
        if TIMER["kind"] == "gnu-time":
            # GNU time forks the workload from a ~2 MiB process: a child forked
            # straight from this Python process would report our RSS as its peak
            # (Linux keeps the pre-exec high-water mark in ru_maxrss). GNU time
            # itself runs in the clean environment (liblsan preloaded into it
            # crashes it); env(1) sets the tool's variables for the workload.
            env = dict(BASE_ENV)
            argv = ([GNU_TIME, "-f", "%M %x", "-o", time_out, "--", "/usr/bin/env"]
                    + ["%s=%s" % kv for kv in extra.items()] + argv)
        else:
            env = dict(BASE_ENV, **extra)
        out_path = os.path.join(scratch, "stdout")
        err_path = os.path.join(scratch, "stderr")
        with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
            killed = threading.Event()
            t0 = time.perf_counter()
            try:
                p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                     env=env, cwd=scratch, start_new_session=True)
            except OSError as e:
                res.status, res.detail = "error", "cannot start: %s" % e
                return res, ""

            def kill():
                killed.set()
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                while True:
                    try:
                        _, status, ru = os.wait4(p.pid, 0)
                        break
                    except InterruptedError:
                        continue
            except BaseException:  # ^C: don't leave the workload running
                timer.cancel()
                kill()
                os.waitpid(p.pid, 0)
                p.returncode = -1
                raise
            t1 = time.perf_counter()
            timer.cancel()
            p.returncode = 0  # reaped by wait4; keep Popen from waiting again
            # Anything the tool left running in the group (heaptrack's helpers) goes too.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        res.wall = t1 - t0
        res.user, res.sys, res.maxrss_kb = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if TIMER["kind"] == "gnu-time" and not killed.is_set():
            parsed = parse_gnu_time(time_out)
            if parsed is None:
                res.status, res.detail = "error", "no output from %s (exit %s)" % (GNU_TIME, code)
                return res, ""
            res.maxrss_kb, code, sig = parsed
        with open(out_path, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        with open(err_path, "rb") as f:
            err = f.read().decode("utf-8", "replace")
        if tool.stdout_noise:
            noise = re.compile(tool.stdout_noise)
            out = "\n".join(l for l in out.split("\n") if not noise.match(l))
            out = out.strip("\n") + "\n" if out.strip() else ""
        m = _ERROR_PATTERNS.search(err)
        if m:
            hint = m.group(0).strip()[:160]
        else:  # the last line that is not a tool's banner
            tail = [l.strip() for l in err.splitlines()
                    if l.strip() and not re.search(r"Copyright|Electric Fence 2|^DUMA, built", l)]
            hint = tail[-1][:160] if tail else ""
        if "mprotect() failed" in hint:
            hint += " (ENOMEM: one page mapping per block hits vm.max_map_count=%s)" % MAX_MAP_COUNT
        if killed.is_set():
            res.status, res.detail = "timeout", "killed after %g s" % timeout
        elif sig is not None:
            res.signal = sig
            res.status = "crash"
            res.detail = signal.Signals(sig).name + (": " + hint if hint else "")
        else:
            res.rc = code
            leaks = (code in tool.leak_exit
                     and (not tool.leak_report or re.search(tool.leak_report, err))
                     and not (tool.error_report and re.search(tool.error_report, err)))
            if res.rc not in tool.ok_exit and not leaks:
                res.status, res.detail = "error", "exit %d" % res.rc + (": " + hint if hint else "")
            elif ref_out is not None and out != ref_out:
                res.status, res.detail = "wrong-output", "stdout differs from glibc's"
            else:
                res.status = "ok"
                if leaks:
                    res.detail = "exit %d: leaks reported" % res.rc
        return res, out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------

def fmt_ratio(x: float) -> str:
    if x >= 100:
        return "%.0f×" % x
    if x >= 10:
        return "%.1f×" % x
    return "%.2f×" % x


def fmt_range(lo: float, hi: float) -> str:
    f = (lambda v: "%.0f" % v) if hi >= 100 else (lambda v: "%.1f" % v) if hi >= 10 else (lambda v: "%.2f" % v)
    return "%s–%s" % (f(lo), f(hi))


def short_status(rs: List[Result]) -> str:
    bad = [r for r in rs if r.status != "ok"]
    r = bad[0]
    if r.status == "crash":
        return "crash (%s)" % (signal.Signals(r.signal).name if r.signal else "?")
    if r.status == "error":
        return "error (exit %s)" % r.rc
    return r.status


def build_tables(results: List[Result], tools: List[Tool], wls: List[Workload],
                 base_scale: float) -> (str, List[str]):
    by = {}
    for r in results:
        by.setdefault((r.tool, r.workload, r.scale), []).append(r)
    notes: List[str] = []
    foot = {}  # tool -> footnote mark
    marks = "¹²³⁴⁵⁶⁷⁸⁹"
    for t in tools:
        if t.scale_factor != 1.0:
            foot[t.name] = marks[len(foot)]
    odd: List[str] = []

    def cell(t: Tool, w: Workload, metric: str):
        s = base_scale * t.scale_factor
        rs = by.get((t.name, w.name, s), [])
        base = [r for r in by.get(("glibc", w.name, s), []) if r.status == "ok"]
        if not rs:
            return "—", None
        if any(r.status != "ok" for r in rs):
            for r in rs if metric == "time" else []:
                if r.status != "ok":
                    odd.append("%s on %s (scale %s, rep %d): %s%s" % (
                        t.name, w.name, fmt_scale(s), r.rep, r.status,
                        " — " + r.detail if r.detail else ""))
                    break
            return short_status(rs), None
        if not base:
            return "no glibc baseline", None
        leaks = any(r.detail.endswith("leaks reported") for r in rs)
        dag = "†" if leaks else ""
        if metric == "time":
            bm = statistics.median(r.wall for r in base)
            vals = [r.wall for r in rs]
            med = statistics.median(vals) / bm
            if t.name == "glibc" and s == base_scale:
                return "%.3f s (%s)%s" % (bm, fmt_range(min(vals), max(vals)), dag), med
            return "%s (%s)%s" % (fmt_ratio(med), fmt_range(min(vals) / bm, max(vals) / bm), dag), med
        bm = statistics.median(r.maxrss_kb for r in base)
        med = statistics.median(r.maxrss_kb for r in rs) / bm
        if t.name == "glibc" and s == base_scale:
            return "%.1f MiB" % (bm / 1024), med
        return fmt_ratio(med) + dag, med

    lines: List[str] = []
    for metric, title in (("time", "Wall time: median relative to glibc (min–max over the runs)"),
                          ("rss", "Peak RSS: median relative to glibc")):
        lines.append("### " + title)
        lines.append("")
        hdr = ["workload"] + [t.name + foot.get(t.name, "") for t in tools]
        lines.append("| " + " | ".join(hdr) + " |")
        lines.append("|" + "---|" * len(hdr))
        geo: Dict[str, List[float]] = {t.name: [] for t in tools}
        for w in wls:
            row = [w.name]
            for t in tools:
                text, val = cell(t, w, metric)
                row.append(text)
                if val is not None:
                    geo[t.name].append(val)
            lines.append("| " + " | ".join(row) + " |")
        row = ["**geomean**"]
        for t in tools:
            v = geo[t.name]
            if t.name == "glibc":
                row.append("1 (baseline)")
            elif not v:
                row.append("—")
            else:
                g = math.exp(sum(math.log(x) for x in v) / len(v))
                row.append("**%s**%s" % (fmt_ratio(g), "" if len(v) == len(wls) else " (%d of %d)" % (len(v), len(wls))))
        lines.append("| " + " | ".join(row) + " |")
        lines.append("")

    # Scaling of the cross-thread workload: wall(2 threads) / wall(1 thread),
    # same work per thread, so 1.00 means the second thread came for free.
    names = {w.name for w in wls}
    if {"xthread", "xthread-1t"} <= names:
        lines.append("### xthread scaling: median wall(xthread, 2 threads, every free remote) / "
                     "median wall(xthread-1t, 1 thread, every free local), same work per thread "
                     "(1.00 = the second thread and the remote frees cost nothing; 2.00 = no gain from the second core)")
        lines.append("")
        lines.append("| " + " | ".join(t.name + foot.get(t.name, "") for t in tools) + " |")
        lines.append("|" + "---|" * len(tools))
        row = []
        for t in tools:
            s = base_scale * t.scale_factor
            a = by.get((t.name, "xthread", s), [])
            b = by.get((t.name, "xthread-1t", s), [])
            if a and b and all(r.status == "ok" for r in a + b):
                row.append("%.2f" % (statistics.median(r.wall for r in a) / statistics.median(r.wall for r in b)))
            else:
                row.append("—")
        lines.append("| " + " | ".join(row) + " |")
        lines.append("")

    for t in tools:
        if t.name in foot:
            notes.append("%s %s ran every workload at %s× the scale of the others (scale %s); its ratios "
                         "are against glibc runs at that same scale, done in the same rounds.%s" % (
                             foot[t.name], t.name, fmt_scale(t.scale_factor), fmt_scale(base_scale * t.scale_factor),
                             " At most %d rep%s." % (t.max_reps, "s" if t.max_reps > 1 else "") if t.max_reps else ""))
        elif t.max_reps:
            notes.append("%s: at most %d reps." % (t.name, t.max_reps))
    small = sorted({base_scale * t.scale_factor for t in tools if t.scale_factor != 1.0}, reverse=True)
    for s in small:
        parts = []
        for w in wls:
            base = [r.wall for r in by.get(("glibc", w.name, s), []) if r.status == "ok"]
            if base:
                parts.append("%s %.3f s" % (w.name, statistics.median(base)))
        if parts:
            notes.append("glibc medians at scale %s: %s." % (fmt_scale(s), ", ".join(parts)))
    if any(r.detail.endswith("leaks reported") for r in results):
        notes.append("† the tool reported leaks at exit and exited non-zero for it (LSan and debugmalloc: 23, "
                     "ASan: 1); the run completed and its output was right.")
    return "\n".join(lines), notes + (["Failures (the first of each cell; a failed cell's later reps are skipped):"]
                                      + ["  - " + o for o in odd] if odd else [])


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def cpu_pressure_us() -> Optional[int]:
    """Total µs during which some task waited for a CPU (/proc/pressure/cpu), or None."""
    try:
        with open("/proc/pressure/cpu") as f:
            for line in f:
                if line.startswith("some"):
                    return int(line.split("total=")[1].split()[0])
    except (OSError, IndexError, ValueError):
        pass
    return None


def load1() -> float:
    try:
        return float(loadavg().split()[0])
    except ValueError:
        return 0.0


def machine_info() -> tuple:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        libc = "?"
    rev = "?"
    try:
        rev = subprocess.run(["git", "-C", REPO_DIR, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        pass
    return ("%s, %d cores (os.cpu_count), Linux %s, %s" % (cpu, os.cpu_count() or 0, platform.release(), libc),
            "tree %s" % rev)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def rerender(path: str) -> int:
    """Tables from a CSV written by an earlier run (tools and workloads in CSV order)."""
    results: List[Result] = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            r = Result(row["tool"], row["workload"], float(row["scale"]), int(row["rep"]), int(row["seq"]),
                       float(row["wall_s"]), float(row["user_s"]), float(row["sys_s"]), int(row["maxrss_kb"]),
                       int(row["exit"]) if row["exit"] else None,
                       int(row["signal"]) if row["signal"] else None, row["status"], row["detail"])
            results.append(r)
    known_t = {t.name: t for t in TOOLS}
    known_w = {w.name: w for w in WORKLOADS}
    tnames, wnames = [], []
    for r in results:
        if r.tool not in tnames:
            tnames.append(r.tool)
        if r.workload not in wnames:
            wnames.append(r.workload)
    base_scale = max(r.scale for r in results if r.tool == "glibc")
    tools = []
    for n in tnames:
        t = known_t.get(n) or Tool(n)
        scales = {r.scale for r in results if r.tool == n}
        if len(scales) == 1 and n != "glibc":  # the scale it really ran at
            t = Tool(**{**t.__dict__, "scale_factor": scales.pop() / base_scale})
        tools.append(t)
    tools.sort(key=lambda t: t.name != "glibc")
    wls = [known_w.get(n) or Workload(n, lambda s, c: []) for n in wnames]
    table, notes = build_tables(results, tools, wls, base_scale)
    print("## debugmalloc benchmark, tables re-rendered from `%s`\n" % path)
    print(table)
    if notes:
        print("Notes:\n")
        print("\n".join(n if n.startswith(("- ", "  - ")) else "- " + n for n in notes))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="3 reps, tools %s, scale 0.5" % ",".join(QUICK_TOOLS))
    ap.add_argument("--reps", type=int, help="repetitions per cell (default 5, quick 3)")
    ap.add_argument("--tools", help="comma-separated tool names (default: all installed)")
    ap.add_argument("--workloads", help="comma-separated workload names (default: all available)")
    ap.add_argument("--scale", type=float, help="workload scale (default 1, quick 0.5)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per-run timeout in seconds (default 120)")
    ap.add_argument("--out", help="results directory (default bench/results)")
    ap.add_argument("--build-dir", default=os.environ.get("DEBUGMALLOC_BUILD_DIR", os.path.join(REPO_DIR, "build")))
    ap.add_argument("--keep-going", action="store_true",
                    help="keep running a cell's later reps after it failed (default: skip them)")
    ap.add_argument("--timer", choices=["gnu-time", "wait4"], default=TIMER["kind"],
                    help="how peak RSS is read: GNU time's %%M (default when /usr/bin/time exists) "
                         "or os.wait4 directly (its RSS has the runner's own RSS as a floor)")
    ap.add_argument("--list", action="store_true", help="list tools and workloads and exit")
    ap.add_argument("--report", metavar="CSV", help="only print the tables again from a CSV of raw runs")
    args = ap.parse_args()

    build = os.path.abspath(args.build_dir)
    if args.timer == "gnu-time" and not os.access(GNU_TIME, os.X_OK):
        ap.error("--timer gnu-time needs %s (Debian package 'time')" % GNU_TIME)
    TIMER["kind"] = args.timer
    reps = args.reps or (3 if args.quick else 5)
    scale = args.scale or (0.5 if args.quick else 1.0)
    if reps < 1 or scale <= 0:
        ap.error("--reps and --scale must be positive")

    if args.report:
        return rerender(args.report)
    if args.list:
        for t in TOOLS:
            ok = all(available(r, build) for r in t.requires)
            print("tool     %-15s %-13s scale×%-5s %s" % (t.name, "available" if ok else "NOT INSTALLED",
                                                        fmt_scale(t.scale_factor), t.note))
        for w in WORKLOADS:
            ok = all(available(r, build) for r in w.requires)
            print("workload %-15s %-13s %s" % (w.name, "available" if ok else "NOT AVAILABLE", w.note))
        return 0

    tool_names = args.tools.split(",") if args.tools else (QUICK_TOOLS if args.quick else [t.name for t in TOOLS])
    wl_names = args.workloads.split(",") if args.workloads else [w.name for w in WORKLOADS]
    known_t = {t.name: t for t in TOOLS}
    known_w = {w.name: w for w in WORKLOADS}
    for n in tool_names:
        if n not in known_t:
            ap.error("unknown tool %r (known: %s)" % (n, ", ".join(known_t)))
    for n in wl_names:
        if n not in known_w:
            ap.error("unknown workload %r (known: %s)" % (n, ", ".join(known_w)))
    if "glibc" not in tool_names:
        tool_names = ["glibc"] + tool_names  # the baseline is always measured
    skipped: List[str] = []
    tools = []
    for n in tool_names:
        t = known_t[n]
        missing = [r for r in t.requires if not available(r, build)]
        if missing:
            skipped.append("tool %s: %s not found" % (n, ", ".join(expand(m, build, "") for m in missing)))
        else:
            tools.append(t)
    wls = []
    for n in wl_names:
        w = known_w[n]
        missing = [r for r in w.requires if not available(r, build)]
        if missing:
            skipped.append("workload %s: %s not found" % (n, ", ".join(expand(m, build, "") for m in missing)))
        else:
            wls.append(w)
    if not any(t.name == "glibc" for t in tools) or not wls:
        print("nothing to run: " + "; ".join(skipped), file=sys.stderr)
        return 2
    for s in skipped:
        print("skipping " + s, file=sys.stderr)

    out_dir = os.path.abspath(args.out or os.path.join(BENCH_DIR, "results"))
    os.makedirs(out_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    kind = "quick" if args.quick else "full"
    csv_path = os.path.join(out_dir, "%s-%s.csv" % (stamp, kind))
    md_path = os.path.join(out_dir, "%s-%s.md" % (stamp, kind))

    # Cells: (tool, scale). Every scale a tool runs at gets a glibc baseline at that scale.
    cells = []
    for t in tools:
        s = scale * t.scale_factor
        if t.name != "glibc" and ("glibc", s) not in [(c[0].name, c[1]) for c in cells]:
            cells.append((known_t["glibc"], s))
        if (t.name, s) not in [(c[0].name, c[1]) for c in cells]:
            cells.append((t, s))
    cells.sort(key=lambda c: -c[1])  # full-scale cells first, then each smaller scale

    load_start = loadavg()
    psi_start = cpu_pressure_us()
    busy = False
    tmp = tempfile.mkdtemp(prefix="dm-bench-")
    ctx = Ctx(build=build, tmp=tmp)
    lib_info = ""
    lib = os.path.join(build, "lib", "libdebugmalloc.so")
    if os.path.exists(lib):
        SNAPSHOT["dmlib"] = os.path.join(tmp, "libdebugmalloc.so")
        shutil.copy2(lib, SNAPSHOT["dmlib"])
        import hashlib
        with open(SNAPSHOT["dmlib"], "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:12]
        lib_info = "libdebugmalloc.so sha256 %s, built %s" % (
            digest, datetime.datetime.fromtimestamp(os.path.getmtime(lib)).strftime("%Y-%m-%d %H:%M"))
    results: List[Result] = []
    t_start = time.time()
    try:
        # Warm-up (not recorded): one glibc run of each workload at each scale,
        # which also gives the reference output every tool must reproduce.
        ref: Dict[tuple, str] = {}
        glibc = known_t["glibc"]
        for w in wls:
            for s in sorted({c[1] for c in cells}, reverse=True):
                r, out = run_once(glibc, w, s, ctx, args.timeout, 0, 0, None)
                if r.status != "ok":
                    print("warning: warm-up of %s at scale %s under glibc: %s %s" % (
                        w.name, fmt_scale(s), r.status, r.detail), file=sys.stderr)
                else:
                    ref[(w.name, s)] = out
        print("[bench] %d tools x %d workloads x %d reps (scale %s, timeout %g s); csv: %s" % (
            len(tools), len(wls), reps, fmt_scale(scale), args.timeout, csv_path), file=sys.stderr)
        failed = set()
        seq = 0
        with open(csv_path, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["seq", "rep", "tool", "workload", "scale", "wall_s", "user_s", "sys_s",
                         "maxrss_kb", "exit", "signal", "status", "detail"])
            for rep in range(1, reps + 1):
                for w in wls:
                    k = (rep - 1) % len(cells)
                    order = cells[k:] + cells[:k]  # rotate the tool order every rep
                    for t, s in order:
                        if (t.name, w.name, s) in failed or (t.max_reps and rep > t.max_reps):
                            continue
                        seq += 1
                        r, _ = run_once(t, w, s, ctx, args.timeout, rep, seq, ref.get((w.name, s)))
                        results.append(r)
                        wr.writerow([r.seq, r.rep, r.tool, r.workload, fmt_scale(r.scale),
                                     "%.4f" % r.wall, "%.3f" % r.user, "%.3f" % r.sys, r.maxrss_kb,
                                     "" if r.rc is None else r.rc, "" if r.signal is None else r.signal,
                                     r.status, r.detail])
                        f.flush()
                        print("[bench] rep %d/%d %-10s %-15s scale %-5s %8.3f s %8.1f MiB %s%s" % (
                            rep, reps, w.name, t.name, fmt_scale(s), r.wall, r.maxrss_kb / 1024.0,
                            r.status, (" (" + r.detail + ")") if r.detail else ""), file=sys.stderr)
                        busy = busy or load1() > 2.5  # 2 cores; xthread alone loads 2
                        if r.status != "ok" and not args.keep_going:
                            failed.add((t.name, w.name, s))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.time() - t_start
    psi_end = cpu_pressure_us()
    stall = None
    if psi_start is not None and psi_end is not None and elapsed > 0:
        stall = min(1.0, (psi_end - psi_start) / 1e6 / elapsed)
        busy = busy or stall > 0.3

    table, notes = build_tables(results, tools, wls, scale)
    cmd = "bench/run.sh" + "".join(" " + shlex.quote(a) for a in sys.argv[1:])
    md = ["## debugmalloc benchmark (%s), %s" % (kind, datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
          "",
          "- Command: `%s` — %d reps, scale %s, per-run timeout %g s, total %.0f s." % (
              cmd, reps, fmt_scale(scale), args.timeout, elapsed)]
    mach, src = machine_info()
    md += ["- Machine: " + mach, "- Source: " + src]
    if lib_info:
        md[-1] += "; " + lib_info
    md += ["- Load average (1/5/15 min) at start %s, at end %s%s%s" % (
        load_start, loadavg(),
        "; CPU pressure: some task waited for a CPU %.0f%% of the run's time (PSI)" % (100 * stall)
        if stall is not None else "",
        " — the machine was busy with other work: treat the ratios with care"
        if busy else "")]
    md += ["",
           "Method: each number is a whole process run from fork to wait4(): wall time, and peak RSS "
           "(ru_maxrss: of the process, or of the largest one in its tree; read %s). Runs alternate round-robin "
           "over the tools (order rotated each rep), after one unrecorded glibc warm-up run per "
           "workload whose stdout every later run must reproduce. Ratio = tool's median / glibc's "
           "median on the same workload at the same scale; min–max = the tool's fastest and slowest "
           "run over that same glibc median. The glibc column shows its median time in seconds "
           "(min–max) and median peak RSS." % (
               "by GNU time's %M" if TIMER["kind"] == "gnu-time" else
               "by os.wait4, which counts the runner's own RSS at fork as a floor"),
           "",
           table]
    if notes:
        md += ["Notes:", ""] + [n if n.startswith(("- ", "  - ")) else "- " + n for n in notes] + [""]
    md += ["Tools: " + "; ".join("**%s** %s" % (t.name, t.note) for t in tools),
           "",
           "Workloads: " + "; ".join("**%s** %s" % (w.name, w.note) for w in wls)]
    if skipped:
        md += ["", "Skipped: " + "; ".join(skipped)]
    md += ["", "Raw runs: `%s`" % os.path.relpath(csv_path, REPO_DIR)]
    text = "\n".join(md) + "\n"
    with open(md_path, "w") as f:
        f.write(text)
    print(text)
    print("[bench] wrote %s and %s" % (md_path, csv_path), file=sys.stderr)
    # The same as charts (SVG), next to the tables: bench/plot.py.
    subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot.py"), csv_path],
                   check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
