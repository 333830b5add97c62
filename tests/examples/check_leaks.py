#!/usr/bin/env python3
"""Leak examples under libdebugmalloc.so: each leak kind is classified as
Valgrind would, with the right count, bytes and allocating function, in the
readable listing and in the report file."""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None


def run(example, options="", env_extra=None):
    """Runs an example with leaks=1 and a fresh report_dir; returns (proc, reports)."""
    with tempfile.TemporaryDirectory() as d:
        proc = dmtest.run([os.path.join(ARGS.bin, "example-" + example)], lib=ARGS.lib,
                          options="leaks=1:report_dir=" + d + (":" + options if options else ""), env_extra=env_extra)
        return proc, dmtest.read_reports(d)


def leaks_in(records):
    """Leak records with their stack's function names: [(kind, bytes, blocks, ind_bytes, ind_blocks, [functions])]."""
    stacks = {r["id"]: r for r in records if r["t"] == "stack"}
    out = []
    for r in records:
        if r["t"] == "leak":
            fns = [f["function"] or "" for f in stacks[r["stack"]]["frames"]]
            out.append((r["kind"], r["bytes"], r["blocks"], r["indirect_bytes"], r["indirect_blocks"], fns))
    return out


def user_leaks(records):
    """Leaks whose stack has a frame in the example itself (not the C++ runtime's pool)."""
    return [l for l in leaks_in(records) if any(fn in ("main",) or fn.startswith(("copy_", "push_", "open_", "load_",
                                                                                     "leak_", "hold_", "make_"))
                                                 for fn in l[5])]


class LeakKinds(unittest.TestCase):
    def one_report(self, reports):
        self.assertEqual(len(reports), 1, [r[0] for r in reports])
        name, records = reports[0]
        self.assertRegex(name, r"^debugmalloc-\d+-\d+-0\.report$")
        self.assertEqual(records[0]["t"], "process")
        self.assertEqual(records[-1]["t"], "end")
        return records

    def test_direct_leaks_in_a_loop_are_one_group(self):
        proc, reports = run("leak-loop")
        leaks = user_leaks(self.one_report(reports))
        self.assertEqual(len(leaks), 1)
        kind, nbytes, blocks, _, _, fns = leaks[0]
        self.assertEqual((kind, nbytes, blocks), ("definite", 1300, 100))
        self.assertEqual(fns[0], "copy_name")
        self.assertRegex(proc.stderr, r"definite leak: 1300 bytes in 100 blocks definitely lost, allocated at:\n"
                                      r".*#0 0x[0-9a-f]+ in copy_name .*leak_loop\.c:7")
        self.assertEqual(proc.returncode, 23)

    def test_a_lost_list_is_one_definite_head_and_indirect_nodes(self):
        proc, reports = run("leak-list")
        leaks = sorted(user_leaks(self.one_report(reports)))
        self.assertEqual([(l[0], l[1], l[2], l[3], l[4]) for l in leaks],
                         [("definite", 32, 1, 288, 9), ("indirect", 288, 9, 0, 0)])
        self.assertEqual(leaks[0][5][0], "push_node")
        self.assertIn("freeing them also frees 288 bytes in 9 indirect blocks", proc.stderr)

    def test_interior_pointer_only_is_possible_and_not_reported_by_default(self):
        proc, reports = run("leak-interior")
        self.assertEqual(user_leaks(self.one_report(reports)), [])
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        proc, reports = run("leak-interior", "leak_kinds=all")
        leaks = user_leaks(self.one_report(reports))
        self.assertEqual([(l[0], l[1], l[2]) for l in leaks], [("possible", 256, 1)])
        self.assertEqual(leaks[0][5][0], "open_buffer")
        self.assertEqual(proc.returncode, 0, "possible leaks do not fail the run")

    def test_a_global_still_pointing_is_reachable(self):
        proc, reports = run("leak-global", "leak_kinds=all")
        leaks = user_leaks(self.one_report(reports))
        self.assertEqual([(l[0], l[1], l[2], l[5][0]) for l in leaks], [("reachable", 512, 1, "load_config")])
        self.assertEqual(proc.returncode, 0)

    def test_leaks_in_threads_and_a_blocked_thread_holding_a_block(self):
        proc, reports = run("leak-threads", "leak_kinds=all")
        leaks = user_leaks(self.one_report(reports))
        by_fn = {l[5][0]: l for l in leaks}
        self.assertEqual(by_fn["leak_in_thread"][:3], ("definite", 400, 4))
        self.assertEqual(by_fn["hold_and_wait"][:3], ("reachable", 4096, 1),
                         "the blocked thread's stack is a root: its block is not lost")
        self.assertNotIn("did not stop", proc.stderr)

    def test_a_forked_child_has_its_own_report(self):
        proc, reports = run("leak-fork")
        self.assertEqual(len(reports), 2)
        pids = {records[0]["pid"] for _, records in reports}
        self.assertEqual(len(pids), 2)
        child = [records for _, records in reports if records[0]["ppid"] in pids]
        self.assertEqual(len(child), 1)
        leaks = user_leaks(child[0])
        self.assertEqual([(l[0], l[1], l[5][0]) for l in leaks], [("definite", 64, "leak_in_child")])
        parent = [records for _, records in reports if records[0]["ppid"] not in pids][0]
        self.assertEqual(user_leaks(parent), [])
        self.assertEqual(proc.returncode, 0, "the parent found nothing; its status is its own")

    def test_cpp_new_and_new_array(self):
        proc, reports = run("leak-cpp")
        leaks = user_leaks(self.one_report(reports))
        by_fn = {l[5][0]: l for l in leaks}
        self.assertEqual(by_fn["make_counters()"][:3], ("definite", 200, 1))
        self.assertEqual(by_fn["open_session()"][:5], ("definite", 40, 1, 44, 1))
        self.assertRegex(proc.stderr, r"in make_counters\(\) .*leak_cpp\.cpp:10")

    def test_frames_in_a_library_unloaded_before_exit_still_symbolize(self):
        plugin = os.path.join(os.path.dirname(ARGS.bin), "lib", "libexample-plugin.so")
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, LD_PRELOAD=ARGS.lib, DEBUGMALLOC_OPTIONS="leaks=1:report_dir=" + d)
            proc = subprocess.run([os.path.join(ARGS.bin, "example-leak-dlclose"), plugin], env=env,
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 23, proc.stderr)
            [path] = glob.glob(os.path.join(d, "*.report"))
            with open(path) as f:
                records = [json.loads(line) for line in f]
            modules = [r for r in records if r["t"] == "module" and r["path"] == plugin]
            self.assertEqual(len(modules), 1)
            self.assertTrue(modules[0]["unloaded"], "recorded as unloaded, with its build-id")
            self.assertTrue(modules[0]["build_id"])
            # The reporter symbolizes the unloaded library's frames from its file.
            out = subprocess.run([os.path.join(ARGS.bin, "debugmalloc"), "report", "--format", "json", d],
                                 capture_output=True, text=True, timeout=60)
            report = json.loads(out.stdout)
            stacks = [[fr["function"] for fr in leak["stack"]] for leak in report["leaks"]]
            self.assertIn(["plugin_make_greeting", "plugin_run", "main"], [s[:3] for s in stacks], stacks)

    def test_suppressions_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".supp", delete=False) as f:
            f.write("# deliberate\nleak:copy_name\n")
        try:
            proc, reports = run("leak-loop", "suppressions=" + f.name)
        finally:
            os.unlink(f.name)
        records = self.one_report(reports)
        self.assertEqual(user_leaks(records), [])
        suppressed = [r for r in records if r["t"] == "suppressed"][0]
        self.assertEqual((suppressed["leak_blocks"], suppressed["leak_bytes"]), (100, 1300))
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr, "")

    def test_bad_suppressions_line_is_named(self):
        with tempfile.NamedTemporaryFile("w", suffix=".supp", delete=False) as f:
            f.write("leak:ok\nnonsense without colon\nfrobnicate:x\n")
        try:
            proc, _ = run("leak-loop", "suppressions=" + f.name)
        finally:
            os.unlink(f.name)
        self.assertRegex(proc.stderr, re.escape(f.name) + r":2: malformed suppression")
        self.assertRegex(proc.stderr, re.escape(f.name) + r":3: unknown kind")

    def test_end_record_totals(self):
        _, reports = run("leak-list")
        end = self.one_report(reports)[-1]
        self.assertEqual(end["reason"], "exit")
        self.assertEqual(end["exit_code"], 0)
        self.assertEqual(end["forced_exit_code"], 23)
        self.assertTrue(end["leak_check"])
        self.assertGreaterEqual(end["leaked_bytes"]["definite"], 32)


def log_stacks(stderr):
    """The stacks of a library log, by heading: [(heading line, [function names])]."""
    out = []
    for line in stderr.splitlines():
        frame = re.match(r"==\d+==     #\d+ 0x[0-9a-f]+(?: in (\S+))?", line)
        if frame:
            if out:
                out[-1][1].append(frame.group(1) or "")
        else:
            out.append((line, []))
    return [(heading, fns) for heading, fns in out if fns]


def json_functions(value):
    """Every "function" of the stacks anywhere in a JSON document."""
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in ([v] if k == "function" else json_functions(v))]
    if isinstance(value, list):
        return [f for v in value for f in json_functions(v)]
    return []


class CFunctionNames(unittest.TestCase):
    """C functions named f, i and d (example-c-names: d allocates, called by i, called by f;
    f leaks one block and overflows another) are named so, not float, int and double: the
    demangler takes bare names for C++ type codes; only "_Z" names may be demangled."""
    TYPE_NAMES = {"float", "int", "double"}
    CHAIN = ["d", "i", "f", "main"]

    def run_c_names(self, options):
        """The library's stderr, the report file's records and the tool's JSON of the run."""
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, LD_PRELOAD=ARGS.lib, DEBUGMALLOC_OPTIONS="leaks=1:report_dir=" + d + options)
            proc = subprocess.run([os.path.join(ARGS.bin, "example-c-names")], env=env,
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 23, proc.stderr)
            [path] = glob.glob(os.path.join(d, "*.report"))
            with open(path) as f:
                records = [json.loads(line) for line in f]
            out = subprocess.run([os.path.join(ARGS.bin, "debugmalloc"), "report", "--format", "json", d],
                                 capture_output=True, text=True, timeout=60)
            return proc.stderr, records, json.loads(out.stdout)

    def check_json(self, report):
        [error] = report["errors"]
        self.assertEqual(error["kind"], "heap-buffer-overflow")
        self.assertEqual([fr["function"] for fr in error["stack"]][:2], ["f", "main"], "found by free() in f")
        self.assertEqual([fr["function"] for fr in error["alloc_stack"]][:4], self.CHAIN)
        leaks = [l for l in report["leaks"] if "main" in [fr["function"] for fr in l["stack"]]]
        self.assertEqual([(l["kind"], l["bytes"], l["blocks"]) for l in leaks], [("definite", 48, 1)])
        self.assertEqual([fr["function"] for fr in leaks[0]["stack"]][:4], self.CHAIN)
        self.assertFalse(self.TYPE_NAMES & set(json_functions(report)), json_functions(report))

    def test_the_library_names_c_functions_as_they_are(self):
        stderr, records, report = self.run_c_names("")
        stacks = log_stacks(stderr)
        self.assertEqual(len(stacks), 3, stderr)
        (found, found_fns), (alloc, alloc_fns), (leak, leak_fns) = stacks
        self.assertRegex(found, r"found by free\(\) at:$")
        self.assertEqual(found_fns[:2], ["f", "main"], stderr)
        self.assertRegex(alloc, r"the 13-byte block at 0x[0-9a-f]+ was allocated at:$")
        self.assertEqual(alloc_fns[:4], self.CHAIN, stderr)
        self.assertRegex(leak, r"definite leak: 48 bytes in 1 block definitely lost, allocated at:$")
        self.assertEqual(leak_fns[:4], self.CHAIN, stderr)
        self.assertRegex(stderr, r"#0 0x[0-9a-f]+ in d .*c_names\.c:\d+ \(")
        self.assertFalse(self.TYPE_NAMES & {fn for _, fns in stacks for fn in fns}, stderr)
        # The report file has the names as the library wrote them, and the tool keeps them.
        written = json_functions([r for r in records if r["t"] == "stack"])
        self.assertTrue({"d", "i", "f"} <= set(written), written)
        self.assertFalse(self.TYPE_NAMES & set(written), written)
        self.check_json(report)

    def test_the_tool_names_c_functions_as_they_are(self):
        # symbolize=0: the library writes module+offset only; the tool names the frames from the file.
        stderr, records, report = self.run_c_names(":symbolize=0")
        self.assertNotRegex(stderr, r"#\d+ 0x[0-9a-f]+ in ")
        self.check_json(report)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
