#!/usr/bin/env python3
"""Suppression files end to end, on the examples under libdebugmalloc.so: the files that
`debugmalloc report --format suppressions` and `--format valgrind-suppressions` write from a
run's report suppress its findings in the tool (`report --suppressions`) and in the library
(`suppressions=FILE`: the program's exit status goes from 23 to 0); a Valgrind entry written
by hand (fun:malloc first, `...` in the middle) suppresses a leak on both sides; a file with
broken lines gets a warning naming each one and its good rules still apply; the .supp files
of Debian's valgrind package load without a word."""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None
EXITCODE = 23  # the library's default `exitcode`


class Workdir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.runs = 0

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def run_example(self, example, options=""):
        """Runs example-EXAMPLE with leaks=1 and a fresh report directory: (proc, report_dir)."""
        self.runs += 1
        reports = self.path("reports-%d" % self.runs)
        os.mkdir(reports)
        opts = "leaks=1:report_dir=" + reports + (":" + options if options else "")
        proc = dmtest.run([os.path.join(ARGS.bin, "example-" + example)], lib=ARGS.lib, options=opts)
        return proc, reports

    def report(self, reports, *args):
        """`debugmalloc report REPORTS ARGS --format json` (unless ARGS say another format)."""
        cmd = [ARGS.tool, "report", reports, *args]
        if "--format" not in args:
            cmd += ["--format", "json"]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def findings(self, reports, *args):
        proc = self.report(reports, *args)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        doc = json.loads(proc.stdout)
        return proc, doc["errors"], doc["leaks"]


class GeneratedFilesRoundTrip(Workdir):
    """Each example has findings that set the exit status; the files generated from its
    report suppress all of them in the tool and, given to the library, in a second run."""

    def round_trip(self, example, expect):
        proc, reports = self.run_example(example)
        self.assertEqual(proc.returncode, EXITCODE, proc.stderr)
        _, errors, leaks = self.findings(reports)
        kinds = {e["kind"] for e in errors} | {l["kind"] for l in leaks}
        self.assertTrue(set(expect) <= kinds, (expect, kinds))

        for fmt in ("suppressions", "valgrind-suppressions"):
            with self.subTest(format=fmt):
                supp = self.path("%s-%s.supp" % (example, fmt))
                written = self.report(reports, "--format", fmt, "--output", supp)
                self.assertEqual(written.returncode, 1, written.stderr)  # the findings are still there
                with open(supp) as f:
                    text = f.read()
                self.assertTrue(text.startswith("#"), text)
                if fmt == "valgrind-suppressions":
                    self.assertIn("{\n   debugmalloc-", text)

                # (a) the tool leaves out every finding of the run, without a warning
                proc, errors, leaks = self.findings(reports, "--suppressions", supp)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr + text)
                self.assertEqual((errors, leaks), ([], []), text)
                self.assertNotIn("warning", proc.stderr)

                # (b) the library, given the file, neither reports nor counts them
                again, again_reports = self.run_example(example, "suppressions=" + supp)
                self.assertEqual(again.returncode, 0, again.stderr + text)
                self.assertNotIn("debugmalloc: " + supp, again.stderr)  # no warning about the file
                self.assertEqual(dmtest.readable_reports(again.stderr), [], again.stderr)
                _, errors, leaks = self.findings(again_reports)
                self.assertEqual((errors, leaks), ([], []), text)

    def test_a_c_leak(self):
        self.round_trip("leak-list", ["definite", "indirect"])

    def test_cpp_leaks_from_new(self):
        self.round_trip("leak-cpp", ["definite"])

    def test_a_double_free(self):
        self.round_trip("double-free", ["double-free"])

    def test_a_mismatched_delete(self):
        self.round_trip("alloc-dealloc-mismatch", ["alloc-dealloc-mismatch"])

    def test_a_heap_overflow(self):
        self.round_trip("heap-overflow", ["heap-buffer-overflow"])

    def test_an_overlapping_memcpy(self):
        self.round_trip("libc-overlap", ["memcpy-param-overlap"])


HAND_WRITTEN = """\
# written for Valgrind, used as it is
{
   list-built-and-forgotten
   Memcheck:Leak
   match-leak-kinds: %s
   fun:malloc
   ...
   fun:build_and_forget
   fun:main
}
"""


class HandWrittenValgrindEntry(Workdir):
    """example-leak-list: malloc <- push_node <- build_and_forget <- main leaks a list (its
    head definite, the nodes behind it indirect)."""

    def test_suppresses_the_leak_in_the_library_and_the_tool(self):
        supp = self.write("hand.supp", HAND_WRITTEN % "definite,indirect")
        proc, reports = self.run_example("leak-list")
        self.assertEqual(proc.returncode, EXITCODE, proc.stderr)
        proc, _, leaks = self.findings(reports, "--suppressions", supp)
        self.assertEqual(leaks, [])
        self.assertEqual(proc.returncode, 0, proc.stderr)

        proc, reports = self.run_example("leak-list", "suppressions=" + supp)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.findings(reports)[2], [])

    def test_other_leak_kinds_are_not_suppressed(self):
        supp = self.write("reachable.supp", HAND_WRITTEN % "reachable")
        proc, reports = self.run_example("leak-list", "suppressions=" + supp)
        self.assertEqual(proc.returncode, EXITCODE, proc.stderr)
        self.assertEqual({l["kind"] for l in self.findings(reports)[2]}, {"definite", "indirect"})
        _, _, leaks = self.findings(reports, "--suppressions", supp)
        self.assertEqual({l["kind"] for l in leaks}, {"definite", "indirect"})

    def test_a_frame_that_is_not_in_the_stack_suppresses_nothing(self):
        supp = self.write("other.supp", (HAND_WRITTEN % "all").replace("fun:build_and_forget", "fun:push_node"))
        proc, reports = self.run_example("leak-list", "suppressions=" + supp)
        self.assertEqual(proc.returncode, EXITCODE, proc.stderr)  # push_node is not main's callee
        self.assertNotEqual(self.findings(reports, "--suppressions", supp)[2], [])


BROKEN = """\
{
   broken-frame-line
   Memcheck:Leak
   fun:malloc
   fnu:push_node
}
{
   unknown-kind
   Memcheck:Lake
   fun:malloc
}
""" + HAND_WRITTEN % "all"


class BrokenLines(Workdir):
    def test_each_broken_line_is_named_and_the_good_entry_applies(self):
        supp = self.write("broken.supp", BROKEN)
        proc, reports = self.run_example("leak-list", "suppressions=" + supp)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        warnings = [l for l in proc.stderr.splitlines() if l.startswith("debugmalloc: " + supp)]
        self.assertEqual(len(warnings), 2, proc.stderr)
        self.assertTrue(warnings[0].startswith("debugmalloc: %s:5: \"fnu:push_node\": not a frame line" % supp))
        self.assertTrue(warnings[1].startswith("debugmalloc: %s:9: \"Memcheck:Lake\": unknown Memcheck kind" % supp))

        proc, _, leaks = self.findings(reports, "--suppressions", supp)
        self.assertEqual(leaks, [])
        tool_warnings = [l for l in proc.stderr.splitlines() if "warning" in l]
        self.assertEqual(len(tool_warnings), 2, proc.stderr)
        self.assertIn("%s:5: \"fnu:push_node\": not a frame line" % supp, tool_warnings[0])
        self.assertIn("%s:9: \"Memcheck:Lake\": unknown Memcheck kind" % supp, tool_warnings[1])

    def test_an_entry_left_open(self):
        supp = self.write("open.supp", "leak:build_and_forget\n{\n  open\n  Memcheck:Leak\n  fun:malloc\n")
        proc, reports = self.run_example("leak-list", "suppressions=" + supp)
        self.assertIn("debugmalloc: %s:2: the entry that begins here has no closing '}'" % supp, proc.stderr)
        self.assertEqual(proc.returncode, 0, proc.stderr)  # the library: the rule before it applies
        tool = self.report(reports, "--suppressions", supp)
        self.assertEqual(tool.returncode, 2, tool.stderr)  # the tool refuses the file
        self.assertIn("%s:2: the entry that begins here has no closing '}'" % supp, tool.stderr)


class ValgrindReadsThem(Workdir):
    """Valgrind itself accepts the entries written for a C program's findings, and they
    suppress them under Memcheck too (its stacks start at malloc and free, as frame 0 says)."""

    def test_valgrind_suppresses_the_findings_with_the_written_file(self):
        valgrind = shutil.which("valgrind")
        if not valgrind:
            self.skipTest("valgrind is not installed")
        for example in ("leak-list", "double-free"):
            with self.subTest(example=example):
                _, reports = self.run_example(example)
                supp = self.path(example + ".supp")
                self.assertEqual(self.report(reports, "--format", "valgrind-suppressions", "-o", supp).returncode, 1)
                cmd = [valgrind, "-q", "--leak-check=full", "--error-exitcode=9",
                       os.path.join(ARGS.bin, "example-" + example)]
                without = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                                         env=dmtest.library_env())
                self.assertEqual(without.returncode, 9, without.stderr)  # the control: Memcheck finds it
                with_file = subprocess.run(cmd[:1] + ["--suppressions=" + supp] + cmd[1:], capture_output=True,
                                           text=True, timeout=300, env=dmtest.library_env())
                self.assertEqual(with_file.returncode, 0, with_file.stderr)
                self.assertNotIn("FATAL", with_file.stderr)


class DebianSuppressionFiles(Workdir):
    def test_the_library_loads_them_quietly(self):
        files = sorted(glob.glob("/usr/libexec/valgrind/*.supp") + glob.glob("/usr/lib/valgrind/*.supp") +
                       glob.glob("/usr/lib/x86_64-linux-gnu/valgrind/*.supp"))
        if not files:
            self.skipTest("valgrind is not installed")
        for supp in files:
            with self.subTest(file=supp):
                proc, reports = self.run_example("leak-list", "suppressions=" + supp)
                self.assertEqual(proc.returncode, EXITCODE, proc.stderr)  # nothing of the example's
                self.assertNotIn(supp, proc.stderr)
                tool = self.report(reports, "--suppressions", supp)
                self.assertEqual(tool.returncode, 1, tool.stderr)
                self.assertNotIn("warning", tool.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tool", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
