"""Clean tests that exercise Python and pytest (big objects, caches, captured output, assertion
rewriting, threads, garbage cycles, fixtures): under debugmalloc.pytest none may be flagged."""
import collections
import ctypes
import decimal
import functools
import gc
import importlib
import io
import json
import logging
import re
import sys
import threading
import warnings

import pytest

import heapbugs

_KEPT = []


def test_big_objects_kept_in_a_global():
    _KEPT.append([bytes(4096) for _ in range(50)])
    _KEPT.append({str(i): list(range(100)) for i in range(200)})


def test_big_objects_dropped():
    data = [bytearray(10000) for _ in range(100)]
    del data
    text = "x" * 1_000_000
    assert len(text) == 1_000_000


def test_interned_strings_and_caches():
    names = [sys.intern("name_%d_%s" % (i, "y" * 40)) for i in range(500)]
    assert re.compile(r"(\w+)_(\d+)_y+").match(names[3])
    functools.lru_cache(maxsize=None)(lambda x: x * 2)(21)


def test_captured_output(capsys):
    for i in range(200):
        print("line %d %s" % (i, "z" * 100))
    sys.stderr.write("to stderr\n" * 50)
    out, err = capsys.readouterr()
    assert out.count("\n") == 200


def test_printing_without_fixture():
    print("a" * 100000)


def test_assertion_rewriting_with_rich_compare():
    left = {"a": [1, 2, 3], "b": "text" * 30}
    right = {"a": [1, 2, 3], "b": "text" * 30}
    assert left == right
    with pytest.raises(AssertionError):
        assert [1, 2, 3] == [1, 2, 4]


def test_exceptions_raised_and_caught():
    for _ in range(100):
        try:
            json.loads("{broken")
        except ValueError as e:
            str(e)


def test_imports_during_the_test():
    import xml.dom.minidom

    importlib.import_module("email.mime.text")

    xml.dom.minidom.parseString("<a><b>c</b></a>")


def test_threads():
    results = []
    threads = [threading.Thread(target=lambda: results.append(sum(range(10000)))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4


def test_garbage_cycles():
    for _ in range(1000):
        a, b = {}, {}
        a["b"], b["a"] = b, a
        a["payload"] = [0] * 200
    gc.collect()


def test_uncollected_garbage_cycles():
    gc.disable()
    try:
        for _ in range(300):
            node = collections.OrderedDict(payload=bytes(1000))
            node["self"] = node
    finally:
        gc.enable()


def test_logging_and_warnings(caplog):
    logging.getLogger("x").warning("a warning %s", "w" * 500)
    with pytest.warns(UserWarning):
        warnings.warn("careful", UserWarning)


def test_tmp_path(tmp_path):
    (tmp_path / "f.txt").write_text("hello" * 1000)
    assert (tmp_path / "f.txt").read_text().startswith("hello")


def test_monkeypatch(monkeypatch):
    monkeypatch.setenv("DM_EXAMPLE", "1")
    monkeypatch.setattr(json, "dumps", lambda *a, **k: "patched")


@pytest.fixture
def resource():
    data = [bytes(2000) for _ in range(10)]
    yield data
    data.clear()


def test_fixture_with_teardown(resource):
    assert len(resource) == 10


@pytest.mark.parametrize("n", [1, 10, 100, 1000])
def test_parametrized(n):
    assert len(decimal.Decimal(n).as_tuple().digits) >= 1


def test_extension_clean_and_cache():
    heapbugs.clean()
    heapbugs.keep(300)


def test_string_io():
    buffer = io.StringIO()
    for i in range(1000):
        buffer.write("%d\n" % i)
    assert buffer.getvalue()


def _c_function(name, restype, *argtypes):
    function = getattr(ctypes.CDLL(None), name)
    function.restype, function.argtypes = restype, list(argtypes)
    return function


def test_a_pointer_in_a_mapping_that_shares_a_granule_with_a_large_block():
    # The leak check skips the allocator's own memory by 64 KiB granules; a large block's
    # mapping may end inside one, and another mapping (here an anonymous page, in real life an
    # extension's data) may follow it there. A pointer in that mapping is a root all the same.
    malloc = _c_function("malloc", ctypes.c_void_p, ctypes.c_size_t)
    mmap = _c_function("mmap", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long)
    page_size, granule = 4096, 1 << 16
    prot_read_write, map_private_anonymous_fixed_noreplace = 0x3, 0x22 | 0x100000
    for size in range(0x20000 + 100, 0x30000, page_size):
        big = ctypes.c_void_p(malloc(size))  # its pointer kept raw, in the ctypes object
        _KEPT.append(big)
        end = (big.value + size + page_size - 1) // page_size * page_size + page_size  # past its guard page
        if end % granule == 0 or mmap(end, page_size, prot_read_write, map_private_anonymous_fixed_noreplace, -1,
                                      0) != end:
            continue  # not the layout looked for (without debugmalloc: never)
        ctypes.c_void_p.from_address(end).value = malloc(64)  # the only pointer to the 64-byte block
        return


@pytest.mark.skip(reason="skipped on purpose")
def test_skipped():
    heapbugs.leak(8)


@pytest.mark.xfail(reason="fails on purpose", strict=True)
def test_expected_failure():
    assert False
