#!/usr/bin/env python3
"""End-to-end tests of the `debugmalloc` tool: golden outputs of every format over fixture
reports and over reports of the example programs, the JSON contract, exit statuses of
`report` and `run`, merging many processes, suppressions, diff, and `run`'s process handling.

    reporter_e2e.py --tool build/bin/debugmalloc --bin-dir build/bin --root .
    reporter_e2e.py ... --update      rewrite the golden files (then review `git diff`)
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
GOLDEN_DIR = os.path.join(HERE, "golden")

FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "html": "html", "xml": "xml", "junit": "junit.xml"}

# Golden cases: (name, inputs, extra options). An input is a fixture directory, or
# "example:NAME" to run build/bin/example-NAME under `debugmalloc run` and use its reports.
# Adding a case is one line; run with --update to write its golden files.
GOLDEN = [
    ("basic", ["basic"], []),
    ("multi", ["multi"], []),
    ("basic-suppressed", ["basic"], ["--suppressions", "{fixtures}/basic.supp"]),
    ("multi-top-frame", ["multi"], ["--group-frames", "1"]),
    ("diff", ["basic", "multi"], ["--diff", "{fixtures}/basic"]),
    ("example-heap-overflow", ["example:heap-overflow"], []),
    ("example-heap-underflow", ["example:heap-underflow"], []),
    ("example-use-after-free", ["example:use-after-free"], []),
    ("example-double-free", ["example:double-free"], []),
    ("example-invalid-free", ["example:invalid-free"], []),
    ("example-alloc-dealloc-mismatch", ["example:alloc-dealloc-mismatch"], []),
    ("example-heap-corruption", ["example:heap-corruption"], []),
    ("example-allocation-size-too-big", ["example:allocation-size-too-big"], []),
    ("example-calloc-overflow", ["example:calloc-overflow"], []),
    ("example-clean", ["example:clean"], []),
    ("example-leak-through-wrapper", ["example:leak-through-wrapper"], ["--alloc-fns", "my_x*"]),
]


def tool(*args, env=None, input=None, timeout=60):
    return subprocess.run([ARGS.tool, *args], capture_output=True, text=True, env=env, input=input,
                          timeout=timeout)


# --- normalisation: nothing machine- or run-specific may reach a golden file -----------------

def normalize(text, replacements):
    for old, new in replacements:
        text = text.replace(old, new)
    # Addresses change with ASLR; offsets in modules do not, except the system's libraries',
    # which change with their package version.
    text = re.sub(r"0x[0-9a-fA-F]{9,}", "0xADDR", text)
    text = re.sub(r"((?:/usr)?/lib/[^\s\"'<>)(+]*\+)0x[0-9a-f]+", r"\g<1>0xOFF", text)
    text = re.sub(r'("module": "(?:/usr)?/lib/[^"]*",\s*"offset": )"0x[0-9a-f]+"', r'\1"0xOFF"', text)
    return text


def stable_reports(src_dir, dst_dir):
    """Copies report files with pids, start times and clock times replaced by fixed values,
    in the order the tool sorts them, so that example runs give the same output every time."""
    files = []
    for name in sorted(os.listdir(src_dir)):
        path = os.path.join(src_dir, name)
        with open(path) as f:
            lines = f.read().split("\n")
        head = json.loads(lines[0])
        files.append(((head.get("start") or 0, head["pid"], head.get("gen") or 0), name, lines))
    files.sort()
    pids = {}
    for _, _, lines in files:
        pid = json.loads(lines[0])["pid"]
        pids.setdefault(pid, 1000 + len(pids))
    for index, (_, name, lines) in enumerate(files):
        head = json.loads(lines[0])
        head.update(pid=pids[head["pid"]], ppid=pids.get(head.get("ppid"), 1), start=index, time=0,
                    cwd="<CWD>", options="")
        lines[0] = json.dumps(head, separators=(",", ":"))
        suffix = name[name.rfind("."):]
        new = "debugmalloc-%d-%d-%d%s" % (head["pid"], index, head.get("gen") or 0, suffix)
        with open(os.path.join(dst_dir, new), "w") as f:
            f.write("\n".join(lines))


def run_example(name, workdir):
    """`debugmalloc run` over an example: checks its exit status, returns a stable report dir."""
    raw = os.path.join(workdir, "raw-" + name)
    prog = os.path.join(ARGS.bin_dir, "example-" + name)
    proc = tool("run", "--report-dir", raw, "--", prog)
    expected = 0 if name == "clean" else 23
    assert proc.returncode == expected, "%s: exit %d\n%s" % (name, proc.returncode, proc.stderr)
    stable = os.path.join(workdir, "stable-" + name)
    os.makedirs(stable)
    stable_reports(raw, stable)
    return stable


class Golden(unittest.TestCase):
    def test_every_format_of_every_case(self):
        work = tempfile.mkdtemp(prefix="dm-golden-")
        self.addCleanup(shutil.rmtree, work, True)
        mismatches = []
        for name, inputs, extra in GOLDEN:
            paths = []
            for item in inputs:
                if item.startswith("example:"):
                    paths.append(run_example(item[len("example:"):], work))
                else:
                    paths.append(os.path.join(FIXTURES, item))
            example = any(i.startswith("example:") for i in inputs)
            source_root = ARGS.root if example else "/fixture"
            replacements = [(work + "/stable-", "<REPORTS>/"), (FIXTURES, "<FIXTURES>"), (ARGS.bin_dir, "<BIN>"),
                            (ARGS.root, "<ROOT>")]
            for fmt, ext in FORMATS.items():
                opts = [o.replace("{fixtures}", FIXTURES) for o in extra]
                proc = tool("report", "--format", fmt, "--color", "never", "--source-root", source_root, *opts, *paths)
                self.assertIn(proc.returncode, (0, 1), "%s %s: %s" % (name, fmt, proc.stderr))
                if fmt == "json":
                    check_contract(self, json.loads(proc.stdout))
                if fmt == "sarif":
                    check_sarif_schema(self, json.loads(proc.stdout))
                got = normalize(proc.stdout, replacements)
                golden = os.path.join(GOLDEN_DIR, "%s.%s" % (name, ext))
                if ARGS.update:
                    os.makedirs(GOLDEN_DIR, exist_ok=True)
                    with open(golden, "w") as f:
                        f.write(got)
                    continue
                if not os.path.exists(golden):
                    mismatches.append("%s: missing (run with --update)" % golden)
                    continue
                with open(golden) as f:
                    want = f.read()
                if got != want:
                    out = os.path.join(ARGS.out_dir, os.path.basename(golden))
                    os.makedirs(ARGS.out_dir, exist_ok=True)
                    with open(out, "w") as f:
                        f.write(got)
                    mismatches.append("%s differs: diff -u %s %s" % (golden, golden, out))
        self.assertEqual(mismatches, [], "\n" + "\n".join(mismatches) +
                         "\n(if the change is intended: reporter_e2e.py ... --update)")


def check_sarif_schema(test, doc):
    """Validates against the official SARIF 2.1.0 schema when it is at hand (DM_SARIF_SCHEMA, e.g.
    lib/schemas/sarif-2.1.0-rtm.5.json of the npm package @microsoft/jest-sarif) and Python has
    jsonschema; the unit tests check the members GitHub needs either way."""
    path = os.environ.get("DM_SARIF_SCHEMA")
    if not path or not os.path.exists(path):
        return
    try:
        import jsonschema
    except ImportError:
        return
    with open(path) as f:
        schema = json.load(f)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    test.assertEqual(errors, [])


# --- the JSON contract (docs/report-format.md) -----------------------------------------------------------

FRAME_KEYS = {"function", "file", "line", "module", "offset"}


def check_contract(test, j):
    test.assertEqual(j["tool"], "debugmalloc")
    test.assertEqual(j["format_version"], 1)
    test.assertEqual(set(j), {"tool", "format_version", "processes", "errors", "leaks", "summary"})

    def frames(stack):
        test.assertIsInstance(stack, list)
        for f in stack:
            test.assertEqual(set(f), FRAME_KEYS)
            for key in ("function", "file", "module"):
                test.assertTrue(f[key] is None or isinstance(f[key], str), f)
            test.assertTrue(f["line"] is None or (isinstance(f["line"], int) and f["line"] > 0), f)
            test.assertTrue(f["offset"] is None or re.fullmatch(r"0x[0-9a-f]+", f["offset"]), f)

    for p in j["processes"]:
        test.assertIsInstance(p["pid"], int)
        test.assertIsInstance(p["command"], str)
        test.assertIsInstance(p["report_file"], str)
    for e in j["errors"]:
        test.assertTrue({"kind", "count", "pids", "message", "stack", "alloc_stack", "free_stack"} <= set(e))
        test.assertIn(e["kind"], ["heap-buffer-overflow", "heap-buffer-underflow", "use-after-free", "double-free",
                                  "invalid-free", "alloc-dealloc-mismatch", "heap-corruption",
                                  "allocation-size-too-big", "calloc-overflow"])
        test.assertIsInstance(e["count"], int)
        test.assertTrue(all(isinstance(p, int) for p in e["pids"]))
        test.assertIsInstance(e["message"], str)
        for key in ("stack", "alloc_stack", "free_stack"):
            frames(e[key])
    for l in j["leaks"]:
        test.assertEqual(set(l), {"kind", "bytes", "blocks", "pids", "stack"})
        test.assertIn(l["kind"], ["definite", "indirect", "possible", "reachable"])
        frames(l["stack"])
    s = j["summary"]
    test.assertIsInstance(s["errors"], int)
    test.assertEqual(set(s["leaked_bytes"]), {"definite", "indirect", "possible", "reachable"})
    test.assertEqual(s["errors"], sum(e["count"] for e in j["errors"]))
    not_listed = s.get("leak_kinds_not_listed", [])
    for kind in s["leaked_bytes"]:
        listed = sum(l["bytes"] for l in j["leaks"] if l["kind"] == kind)
        total = s["leaked_bytes"][kind]
        if total is None:  # unknown: leaks not collected, or not listed and not counted
            test.assertEqual(listed, 0)
        elif kind in not_listed:  # the library's own total of a kind it did not list (leak_kinds)
            test.assertGreaterEqual(total, listed)
        else:
            test.assertEqual(total, listed)


# --- `debugmalloc report` exit statuses and messages -------------------------------------------

class ReportExitStatus(unittest.TestCase):
    def test_findings_clean_and_fail_on(self):
        self.assertEqual(tool("report", os.path.join(FIXTURES, "basic")).returncode, 1)
        self.assertEqual(tool("report", "--fail-on", "none", os.path.join(FIXTURES, "basic")).returncode, 0)
        self.assertEqual(tool("report", "--fail-on", "reachable", os.path.join(FIXTURES, "basic")).returncode, 1)
        proc = tool("report", "--fail-on", "errors,lost", os.path.join(FIXTURES, "basic"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn('--fail-on: unknown word "lost"', proc.stderr)

    def test_only_errors_not_named_by_fail_on_is_clean(self):
        # The multi fixture has errors and definite leaks; failing only on possible leaks: 0.
        self.assertEqual(tool("report", "--fail-on", "possible", os.path.join(FIXTURES, "multi")).returncode, 0)

    def test_bad_files_name_file_and_line(self):
        for name, message in [("empty.report", "empty file"), ("truncated.report", ":2: truncated"),
                              ("future-version.report", ":1: process record: written by a newer debugmalloc"),
                              ("not-a-report.report", ":1: not a debugmalloc report"),
                              ("corrupted.report", ":2: not valid JSON")]:
            path = os.path.join(FIXTURES, "bad", name)
            proc = tool("report", path)
            self.assertEqual(proc.returncode, 2, name)
            self.assertEqual(proc.stdout, "", name)
            self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
            self.assertIn("debugmalloc: " + path, proc.stderr)
            self.assertIn(message, proc.stderr)

    def test_keep_going_skips_with_warnings(self):
        proc = tool("report", "--keep-going", "--format", "json", os.path.join(FIXTURES, "bad"),
                    os.path.join(FIXTURES, "multi"))
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(len(json.loads(proc.stdout)["processes"]), 5)
        self.assertEqual(proc.stderr.count("(skipped)"), 8)

    def test_usage_errors(self):
        self.assertEqual(tool().returncode, 2)
        self.assertEqual(tool("report").returncode, 2)
        self.assertEqual(tool("report", "--format", "pdf", FIXTURES).returncode, 2)
        self.assertEqual(tool("report", "--no-such-option", FIXTURES).returncode, 2)
        proc = tool("report", "/no/such/path")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("/no/such/path: no such file or directory", proc.stderr)
        proc = tool("report", "-o", "/no/such/dir/out.txt", os.path.join(FIXTURES, "basic"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot write", proc.stderr)

    def test_malformed_suppressions(self):
        with tempfile.NamedTemporaryFile("w", suffix=".supp", delete=False) as f:
            f.write("# ok\nleak:x\nthis is wrong\n")
        self.addCleanup(os.unlink, f.name)
        proc = tool("report", "--suppressions", f.name, os.path.join(FIXTURES, "basic"))
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, 'debugmalloc: %s:3: malformed suppression "this is wrong" (expected KIND:PATTERN)\n'
                         % f.name)

    def test_suppressing_everything_is_clean_and_counted(self):
        with tempfile.NamedTemporaryFile("w", suffix=".supp", delete=False) as f:
            f.write("leak:*\nerror:*\n")
        self.addCleanup(os.unlink, f.name)
        proc = tool("report", "--format", "json", "--suppressions", f.name, os.path.join(FIXTURES, "multi"))
        self.assertEqual(proc.returncode, 0)
        j = json.loads(proc.stdout)
        check_contract(self, j)
        self.assertEqual(j["summary"]["suppressed"], {"errors": 7, "leak_blocks": 13, "leak_bytes": 5200})

    def test_diff_against_json_output(self):
        base = tool("report", "--format", "json", os.path.join(FIXTURES, "basic"))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(base.stdout)
        self.addCleanup(os.unlink, f.name)
        same = tool("report", "--diff", f.name, "--format", "json", os.path.join(FIXTURES, "basic"))
        self.assertEqual(same.returncode, 0, same.stderr)
        self.assertEqual(json.loads(same.stdout)["summary"]["in_baseline"], 7)
        new = tool("report", "--diff", f.name, "--format", "json", os.path.join(FIXTURES, "basic"),
                   os.path.join(FIXTURES, "multi"))
        self.assertEqual(new.returncode, 1)
        self.assertEqual(len(json.loads(new.stdout)["errors"]), 3)
        bad = tool("report", "--diff", os.path.join(FIXTURES, "bad", "empty.report"), os.path.join(FIXTURES, "basic"))
        self.assertEqual(bad.returncode, 2)

    def test_merge_of_many_processes(self):
        work = tempfile.mkdtemp(prefix="dm-many-")
        self.addCleanup(shutil.rmtree, work, True)
        src = os.path.join(FIXTURES, "multi", "debugmalloc-5001-210-0.report")
        with open(src) as f:
            lines = f.read().split("\n")
        for i in range(300):
            head = json.loads(lines[0])
            head["pid"] = 20000 + i
            sub = os.path.join(work, "suite%d" % (i % 7))
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, "debugmalloc-%d-1-0.report" % head["pid"]), "w") as f:
                f.write("\n".join([json.dumps(head)] + lines[1:]))
        proc = tool("report", "--format", "json", work)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        j = json.loads(proc.stdout)
        check_contract(self, j)
        self.assertEqual(len(j["processes"]), 300)
        self.assertEqual(len(j["errors"]), 1)
        self.assertEqual(j["errors"][0]["count"], 900)
        self.assertEqual(len(j["errors"][0]["pids"]), 300)
        self.assertEqual(j["leaks"][0]["bytes"], 800 * 300)


# --- allocation requests that are bugs --------------------------------------------------------

class BadRequests(unittest.TestCase):
    def reports_of(self, example, *run_args):
        d = tempfile.mkdtemp(prefix="dm-bad-")
        self.addCleanup(shutil.rmtree, d, True)
        proc = tool("run", "--report-dir", d, *run_args, "--", os.path.join(ARGS.bin_dir, "example-" + example))
        return proc, d

    def supp(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".supp", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_they_are_errors_that_fail(self):
        for example, kind in (("allocation-size-too-big", "allocation-size-too-big"),
                              ("calloc-overflow", "calloc-overflow"), ("new-size-too-big", "allocation-size-too-big")):
            proc, d = self.reports_of(example)
            self.assertEqual(proc.returncode, 23, proc.stderr)
            self.assertIn("ERROR: " + kind + ": ", proc.stderr)
            self.assertRegex(proc.stderr, r"\n    %s +2\n" % kind, "the summary counts them")
            self.assertEqual(tool("report", d).returncode, 1)
            self.assertEqual(tool("report", "--fail-on", "errors", d).returncode, 1)
            self.assertEqual(tool("report", "--fail-on", "definite,indirect", d).returncode, 0)
            j = json.loads(tool("report", "--format", "json", d).stdout)
            self.assertEqual([e["kind"] for e in j["errors"]], [kind, kind])
            self.assertEqual([e["alloc_stack"] for e in j["errors"]], [[], []], "there is no block")

    def test_suppressions_name_each_kind(self):
        _, too_big = self.reports_of("allocation-size-too-big")
        _, overflow = self.reports_of("calloc-overflow")
        one = self.supp("allocation-size-too-big:allocate_buffer\ncalloc-overflow:make_grid\n")
        for d, left in ((too_big, "copy_payload"), (overflow, "grow_table")):
            j = json.loads(tool("report", "--format", "json", "--suppressions", one, d).stdout)
            self.assertEqual(len(j["errors"]), 1)
            self.assertEqual(j["errors"][0]["stack"][0]["function"], left)
            self.assertEqual(j["summary"]["suppressed"]["errors"], 1)
        other = self.supp("calloc-overflow:*\n")
        self.assertEqual(tool("report", "--suppressions", other, too_big).returncode, 1, "another kind's rule")
        self.assertEqual(tool("report", "--suppressions", other, overflow).returncode, 0)
        # `run --suppressions` gives the file to the library too: nothing is printed or counted.
        proc, _ = self.reports_of("allocation-size-too-big", "--suppressions", self.supp("allocation-size-too-big:main\n"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn("ERROR", proc.stderr)


# --- `debugmalloc run` ------------------------------------------------------------------------

class Run(unittest.TestCase):
    def env(self, **extra):
        env = dict(os.environ)
        env.pop("DEBUGMALLOC_OPTIONS", None)
        env.pop("LD_PRELOAD", None)
        self.tmp = tempfile.mkdtemp(prefix="dm-run-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        env["TMPDIR"] = self.tmp
        env.update(extra)
        return env

    def example(self, name):
        return os.path.join(ARGS.bin_dir, "example-" + name)

    def test_exit_status_passes_through_when_clean(self):
        proc = tool("run", "--", "sh", "-c", "exit 3", env=self.env())
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(os.listdir(self.tmp), [], "the temporary report dir is removed")

    def test_findings_give_the_exitcode(self):
        proc = tool("run", self.example("double-free"), env=self.env())
        self.assertEqual(proc.returncode, 23, proc.stderr)
        self.assertIn("ERROR: double-free", proc.stderr)
        self.assertIn("SUMMARY", proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(tool("run", "--exitcode", "42", self.example("double-free"), env=self.env()).returncode, 42)
        # Not failing on errors: the program's own status, not the library's forced 23.
        self.assertEqual(tool("run", "--fail-on", "none", self.example("double-free"), env=self.env()).returncode, 0)

    def test_killed_by_a_signal(self):
        proc = tool("run", "--", "sh", "-c", "kill -TERM $$", env=self.env())
        self.assertEqual(proc.returncode, 128 + signal.SIGTERM)

    def test_program_not_found(self):
        proc = tool("run", "/no/such/program", env=self.env())
        self.assertEqual(proc.returncode, 127)
        self.assertIn("cannot run /no/such/program", proc.stderr)
        self.assertEqual(tool("run", env=self.env()).returncode, 2)

    def test_stdin_stdout_untouched_and_environment(self):
        env = self.env(LD_PRELOAD="libextra.so", DEBUGMALLOC_OPTIONS="scribble=1")
        proc = tool("run", "--quarantine-mb", "8", "--option", "verbosity=0", "--",
                    "sh", "-c", 'read x; echo "got $x"; echo "P=$LD_PRELOAD"; echo "O=$DEBUGMALLOC_OPTIONS"',
                    env=env, input="hello\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0], "got hello")
        preload = lines[1][2:].split(":")
        self.assertTrue(preload[0].endswith("/libdebugmalloc.so"), preload)
        self.assertEqual(preload[1], "libextra.so")
        opts = lines[2][2:]
        self.assertTrue(opts.startswith("scribble=1:leaks=1:quarantine_mb=8:"), opts)
        self.assertIn(":verbosity=0", opts)
        self.assertIn(":report_dir=" + self.tmp + "/debugmalloc-", opts)
        # Without "--": the program starts at the first argument that is not an option.
        proc = tool("run", "--option", "scribble=0", "--option", "verbosity=0", "sh", "-c", 'echo "$DEBUGMALLOC_OPTIONS"',
                    env=self.env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(":scribble=0:verbosity=0:", proc.stdout)

    def test_output_file_keep_reports_and_report_dir(self):
        env = self.env()
        out = os.path.join(self.tmp, "r.json")
        proc = tool("run", "--format", "json", "--output", out, "--keep-reports", self.example("heap-overflow"), env=env)
        self.assertEqual(proc.returncode, 23, proc.stderr)
        with open(out) as f:
            j = json.load(f)
        check_contract(self, j)
        self.assertEqual(j["errors"][0]["kind"], "heap-buffer-overflow")
        self.assertIn("report files kept in " + self.tmp, proc.stderr)
        kept = [d for d in os.listdir(self.tmp) if d.startswith("debugmalloc-")]
        self.assertEqual(len(kept), 1)
        reports = os.path.join(self.tmp, "mine")
        proc = tool("run", "--report-dir", reports, self.example("clean"), env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(any(n.endswith(".report") for n in os.listdir(reports)))

    def test_children_are_merged(self):
        script = "%s; %s; exit 0" % (self.example("double-free"), self.example("heap-overflow"))
        proc = tool("run", "--format", "json", "-o", "-", "--", "sh", "-c", script, env=self.env())
        self.assertEqual(proc.returncode, 23, proc.stderr)
        j = json.loads(proc.stdout)
        check_contract(self, j)
        self.assertGreaterEqual(len(j["processes"]), 3)  # sh and its two children
        self.assertEqual(sorted(e["kind"] for e in j["errors"]), ["double-free", "heap-buffer-overflow"])

    def test_sigint_is_forwarded_and_the_tool_survives(self):
        proc = subprocess.Popen([ARGS.tool, "run", "--", "sleep", "30"], env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 128 + signal.SIGINT, err)
        self.assertIn("SUMMARY", err)

    def test_help_reads_like_a_man_page(self):
        proc = tool("run", "--help")
        self.assertEqual(proc.returncode, 0)
        for section in ("SYNOPSIS\n  debugmalloc run [OPTIONS] [--] PROG [ARGS...]", "DESCRIPTION", "EXAMPLES", "EXIT STATUS",
                        "ENVIRONMENT", "--quarantine-mb", "--leak-kinds", "--keep-reports", "Checking",
                        "--guard-pages", "--sample-rate", "--guard-sites"):
            self.assertIn(section, proc.stdout)

    def test_guard_page_flags_become_library_options(self):
        proc = tool("run", "--guard-pages", "site", "--sample-rate", "7", "--guard-sites", "sites.txt", "--",
                    "sh", "-c", 'echo "O=$DEBUGMALLOC_OPTIONS"', env=self.env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        opts = proc.stdout.splitlines()[0][2:].split(":")
        self.assertIn("guard_pages=site", opts)
        self.assertIn("sample_rate=7", opts)
        self.assertIn("guard_sites=" + os.path.abspath("sites.txt"), opts)
        bad = tool("run", "--guard-pages", "sometimes", "--", "true", env=self.env())
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--guard-pages", bad.stderr)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--out-dir", default=os.path.join(tempfile.gettempdir(), "dm-golden-out"))
    parser.add_argument("--update", action="store_true")
    ARGS, rest = parser.parse_known_args()
    ARGS.root = os.path.realpath(ARGS.root)
    ARGS.bin_dir = os.path.realpath(ARGS.bin_dir)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
