"""debugmalloc for Python programs and their C extensions.

Run the program under libdebugmalloc.so (`debugmalloc run -- python3 ...` or LD_PRELOAD); then

- the pytest plugin, `python3 -m pytest -p debugmalloc.pytest`, fails each test on the heap errors
  and leaks it caused (debugmalloc/pytest.py);
- running() says whether the library is loaded, ignore_leaks() leaves the blocks allocated in a
  `with` block out of every leak report (deliberate caches), and check_heap() checks every block's
  guards now.

Without the library every function here does nothing (running() is False). Importing this
package never imports pytest.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from debugmalloc import _runtime

__all__ = ["running", "ignore_leaks", "check_heap"]


def running() -> bool:
    """True when this process runs under libdebugmalloc.so."""
    return _runtime.load() is not None


@contextlib.contextmanager
def ignore_leaks() -> Iterator[None]:
    """Blocks that the calling thread allocates inside the `with` block are never reported as
    leaks (by the pytest plugin or at exit): for deliberate caches. Other threads are not
    affected; nests."""
    runtime = _runtime.load()
    if runtime is None:
        yield
        return
    runtime.disable_leaks()
    try:
        yield
    finally:
        runtime.enable_leaks()


def check_heap() -> int:
    """Checks every block now (guards of live blocks, the fill of freed ones) and returns the
    number of errors found; each is reported as usual. 0 without the library."""
    runtime = _runtime.load()
    return runtime.check_heap() if runtime is not None else 0
