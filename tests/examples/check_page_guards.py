#!/usr/bin/env python3
"""The page-guard examples under libdebugmalloc.so: each bad access caught at the
instruction (kind, read or write, where, the three stacks, death by SIGSEGV); large
blocks in every mode; an overflow before _exit; a write after a long churn in the default
mode; more live blocks than vm.max_map_count allows; guard_pages=site, from the errors of
this run and from an earlier report's sites (guard_sites)."""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

from check_examples import section  # noqa: E402

ARGS = None


def run(example, options="", args=()):
    return dmtest.run([os.path.join(ARGS.bin, "example-" + example), *args], lib=ARGS.lib,
                      options=options + ":check_libc=0" if options else "check_libc=0")


class CaughtAtTheInstruction(unittest.TestCase):
    def expect_fault(self, proc, kind, summary, found_by, found_fn, alloc_fn, free_fn=None):
        self.assertEqual(proc.returncode, -signal.SIGSEGV, "dies of the access:\n" + proc.stderr)
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(len(reports), 1, proc.stderr)
        got_kind, got_summary, text = reports[0]
        self.assertEqual(got_kind, kind, text)
        self.assertRegex(got_summary, summary)
        self.assertIn("found by %s at:" % found_by, text)
        self.assertIn(found_fn, section(text, "found by"), text)
        self.assertIn(alloc_fn, section(text, "was allocated at:"), text)
        if free_fn:
            self.assertIn(free_fn, section(text, "and freed at:"), text)
        else:
            self.assertNotIn("and freed at:", text)
        return text

    def test_read_overflow(self):
        self.expect_fault(run("guard-read-overflow", "guard_pages=all"), "heap-buffer-overflow",
                          r"^read 0 bytes after the 64-byte block at 0x[0-9a-f]+$", "a read of a protected page",
                          "sum_samples", "make_samples")

    def test_read_after_free(self):
        self.expect_fault(run("guard-use-after-free", "guard_pages=all"), "use-after-free",
                          r"^read 24 bytes inside the freed 28-byte block at 0x[0-9a-f]+$",
                          "a read of a protected page", "session_id", "open_session", "close_session")

    def test_overflow_then_exit(self):
        self.expect_fault(run("overflow-then-exit", "guard_pages=all"), "heap-buffer-overflow",
                          r"^write 0 bytes after the 32-byte block at 0x[0-9a-f]+$", "a write to a protected page",
                          "write_label", "make_label")

    def test_write_after_a_long_churn(self):
        self.expect_fault(run("write-after-churn", "guard_pages=all"), "use-after-free",
                          r"^write 8 bytes inside the freed 64-byte block at 0x[0-9a-f]+$",
                          "a write to a protected page", "set_flag", "make_flag", "main")

    def test_large_blocks_in_every_mode(self):
        for mode in ("off", "sample", "all"):
            self.expect_fault(run("large-overflow", "guard_pages=" + mode), "heap-buffer-overflow",
                              r"^read 2048 bytes after the 524288-byte block at 0x[0-9a-f]+$",
                              "a read of a protected page", "trace_plus_one", "make_matrix")

    def test_the_report_file_says_read_or_write(self):
        with tempfile.TemporaryDirectory() as d:
            run("guard-read-overflow", "guard_pages=all:report_dir=" + d)
            errors = [r for _, records in dmtest.read_reports(d) for r in records if r["t"] == "error"]
            self.assertEqual([(e["kind"], e["access"], e["offset"], e["size"]) for e in errors],
                             [("heap-buffer-overflow", "read", 64, 64)])


class WithoutPageGuards(unittest.TestCase):
    def test_overflow_then_exit_is_found_by_the_check_before_exit(self):
        proc = run("overflow-then-exit", "guard_pages=off")
        self.assertEqual(proc.returncode, 0, "_exit's status: the journal keeps the error")
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], ["heap-buffer-overflow"], proc.stderr)
        self.assertRegex(reports[0][1], r"^1 byte changed 0 bytes past the end of a 32-byte block")
        self.assertIn("found by the heap check at _exit", reports[0][2])
        self.assertIn("make_label", section(reports[0][2], "was allocated at:"))

    def test_a_small_block_outlives_64_mib_of_big_ones_in_the_quarantine(self):
        proc = run("write-after-churn", "guard_pages=off")
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], ["use-after-free"], proc.stderr)
        self.assertRegex(reports[0][1], r"^1 byte written at offset 8 of a 64-byte block")
        self.assertIn("make_flag", section(reports[0][2], "was allocated at:"))
        self.assertEqual(proc.returncode, 23)


class Limits(unittest.TestCase):
    def test_more_live_blocks_than_the_kernel_allows_mappings(self):
        plain = subprocess.run([os.path.join(ARGS.bin, "example-guard-many-blocks")], capture_output=True, text=True)
        proc = run("guard-many-blocks", "guard_pages=all")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, plain.stdout)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, "one warning, no error:\n" + proc.stderr)
        self.assertRegex(lines[0], r"^debugmalloc: guard_pages: .*vm\.max_map_count.*sysctl -w vm\.max_map_count=\d+")


class Sites(unittest.TestCase):
    def test_a_site_with_an_error_gets_guard_pages(self):
        proc = run("guard-site", "guard_pages=site")
        self.assertEqual(proc.returncode, -signal.SIGSEGV, proc.stderr)
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], ["heap-buffer-overflow"] * 2, proc.stderr)
        self.assertIn("found by free() at:", reports[0][2])  # guard bytes, at the free
        self.assertRegex(reports[1][1], r"^write 0 bytes after the 32-byte block")  # the next one: at the write
        self.assertIn("fill_record", section(reports[1][2], "found by"))
        self.assertIn("round 0 done", proc.stderr)
        self.assertNotIn("round 1 done", proc.stderr)

    def test_sites_from_an_earlier_report(self):
        with tempfile.TemporaryDirectory() as d:
            reports = os.path.join(d, "reports")
            os.mkdir(reports)
            run("guard-site", "guard_pages=off:report_dir=" + reports)
            out = subprocess.run([ARGS.tool, "report", reports, "--format", "json"], capture_output=True, text=True)
            errors = json.loads(out.stdout)["errors"]
            sites = {"%s+%s" % (e["alloc_stack"][0]["module"], e["alloc_stack"][0]["offset"]) for e in errors}
            self.assertEqual(len(sites), 1, sites)
            path = os.path.join(d, "sites")
            with open(path, "w") as f:
                f.write("# allocation sites of an earlier run\n%s\n" % sites.pop())
            proc = run("guard-site", "guard_pages=site:guard_sites=" + path)
            self.assertEqual(proc.returncode, -signal.SIGSEGV, proc.stderr)
            reports = dmtest.readable_reports(proc.stderr)
            self.assertEqual(len(reports), 1, proc.stderr)
            self.assertRegex(reports[0][1], r"^write 0 bytes after the 32-byte block")  # the first one already
            self.assertNotIn("round 0 done", proc.stderr)

    def test_bad_site_lines_get_one_warning_each(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sites")
            with open(path, "w") as f:
                f.write("no plus sign\n/no/such/module.so+0x10\n\n# fine\n")
            proc = run("guard-site", "guard_pages=site:guard_sites=" + path, args=("32",))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            warnings = [l for l in proc.stderr.splitlines() if l.startswith("debugmalloc:")]
            self.assertEqual(len(warnings), 2, proc.stderr)
            self.assertIn("not MODULE+0xOFFSET: 'no plus sign'", warnings[0])
            self.assertIn("no such module loaded at start-up", warnings[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tool", required=True)
    ARGS, rest = parser.parse_known_args()
    sys.modules["check_examples"].ARGS = ARGS
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
