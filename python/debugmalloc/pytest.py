"""The pytest plugin: each test fails on the heap errors and leaks it caused.

    debugmalloc run -- python3 -m pytest -p debugmalloc.pytest tests/

Loaded with `-p debugmalloc.pytest` (or `pytest_plugins = ["debugmalloc.pytest"]` in the top
conftest.py, or `addopts = -p debugmalloc.pytest` in the ini file) and run under
libdebugmalloc.so, it marks the heap when each test's set-up starts and, when its body has run,
fails the test on heap errors since then and on definite or indirect leaks of blocks allocated
since then, with the grouped stacks in the failure. What the teardown adds (errors, leaks of the
test's blocks not reported yet) fails the teardown, as pytest reports any failing teardown.
Without the library the plugin registers no per-test hook: the run is as without it.

The checks (--debugmalloc=CHECKS, else DEBUGMALLOC_PYTEST, else all): a comma list of leaks,
errors and check_heap, or all, or none. A test chooses its own with the marker
@pytest.mark.debugmalloc(leaks=False, ...). Details: docs/test-suites.md.

This module is debugmalloc.pytest: every import here is absolute, so `pytest` below is the real
pytest, never this module.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Dict, Optional, Tuple

import pytest

from debugmalloc import _checks, _failure_text, _runtime

_MARKER = "debugmalloc"
_CHECKER_NAME = "debugmalloc-checker"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("debugmalloc", "heap checks of each test under libdebugmalloc.so")
    group.addoption("--debugmalloc", metavar="CHECKS", dest="debugmalloc_checks", default=None,
                    help="checks run around each test when the program runs under libdebugmalloc.so: a comma "
                    "list of leaks, errors, check_heap; or all (the default), or none. Default: "
                    "$" + _checks.ENVIRONMENT_VARIABLE + ", else all.")


def _configured_checks(config) -> _checks.Checks:
    option = config.getoption("debugmalloc_checks")
    if option is not None:
        return _checks.parse(option, "--debugmalloc")
    variable = _checks.ENVIRONMENT_VARIABLE
    return _checks.parse(os.environ.get(variable), variable)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", _MARKER + "(leaks=True, errors=True, check_heap=True): the heap checks of this test "
        "under libdebugmalloc.so (debugmalloc.pytest)")
    try:
        checks = _configured_checks(config)
    except _checks.BadChecks as e:
        raise pytest.UsageError("debugmalloc: " + str(e)) from None
    runtime = _runtime.load()
    if runtime is not None and checks:
        config.pluginmanager.register(HeapChecker(runtime, checks), _CHECKER_NAME)


def pytest_report_header(config) -> Optional[str]:
    checker = config.pluginmanager.get_plugin(_CHECKER_NAME)
    if checker is not None:
        return "debugmalloc: each test is checked (%s)" % checker.checks.names()
    if _runtime.load() is not None:
        return "debugmalloc: the tests are not checked (--debugmalloc / %s is none)" % _checks.ENVIRONMENT_VARIABLE
    if config.getoption("debugmalloc_checks") is not None:
        return "debugmalloc: libdebugmalloc.so is not loaded: the tests are not checked"
    return None


class _FindingsRepr:
    """A failure's long representation: the findings' text, and the one line (reprcrash) that
    pytest's short summary and the JUnit message show."""

    class _Crash:
        def __init__(self, message: str, path: str, lineno: int) -> None:
            self.message, self.path, self.lineno = message, path, lineno

        def __str__(self) -> str:  # --tb=line
            return "%s:%d: %s" % (self.path, self.lineno, self.message)

    def __init__(self, verdict: _failure_text.Verdict, location: Tuple[str, int]) -> None:
        self._text = verdict.text.rstrip("\n")
        self.reprcrash = self._Crash(verdict.summary, location[0], location[1])

    def toterminal(self, tw) -> None:
        for line in self._text.split("\n"):
            tw.line(line)

    def __str__(self) -> str:
        return self._text


class _TestState:
    """What a test's checks remember between its phases."""

    def __init__(self, checks: _checks.Checks, errors_at_start: int, mark: int) -> None:
        self.checks = checks
        self.errors_since = errors_at_start
        self.mark = mark
        # Leak groups already reported (kind and allocation stack -> bytes), so that the
        # teardown's check reports only what is new.
        self.reported_leaks: Dict[tuple, int] = {}
        self.body_checked = False  # the check after the test's body (its call phase) ran


def _leak_key(leak: _runtime.Finding) -> tuple:
    return (leak.kind, tuple((f.module, f.offset) for f in leak.alloc_stack))


class HeapChecker:
    """The hooks, registered only when the library is loaded and some check is on."""

    def __init__(self, runtime: _runtime.Runtime, checks: _checks.Checks) -> None:
        self.runtime = runtime
        self.checks = checks
        self._tests: Dict[str, _TestState] = {}

    def _test_checks(self, item) -> _checks.Checks:
        checks = self.checks
        problem = None
        for marker in reversed(list(item.iter_markers(_MARKER))):  # the closest marker last
            try:
                checks = _checks.from_marker(checks, marker.kwargs, "@pytest.mark." + _MARKER)
            except _checks.BadChecks as e:
                problem = str(e)
        if problem is not None:  # outside the handler: one message, no exception chain
            pytest.fail("debugmalloc: " + problem, pytrace=False)
        return checks

    # Innermost: the mark comes after what other plugins do when a set-up starts.
    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtest_setup(self, item):
        self._tests.pop(item.nodeid, None)
        checks = self._test_checks(item)
        self._tests[item.nodeid] = _TestState(checks, self.runtime.error_count(), self.runtime.mark())
        yield

    # Outermost: the report is final (xfail and the like applied) when it is checked.
    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        state = self._tests.get(item.nodeid)
        if state is None or call.when == "setup":
            return
        if call.when == "call":
            self._apply(report, self._check(state, state.checks, "during this test", "this test"), item)
            state.body_checked = True
        elif call.when == "teardown":
            del self._tests[item.nodeid]
            checks = state.checks
            if state.body_checked and not getattr(item, "fixturenames", True):
                # No fixture of this test ran in the teardown: since the check after its body
                # only pytest ran, so the scans (the dear part) are left out.
                checks = dataclasses.replace(checks, leaks=False, check_heap=False)
            verdict = self._check(state, checks, "after the test's body (set-up or teardown)",
                                  "the test's set-up or teardown")
            self._apply(report, verdict, item)

    def _check(self, state: _TestState, checks: _checks.Checks, errors_during: str,
               leaks_by: str) -> _failure_text.Verdict:
        verdict = _failure_text.Verdict()
        runtime = self.runtime
        # The leak check first, before this check allocates anything of its own.
        leaked, leaks = 0, []
        if checks.leaks:
            leaked, leaks = runtime.leaks_since(state.mark)
        # Overflows of live blocks and writes into freed ones are found only when the blocks are
        # checked: check them all now, while they are this test's doing.
        if checks.check_heap:
            runtime.check_heap()
        if checks.errors:
            count, errors = runtime.errors_since(state.errors_since)
            verdict.add_errors(count, errors, errors_during)
        state.errors_since = runtime.error_count()
        new_leaks = [g for g in leaks if state.reported_leaks.get(_leak_key(g), -1) < g.bytes]
        new_bytes = sum(g.bytes for g in new_leaks if g.kind in ("definite", "indirect"))
        if leaked > 0 and new_bytes > 0:
            verdict.add_leaks(new_bytes, new_leaks, leaks_by)
        for g in leaks:
            state.reported_leaks[_leak_key(g)] = g.bytes
        return verdict

    @staticmethod
    def _apply(report, verdict: _failure_text.Verdict, item) -> None:
        if not verdict:
            return
        if report.passed:
            # A passing test (or an unexpected pass of an xfail one) fails on its findings.
            report.outcome = "failed"
            if hasattr(report, "wasxfail"):
                del report.wasxfail
            path, lineno = item.location[0], (item.location[1] or 0) + 1
            report.longrepr = _FindingsRepr(verdict, (path, lineno))
        elif hasattr(report.longrepr, "addsection"):
            # Failed on its own, or failed as expected (xfail): the findings go under its traceback.
            report.longrepr.addsection("debugmalloc", verdict.text.rstrip("\n"))
        else:
            report.sections.append(("debugmalloc", verdict.text))
