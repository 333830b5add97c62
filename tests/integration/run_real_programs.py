#!/usr/bin/env python3
"""Run real programs under libdebugmalloc and compare with a plain run.

Every case runs one or more unmodified programs twice: once plainly and once
with LD_PRELOAD=libdebugmalloc.so, with otherwise identical environments, and
requires the same exit status, the same stdout and the same stderr (the library
prints its error reports on stderr, so a clean run leaves stderr untouched),
plus identical output files where a case names them.

The preloaded run is verified to have really loaded the library: both runs use
LD_DEBUG=libs with LD_DEBUG_OUTPUT=<dir>/ld, which makes the dynamic linker of
every process (including exec'd children) write a log file of its own instead
of printing to stderr.  The preloaded run must show "calling init: ...
libdebugmalloc.so" in the main process and in every exec'd process; the plain
run must show it in none.  Before the cases run, a sanity check also asks the
dynamic linker (dlsym RTLD_DEFAULT through ctypes) which object provides
malloc, free, calloc, realloc and operator new in a preloaded process: it must
be the library, not libc.

Both runs get DEBUGMALLOC_OPTIONS=report_dir=<tmp>:exitcode=0:leaks=0, so that
report files land in the temporary directory and the exit status and stderr
stay the program's own even if leak checking becomes the default (real
programs leak at exit); memory errors still show up as stderr differences.
The leak_check case turns leaks=1 on and compares exit status and stdout only.
With --tool, the report files each preloaded process leaves in report_dir are
read with `debugmalloc report --format json` and must record no error.

Usage:
  run_real_programs.py --lib build/lib/libdebugmalloc.so [--tool build/bin/debugmalloc]
                       [--only NAME]... [--list] [--keep]

Exit status: 0 passed, 1 failed, 77 skipped (a program is not installed;
CTest's SKIP_RETURN_CODE), 2 bad usage.
"""

import argparse
import difflib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
SKIP_RETURN_CODE = 77
RUN_TIMEOUT = 150  # seconds for one run of one program

# Environment variables that must not leak into either run from the caller.
STRIPPED_ENV = ("LD_PRELOAD", "LD_DEBUG", "LD_DEBUG_OUTPUT", "LD_AUDIT", "DEBUGMALLOC_OPTIONS",
                "FtLeaks", "FtMallocErrorAbort", "FtMallocScribble", "MALLOC_CHECK_", "MALLOC_PERTURB_",
                "PYTHONMALLOC", "PYTHONSTARTUP", "PYTHONWARNINGS", "PERL5OPT", "BASH_ENV", "ENV",
                "POSIXLY_CORRECT", "GREP_OPTIONS", "GZIP", "TAR_OPTIONS", "SQLITE_HISTORY")

INIT_RE = re.compile(r"calling init: (\S*libdebugmalloc[^\s/]*\.so\S*)")

LIB = None        # absolute path of libdebugmalloc.so (set from --lib)
KEEP = False      # keep the temporary directories (--keep)
TOOL = None       # the debugmalloc tool (--tool), to read the report files of preloaded runs
def which(prog):
    return shutil.which(prog)


class RunResult:
    def __init__(self, mode, argv, cwd, returncode, stdout_path, stderr_path, elapsed, procs, procs_with_lib,
                 max_threads, timed_out):
        self.mode = mode
        self.argv = argv
        self.cwd = cwd
        self.returncode = returncode
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path
        self.elapsed = elapsed
        self.procs = procs                    # processes that wrote an LD_DEBUG log
        self.procs_with_lib = procs_with_lib  # of which ran the library's initializer
        self.max_threads = max_threads
        self.timed_out = timed_out

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read()


def describe_status(rc):
    if rc is None:
        return "none (timed out)"
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


def file_digest(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
            h.update(chunk)
    return h.hexdigest(), size


def first_difference(a_path, b_path, context=400):
    """Describe where two files differ: a unified diff of lines near the first difference."""
    with open(a_path, "rb") as fa, open(b_path, "rb") as fb:
        offset = 0
        while True:
            ca = fa.read(1 << 20)
            cb = fb.read(1 << 20)
            if ca != cb:
                n = min(len(ca), len(cb))
                i = next((k for k in range(n) if ca[k] != cb[k]), n)
                pos = offset + i
                break
            if not ca:
                return "files are identical"
            offset += len(ca)
    with open(a_path, "rb") as fa:
        fa.seek(max(0, pos - context))
        wa = fa.read(2 * context)
    with open(b_path, "rb") as fb:
        fb.seek(max(0, pos - context))
        wb = fb.read(2 * context)
    la = wa.decode("utf-8", "replace").splitlines()
    lb = wb.decode("utf-8", "replace").splitlines()
    diff = list(difflib.unified_diff(la, lb, "plain", "preloaded", lineterm="", n=2))[:40]
    return "first difference at byte %d (plain %d bytes, preloaded %d bytes)\n%s" % (
        pos, os.path.getsize(a_path), os.path.getsize(b_path), "\n".join(diff))


def tail(path, limit=3000):
    with open(path, "rb") as f:
        data = f.read()
    text = data[-limit:].decode("utf-8", "replace")
    return ("...\n" if len(data) > limit else "") + text


def scan_ld_logs(log_dir):
    """Return {pid: loaded_library?} from the dynamic linker's per-process logs."""
    procs = {}
    for name in os.listdir(log_dir):
        m = re.match(r"ld\.(\d+)$", name)
        if not m:
            continue
        with open(os.path.join(log_dir, name), "r", errors="replace") as f:
            text = f.read()
        loaded = False
        for path in INIT_RE.findall(text):
            try:
                loaded = loaded or os.path.samefile(path, LIB)
            except OSError:
                pass
        procs[int(m.group(1))] = loaded
    return procs


class Harness:
    """Runs one command plainly and preloaded, in fresh directories, and compares."""

    def __init__(self, test, root):
        self.test = test
        self.root = root
        self.count = 0
        self.tmp = os.path.join(root, "tmp")
        os.makedirs(self.tmp, exist_ok=True)

    def base_env(self, extra):
        env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
        env.update({"LC_ALL": "C", "LANG": "C", "TZ": "UTC", "PYTHONHASHSEED": "0",
                    "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": self.tmp})
        env.update(extra or {})
        return env

    def run_once(self, mode, label, argv, stdin, env_extra, sample_threads, setup, options):
        run_dir = os.path.join(self.root, label, mode)
        cwd = os.path.join(run_dir, "cwd")
        ld_dir = os.path.join(run_dir, "ld")
        reports = os.path.join(run_dir, "reports")
        for d in (cwd, ld_dir, reports):
            os.makedirs(d)
        if setup:
            setup(cwd)
        env = self.base_env(env_extra)
        env["LD_DEBUG"] = "libs"
        env["LD_DEBUG_OUTPUT"] = os.path.join(ld_dir, "ld")
        env["DEBUGMALLOC_OPTIONS"] = "report_dir=%s:exitcode=0:leaks=0%s%s" % (
            reports, ":" + options if options else "", ":" + EXTRA_OPTIONS if EXTRA_OPTIONS else "")
        if mode == "preloaded":
            env["LD_PRELOAD"] = LIB
        out_path = os.path.join(run_dir, "stdout")
        err_path = os.path.join(run_dir, "stderr")
        stdin_f = open(stdin, "rb") if stdin else subprocess.DEVNULL
        max_threads = 0
        timed_out = False
        start = time.monotonic()
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                p = subprocess.Popen(argv, stdin=stdin_f, stdout=out, stderr=err, cwd=cwd, env=env,
                                     start_new_session=True)
                deadline = start + RUN_TIMEOUT
                while True:
                    try:
                        p.wait(timeout=0.02 if sample_threads else 0.5)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    if sample_threads:
                        try:
                            with open("/proc/%d/status" % p.pid) as f:
                                for line in f:
                                    if line.startswith("Threads:"):
                                        max_threads = max(max_threads, int(line.split()[1]))
                        except (OSError, ValueError):
                            pass
                    if time.monotonic() > deadline:
                        timed_out = True
                        os.killpg(p.pid, signal.SIGKILL)
                        p.wait()
                        break
        finally:
            if stdin:
                stdin_f.close()
        elapsed = time.monotonic() - start
        procs = scan_ld_logs(ld_dir)
        main_loaded = procs.get(p.pid)
        res = RunResult(mode, argv, cwd, None if timed_out else p.returncode, out_path, err_path, elapsed,
                        len(procs), sum(1 for v in procs.values() if v), max_threads, timed_out)
        res.main_loaded = main_loaded
        res.reports_dir = reports
        res.reports = len(os.listdir(reports))
        return res

    def report_errors(self, run):
        """Errors recorded in the report files of a preloaded run, through `debugmalloc report --format json`."""
        if not TOOL or not run.reports:
            return []
        p = subprocess.run([TOOL, "report", "--format", "json", "--fail-on", "errors", run.reports_dir],
                           capture_output=True, text=True, timeout=120)
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            return ["'%s report --format json %s' gave no JSON (%s): %s" % (
                TOOL, run.reports_dir, describe_status(p.returncode), p.stderr.strip()[-2000:])]
        problems = ["%s (x%s, pids %s): %s" % (e.get("kind"), e.get("count"), e.get("pids"), e.get("message"))
                    for e in doc.get("errors", [])]
        if not problems and doc.get("summary", {}).get("errors"):
            problems.append("summary counts %s errors" % doc["summary"]["errors"])
        if p.returncode not in (0, 1):
            problems.append("'debugmalloc report' failed with %s: %s" % (describe_status(p.returncode),
                                                                         p.stderr.strip()[-2000:]))
        return problems

    def compare(self, label, argv, stdin=None, env=None, outputs=(), check_stderr=True, min_procs=1,
                sample_threads=False, setup=None, options=""):
        """Run argv plainly and preloaded; fail the test on any difference. Returns (plain, preloaded)."""
        self.count += 1
        label = "%02d-%s" % (self.count, label)
        cmd = " ".join(argv)
        env_desc = " ".join("%s=%s" % kv for kv in sorted((env or {}).items()))
        full_cmd = "%s%s" % (env_desc + " " if env_desc else "", cmd)
        plain = self.run_once("plain", label, argv, stdin, env, sample_threads, setup, options)
        pre = self.run_once("preloaded", label, argv, stdin, env, sample_threads, setup, options)
        where = ("command: LD_PRELOAD=%s %s%s\n(both runs: LC_ALL=C TZ=UTC PYTHONHASHSEED=0 unless set above, "
                 "DEBUGMALLOC_OPTIONS=report_dir=...:exitcode=0:leaks=0%s, fresh working directory; run files in %s)" % (
                     LIB, full_cmd, " < " + stdin if stdin else "", ":" + options if options else "",
                     os.path.join(self.root, label)))
        print("  %-14s plain %s %.2fs | preloaded %s %.2fs (x%.1f), library loaded in %d/%d processes%s%s" % (
            label, describe_status(plain.returncode), plain.elapsed, describe_status(pre.returncode), pre.elapsed,
            pre.elapsed / max(plain.elapsed, 1e-3), pre.procs_with_lib, pre.procs,
            ", threads seen %d/%d" % (plain.max_threads, pre.max_threads) if sample_threads else "",
            ", %d report file(s)" % pre.reports if pre.reports else ""), flush=True)

        # The plain run is the reference; if it fails, the environment is broken, not the library.
        if plain.returncode != 0:
            self.test.fail("plain run failed (%s), so there is no reference: %s\nstderr:\n%s" % (
                describe_status(plain.returncode), full_cmd, tail(plain.stderr_path)))
        if plain.procs_with_lib:
            self.test.fail("the plain run loaded libdebugmalloc (is it in /etc/ld.so.preload?): %s" % full_cmd)

        problems = []
        if pre.timed_out:
            problems.append("preloaded run timed out after %ds (hang or deadlock)" % RUN_TIMEOUT)
        elif pre.returncode != plain.returncode:
            problems.append("exit status: expected %s, got %s" % (
                describe_status(plain.returncode), describe_status(pre.returncode)))
        # Verify the library really was loaded: main process and every exec'd child.
        if not pre.main_loaded:
            problems.append("libdebugmalloc was NOT loaded in the main process (pid log %s)" % (
                "missing" if pre.main_loaded is None else "has no 'calling init' for the library"))
        if pre.procs_with_lib != pre.procs:
            problems.append("libdebugmalloc loaded in only %d of %d processes" % (pre.procs_with_lib, pre.procs))
        if pre.procs_with_lib < min_procs:
            problems.append("expected at least %d processes running the library, saw %d" % (
                min_procs, pre.procs_with_lib))
        if not pre.timed_out:
            if file_digest(plain.stdout_path) != file_digest(pre.stdout_path):
                problems.append("stdout differs: " + first_difference(plain.stdout_path, pre.stdout_path))
            if check_stderr and file_digest(plain.stderr_path) != file_digest(pre.stderr_path):
                problems.append("stderr differs: " + first_difference(plain.stderr_path, pre.stderr_path))
            for rel in outputs:
                a = os.path.join(plain.cwd, rel)
                b = os.path.join(pre.cwd, rel)
                if not os.path.exists(b):
                    problems.append("output file %s was not produced by the preloaded run" % rel)
                elif file_digest(a) != file_digest(b):
                    problems.append("output file %s differs: %s" % (rel, first_difference(a, b)))
        # The report files of the preloaded run (one per process) must record no memory error.
        if not pre.timed_out:
            problems += ["report file records an error: " + e for e in self.report_errors(pre)]
        if problems:
            self.test.fail("%s\n%s\nstderr of the preloaded run (tail):\n%s" % (
                where, "\n".join(" - " + p for p in problems), tail(pre.stderr_path)))
        return plain, pre


# ---------------------------------------------------------------------------
# Input generation (deterministic)

SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ze", "qu", "ab", "or", "in", "el", "xy", "ju"]


def gen_lines(path, n, seed):
    """n lines 'word number word2 fraction' in a deterministic pseudo-random order."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5))) for _ in range(5000)]
    with open(path, "w") as f:
        batch = []
        for i in range(n):
            batch.append("%s %d %s %d.%03d\n" % (words[rng.randrange(5000)], rng.randrange(1000000),
                                                  words[(i * 31) % 5000], rng.randrange(1000), i % 1000))
            if len(batch) == 10000:
                f.write("".join(batch))
                batch = []
        f.write("".join(batch))
    return path


def gen_text(path, n_lines, seed):
    """Prose-like text: lines of words, some numbers, some e-mail and URL-like tokens."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    with open(path, "w") as f:
        for i in range(n_lines):
            toks = [rng.choice(words) for _ in range(rng.randint(3, 14))]
            if i % 7 == 0:
                toks.append("%s@%s.example.org" % (rng.choice(words), rng.choice(words)))
            if i % 11 == 0:
                toks.append("https://%s.test/%s?id=%d" % (rng.choice(words), rng.choice(words), i))
            if i % 5 == 0:
                toks.insert(rng.randrange(len(toks)), str(rng.randrange(100000)))
            line = " ".join(toks)
            f.write((line.capitalize() if i % 3 == 0 else line) + ".\n")
    return path


def tree_digest(root):
    """Digest of a directory tree: relative paths, types, modes, sizes and contents."""
    h = hashlib.sha256()
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(("%s %o %d\n" % (os.path.relpath(p, root), st.st_mode, st.st_size)).encode())
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            else:
                with open(p, "rb") as f:
                    h.update(f.read())
            count += 1
    return h.hexdigest(), count


# ---------------------------------------------------------------------------
# The cases

class RealPrograms(unittest.TestCase):
    """One test method per program; CTest runs each through --only."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="dm-real-")
        self.h = Harness(self, self.root)

    def tearDown(self):
        if KEEP:
            print("  kept run files in %s" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def require(self, *progs):
        paths = []
        for prog in progs:
            path = which(prog)
            if not path:
                self.skipTest("%s is not installed" % prog)
            paths.append(path)
        return paths if len(paths) > 1 else paths[0]

    def data(self, name):
        return os.path.join(self.root, name)

    # -- sanity: the library really replaces the allocator ------------------

    def test_preload_check(self):
        """dlsym(RTLD_DEFAULT) of the allocator entry points resolves into the library."""
        code = r"""
import ctypes, os, sys
lib = os.path.realpath(sys.argv[1])
maps = []
with open("/proc/self/maps") as f:
    for line in f:
        parts = line.split(None, 5)
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        maps.append((lo, hi, parts[5].strip() if len(parts) > 5 else ""))
def owner(addr):
    for lo, hi, path in maps:
        if lo <= addr < hi:
            return path
    return "?"
me = ctypes.CDLL(None)
bad = []
for sym in ("malloc", "free", "calloc", "realloc", "posix_memalign", "aligned_alloc", "malloc_usable_size",
            "_Znwm", "_ZdlPv", "_Znam", "_ZdaPv"):
    try:
        addr = ctypes.cast(getattr(me, sym), ctypes.c_void_p).value
    except AttributeError:
        bad.append("%s -> not defined anywhere" % sym)
        continue
    path = owner(addr)
    if not os.path.exists(path) or not os.path.samefile(path, lib):
        bad.append("%s -> %s" % (sym, path))
me.malloc.restype = ctypes.c_void_p
me.malloc.argtypes = [ctypes.c_size_t]
me.free.argtypes = [ctypes.c_void_p]
ptrs = [me.malloc(n) for n in (1, 24, 1000, 100000, 5 << 20)]
if not all(ptrs) or any(p % 16 for p in ptrs):
    bad.append("malloc returned NULL or a misaligned pointer: %r" % ptrs)
for p in ptrs:
    me.free(p)
print("\n".join(bad) if bad else "ok")
"""
        env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
        env["LD_PRELOAD"] = LIB
        p = subprocess.run([sys.executable, "-c", code, LIB], env=env, capture_output=True, text=True,
                           timeout=60)
        if (p.returncode, p.stdout.strip()) != (0, "ok"):
            self.fail("under LD_PRELOAD=%s the allocator entry points do not resolve into the library "
                      "(%s):\n%s%s" % (LIB, describe_status(p.returncode), p.stdout, p.stderr))
        # And bash (the harness's typical consumer) maps the library.
        p = subprocess.run(["bash", "-c", "cat /proc/$$/maps"], env=env, capture_output=True, text=True)
        self.assertIn(os.path.basename(LIB), p.stdout, "libdebugmalloc not mapped in a preloaded bash")
        print("  library provides malloc/free/calloc/realloc/operator new in a preloaded process")

    # -- interpreters -----------------------------------------------------

    def test_python3(self):
        self.h.compare("python3", [sys.executable, os.path.join(PROGRAMS, "workload.py"), "2"])

    def test_python3_malloc(self):
        # PYTHONMALLOC=malloc: every object allocation goes through malloc/free, not pymalloc's arenas.
        self.h.compare("python3-malloc", [sys.executable, os.path.join(PROGRAMS, "workload.py"), "1"],
                       env={"PYTHONMALLOC": "malloc"})

    def test_perl(self):
        perl = self.require("perl")
        self.h.compare("perl", [perl, os.path.join(PROGRAMS, "workload.pl"), "3"])

    def test_bash(self):
        bash = self.require("bash")
        # fork+exec everywhere: command substitutions, pipelines, subshells, seq/sort/awk/sed children
        self.h.compare("bash", [bash, os.path.join(PROGRAMS, "script.sh"), "1"], min_procs=50)

    # -- compiler -----------------------------------------------------------

    def test_gxx(self):
        gxx = self.require("g++")
        src = os.path.join(PROGRAMS, "templates.cpp")
        # g++ runs cc1plus, as, collect2 and ld: all of them under the library.
        plain, pre = self.h.compare("g++", [gxx, "-std=c++17", "-O2", "-frandom-seed=debugmalloc", "-o", "prog",
                                            src], outputs=["prog"], min_procs=4)
        # The produced programs, run plainly, print the same; and the one compiled under the library also
        # behaves the same when itself run under the library (C++ new/delete from libstdc++).
        built_plain = os.path.join(plain.cwd, "prog")
        built_pre = os.path.join(pre.cwd, "prog")
        a = subprocess.run([built_plain], capture_output=True, timeout=60)
        b = subprocess.run([built_pre], capture_output=True, timeout=60)
        self.assertEqual(a.returncode, 0, "the program compiled without the library fails: %r" % a.stderr)
        self.assertEqual((b.returncode, b.stdout, b.stderr), (a.returncode, a.stdout, a.stderr),
                         "the program compiled under the library behaves differently")
        self.h.compare("g++-output", [built_pre])

    # -- text tools ---------------------------------------------------------

    def test_sort(self):
        sort = self.require("sort")
        src = gen_lines(self.data("lines.txt"), 120000, 1)   # ~4 MB
        self.h.compare("sort", [sort, src])
        self.h.compare("sort-keys", [sort, "-t", " ", "-k2,2n", "-k1,1r", src])
        self.h.compare("sort-unique", [sort, "-u", "-k3,3", src])
        self.h.compare("sort-utf8", [sort, "-f", "-s", "-k1,1", src], env={"LC_ALL": "C.UTF-8"})

    def test_sort_parallel(self):
        sort = self.require("sort")
        src = gen_lines(self.data("big.txt"), 700000, 2)     # ~22 MB
        # in-memory merge sort with 2 threads, then an external sort (temp files in TMPDIR) with 2 threads
        self.h.compare("sort-par", [sort, "--parallel=2", "-S", "256M", "-k2,2n", "-k1,1", src],
                       sample_threads=True)
        self.h.compare("sort-par-ext", [sort, "--parallel=2", "-S", "8M", "-k4,4g", src])

    def test_awk(self):
        awk = self.require("awk")
        text = gen_text(self.data("text.txt"), 60000, 3)
        prog = r"""
{ for (i = 1; i <= NF; i++) { w = tolower($i); gsub(/[^a-z0-9@.]/, "", w); count[w]++; total++ }
  line[NR % 1000] = $0; len += length($0) }
/@/ { mails++; split($NF, parts, "@"); domains[parts[2]]++ }
END {
  for (w in count) { n++; if (count[w] > best) { best = count[w]; bw = w } }
  for (d in domains) nd++
  s = ""; for (i = 0; i < 1000; i += 97) s = s substr(line[i], 1, 5) "|"
  printf "words %d distinct %d best %s=%d mails %d domains %d len %d\n%s\n", total, n, bw, best, mails, nd, len, s
  fflush()
  for (w in count) if (count[w] > 2000) print w, count[w] | "sort"
  close("sort")
}"""
        self.h.compare("awk", [awk, prog, text])

    def test_sed(self):
        sed = self.require("sed")
        text = gen_text(self.data("text.txt"), 60000, 4)
        script = r"""
s/\([a-z]\+\)@\([a-z]\+\)\.example\.org/<\2 at \1>/g
s/https:\/\/\([^ ]*\)/[link \1]/g
s/\b\([a-z]\)\([a-z]*\)\b/\u\1\2/3
/^[0-9]/d
/ka.*lo.*mi/{h;s/.*/KLM/;G}
y/qz/QZ/
"""
        self.h.compare("sed", [sed, "-e", script, text])
        # back-references make glibc's regex matcher allocate for every candidate: a smaller input
        small = gen_text(self.data("small.txt"), 15000, 4)
        self.h.compare("sed-regex", [sed, "-E", "-n", r"s/(([a-z]{2})+) \1/double:\1/p; /(ta|ri){3,}/p", small])

    def test_grep(self):
        grep = self.require("grep")
        text = gen_text(self.data("text.txt"), 80000, 5)
        words = self.data("patterns.txt")
        rng = random.Random(6)
        with open(words, "w") as f:
            for _ in range(2000):
                f.write("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + "\n")
        self.h.compare("grep-count", [grep, "-c", "-E", r"(ka|lo)+mi|[0-9]{4,}", text])
        self.h.compare("grep-only", [grep, "-o", "-i", "-E", r"[a-z]+@[a-z]+\.example\.org", text])
        # (in the C locale, GNU grep 3.8 takes seconds on -w -F with many patterns; C.UTF-8 is fast)
        self.h.compare("grep-fixed", [grep, "-n", "-w", "-F", "-f", words, text], env={"LC_ALL": "C.UTF-8"})
        small = gen_text(self.data("small.txt"), 15000, 5)   # back-references: allocation-heavy, keep it small
        self.h.compare("grep-backref", [grep, "-c", r"\(\b[a-z][a-z]*\b\) \1", small])

    # -- archives -------------------------------------------------------------

    def test_tar(self):
        tar = self.require("tar")
        if not os.path.isdir("/usr/include"):
            self.skipTest("/usr/include does not exist")
        # /usr/include without its three biggest trees: ~50 MB, thousands of files and directories.
        excludes = ["--exclude=include/boost", "--exclude=include/node", "--exclude=include/llvm*"]
        archive = self.data("include.tar")
        plain, pre = self.h.compare("tar-create", [tar, "-cf", "a.tar", "-C", "/usr"] + excludes + ["include"],
                                    outputs=["a.tar"])
        shutil.copy(os.path.join(plain.cwd, "a.tar"), archive)
        self.h.compare("tar-list", [tar, "-tvf", archive])
        plain, pre = self.h.compare("tar-extract", [tar, "-xf", archive])
        self.assertEqual(tree_digest(pre.cwd), tree_digest(plain.cwd), "extracted trees differ")
        # -z makes tar fork and exec gzip
        self.h.compare("tar-gzip", [tar, "-czf", "a.tgz", "-C", "/usr/include", "linux", "asm-generic"],
                       outputs=["a.tgz"], min_procs=2)

    def test_gzip(self):
        gzip, gunzip = self.require("gzip", "gunzip")
        src = gen_lines(self.data("lines.txt"), 300000, 7)   # ~10 MB
        plain, pre = self.h.compare("gzip", [gzip, "-c", "-6"], stdin=src)
        compressed = self.data("lines.txt.gz")
        shutil.copy(plain.stdout_path, compressed)
        plain, pre = self.h.compare("gunzip", [gunzip, "-c"], stdin=compressed)
        self.assertEqual(file_digest(pre.stdout_path), file_digest(src), "round trip does not give the input back")
        self.h.compare("gzip-test", [gzip, "-t", "-v", compressed])

    # -- database -------------------------------------------------------------

    def test_sqlite3(self):
        sqlite3 = self.require("sqlite3")
        self.h.compare("sqlite3", [sqlite3, "test.db"], stdin=os.path.join(PROGRAMS, "queries.sql"),
                       outputs=["test.db"])

    # -- leak check at exit over the big heaps of real programs ---------------

    def test_leak_check(self):
        # leaks=1: the exit-time scan runs over a big interpreter heap.  The programs' own leaks may be
        # reported on stderr, so only the exit status, stdout and the absence of a crash or hang count.
        perl = self.require("perl")
        self.h.compare("python3-leaks", [sys.executable, os.path.join(PROGRAMS, "workload.py"), "1"],
                       env={"PYTHONMALLOC": "malloc"}, options="leaks=1", check_stderr=False)
        self.h.compare("perl-leaks", [perl, os.path.join(PROGRAMS, "workload.pl"), "1"],
                       options="leaks=1", check_stderr=False)

    # -- threads + fork + exec ---------------------------------------------

    def test_threads_fork_exec(self):
        self.require("sort")
        # 3 allocating threads while 24 threads fork (12 with exec of sort and python children, 12 without
        # exec); PYTHONMALLOC=malloc puts every Python object on the library, children inherit it.
        self.h.compare("threads-fork-exec",
                       [sys.executable, "-W", "ignore::DeprecationWarning",
                        os.path.join(PROGRAMS, "threads_fork_exec.py")],
                       env={"PYTHONMALLOC": "malloc"}, min_procs=25)


CASES = sorted(n[len("test_"):] for n in dir(RealPrograms) if n.startswith("test_"))


EXTRA_OPTIONS = ""  # --options: appended to every run's DEBUGMALLOC_OPTIONS


def main():
    global LIB, KEEP, TOOL, EXTRA_OPTIONS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="path of libdebugmalloc.so")
    ap.add_argument("--tool", help="the debugmalloc tool; when given, the report files of every preloaded run "
                    "are read with 'debugmalloc report --format json' and must record no error")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this case (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary run directories for inspection")
    ap.add_argument("--options", default="", metavar="NAME=VALUE:...",
                    help="library options added to every run, e.g. guard_pages=all")
    args = ap.parse_args()
    EXTRA_OPTIONS = args.options
    if args.list:
        print("\n".join(CASES))
        return 0
    if not args.lib:
        ap.error("--lib is required")
    LIB = os.path.abspath(args.lib)
    KEEP = args.keep
    if args.tool:
        if os.path.isfile(args.tool) and os.access(args.tool, os.X_OK):
            TOOL = os.path.abspath(args.tool)
        else:
            print("note: %s is not built; report files are not checked" % args.tool)
    if not os.path.isfile(LIB):
        print("error: library not found: %s (build it first)" % LIB, file=sys.stderr)
        return 1   # a missing library is a failure, never a skip
    names = args.only or CASES
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error("unknown case(s): %s (known: %s)" % (", ".join(unknown), ", ".join(CASES)))

    suite = unittest.TestSuite()
    if "preload_check" not in names:
        # Every invocation first proves that the library interposes the allocator.
        suite.addTest(RealPrograms("test_preload_check"))
    for n in names:
        suite.addTest(RealPrograms("test_" + n))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    sys.stdout.flush()
    if not result.wasSuccessful():
        return 1
    if result.skipped and len(result.skipped) >= len(names):
        return SKIP_RETURN_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
