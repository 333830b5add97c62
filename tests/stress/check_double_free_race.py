#!/usr/bin/env python3
"""Threads racing to free (or realloc) the same block: exactly one of them
frees it, every other one is reported as a double free, and the heap stays
sound. Runs double_free_race under libdebugmalloc.so and counts the reports in
its report file (docs/report-format.md): with N threads and R rounds there must
be exactly (N - 1) * R double frees, no other error, and exit status 23."""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
EXIT_ERRORS = 23  # the exitcode option's default


def read_report(report_dir):
    reports = glob.glob(os.path.join(report_dir, "*.report"))
    if len(reports) != 1:
        raise AssertionError("expected one finished report, found %s" % os.listdir(report_dir))
    with open(reports[0]) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_race(mode, threads, size, rounds, options=""):
    """Runs one race; returns (exit status, stdout, report records, log text)."""
    work = tempfile.mkdtemp(prefix="dm-race-")
    try:
        env = dict(os.environ)
        env["LD_PRELOAD"] = ARGS.lib
        opts = "report_dir=%s:log_path=%s" % (work, os.path.join(work, "log"))
        env["DEBUGMALLOC_OPTIONS"] = opts + (":" + options if options else "")
        proc = subprocess.run([ARGS.program, mode, str(threads), str(size), str(rounds)], env=env,
                              capture_output=True, text=True, timeout=ARGS.timeout)
        log = ""
        for path in glob.glob(os.path.join(work, "log.*")):
            with open(path, errors="replace") as f:
                log += f.read()
        records = read_report(work) if proc.returncode >= 0 else []
        return proc.returncode, proc.stdout + proc.stderr, records, log
    finally:
        shutil.rmtree(work, ignore_errors=True)


class DoubleFreeRace(unittest.TestCase):
    def check(self, mode, threads, size, rounds, options=""):
        status, out, records, log = run_race(mode, threads, size, rounds, options)
        what = "%s race, %d threads, %d bytes, %d rounds%s" % (mode, threads, size, rounds,
                                                                " (" + options + ")" if options else "")
        self.assertGreaterEqual(status, 0, "%s: killed by signal %d\n%s" % (what, -status, out))
        self.assertIn("SOUND ", out, "%s: the heap is not sound after the races\n%s" % (what, out))
        errors = [r for r in records if r["t"] == "error"]
        by_kind = {}
        for e in errors:
            by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + e["count"]
        expected = (threads - 1) * rounds
        self.assertEqual(by_kind, {"double-free": expected},
                         "%s: expected exactly %d double frees\n%s\n%s" % (what, expected, out, log[:4000]))
        end = records[-1]
        self.assertEqual(end["t"], "end")
        self.assertEqual(end["errors"], expected, what)
        # A loser's report shows the winner's free, never a half-written one.
        stacks = {r["id"] for r in records if r["t"] == "stack"}
        for e in errors:
            self.assertIn(e["free_stack"], stacks, "%s: a double free without its free stack: %s" % (what, e))
        self.assertEqual(status, EXIT_ERRORS, "%s: exit status\n%s" % (what, out))
        return out

    # quarantine_mb=0 hands a freed slot back at once: a block freed twice
    # would sit twice in a free list and be handed out twice.
    def test_free_small_16_threads(self):
        self.check("free", 16, 64, 1000, "quarantine_mb=0")

    def test_free_small_64_threads(self):
        self.check("free", 64, 64, 400, "quarantine_mb=0")

    def test_free_small_16_threads_quarantined(self):
        self.check("free", 16, 64, 1000)

    def test_free_large_16_threads(self):
        self.check("free", 16, 2 << 20, 500, "quarantine_mb=0")

    def test_free_large_64_threads(self):
        self.check("free", 64, 2 << 20, 300)

    def test_realloc_small_16_threads(self):
        out = self.check("realloc", 16, 64, 1000, "quarantine_mb=0")
        self.assertRegex(out, r"realloc won [1-9]\d* of 1000 rounds", "realloc never won a round: its winning path went untested")

    def test_realloc_small_64_threads(self):
        self.check("realloc", 64, 64, 400)

    def test_realloc_large_16_threads(self):
        self.check("realloc", 16, 2 << 20, 500, "quarantine_mb=0")

    def test_realloc_large_64_threads(self):
        self.check("realloc", 64, 2 << 20, 300)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True, help="libdebugmalloc.so")
    parser.add_argument("--program", required=True, help="the double_free_race binary")
    parser.add_argument("--timeout", type=float, default=60)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
