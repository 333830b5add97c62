#!/usr/bin/env python3
"""The report file is never lost and never half-read: processes that abort,
_exit, exec, are killed with SIGKILL during the final write, or run as many
concurrent children, leave readable reports (docs/report-format.md)."""
import argparse
import glob
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None


def run(args, report_dir, options=""):
    return dmtest.run([ARGS.subject, *args], lib=ARGS.lib,
                      options="report_dir=" + report_dir + (":" + options if options else ""), timeout=300)


def read_records(path, allow_cut_last_line):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines and allow_cut_last_line:
        lines.pop()  # a journal's last line may be cut short
    return [json.loads(line) for line in lines]


class ReportFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        for f in glob.glob(os.path.join(self.dir, "*")):
            os.unlink(f)
        os.rmdir(self.dir)

    def files(self, pattern="*"):
        return sorted(glob.glob(os.path.join(self.dir, pattern)))

    def check_journal_with_error(self):
        journals = self.files("*.journal")
        self.assertEqual(len(journals), 1, self.files())
        self.assertEqual(self.files("*.report"), [])
        records = read_records(journals[0], True)
        self.assertEqual(records[0]["t"], "process")
        self.assertNotEqual(records[-1]["t"], "end", "no end record: the report is incomplete")
        errors = [r for r in records if r["t"] == "error"]
        self.assertEqual([e["kind"] for e in errors], ["double-free"])
        stacks = {r["id"] for r in records if r["t"] == "stack"}
        self.assertIn(errors[0]["stack"], stacks, "stacks are written before the error that uses them")
        self.assertEqual(stat.S_IMODE(os.stat(journals[0]).st_mode), 0o600)

    def test_abort_leaves_the_errors_found_so_far(self):
        proc = run(["abort"], self.dir)
        self.assertEqual(proc.returncode, -signal.SIGABRT)
        self.check_journal_with_error()

    def test__exit_leaves_the_errors_found_so_far(self):
        proc = run(["_exit"], self.dir)
        self.assertEqual(proc.returncode, 3)
        self.check_journal_with_error()

    def test_exec_closes_the_old_image_and_starts_a_new_report(self):
        proc = run(["exec"], self.dir)
        self.assertEqual(proc.returncode, 0, "true's status: its own report is clean")
        reports = self.files("*.report")
        self.assertEqual(len(reports), 2, self.files())
        first, second = (read_records(p, False) for p in reports)
        self.assertEqual(first[0]["pid"], second[0]["pid"])
        self.assertEqual((first[0]["gen"], second[0]["gen"]), (0, 1))
        self.assertEqual(first[-1]["reason"], "exec")
        self.assertEqual([r["kind"] for r in first if r["t"] == "error"], ["double-free"])
        self.assertEqual(second[-1]["reason"], "exit")
        self.assertEqual(second[0]["command"], ["true"])

    def test_many_concurrent_children_each_leave_their_report(self):
        proc = run(["children", "40"], self.dir)
        self.assertEqual(proc.returncode, 0)
        files = self.files()
        self.assertEqual(len(files), 41, files)
        pids = set()
        for path in files:
            records = read_records(path, path.endswith(".journal"))
            pids.add(records[0]["pid"])
            if path.endswith(".journal"):
                self.assertEqual([r["kind"] for r in records if r["t"] == "error"], ["double-free"])
        self.assertEqual(len(pids), 41)

    def test_sigkill_during_the_final_write_never_leaves_a_broken_report(self):
        # A report with thousands of leak groups takes a while to write; kill the
        # process at random moments around it.
        env = dict(os.environ)
        env["LD_PRELOAD"] = ARGS.lib
        env["DEBUGMALLOC_OPTIONS"] = "leaks=1:report_dir=" + self.dir + ":log_path=" + os.path.join(self.dir, "log")
        # How long a full run takes, to aim the kills at its end.
        start = time.monotonic()
        subprocess.run([ARGS.subject, "leaks", "3000"], env=env, capture_output=True, timeout=300)
        full = time.monotonic() - start
        for f in self.files():
            os.unlink(f)
        random.seed(7)
        outcomes = {"report": 0, "journal": 0, "none": 0}
        for attempt in range(12):
            p = subprocess.Popen([ARGS.subject, "leaks", "3000"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(full * random.uniform(0.3, 1.0))
            p.send_signal(signal.SIGKILL)
            p.wait()
            if not self.files("debugmalloc-*[tl]"):  # killed before it started its journal
                outcomes["none"] += 1
            for path in self.files("debugmalloc-*"):
                if path.endswith(".tmp"):
                    continue  # a report being written: never read
                if path.endswith(".report"):
                    records = read_records(path, False)
                    self.assertEqual(records[-1]["t"], "end", path)
                    outcomes["report"] += 1
                elif path.endswith(".journal"):
                    records = read_records(path, True)
                    self.assertEqual(records[0]["t"], "process")
                    outcomes["journal"] += 1
                os.unlink(path)
            for f in self.files():
                os.unlink(f)
        # The old report or none, never a broken one (checked above for every file).
        self.assertEqual(sum(outcomes.values()), 12, outcomes)
        self.assertGreater(outcomes["report"] + outcomes["journal"], 0, outcomes)

    def test_report_files_are_private_and_never_follow_links(self):
        target = os.path.join(self.dir, "victim")
        with open(target, "w") as f:
            f.write("precious\n")
        # The name the next process would use for its journal is a symlink to the victim.
        proc = subprocess.Popen(["sleep", "0"])
        proc.wait()
        next_pid_guess = proc.pid + 1
        for pid in range(next_pid_guess, next_pid_guess + 50):
            os.symlink(target, os.path.join(self.dir, "debugmalloc-%d.journal" % pid))
        run(["_exit"], self.dir)
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n", "a symlink was followed")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--subject", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
