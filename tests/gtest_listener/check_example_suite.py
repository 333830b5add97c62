#!/usr/bin/env python3
"""Checks examples/gtest-suite (build/bin/example-gtest-suite): without the library every
test passes; under it exactly the three planted bugs fail, each with its kind and the
file:line of its bug in the failure message, in the printed result and in the XML/JSON
output; the clean tests pass; and the report files render as JUnit for CI."""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

ARGS = None
PLANTED = {
    # test name: (kind in the message, marker of the bug's line in textkit.cpp)
    "CountDistinctOfASingleWord": ("definite leak", "BUG leak"),
    "JoinPathAddsASlash": ("heap-buffer-overflow", "BUG overflow"),
    "ParsePairWithoutEquals": ("double-free", "BUG double-free"),
}
CLEAN = ["SplitFindsEachWord", "CountDistinctCountsRepeatedWordsOnce", "JoinPathKeepsAnExistingSlash",
         "ParsePairSplitsKeyAndValue", "ToUpperChangesLettersOnly"]


def line_of(marker, source="textkit.cpp"):
    with open(os.path.join(ARGS.source, source)) as f:
        for number, line in enumerate(f, 1):
            if marker in line:
                return number
    raise AssertionError(f"no '{marker}' in {source}")


def clean_environment():
    """The caller's environment without debugmalloc: this driver may itself run under it."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "DEBUGMALLOC_OPTIONS")}
    env.pop("DEBUGMALLOC_GTEST", None)
    return env


def run_suite(with_library, name, extra_args=()):
    env = clean_environment()
    reports = os.path.join(ARGS.out, name + "-reports")
    os.makedirs(reports, exist_ok=True)
    for f in os.listdir(reports):
        os.remove(os.path.join(reports, f))
    if with_library:
        env["LD_PRELOAD"] = ARGS.lib
        env["DEBUGMALLOC_OPTIONS"] = "leaks=1:report_dir=" + reports
    out_json = os.path.join(ARGS.out, name + ".json")
    out_xml = os.path.join(ARGS.out, name + ".xml")
    results = {}
    start = time.monotonic()
    proc = subprocess.run([ARGS.suite, "--gtest_output=json:" + out_json, *extra_args], env=env,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    subprocess.run([ARGS.suite, "--gtest_output=xml:" + out_xml, *extra_args], env=env,
                   capture_output=True, text=True, timeout=120)
    with open(out_json) as f:
        for suite in json.load(f)["testsuites"]:
            for test in suite["testsuite"]:
                results[test["name"]] = test
    return proc, results, ET.parse(out_xml), reports, elapsed


def failure_text(result):
    return "\n".join(f["failure"] for f in result.get("failures", []))


class WithoutTheLibrary(unittest.TestCase):
    def test_every_test_passes(self):
        proc, results, xml, _, elapsed = run_suite(False, "plain")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(sorted(results), sorted(list(PLANTED) + CLEAN))
        for name, result in results.items():
            self.assertNotIn("failures", result, name)
        self.assertNotIn("debugmalloc", proc.stdout + proc.stderr)
        print(f"plain run: {elapsed * 1000:.0f} ms", file=sys.stderr)


class UnderTheLibrary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.results, cls.xml, cls.reports, elapsed = run_suite(True, "debugmalloc")
        print(f"run under the library: {elapsed * 1000:.0f} ms", file=sys.stderr)

    def test_exactly_the_planted_bugs_fail(self):
        failed = sorted(n for n, r in self.results.items() if "failures" in r)
        self.assertEqual(failed, sorted(PLANTED), self.proc.stdout)
        self.assertNotEqual(self.proc.returncode, 0)

    def test_each_failure_names_its_kind_and_the_line_of_the_bug(self):
        for name, (kind, marker) in PLANTED.items():
            text = failure_text(self.results[name])
            self.assertIn(kind, text, name)
            self.assertIn(f"textkit.cpp:{line_of(marker)}", text, f"{name}: the bug's line\n{text}")
            self.assertIn("(GoogleTest frames left out)", text)
            self.assertNotIn("testing::internal::UnitTestImpl", text, "runner frames are left out")
        text = failure_text(self.results["ParsePairWithoutEquals"])
        self.assertIn(f"textkit_test.cpp:{line_of('the second free', 'textkit_test.cpp')}", text,
                      "the double free is found where the caller frees again")
        self.assertIn("and freed at:", text)
        leak = failure_text(self.results["CountDistinctOfASingleWord"])
        self.assertRegex(leak, r"this test leaked 14 bytes")
        self.assertIn("indirect leak: 6 bytes in 1 block", leak)

    def test_the_clean_tests_pass(self):
        for name in CLEAN:
            self.assertNotIn("failures", self.results[name], failure_text(self.results[name]))

    def test_the_printed_result_shows_the_failures(self):
        out = self.proc.stdout
        for name in PLANTED:
            self.assertIn(f"[  FAILED  ] TextKit.{name} (", out)
            self.assertNotIn(f"[       OK ] TextKit.{name} ", out, "printed before the listener's failure")
        for name in CLEAN:
            self.assertIn(f"[       OK ] TextKit.{name} (", out)
        self.assertIn("[----------] 8 tests from TextKit", out, "the suite lines are forwarded too")
        self.assertIn("3 FAILED TESTS", out)

    def test_the_xml_output_has_the_failures(self):
        cases = {c.get("name"): c for c in self.xml.iter("testcase")}
        for name in PLANTED:
            failures = cases[name].findall("failure")
            self.assertEqual(len(failures), 1, name)
            self.assertIn("debugmalloc:", failures[0].get("message"))
        for name in CLEAN:
            self.assertEqual(cases[name].findall("failure"), [], name)

    def test_brief_output_shows_only_the_failures(self):
        proc, results, _, _, _ = run_suite(True, "brief", ["--gtest_brief=1"])
        self.assertEqual(sorted(n for n, r in results.items() if "failures" in r), sorted(PLANTED))
        self.assertNotIn("[       OK ]", proc.stdout)
        self.assertEqual(proc.stdout.count("[  FAILED  ] TextKit."), 3, proc.stdout)

    def test_junit_of_the_report_files_for_ci(self):
        out = os.path.join(ARGS.out, "debugmalloc.junit.xml")
        proc = subprocess.run([ARGS.tool, "report", self.reports, "--format", "junit", "--output", out],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, "findings: exit status 1\n" + proc.stderr)
        root = ET.parse(out).getroot()
        cases = list(root.iter("testcase"))
        failing = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
        self.assertGreaterEqual(len(failing), 3, "one test case per finding group")
        text = ET.tostring(root, encoding="unicode")
        for kind in ("heap-buffer-overflow", "double-free", "definite"):
            self.assertIn(kind, text)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for option in ("--lib", "--tool", "--suite", "--source", "--out"):
        parser.add_argument(option, required=True)
    ARGS, rest = parser.parse_known_args()
    os.makedirs(ARGS.out, exist_ok=True)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
