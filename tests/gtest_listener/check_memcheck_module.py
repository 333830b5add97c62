#!/usr/bin/env python3
"""Checks the CTest memcheck mode (cmake/DebugMalloc.cmake) on tests/gtest_listener/sample_project,
built against this build's installation (find_package(debugmalloc)): with
-DDEBUGMALLOC_MEMCHECK=ON every test runs under the tool, the leaking ones fail, shells and
Python drivers do not, excluded tests run as usual, the final test merges the reports into
HTML/SARIF/JUnit/JSON and names the tests with findings; the mode can be chosen when ctest
runs; a baseline lets only new findings fail; and both CI recipes of docs/ci.md work."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

ARGS = None
PREFIX = BUILD = None
FAILING = {"leaky_program", "Sample.Leaks", "debugmalloc_memcheck_report"}
PASSING = {"clean_program", "shell_pipeline", "python_driver", "excluded_leaky", "prepare", "needs_preparation",
           "Sample.Clean", "debugmalloc_memcheck_setup"}


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBUGMALLOC") and k != "LD_PRELOAD"}
    env.update(extra)
    return env


def check(command, env=None, cwd=None, ok=(0,)):
    proc = subprocess.run(command, env=env or environment(), cwd=cwd, capture_output=True, text=True, timeout=240)
    if proc.returncode not in ok:
        raise AssertionError(f"{command} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def configure(*options):
    check([ARGS.cmake, "-S", ARGS.sample, "-B", BUILD, f"-DCMAKE_PREFIX_PATH={PREFIX}",
           f"-DPython3_EXECUTABLE={sys.executable}", "-DDEBUGMALLOC_MEMCHECK_EXCLUDE=^excluded_", *options])


def ctest(name, *args, env=None):
    """Runs ctest on the sample; returns ({test: passed}, output)."""
    junit = os.path.join(ARGS.out, name + ".ctest.xml")
    proc = subprocess.run([ARGS.ctest, "--test-dir", BUILD, "-j2", "--output-on-failure", "--output-junit", junit, *args],
                          env=env or environment(), capture_output=True, text=True, timeout=240)
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        results[case.get("name")] = case.get("status") == "run"
    return results, proc


class MemcheckMode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        configure("-DDEBUGMALLOC_MEMCHECK=ON")
        start = time.monotonic()
        cls.results, cls.proc = ctest("memcheck")
        print(f"sample suite under the tool: {time.monotonic() - start:.1f} s", file=sys.stderr)
        # A copy: the other tests run ctest again.
        cls.dir = os.path.join(ARGS.out, "memcheck-run")
        shutil.rmtree(cls.dir, ignore_errors=True)
        shutil.copytree(os.path.join(BUILD, "debugmalloc"), cls.dir)

    def test_each_test_passes_or_fails_on_its_own_findings(self):
        self.assertEqual({n for n, ok in self.results.items() if not ok}, FAILING, self.proc.stdout)
        self.assertTrue(PASSING <= {n for n, ok in self.results.items() if ok}, self.proc.stdout)
        self.assertNotEqual(self.proc.returncode, 0)

    def test_a_failing_test_shows_its_findings(self):
        out = self.proc.stdout
        self.assertRegex(out, r"definite leak: 12 bytes in 1 block[^\n]*\n(?:[^\n]*\n)*?[^\n]*make_buffer")
        self.assertIn("this test leaked 48 bytes", out, "the listener, inside the GoogleTest program")

    def test_the_final_report_names_the_tests_and_writes_every_format(self):
        out = self.proc.stdout
        self.assertRegex(out, r"heap errors or leaks found, in these tests:\s+(leaky_program\s+Sample\.Leaks|Sample\.Leaks\s+leaky_program)")
        for name in ("debugmalloc.html", "debugmalloc.sarif", "debugmalloc.junit.xml", "debugmalloc.json"):
            self.assertGreater(os.path.getsize(os.path.join(self.dir, name)), 100, name)
        sarif = json.load(open(os.path.join(self.dir, "debugmalloc.sarif")))
        self.assertGreaterEqual(len(sarif["runs"][0]["results"]), 2)
        junit = ET.parse(os.path.join(self.dir, "debugmalloc.junit.xml")).getroot()
        failures = [c for c in junit.iter("testcase") if c.find("failure") is not None]
        self.assertGreaterEqual(len(failures), 2, "one test case per finding group")
        report = json.load(open(os.path.join(self.dir, "debugmalloc.json")))
        self.assertEqual(report["summary"]["errors"], 0)
        self.assertEqual(report["summary"]["leaked_bytes"]["definite"], 12 + 48)

    def test_excluded_and_interpreter_tests_leave_no_findings(self):
        dirs = os.listdir(os.path.join(self.dir, "reports"))
        self.assertNotIn("excluded_leaky", dirs)
        self.assertIn("python_driver", dirs, "the driver did run under the tool")
        self.assertIn("shell_pipeline", dirs)

    def test_a_subset_brings_the_fixture(self):
        results, proc = ctest("subset", "-R", "^leaky_program$")
        self.assertEqual(set(results), {"leaky_program", "debugmalloc_memcheck_setup", "debugmalloc_memcheck_report"},
                         proc.stdout)


class ChosenWhenTestsRun(unittest.TestCase):
    def test_environment_switches_the_mode(self):
        configure("-DDEBUGMALLOC_MEMCHECK=OFF")
        try:
            plain, proc = ctest("plain")
            self.assertTrue(all(plain.values()), proc.stdout)
            self.assertNotIn("debugmalloc_memcheck_report", plain)
            on, proc = ctest("env-on", env=environment(DEBUGMALLOC_MEMCHECK="1"))
            self.assertEqual({n for n, ok in on.items() if not ok}, FAILING, proc.stdout)
        finally:
            configure("-DDEBUGMALLOC_MEMCHECK=ON")
        off, proc = ctest("env-off", env=environment(DEBUGMALLOC_MEMCHECK="0"))
        self.assertTrue(all(off.values()), proc.stdout)


class Baseline(unittest.TestCase):
    def test_only_new_findings_fail(self):
        configure("-DDEBUGMALLOC_MEMCHECK=ON")
        ctest("before-baseline")
        baseline = os.path.join(ARGS.out, "baseline.json")
        check([os.path.join(PREFIX, "bin", "debugmalloc"), "report", os.path.join(BUILD, "debugmalloc", "reports"),
               "--format", "json", "--output", baseline], ok=(1,))
        configure("-DDEBUGMALLOC_MEMCHECK=ON", f"-DDEBUGMALLOC_MEMCHECK_BASELINE={baseline}")
        try:
            results, proc = ctest("with-baseline")
            self.assertTrue(all(results.values()), proc.stdout)
        finally:
            configure("-DDEBUGMALLOC_MEMCHECK=ON", "-DDEBUGMALLOC_MEMCHECK_BASELINE=")


def recipe(name):
    """The shell block of docs/ci.md that follows <!-- recipe: NAME -->."""
    text = open(os.path.join(ARGS.docs, "ci.md")).read()
    m = re.search(r"<!-- recipe: " + name + r" -->\s*```sh\n(.*?)```", text, re.S)
    if not m:
        raise AssertionError(f"docs/ci.md has no recipe '{name}'")
    return m.group(1)


class CiRecipes(unittest.TestCase):
    def run_recipe(self, name, **env):
        path = os.environ["PATH"]
        proc = subprocess.run(["sh", "-c", recipe(name)], cwd=ARGS.out, capture_output=True, text=True, timeout=240,
                              env=environment(PATH=os.path.join(PREFIX, "bin") + ":" + path, **env))
        return proc

    def artifacts(self, where):
        for name in ("debugmalloc.sarif", "debugmalloc.html", "debugmalloc.junit.xml"):
            self.assertTrue(os.path.isfile(os.path.join(where, name)), f"{where}/{name}")

    def test_cmake_recipe(self):
        # The sample's build tree (configured like the recipe does it), to save a build.
        env = dict(SOURCE=ARGS.sample, BUILD=BUILD, CMAKE_PREFIX_PATH=PREFIX, BASELINE=os.path.join(ARGS.out, "none.json"))
        try:
            proc = self.run_recipe("cmake", **env)
            self.assertNotEqual(proc.returncode, 0, "findings and no baseline: the job fails\n" + proc.stdout)
            self.artifacts(os.path.join(BUILD, "debugmalloc"))
            self.assertTrue(os.path.isfile(os.path.join(BUILD, "ctest.junit.xml")))
            baseline = os.path.join(ARGS.out, "ci-baseline.json")
            check([os.path.join(PREFIX, "bin", "debugmalloc"), "report", os.path.join(BUILD, "debugmalloc", "reports"),
                   "--format", "json", "--output", baseline], ok=(1,))
            proc = self.run_recipe("cmake", **{**env, "BASELINE": baseline})
            self.assertEqual(proc.returncode, 0, "nothing new against the baseline\n" + proc.stdout + proc.stderr)
        finally:
            configure("-DDEBUGMALLOC_MEMCHECK=ON", "-DDEBUGMALLOC_MEMCHECK_BASELINE=")

    def test_generic_recipe(self):
        reports = os.path.join(ARGS.out, "ci-generic")
        shutil.rmtree(reports, ignore_errors=True)
        os.makedirs(reports)
        configure("-DDEBUGMALLOC_MEMCHECK=OFF")
        env = dict(REPORTS=os.path.join(reports, "reports"), OUT=reports,
                   SUPPRESSIONS=os.path.join(PREFIX, "lib", "cmake", "debugmalloc", "debugmalloc-memcheck.supp"),
                   TEST_COMMAND=f"{ARGS.ctest} --test-dir {BUILD}", BASELINE=os.path.join(ARGS.out, "none.json"))
        try:
            proc = self.run_recipe("generic", **env)
            self.assertEqual(proc.returncode, 1, "new findings: status 1\n" + proc.stdout + proc.stderr)
            self.artifacts(reports)
            self.assertIn("make_buffer", open(os.path.join(reports, "debugmalloc.html")).read())
            baseline = os.path.join(ARGS.out, "generic-baseline.json")
            check([os.path.join(PREFIX, "bin", "debugmalloc"), "report", env["REPORTS"], "--suppressions",
                   env["SUPPRESSIONS"], "--format", "json", "--output", baseline], ok=(1,))
            proc = self.run_recipe("generic", **{**env, "BASELINE": baseline})
            self.assertEqual(proc.returncode, 0, "nothing new: the tests' own status\n" + proc.stdout + proc.stderr)
        finally:
            configure("-DDEBUGMALLOC_MEMCHECK=ON")


def main():
    global ARGS, PREFIX, BUILD
    parser = argparse.ArgumentParser()
    for option in ("--build", "--sample", "--docs", "--out", "--cmake", "--ctest"):
        parser.add_argument(option, required=True)
    ARGS, rest = parser.parse_known_args()
    shutil.rmtree(ARGS.out, ignore_errors=True)
    os.makedirs(ARGS.out)
    PREFIX = os.path.join(ARGS.out, "prefix")
    BUILD = os.path.join(ARGS.out, "sample-build")
    start = time.monotonic()
    check([ARGS.cmake, "--install", ARGS.build, "--prefix", PREFIX])
    print(f"installed in {time.monotonic() - start:.1f} s", file=sys.stderr)
    start = time.monotonic()
    configure("-DDEBUGMALLOC_MEMCHECK=ON")
    check([ARGS.cmake, "--build", BUILD, "-j2"])
    print(f"sample configured and built in {time.monotonic() - start:.1f} s", file=sys.stderr)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
