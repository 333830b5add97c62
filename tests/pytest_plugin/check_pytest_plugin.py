#!/usr/bin/env python3
"""Checks the pytest plugin (python/debugmalloc/pytest.py) end to end: builds the heapbugs C
extension, then runs pytest on the cases in cases/ without the library (every test passes,
the plugin says nothing) and under `debugmalloc run` (exactly the tests with planted bugs
fail, each with its kind and the C source line in the message; the clean Python tests pass,
with and without pytest's cache provider); and the options, the marker and the conftest way
of loading it. The package's unit tests (plugin_unit_tests.py) run first, without the library.

Exit status 77 (skipped) only when no Python has both pytest and the headers to build an
extension (Debian: python3-pytest, python3-dev; scripts/setup-deps.sh installs them)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

ARGS = None
PYTHON = None  # the interpreter with pytest and Python.h, chosen in main()
SKIP = 77

# Variables that steer the library, the listener or pytest: every run sets its own.
INHERITED_OUT = ("LD_PRELOAD", "DEBUGMALLOC_OPTIONS", "DEBUGMALLOC_GTEST", "DEBUGMALLOC_PYTEST", "PYTHONPATH",
                 "PYTEST_ADDOPTS", "PYTEST_PLUGINS")

CASE_FILES = ("cases_heapbugs.py", "cases_python.py", "cases_phases.py")

# Planted bugs: test -> (kind in the message, markers of heapbugs.c lines that the message shows).
PLANTED = {
    "cases_heapbugs::test_leak": ("definite", ["BUG leak"]),
    "cases_heapbugs::test_overflow": ("heap-buffer-overflow", ["BUG overflow", "the overflowed block"]),
    "cases_heapbugs::test_overflow_of_a_live_block": ("heap-buffer-overflow", ["the overflowed live block"]),
    "cases_heapbugs::test_double_free": ("double-free", ["BUG double-free", "the first free"]),
}

# What each test of the cases ends as, without the library and under it.
PLAIN = {
    "cases_heapbugs::test_double_free": "skipped",
    "cases_python::test_skipped": "skipped",
    "cases_python::test_expected_failure": "xfailed",
    "cases_phases::test_fails_on_its_own_and_leaks": "failed",
    "cases_phases::test_expected_failure_that_leaks": "xfailed",
}
UNDER_THE_TOOL = {
    **{name: "failed" for name in PLANTED},
    "cases_python::test_skipped": "skipped",
    "cases_python::test_expected_failure": "xfailed",
    "cases_phases::test_with_a_fixture_that_leaks_in_its_setup": "failed",
    "cases_phases::test_with_a_fixture_that_leaks_in_its_teardown": "error",
    "cases_phases::test_fails_on_its_own_and_leaks": "failed",
    "cases_phases::test_expected_failure_that_leaks": "xfailed",
    "cases_phases::test_unexpected_pass_that_leaks": "failed",
    "cases_phases::test_marker_with_a_misspelt_check": "error",
}


def line_of(marker):
    with open(os.path.join(ARGS.source, "heapbugs.c")) as f:
        for number, line in enumerate(f, 1):
            if marker in line:
                return number
    raise AssertionError(f"no '{marker}' in heapbugs.c")


def environment(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_OUT}
    env["PYTHONPATH"] = os.pathsep.join([ARGS.package, os.path.join(ARGS.out, "ext")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # third-party plugins installed here are not under test
    env["COLUMNS"] = "400"  # the short summary's lines whole
    env.update(extra or {})
    return env


class Run:
    """One pytest run: its process and each test's outcome and failure text from the JUnit file."""

    def __init__(self, name, pytest_args, under_tool=True, env=None, cwd=None):
        self.junit = os.path.join(ARGS.out, name + ".xml")
        if os.path.exists(self.junit):
            os.remove(self.junit)
        command = [PYTHON, "-m", "pytest", "-rfEsxX", "--junitxml=" + self.junit, *pytest_args]
        if under_tool:
            command = [ARGS.tool, "run", "--", *command]
        self.proc = subprocess.run(command, cwd=cwd or os.path.join(ARGS.out, "cases"), env=environment(env),
                                   capture_output=True, text=True, timeout=600)
        self.output = self.proc.stdout + self.proc.stderr
        self.outcomes, self.texts = {}, {}
        if os.path.exists(self.junit):
            for case in ET.parse(self.junit).getroot().iter("testcase"):
                name = case.get("classname").split(".")[-1] + "::" + case.get("name")
                self.outcomes[name], self.texts[name] = "passed", ""
                for child in case:
                    if child.tag in ("failure", "error"):
                        self.outcomes[name] = "failed" if child.tag == "failure" else "error"
                        self.texts[name] += (child.get("message") or "") + "\n" + (child.text or "")
                    elif child.tag == "skipped":
                        self.outcomes[name] = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"

    def failed_or_errors(self):
        return sorted(n for n, o in self.outcomes.items() if o in ("failed", "error"))

    def describe(self):
        return f"exit status {self.proc.returncode}\n{self.output[-6000:]}"


def expected(table, names):
    return {name: table.get(name, "passed") for name in names}


class ThePackage(unittest.TestCase):
    def test_unit_tests(self):
        run = Run("unit", ["-p", "no:cacheprovider", os.path.join(ARGS.source, "plugin_unit_tests.py")],
                  under_tool=False)
        self.assertEqual(run.proc.returncode, 0, run.describe())
        self.assertGreater(len(run.outcomes), 20, run.describe())


class WithoutTheLibrary(unittest.TestCase):
    def test_the_plugin_is_inert(self):
        run = Run("plain", ["-p", "debugmalloc.pytest", *CASE_FILES], under_tool=False)
        self.assertGreater(len(run.outcomes), 30, run.describe())
        self.assertEqual(run.outcomes, expected(PLAIN, run.outcomes), run.describe())
        said = re.findall(r"(?m)^.*debugmalloc: .*$", run.output)
        self.assertEqual(said, [], "nothing is said or checked without the library")
        self.assertNotIn("warnings summary", run.proc.stdout)
        self.assertEqual(run.proc.returncode, 1, "the one test that fails on its own\n" + run.describe())

    def test_an_explicit_option_says_that_nothing_is_checked(self):
        run = Run("plain-option", ["-p", "debugmalloc.pytest", "--debugmalloc=all", "cases_heapbugs.py"],
                  under_tool=False)
        self.assertEqual(run.proc.returncode, 0, run.describe())
        self.assertIn("debugmalloc: libdebugmalloc.so is not loaded: the tests are not checked", run.proc.stdout)


class UnderTheTool(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tool = Run("tool", ["-p", "debugmalloc.pytest", *CASE_FILES])

    def test_exactly_the_planted_bugs_fail(self):
        run = self.tool
        self.assertGreater(len(run.outcomes), 30, run.describe())
        self.assertEqual(run.outcomes, expected(UNDER_THE_TOOL, run.outcomes), run.describe())
        self.assertIn("debugmalloc: each test is checked (leaks,errors,check_heap)", run.proc.stdout)
        self.assertNotIn("warnings summary", run.proc.stdout)
        self.assertNotEqual(run.proc.returncode, 0)

    def test_each_failure_names_its_kind_and_the_c_source_line(self):
        for name, (kind, markers) in PLANTED.items():
            text = self.tool.texts[name]
            self.assertIn(kind, text, name)
            for marker in markers:
                self.assertIn(f"heapbugs.c:{line_of(marker)}", text, f"{name}: the line of '{marker}'\n{text}")
            self.assertIn("(Python interpreter frames left out)", text, name)
            self.assertNotIn("_PyEval_EvalFrameDefault", text, "the interpreter's frames are left out")
        leak = self.tool.texts["cases_heapbugs::test_leak"]
        self.assertIn("debugmalloc: this test leaked 40 bytes", leak)
        self.assertIn("definite leak: 40 bytes in 1 block definitely lost, allocated at:", leak)
        self.assertRegex(leak, r"#0 0x[0-9a-f]+ in heapbugs_leak \S*heapbugs\.c:%d " % line_of("BUG leak"))
        double_free = self.tool.texts["cases_heapbugs::test_double_free"]
        self.assertIn("ERROR: debugmalloc: double-free on 0x", double_free)
        self.assertIn("  and freed at:", double_free)
        live = self.tool.texts["cases_heapbugs::test_overflow_of_a_live_block"]
        self.assertIn("found by debugmalloc_check_heap(), called from Python", live)

    def test_the_short_summary_gives_the_kind_and_the_line(self):
        leak_line = line_of("BUG leak")
        self.assertRegex(self.tool.proc.stdout,
                         r"FAILED cases_heapbugs.py::test_leak - debugmalloc: this test leaked 40 bytes: "
                         r"definite at \S*heapbugs\.c:%d" % leak_line)
        self.assertRegex(self.tool.proc.stdout,
                         r"FAILED cases_heapbugs.py::test_double_free - debugmalloc: 1 heap error during this test: "
                         r"double-free at \S*heapbugs\.c:%d" % line_of("BUG double-free"))

    def test_the_clean_python_tests_pass(self):
        for name, outcome in self.tool.outcomes.items():
            if name.startswith("cases_python::"):
                self.assertIn(outcome, ("passed", "skipped", "xfailed"), f"{name}\n{self.tool.texts[name]}")

    def test_the_phases(self):
        texts = self.tool.texts
        self.assertIn("this test leaked 24 bytes", texts["cases_phases::test_with_a_fixture_that_leaks_in_its_setup"])
        teardown = texts["cases_phases::test_with_a_fixture_that_leaks_in_its_teardown"]
        self.assertIn("failed on teardown", teardown)
        self.assertIn("the test's set-up or teardown leaked 32 bytes", teardown)
        own = texts["cases_phases::test_fails_on_its_own_and_leaks"]
        self.assertIn("the test's own failure", own)
        self.assertIn("debugmalloc: this test leaked 16 bytes", own, "the findings go under the test's own failure")
        self.assertIn("this test leaked 16 bytes", texts["cases_phases::test_unexpected_pass_that_leaks"])
        self.assertIn("debugmalloc: @pytest.mark.debugmalloc: unknown keyword 'leak' (leaks, errors, check_heap)",
                      texts["cases_phases::test_marker_with_a_misspelt_check"])

    def test_without_the_cache_provider_too(self):
        run = Run("tool-nocache", ["-p", "debugmalloc.pytest", "-p", "no:cacheprovider", *CASE_FILES])
        self.assertEqual(run.outcomes, expected(UNDER_THE_TOOL, run.outcomes), run.describe())
        self.assertEqual(run.outcomes, self.tool.outcomes)


class Options(unittest.TestCase):
    def test_only_errors(self):
        run = Run("errors-only", ["-p", "debugmalloc.pytest", "--debugmalloc=errors", "cases_heapbugs.py"])
        self.assertEqual(run.failed_or_errors(), ["cases_heapbugs::test_double_free", "cases_heapbugs::test_overflow"],
                         run.describe())
        self.assertIn("debugmalloc: each test is checked (errors)", run.proc.stdout)

    def test_none_from_the_environment(self):
        run = Run("none", ["-p", "debugmalloc.pytest", "cases_heapbugs.py"], env={"DEBUGMALLOC_PYTEST": "none"})
        self.assertEqual(run.failed_or_errors(), [], run.describe())
        self.assertIn("debugmalloc: the tests are not checked (--debugmalloc / DEBUGMALLOC_PYTEST is none)",
                      run.proc.stdout)

    def test_a_bad_value_gets_one_clear_message(self):
        for args, env, source in ((["--debugmalloc=leaks,bogus"], None, "--debugmalloc"),
                                  ([], {"DEBUGMALLOC_PYTEST": "bogus"}, "DEBUGMALLOC_PYTEST")):
            run = Run("bad-value", ["-p", "debugmalloc.pytest", *args, "cases_heapbugs.py"], env=env)
            self.assertEqual(run.proc.returncode, 4, "pytest's usage error\n" + run.describe())
            message = (f"debugmalloc: {source}: unknown check 'bogus' (a comma list of leaks, errors, check_heap; "
                       "or all, or none)")
            self.assertIn(message, run.proc.stderr)
            self.assertNotIn("Traceback", run.output)

    def test_loaded_by_a_conftest(self):
        project = os.path.join(ARGS.out, "conftest-project")
        shutil.rmtree(project, ignore_errors=True)
        os.makedirs(project)
        shutil.copy(os.path.join(ARGS.source, "cases", "cases_heapbugs.py"), project)
        with open(os.path.join(project, "conftest.py"), "w") as f:
            f.write('pytest_plugins = ["debugmalloc.pytest"]\n')
        with open(os.path.join(project, "pytest.ini"), "w") as f:
            f.write("[pytest]\n")
        run = Run("conftest", ["cases_heapbugs.py"], cwd=project)
        self.assertEqual(run.failed_or_errors(), sorted(PLANTED), run.describe())
        plain = Run("conftest-plain", ["cases_heapbugs.py"], cwd=project, under_tool=False)
        self.assertEqual(plain.failed_or_errors(), [], plain.describe())


def has_pytest_and_headers(python):
    probe = ("import os, sysconfig, pytest\n"
             "include = sysconfig.get_paths()['include']\n"
             "assert os.path.exists(os.path.join(include, 'Python.h'))\n"
             "print(include); print(sysconfig.get_config_var('EXT_SUFFIX'))")
    try:
        proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60,
                              env=environment())
    except OSError:
        return None
    return proc.stdout.split() if proc.returncode == 0 else None


def choose_python():
    """The interpreter that has pytest and Python.h: this one, or Debian's (python3-pytest and
    python3-dev), which may come after a pyenv or virtual environment's python3 in PATH."""
    candidates = [ARGS.python] if ARGS.python else [sys.executable, "/usr/bin/python3", shutil.which("python3")]
    for python in candidates:
        if python and os.path.exists(python):
            found = has_pytest_and_headers(python)
            if found:
                return os.path.realpath(python), found[0], found[1]
    return None, None, None


def build_extension(include, suffix):
    ext = os.path.join(ARGS.out, "ext")
    os.makedirs(ext, exist_ok=True)
    compiler = ARGS.cc or os.environ.get("CC", "cc")
    output = os.path.join(ext, "heapbugs" + suffix)
    # -O0 -g: each bug stays as written, its line in the debug information. The compiler runs
    # without the library, even when this driver runs under it: the compiler is not under test.
    proc = subprocess.run([compiler, "-shared", "-fPIC", "-O0", "-g", "-Wall", "-Wno-unused-parameter", "-I", include,
                           os.path.join(ARGS.source, "heapbugs.c"), "-o", output],
                          env=environment(), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        sys.exit(f"building the heapbugs extension failed:\n{proc.stderr}")


def copy_cases():
    cases = os.path.join(ARGS.out, "cases")
    shutil.rmtree(cases, ignore_errors=True)
    shutil.copytree(os.path.join(ARGS.source, "cases"), cases)
    with open(os.path.join(cases, "pytest.ini"), "w") as f:  # the rootdir (and its cache): no ini file above counts
        f.write("[pytest]\n")


def main():
    global ARGS, PYTHON
    parser = argparse.ArgumentParser()
    for option in ("--tool", "--source", "--package", "--out"):
        parser.add_argument(option, required=True)
    parser.add_argument("--python", help="the interpreter to run pytest with (default: one that has pytest)")
    parser.add_argument("--cc", help="the C compiler that builds the extension (default: $CC, else cc)")
    ARGS, rest = parser.parse_known_args()
    os.makedirs(ARGS.out, exist_ok=True)
    PYTHON, include, suffix = choose_python()
    if PYTHON is None:
        print("skipped: no python3 with both pytest and Python.h (Debian: apt-get install python3-pytest python3-dev)",
              file=sys.stderr)
        return SKIP
    print(f"pytest runs with {PYTHON}", file=sys.stderr)
    build_extension(include, suffix)
    copy_cases()
    program = unittest.main(argv=[sys.argv[0], *rest], verbosity=2, exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
