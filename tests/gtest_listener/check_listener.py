#!/usr/bin/env python3
"""Checks the GoogleTest listener on tests/gtest_listener/*_subject.cpp under libdebugmalloc.so:
GoogleTest's own allocations are never blamed on a test; leaks (body, SetUp, other threads)
and errors (other threads, live-block overflows, writes after free) fail the test that did
them; the opt-outs work; DEBUGMALLOC_GTEST chooses the checks; an explicit install works and
reorders the listeners; without the library the listener is not even registered."""
import argparse
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None
SUBJECT = "dm_gtest_listener_subject"
EXPLICIT = "dm_gtest_explicit_subject"


def run(program, library=True, env_extra=None, args=()):
    out = os.path.join(ARGS.out, program + ".json")
    proc = dmtest.run([os.path.join(ARGS.bin, program), "--gtest_output=json:" + out, *args],
                      lib=ARGS.lib if library else None, options="exitcode=0" if library else None,
                      env_extra=env_extra)
    results = {}
    with open(out) as f:
        for suite in json.load(f)["testsuites"]:
            for test in suite["testsuite"]:
                results[suite["name"] + "." + test["name"]] = "\n".join(x["failure"] for x in test.get("failures", []))
    return proc, results


class Subject(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.results = run(SUBJECT)

    def outcome(self, prefix):
        return {n: t for n, t in self.results.items() if n.startswith(prefix)}

    def test_googletests_own_allocations_are_not_the_tests(self):
        clean = {**self.outcome("Clean"), **self.outcome("Words/Clean"), **self.outcome("CleanTyped")}
        self.assertGreaterEqual(len(clean), 14)
        for name, failure in clean.items():
            self.assertEqual(failure, "", name)

    def test_a_plain_failure_gets_no_heap_report(self):
        failure = self.results["PlainFailure.ExpectationFails"]
        self.assertIn("Expected equality", failure)
        self.assertNotIn("debugmalloc", failure, "GoogleTest's stored failure is not a leak")

    def test_leaks_fail_the_test_that_did_them(self):
        for name, size in (("Leak.InTheTestBody", 123), ("LeakInSetUp.IsTheTestsLeak", 77), ("Leak.InAnotherThread", 222)):
            failure = self.results[name]
            self.assertIn(f"this test leaked {size} bytes", failure, name)
            self.assertIn(f"definite leak: {size} bytes in 1 block", failure, name)
            self.assertRegex(failure, r"\blose\b", "the allocation stack")
            self.assertNotIn("heap error", failure, name)

    def test_errors_fail_the_test_that_did_them(self):
        expected = {"Error.DoubleFreeInAnotherThread": "double-free",
                    "Error.OverflowOfABlockStillLive": "heap-buffer-overflow",
                    "Error.WriteAfterFree": "use-after-free"}
        for name, kind in expected.items():
            failure = self.results[name]
            self.assertIn("debugmalloc: 1 heap error during this test:", failure, name)
            self.assertIn(f"ERROR: debugmalloc: {kind}", failure, name)
            self.assertNotIn("leaked", failure, name)
        self.assertIn("(the heap check at the end of the test)", self.results["Error.OverflowOfABlockStillLive"])

    def test_a_leak_and_an_error_are_two_failures(self):
        failure = self.results["LeakAndError.BothAreReported"]
        self.assertIn("double-free", failure)
        self.assertIn("this test leaked 31 bytes", failure)

    def test_opt_outs(self):
        self.assertEqual(self.results["Ignored.ScopedIgnoreLeaks"], "")
        self.assertEqual(self.results["Ignored.IgnoredObject"], "")

    def test_the_failure_points_at_the_users_source(self):
        self.assertIn("listener_subject.cpp", self.results["Leak.InTheTestBody"].splitlines()[0] + self.proc.stdout)
        self.assertRegex(self.proc.stdout, r"listener_subject\.cpp:\d+: Failure")


class Choices(unittest.TestCase):
    def test_errors_only(self):
        _, results = run(SUBJECT, env_extra={"DEBUGMALLOC_GTEST": "errors"}, args=["--gtest_filter=Leak*:Error.*"])
        self.assertEqual(results["Leak.InTheTestBody"], "")
        self.assertIn("double-free", results["Error.DoubleFreeInAnotherThread"])
        self.assertEqual(results["Error.OverflowOfABlockStillLive"], "", "check_heap is off")

    def test_off(self):
        proc, results = run(SUBJECT, env_extra={"DEBUGMALLOC_GTEST": "0"}, args=["--gtest_filter=Leak.*:LeakInSetUp.*"])
        self.assertTrue(all(f == "" for f in results.values()), results)
        self.assertEqual(proc.returncode, 0)

    def test_unknown_check_is_named(self):
        proc, _ = run(SUBJECT, env_extra={"DEBUGMALLOC_GTEST": "leaks,bogus"}, args=["--gtest_filter=Clean.Skip*"])
        self.assertIn("DEBUGMALLOC_GTEST: unknown check 'bogus'", proc.stderr)


class WithoutTheLibrary(unittest.TestCase):
    def test_nothing_is_registered(self):
        proc, results = run(SUBJECT, library=False, args=["--gtest_filter=Clean*:Leak.*:LeakInSetUp.*:Ignored*:PlainFailure*"])
        self.assertEqual(results["Leak.InTheTestBody"], "")
        self.assertNotIn("debugmalloc", proc.stdout + proc.stderr)
        self.assertIn("Expected equality", results["PlainFailure.ExpectationFails"])
        print(f"subject without the library: {proc.elapsed * 1000:.0f} ms", file=sys.stderr)


class ExplicitInstall(unittest.TestCase):
    def test_install_and_reorder(self):
        proc, results = run(EXPLICIT)
        self.assertIn("listener active", proc.stdout)
        self.assertIn("this test leaked 100 bytes", results["Explicit.Leaks"])
        self.assertEqual(results["Explicit.OverflowOfALiveBlock"], "", "check_heap=false")
        self.assertEqual(results["Explicit.Clean"], "")
        self.assertIn("witness: Explicit.Leaks failed", proc.stdout, "a listener appended later sees the failure")
        self.assertIn("witness: Explicit.Clean passed", proc.stdout)

    def test_without_install_linking_the_archive_alone_does_nothing(self):
        proc, results = run(EXPLICIT, args=["--no-install"])
        self.assertEqual(results["Explicit.Leaks"], "", "the static initializer is not linked in")

    def test_install_without_the_library_returns_false(self):
        proc, _ = run(EXPLICIT, library=False)
        self.assertIn("listener not active", proc.stdout)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for option in ("--lib", "--bin", "--out"):
        parser.add_argument(option, required=True)
    ARGS, rest = parser.parse_known_args()
    os.makedirs(ARGS.out, exist_ok=True)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
