"""The plugin across pytest's phases and verdicts: leaks in a fixture's set-up and teardown, a
test that fails on its own, xfail, and the ways to opt out."""
import pytest

import debugmalloc
import heapbugs


@pytest.fixture
def leaky_setup():
    heapbugs.leak(24)  # part of the test: fails the test itself
    yield


@pytest.fixture
def leaky_teardown():
    yield
    heapbugs.leak(32)  # after the test's body: fails its teardown


def test_with_a_fixture_that_leaks_in_its_setup(leaky_setup):
    heapbugs.clean()


def test_with_a_fixture_that_leaks_in_its_teardown(leaky_teardown):
    heapbugs.clean()


def test_fails_on_its_own_and_leaks():
    heapbugs.leak(16)
    assert 1 + 1 == 3, "the test's own failure"


@pytest.mark.xfail(reason="an expected failure that leaks: it stays an expected failure")
def test_expected_failure_that_leaks():
    heapbugs.leak(16)
    assert False


@pytest.mark.xfail(reason="passes unexpectedly and leaks: fails")
def test_unexpected_pass_that_leaks():
    heapbugs.leak(16)


@pytest.mark.debugmalloc(leaks=False)
def test_leak_allowed_by_the_marker():
    heapbugs.leak(16)


def test_leak_inside_ignore_leaks():
    with debugmalloc.ignore_leaks():
        heapbugs.leak(16)


@pytest.mark.debugmalloc(leak=False)
def test_marker_with_a_misspelt_check():
    heapbugs.clean()
