"""One test per planted bug of the heapbugs extension, and clean tests around them. Under
debugmalloc.pytest exactly test_leak, test_overflow, test_overflow_of_a_live_block and
test_double_free fail; without the library every test passes (test_double_free is skipped: a
double free corrupts glibc's heap)."""
import pytest

import debugmalloc
import heapbugs


def test_clean():
    heapbugs.clean()


def test_keeps_a_block_in_a_cache():
    heapbugs.keep(64)


def test_leak():
    heapbugs.leak(40)


def test_overflow():
    heapbugs.overflow()


def test_overflow_of_a_live_block():
    heapbugs.overflow_kept()


@pytest.mark.skipif(not debugmalloc.running(), reason="without debugmalloc a double free corrupts glibc's heap")
def test_double_free():
    heapbugs.double_free()


def test_clean_after_the_bugs():
    heapbugs.clean()
    heapbugs.keep(32)
