#!/usr/bin/env python3
"""Differential leak test: real programs under debugmalloc and under Valgrind's
memcheck, Valgrind being the reference for leak classification.

Each program (a case) runs under both tools, every child process followed, and
the leaks of all its processes are summed. A case passes when:

  1. our definite + indirect bytes are not more than Valgrind's definitely +
     indirectly lost bytes (we never call lost what Valgrind can still reach);
  2. every "definitely lost" group Valgrind reports is reported by us as a
     definite leak too.

Groups are compared by their top frames, from the first one after the
allocation function (malloc, calloc, realloc, operator new, ...) down to main
(where Valgrind stops): frame by frame, the same function name in each of the
top --frames (3) symbolized frames, and the same module in the unsymbolized
frames between them. Valgrind lists the functions inlined at an address as
frames of their own: those count as one frame, matched by any of its names.

Valgrind runs with --run-libc-freeres=no and --run-cxx-freeres=no: our
library does not free the C and C++ runtimes' memory at exit, so both tools
look at the same blocks.

A table row per case gives both tools' bytes by kind. Cases whose program (or
compiler) is missing are skipped; the exit status is 77 when every case
selected was skipped, 1 when one failed, else 0. -v lists every definite group
of both tools.

  compare_with_valgrind.py --lib build/lib/libdebugmalloc.so --tool build/bin/debugmalloc
                           [--only NAME[,NAME...]] [--table] [--list] [-v] [--workdir DIR]
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
SKIP = 77

KINDS = ("definite", "indirect", "possible", "reachable")
VALGRIND_KINDS = {
    "Leak_DefinitelyLost": "definite",
    "Leak_IndirectlyLost": "indirect",
    "Leak_PossiblyLost": "possible",
    "Leak_StillReachable": "reachable",
}
VALGRIND_WORDS = {"definite": "definitely lost", "indirect": "indirectly lost",
                  "possible": "possibly lost", "reachable": "still reachable"}

# Frames on top of a stack that are the allocator itself, after normalize().
ALLOCATION_FUNCTIONS = {
    "malloc", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign",
    "aligned_alloc", "valloc", "pvalloc", "libc_malloc", "libc_calloc", "libc_realloc",
    "libc_memalign", "libc_valloc", "libc_pvalloc", "libc_reallocarray",
    "operator new", "operator new[]",
}
# Frames below main, which Valgrind does not show.
BELOW_MAIN = {"(below main)", "libc_start_call_main", "libc_start_main_impl", "libc_start_main", "start"}


# ----------------------------------------------------------------------------
# Stacks and groups

def normalize(function):
    """A function name as both tools can agree on it: no glibc alias prefix
    (__GI_), no leading underscores, no symbol version, no compiler clone
    suffix (.part.0, .constprop.0, .isra.0, .cold), no C++ parameter list."""
    if not function:
        return None
    if function.startswith("("):  # Valgrind's "(below main)"
        return function
    name = function.split("@")[0].strip()
    while name.startswith("__GI_"):
        name = name[len("__GI_"):]
    name = re.sub(r"(\.(part|constprop|isra|cold|lto_priv|localalias)(\.\d+)?)+$", "", name)
    name = strip_parameters(name)
    return name.lstrip("_") or name


def strip_parameters(name):
    """`ns::f<int>(char const*) const` -> `ns::f<int>`; `operator new(unsigned long)`
    -> `operator new`. Template brackets are skipped; so are operator names."""
    depth = 0
    i = 0
    while i < len(name):
        if name.startswith("operator", i) and (i == 0 or not (name[i - 1].isalnum() or name[i - 1] == "_")):
            # Skip the operator's own symbol: (), <<, <, new[], delete, ...
            j = i + len("operator")
            m = re.match(r"\s*(\(\)|\[\]|new\[\]|delete\[\]|new|delete|[<>=!+\-*/%^&|~,]+)", name[j:])
            i = j + (m.end() if m else 0)
            continue
        c = name[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth = max(0, depth - 1)
        elif c == "(" and depth == 0:
            return name[:i].strip()
        i += 1
    return name.strip()


class Frame:
    """One physical frame: the names of the functions at its address (more than
    one when Valgrind shows functions inlined there), innermost first, and its
    module's file name."""

    def __init__(self, raw_names, module):
        self.raw = [n for n in raw_names if n]
        self.names = [normalize(n) for n in self.raw]
        self.module = os.path.basename(module or "")

    def same_function(self, other):
        return bool(set(self.names) & set(other.names))

    def describe(self):
        if not self.raw:
            return "?(%s)" % (self.module or "?")
        return "/".join(strip_parameters(n) for n in self.raw)


class Stack:
    """A leak's allocation stack, innermost first, from the first frame after
    the allocation function down to main (where Valgrind stops).

    frames: [(address, function, module)]; frames with the same address are
    one physical frame (Valgrind lists each function inlined there)."""

    def __init__(self, frames):
        physical = []
        for address, function, module in frames:
            if physical and address is not None and physical[-1][0] == address:
                physical[-1][1].append(function)
            else:
                physical.append((address, [function], module))
        frames = [Frame(names, module) for _, names, module in physical]
        # The allocator: Valgrind's replacement (vgpreload), ours (our library
        # or libstdc++'s operator new calling malloc), ld.so's inlined malloc.
        while frames and (is_tool_module(frames[0].module) or
                          (frames[0].names and frames[0].names[0] in ALLOCATION_FUNCTIONS)):
            frames.pop(0)
        self.frames = []
        for frame in frames:
            if set(frame.names) & BELOW_MAIN:
                break
            self.frames.append(frame)
            if "main" in frame.names:
                break

    def top(self, depth):
        """The frames down to the depth-th symbolized one."""
        out, named = [], 0
        for frame in self.frames:
            out.append(frame)
            named += bool(frame.names)
            if named == depth:
                break
        return out

    def matches(self, other, depth):
        """True when both are the same allocation site: frame by frame, the
        same function in each of the top `depth` symbolized frames, and the
        same module in the unsymbolized frames between them."""
        named = 0
        for a, b in zip(self.frames, other.frames):
            if a.names and b.names:
                if not a.same_function(b):
                    return False
                named += 1
                if named == depth:
                    return True
            elif a.module != b.module:
                return False
        # A stack ended (at main) before `depth` named frames: both must end there.
        return len(self.frames) == len(other.frames)

    def describe(self, depth):
        """The top frames, a run of unsymbolized frames in one module as `N*?(module)`."""
        parts = []
        for frame in self.top(depth):
            text = frame.describe()
            if parts and not frame.names and parts[-1][1] == text:
                parts[-1][0] += 1
            else:
                parts.append([1, text])
        return " < ".join(t if n == 1 else "%d*%s" % (n, t) for n, t in parts) or "(no frames)"


def is_tool_module(module):
    return module.startswith("vgpreload_") or module.startswith("libdebugmalloc")


Group = collections.namedtuple("Group", "kind bytes blocks stack")


class Result:
    """One tool's leaks for one case, summed over its processes."""

    def __init__(self):
        self.bytes = dict.fromkeys(KINDS, 0)
        self.groups = []
        self.processes = 0
        self.unfinished = 0  # processes without a leak check (killed, exec'd, _exit)

    def lost(self):
        return self.bytes["definite"] + self.bytes["indirect"]

    def definite_groups(self):
        return [g for g in self.groups if g.kind == "definite"]

    def kinds_matching(self, stack, depth):
        """How this tool classified the blocks allocated at `stack` (any kind)."""
        found = collections.Counter()
        for g in self.groups:
            if g.stack.matches(stack, depth):
                found[g.kind] += g.bytes
        return found


# ----------------------------------------------------------------------------
# Reading each tool's output

def read_ours(json_path):
    """`debugmalloc run --format json`: leaks[] groups (merged over processes) and
    summary.leaked_bytes by kind."""
    with open(json_path) as f:
        report = json.load(f)
    result = Result()
    for kind in KINDS:
        result.bytes[kind] = report["summary"]["leaked_bytes"].get(kind) or 0
    for leak in report["leaks"]:
        frames = [((fr.get("module"), fr.get("offset")) if fr.get("offset") else None,
                   fr.get("function"), fr.get("module")) for fr in leak["stack"]]
        result.groups.append(Group(leak["kind"], leak["bytes"], leak["blocks"], Stack(frames)))
    result.processes = len(report["processes"])
    result.unfinished = sum(1 for p in report["processes"] if p.get("incomplete"))
    return result


def read_valgrind(xml_dir):
    """Every vg.*.xml in xml_dir, one per process image. A Leak_DefinitelyLost
    record's <leakedbytes> includes the indirect blocks it holds: its text says
    "N (D direct, I indirect) bytes"; the indirect ones have records of their own."""
    result = Result()
    for path in sorted(glob.glob(os.path.join(xml_dir, "vg.*.xml"))):
        with open(path, errors="replace") as f:
            text = f.read()
        if "<valgrindoutput>" not in text:
            continue
        result.processes += 1
        if "<state>FINISHED</state>" not in text or "</valgrindoutput>" not in text:
            result.unfinished += 1
        for chunk in re.findall(r"<error>.*?</error>", text, re.S):
            error = ET.fromstring(chunk)
            kind = VALGRIND_KINDS.get(error.findtext("kind"))
            if kind is None:
                continue
            nbytes = int(error.findtext("xwhat/leakedbytes"))
            direct = re.search(r"\(([\d,]+) direct, ([\d,]+) indirect\)", error.findtext("xwhat/text") or "")
            if direct:
                nbytes = int(direct.group(1).replace(",", ""))
            frames = [(fr.findtext("ip"), fr.findtext("fn"), fr.findtext("obj")) for fr in error.findall("stack/frame")]
            result.bytes[kind] += nbytes
            result.groups.append(Group(kind, nbytes, int(error.findtext("xwhat/leakedblocks")), Stack(frames)))
    return result


# ----------------------------------------------------------------------------
# The cases

class Skip(Exception):
    pass


# In a case's argv, replaced by the directory of each tool's run: for the files
# the program writes (sqlite's database, g++'s object file).
RUN_DIR = "{run_dir}"


class Case:
    """A program to run: name, what it is, and prepare(ctx, dir) -> (argv, env, stdin path)."""

    def __init__(self, name, title, prepare):
        self.name, self.title, self.prepare = name, title, prepare


def need(program):
    path = shutil.which(program)
    if not path:
        raise Skip("%s not found" % program)
    return path


def compile_c(ctx, out_dir, sources, output, extra=(), cxx=False):
    compiler = ctx.cxx if cxx else ctx.cc
    if not shutil.which(compiler):
        raise Skip("compiler %s not found" % compiler)
    cmd = [compiler, "-g", "-O0", "-o", os.path.join(out_dir, output)]
    cmd += [os.path.join(PROGRAMS, s) for s in sources] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("cannot compile %s:\n%s%s" % (" ".join(cmd), proc.stdout, proc.stderr))
    return os.path.join(out_dir, output)


def python_case(pymalloc):
    def prepare(ctx, _dir):
        env = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        if not pymalloc:
            env["PYTHONMALLOC"] = "malloc"
        return [ctx.python, os.path.join(PROGRAMS, "python_workload.py")], env, None
    return prepare


def perl_case(_ctx, _dir):
    env = {"PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"}  # the same hash order in both runs
    return [need("perl"), os.path.join(PROGRAMS, "perl_workload.pl")], env, None


def gxx_case(ctx, work):
    gxx = need(ctx.gxx)
    return [gxx, "-O1", "-std=c++17", "-c", os.path.join(PROGRAMS, "templates.cpp"),
            "-o", os.path.join(RUN_DIR, "templates.o")], {}, None


def sqlite_case(_ctx, _dir):
    # The database file is made afresh for each tool's run (in its own directory).
    return ([need("sqlite3"), "-batch", os.path.join(RUN_DIR, "people.db")], {},
            os.path.join(PROGRAMS, "workload.sql"))


def bash_case(_ctx, _dir):
    # sed, not head: head exits after 5 lines, and whether sort is still
    # writing then (and how it ends) is a matter of timing.
    for tool in ("seq", "sort", "sed", "tr"):
        need(tool)
    return [need("bash"), "-c", "seq 1 2000 | sort -r | sed -n 1,5p | tr 1 x"], {}, None


def mmap_pool_case(ctx, work):
    return [compile_c(ctx, work, ["mmap_pool.c"], "mmap_pool")], {}, None


def dlopen_case(ctx, work):
    plugin = compile_c(ctx, work, ["dlopen_plugin.c"], "libdiffplugin.so", ["-shared", "-fPIC"])
    return [compile_c(ctx, work, ["dlopen_loop.c"], "dlopen_loop", ["-ldl"]), plugin], {}, None


def thread_local_case(ctx, work):
    return [compile_c(ctx, work, ["thread_local.cpp"], "thread_local", ["-pthread"], cxx=True)], {}, None


CASES = [
    Case("python-pymalloc", "python3 (pymalloc): json, re, sqlite3, ctypes", python_case(True)),
    Case("python-malloc", "python3 PYTHONMALLOC=malloc: json, re, sqlite3, ctypes", python_case(False)),
    Case("perl", "perl: hashes, arrays, regexes", perl_case),
    Case("gxx", "g++ -c templates.cpp (cc1plus, as)", gxx_case),
    Case("sqlite3", "sqlite3 CLI on workload.sql, file db", sqlite_case),
    Case("bash-pipeline", "bash -c 'seq | sort -r | sed -n 1,5p | tr'", bash_case),
    Case("mmap-pool", "pointers kept only in an mmap'd pool, 1 leak", mmap_pool_case),
    Case("dlopen-loop", "dlopen/dlclose x50, 1 leak", dlopen_case),
    Case("thread-local", "__thread, thread_local, pthread keys, 1 leak", thread_local_case),
]


# ----------------------------------------------------------------------------
# Running a case

def clean_env(extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "DEBUGMALLOC_OPTIONS", "FtLeaks", "FtMallocErrorAbort",
                        "FtMallocScribble", "PYTHONMALLOC", "VALGRIND_OPTS", "PYTHONSTARTUP")}
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def run(cmd, env, stdin_path, cwd, timeout, log_path):
    """Runs cmd, its stdout and stderr to log_path; returns (exit status, seconds).
    On timeout the whole process group (the program's children too) is killed."""
    start = time.monotonic()
    with open(log_path, "w") as log, open(stdin_path or os.devnull) as stdin:
        proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=log, stderr=subprocess.STDOUT,
                                cwd=cwd, start_new_session=True)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = "timeout after %d s" % timeout
    return status, time.monotonic() - start


def tail(path, lines=15):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


class Outcome:
    def __init__(self, case):
        self.case = case
        self.status = "PASS"  # PASS, FAIL, SKIP, ERROR
        self.reason = ""
        self.ours = self.valgrind = None
        self.problems = []
        self.seconds = {}


def run_case(case, ctx):
    outcome = Outcome(case)
    work = tempfile.mkdtemp(prefix="diff-%s-" % case.name, dir=ctx.workdir)
    try:
        argv, env_extra, stdin_path = case.prepare(ctx, work)
    except Skip as e:
        outcome.status, outcome.reason = "SKIP", str(e)
        return outcome
    except RuntimeError as e:
        outcome.status, outcome.reason = "ERROR", str(e)
        return outcome
    env = clean_env(env_extra)

    # Each tool's run has its own directory, the program's current directory
    # and where it writes its files; both names have the same length, since
    # some programs keep such paths in blocks they leak (cc1plus does).
    # Ours: the tool runs the program with the library preloaded in it and in
    # every process it starts, and merges their reports.
    ours_dir = os.path.join(work, "dm")
    os.makedirs(ours_dir)
    ours_json = os.path.join(ours_dir, "report.json")
    ours_cmd = [ctx.tool, "run", "--library", ctx.lib, "--leak-kinds", "all", "--exitcode", "0",
                "--fail-on", "none", "--report-dir", os.path.join(ours_dir, "reports"),
                "--format", "json", "--output", ours_json, "--"] + with_run_dir(argv, ours_dir)
    status, outcome.seconds["ours"] = run(ours_cmd, env, stdin_path, ours_dir, ctx.timeout,
                                          os.path.join(ours_dir, "output.log"))
    if status != 0 or not os.path.exists(ours_json):
        outcome.status = "ERROR"
        outcome.reason = "under debugmalloc: exit status %s\n  %s\n%s" % (
            status, " ".join(ours_cmd), tail(os.path.join(ours_dir, "output.log")))
        return outcome

    # Valgrind: one XML file per process image.
    vg_dir = os.path.join(work, "vg")
    os.makedirs(vg_dir)
    vg_cmd = [ctx.valgrind, "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all",
              "--trace-children=yes", "--num-callers=30",
              # Our library does not free the C and C++ runtimes' own memory at
              # exit: Valgrind must not either, or it would not see those blocks.
              "--run-libc-freeres=no", "--run-cxx-freeres=no", "--xml=yes",
              "--xml-file=" + os.path.join(vg_dir, "vg.%p.%n.xml"),
              "--log-file=" + os.path.join(vg_dir, "vg.%p.%n.log")] + with_run_dir(argv, vg_dir)
    status, outcome.seconds["valgrind"] = run(vg_cmd, env, stdin_path, vg_dir, ctx.timeout,
                                              os.path.join(vg_dir, "output.log"))
    if status != 0:
        outcome.status = "ERROR"
        outcome.reason = "under valgrind: exit status %s\n  %s\n%s" % (
            status, " ".join(vg_cmd), tail(os.path.join(vg_dir, "output.log")))
        return outcome

    outcome.ours = read_ours(ours_json)
    outcome.valgrind = read_valgrind(vg_dir)
    compare(outcome, ctx.depth)
    return outcome


def run_case_safely(case, ctx):
    try:
        return run_case(case, ctx)
    except Exception:  # a bug here, or output we cannot read: this case errs, the others go on
        outcome = Outcome(case)
        outcome.status, outcome.reason = "ERROR", traceback.format_exc()
        return outcome


def with_run_dir(argv, run_dir):
    return [a.replace(RUN_DIR, run_dir) for a in argv]


def compare(outcome, depth):
    ours, vg = outcome.ours, outcome.valgrind
    vg_lost = [v for v in vg.groups if v.kind in ("definite", "indirect")]
    if ours.lost() > vg.lost():
        lines = ["%s: our definite+indirect %d bytes (%d + %d) > Valgrind's definitely+indirectly lost "
                 "%d bytes (%d + %d)" % (outcome.case.name, ours.lost(), ours.bytes["definite"],
                                         ours.bytes["indirect"], vg.lost(), vg.bytes["definite"],
                                         vg.bytes["indirect"])]
        extra = [g for g in ours.groups if g.kind in ("definite", "indirect") and
                 not any(g.stack.matches(v.stack, depth) for v in vg_lost)]
        if extra:
            lines.append("  our groups that Valgrind does not call definitely or indirectly lost "
                         "(%d groups, %d B; largest first):" % (len(extra), sum(g.bytes for g in extra)))
            lines += ["    %s" % line for line in describe_groups(extra, vg, depth)]
        outcome.problems.append("\n".join(lines))

    missing = [v for v in vg.definite_groups()
               if not any(g.stack.matches(v.stack, depth) for g in ours.definite_groups())]
    if missing:
        lines = ["%s: %d of Valgrind's %d definitely lost groups are not definite leaks in our report:"
                 % (outcome.case.name, len(missing), len(vg.definite_groups()))]
        lines += ["    %s" % line for line in describe_groups(missing, ours, depth, ours_side=True)]
        outcome.problems.append("\n".join(lines))
    if outcome.problems:
        outcome.status = "FAIL"


def print_groups(outcome, depth):
    """--verbose: every definite group of both tools, and what the other said."""
    for title, mine, other, ours_side in (("our definite groups", outcome.ours, outcome.valgrind, False),
                                          ("Valgrind's definitely lost groups", outcome.valgrind,
                                           outcome.ours, True)):
        groups = mine.definite_groups()
        print("  %s (%d):" % (title, len(groups)))
        for line in describe_groups(groups, other, depth, ours_side, limit=len(groups)):
            print("    " + line)


def describe_groups(groups, other, depth, ours_side=False, limit=15):
    """One line per group: bytes, blocks, top frames, and how the other tool
    classified the same allocation site."""
    lines = []
    groups = sorted(groups, key=lambda g: -g.bytes)
    for g in groups[:limit]:
        seen = other.kinds_matching(g.stack, depth)
        if seen:
            words = ", ".join("%s %d B" % (k if ours_side else VALGRIND_WORDS[k], n)
                              for k, n in sorted(seen.items()))
        else:
            words = "not reported" if ours_side else "not reported (freed, or suppressed)"
        lines.append("%-8s %7d B in %4d blocks at %s  [%s: %s]" % (
            g.kind, g.bytes, g.blocks, g.stack.describe(depth), "ours" if ours_side else "Valgrind", words))
    if len(groups) > limit:
        lines.append("... and %d more groups, %d B" % (len(groups) - limit, sum(g.bytes for g in groups[limit:])))
    return lines


# ----------------------------------------------------------------------------
# Output

HEADER = ("%-16s %6s | %9s %9s %9s %10s | %9s %9s %9s %10s | %s" %
          ("program", "procs", "definite", "indirect", "possible", "reachable",
           "def.lost", "ind.lost", "poss.lost", "reachable", "result"))


def table_row(o):
    if o.ours is None:
        return "%-16s %6s | %s" % (o.case.name, "", (o.status + ": " + o.reason.splitlines()[0])[:100])
    b, v = o.ours.bytes, o.valgrind.bytes
    return "%-16s %6s | %9d %9d %9d %10d | %9d %9d %9d %10d | %s" % (
        o.case.name, "%d/%d" % (o.ours.processes, o.valgrind.processes),
        b["definite"], b["indirect"], b["possible"], b["reachable"],
        v["definite"], v["indirect"], v["possible"], v["reachable"], o.status)


def print_table(outcomes):
    print("bytes per program: debugmalloc (left) vs Valgrind memcheck (right); procs = ours/valgrind")
    print(HEADER)
    print("-" * len(HEADER))
    for o in outcomes:
        print(table_row(o))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", help="libdebugmalloc.so (required)")
    parser.add_argument("--tool", help="the debugmalloc tool (required)")
    parser.add_argument("--only", help="comma list of case names (see --list)")
    parser.add_argument("--table", action="store_true", help="print the table of all cases at the end")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--valgrind", default="valgrind")
    parser.add_argument("--python", default=None, help="python3 to test (default /usr/bin/python3, else this one)")
    parser.add_argument("--gxx", default="g++")
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"), help="compiler for the C test programs")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "c++"), help="compiler for the C++ test program")
    parser.add_argument("--frames", dest="depth", type=int, default=3,
                        help="top symbolized frames that identify a leak group (default 3)")
    parser.add_argument("--timeout", type=int, default=290,
                        help="seconds for each tool's run of a program (default 290)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="cases run at once (default 1)")
    parser.add_argument("--workdir", help="keep every run's files under this directory")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every definite group of both tools, with what the other tool said")
    args = parser.parse_args()

    if args.list:
        for c in CASES:
            print("%-16s %s" % (c.name, c.title))
        return 0
    cases = CASES
    if args.only:
        wanted = args.only.split(",")
        unknown = [w for w in wanted if w not in [c.name for c in CASES]]
        if unknown:
            parser.error("unknown case %s (cases: %s)" % (", ".join(unknown), ", ".join(c.name for c in CASES)))
        cases = [c for c in CASES if c.name in wanted]
    if not args.lib or not args.tool:
        parser.error("--lib and --tool are required")

    args.lib = os.path.abspath(args.lib)
    args.tool = os.path.abspath(args.tool)
    for path in (args.lib, args.tool):
        if not os.path.exists(path):
            parser.error("%s does not exist" % path)
    if not shutil.which(args.valgrind):
        print("SKIP: valgrind not found: every case skipped")
        return SKIP
    args.valgrind = shutil.which(args.valgrind)
    args.keep_dirs = bool(args.workdir)
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        args.workdir = os.path.abspath(args.workdir)
    else:
        args.workdir = tempfile.mkdtemp(prefix="debugmalloc-differential-")
    args.python = args.python or ("/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda c: run_case_safely(c, args), cases))
    finally:
        if not args.keep_dirs:
            shutil.rmtree(args.workdir, ignore_errors=True)

    for o in outcomes:
        if o.status == "SKIP":
            print("SKIP %s: %s" % (o.case.name, o.reason))
            continue
        if o.ours is None:
            print("ERROR %s: %s" % (o.case.name, o.reason))
        else:
            print("%s %s (%s): ours %.1f s, valgrind %.1f s" % (
                o.status, o.case.name, o.case.title, o.seconds["ours"], o.seconds["valgrind"]))
            for problem in o.problems:
                print(problem)
            if args.verbose:
                print_groups(o, args.depth)
            if o.ours.unfinished or o.valgrind.unfinished:
                print("  note: processes without a leak check (exec'd, killed or _exit): ours %d of %d, "
                      "valgrind %d of %d" % (o.ours.unfinished, o.ours.processes,
                                             o.valgrind.unfinished, o.valgrind.processes))
    if args.keep_dirs:
        print("the runs' files (reports, Valgrind's XML, outputs) are in %s" % args.workdir)
    elif any(o.status in ("FAIL", "ERROR") for o in outcomes):
        print("(--workdir DIR keeps the runs' files: our report files, Valgrind's XML, the outputs)")
    if args.table or len(outcomes) == 1:
        print()
        print_table(outcomes)

    counts = collections.Counter(o.status for o in outcomes)
    print()
    print("%d passed, %d failed, %d skipped" % (counts["PASS"], counts["FAIL"] + counts["ERROR"], counts["SKIP"]))
    if counts["FAIL"] or counts["ERROR"]:
        return 1
    if counts["SKIP"] == len(outcomes):
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
