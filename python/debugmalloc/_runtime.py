"""The runtime API of libdebugmalloc.so (include/debugmalloc/debugmalloc.h), through ctypes.

The library is looked for among the objects already loaded in this process (LD_PRELOAD or
`debugmalloc run`), never loaded from here: without it, load() returns None and every helper
of the package does nothing.

The structured findings (include/debugmalloc/findings.h) are copied into plain Python objects
while the library's callback runs: the library's structs and strings are valid only then.
"""
from __future__ import annotations

import ctypes
import dataclasses
from typing import Callable, List, Optional, Tuple


class _Frame(ctypes.Structure):
    _fields_ = [
        ("pc", ctypes.c_size_t),
        ("module", ctypes.c_char_p),
        ("offset", ctypes.c_size_t),
        ("function", ctypes.c_char_p),
        ("file", ctypes.c_char_p),
        ("line", ctypes.c_uint),
    ]


class _Stack(ctypes.Structure):
    _fields_ = [("frames", ctypes.POINTER(_Frame)), ("count", ctypes.c_size_t)]


class _Finding(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("is_leak", ctypes.c_int),
        ("kind", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("found_by", ctypes.c_char_p),
        ("address", ctypes.c_size_t),
        ("block_known", ctypes.c_int),
        ("block", ctypes.c_size_t),
        ("block_size", ctypes.c_size_t),
        ("bad_bytes", ctypes.c_size_t),
        ("occurrences", ctypes.c_ulonglong),
        ("bytes", ctypes.c_size_t),
        ("blocks", ctypes.c_size_t),
        ("indirect_bytes", ctypes.c_size_t),
        ("indirect_blocks", ctypes.c_size_t),
        ("found_stack", _Stack),
        ("alloc_stack", _Stack),
        ("free_stack", _Stack),
    ]


_FINDING_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Finding), ctypes.c_void_p)


@dataclasses.dataclass(frozen=True)
class Frame:
    """One frame of a stack, innermost first; None / 0 where the library does not know."""

    pc: int = 0
    module: Optional[str] = None
    offset: int = 0
    function: Optional[str] = None
    file: Optional[str] = None
    line: int = 0


@dataclasses.dataclass
class Finding:
    """One heap error or one leak group, as debugmalloc_finding describes it."""

    is_leak: bool = False
    kind: str = ""
    message: str = ""
    found_by: str = ""
    address: int = 0
    block_known: bool = False
    block: int = 0
    block_size: int = 0
    bad_bytes: int = 0
    occurrences: int = 0
    bytes: int = 0
    blocks: int = 0
    indirect_bytes: int = 0
    indirect_blocks: int = 0
    found_stack: List[Frame] = dataclasses.field(default_factory=list)
    alloc_stack: List[Frame] = dataclasses.field(default_factory=list)
    free_stack: List[Frame] = dataclasses.field(default_factory=list)


def _text(value: Optional[bytes]) -> Optional[str]:
    return value.decode("utf-8", "replace") if value is not None else None


def _copy_stack(stack: _Stack) -> List[Frame]:
    if not stack.frames or stack.count == 0:
        return []
    return [
        Frame(f.pc, _text(f.module), f.offset, _text(f.function), _text(f.file), f.line)
        for f in stack.frames[: stack.count]
    ]


def _copy_finding(raw: _Finding) -> Finding:
    """A copy of the fields the library filled in: a library older than this package passes a
    smaller struct (its `size`), and the fields past it are left at their defaults."""
    out = Finding()
    for name, ctype in _Finding._fields_[1:]:
        field = getattr(_Finding, name)
        if field.offset + field.size > raw.size:
            continue
        value = getattr(raw, name)
        if ctype is _Stack:
            value = _copy_stack(value)
        elif ctype is ctypes.c_char_p:
            value = _text(value) or ""
        elif name in ("is_leak", "block_known"):
            value = bool(value)
        setattr(out, name, value)
    return out


class _Collector:
    """Gathers the findings of one *_each() call. The callback runs in the calling thread,
    outside the library's locks; an exception must not cross back into C, so it is kept and
    raised again once the call has returned."""

    def __init__(self) -> None:
        self.findings: List[Finding] = []
        self.failure: Optional[BaseException] = None

    def __call__(self, finding, _context) -> None:
        try:
            self.findings.append(_copy_finding(finding.contents))
        except BaseException as e:  # noqa: B036 (nothing may unwind through the library)
            self.failure = e


class Runtime:
    """The runtime API of the loaded library."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        def bind(name: str, restype, *argtypes) -> Callable:
            fn = lib["__debugmalloc_" + name]
            fn.restype = restype
            fn.argtypes = list(argtypes)
            return fn

        self._error_count = bind("error_count", ctypes.c_size_t)
        self._mark = bind("mark", ctypes.c_uint)
        self._check_heap = bind("check_heap", ctypes.c_size_t)
        self._leaks_since_each = bind("leaks_since_each", ctypes.c_size_t, ctypes.c_uint, _FINDING_FN, ctypes.c_void_p)
        self._errors_since_each = bind("errors_since_each", ctypes.c_size_t, ctypes.c_size_t, _FINDING_FN,
                                       ctypes.c_void_p)
        self._disable_leaks = bind("disable_leaks", None)
        self._enable_leaks = bind("enable_leaks", None)

    def error_count(self) -> int:
        """Heap errors reported so far in this process."""
        return int(self._error_count())

    def mark(self) -> int:
        """Starts a heap epoch: leaks_since() then looks only at blocks allocated from now on."""
        return int(self._mark())

    def check_heap(self) -> int:
        """Checks every block's guards now; returns the errors this check found."""
        return int(self._check_heap())

    def leaks_since(self, mark: int) -> Tuple[int, List[Finding]]:
        """Leak check of the blocks allocated since `mark`: (definite and indirect bytes, the
        groups of the reported kinds, unsuppressed)."""
        return self._each(self._leaks_since_each, mark)

    def errors_since(self, count: int) -> Tuple[int, List[Finding]]:
        """The errors since error_count() returned `count`: (how many, each distinct
        unsuppressed one)."""
        return self._each(self._errors_since_each, count)

    def disable_leaks(self) -> None:
        self._disable_leaks()

    def enable_leaks(self) -> None:
        self._enable_leaks()

    @staticmethod
    def _each(call: Callable, since: int) -> Tuple[int, List[Finding]]:
        collector = _Collector()
        callback = _FINDING_FN(collector)  # alive for the whole call
        result = int(call(since, callback, None))
        if collector.failure is not None:
            raise collector.failure
        return result, collector.findings


# The names load() needs: the library exports them all, so one missing means it is absent
# (or too old for this package).
_REQUIRED = ("running", "error_count", "mark", "check_heap", "leaks_since_each", "errors_since_each",
             "disable_leaks", "enable_leaks")

_UNSET = object()
_loaded = _UNSET


def load() -> Optional[Runtime]:
    """The runtime API when libdebugmalloc.so is loaded in this process, else None."""
    global _loaded
    if _loaded is _UNSET:
        _loaded = None
        try:
            process = ctypes.CDLL(None)  # every object loaded in the process, in lookup order
        except OSError:
            return None
        if all(hasattr(process, "__debugmalloc_" + name) for name in _REQUIRED):
            if process["__debugmalloc_running"]() == 1:
                _loaded = Runtime(process)
    return _loaded
