"""The text of a test's failure made from the library's findings, laid out as the library's own
report (and as the GoogleTest listener's, gtest_listener/failure_text.cpp), with the frames of the
Python interpreter and of ctypes left out: they are the same in every report. Pure functions of
the findings, so that they are tested without the library.
"""
from __future__ import annotations

import os
import sys
from typing import Iterable, List, Optional, Sequence, Tuple

from debugmalloc._runtime import Finding, Frame

STACK_INDENT = "    "
MESSAGE_LIMIT = 32 * 1024  # what goes into one failure message
FROM_PYTHON = "the heap check at the end of the test, or debugmalloc.check_heap()"


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


_INTERPRETER = _real(sys.executable) if sys.executable else ""


def is_interpreter_frame(frame: Frame, interpreter: str = _INTERPRETER) -> bool:
    """A frame of the Python interpreter (its program or libpython) or of ctypes and libffi: the
    code that calls an extension's function, the same below every test."""
    module = frame.module or ""
    if not module:
        return False
    name = os.path.basename(module)
    if name.startswith(("libpython", "libffi.so", "_ctypes.")):
        return True
    return bool(interpreter) and (module == interpreter or _real(module) == interpreter)


def in_user_sources(frame: Frame) -> bool:
    """A frame in the program's own sources: a file from the debug information that is not a
    system header (/usr/...) and not one of glibc's relative paths."""
    file = frame.file or ""
    if not file or frame.line == 0:
        return False
    return not file.startswith(("/usr/", "../", "./"))


def plural(n: int, one: str, many: str) -> str:
    return "%d %s" % (n, one if n == 1 else many)


class FailureText:
    """The text of one failure, finding by finding."""

    def __init__(self) -> None:
        self._lines: List[str] = []
        self.first_user_line: Optional[Tuple[str, int]] = None  # (file, line)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self._lines)

    def add_error(self, error: Finding) -> None:
        """"ERROR: debugmalloc: KIND on ADDRESS", the message, and the stacks where it was found,
        where its block was allocated and where it was freed."""
        head = "ERROR: debugmalloc: " + error.kind
        if error.address:  # bad requests have no address
            head += " on 0x%x" % error.address
        self._lines.append(head)
        self._lines.append(error.message)
        if error.found_stack and is_interpreter_frame(error.found_stack[0]):
            # Called straight from Python: a heap check (the plugin's at the end of the test, or
            # debugmalloc.check_heap()), whose stack is the interpreter's alone.
            self._lines.append("  found by %s, called from Python (%s)" % (error.found_by, FROM_PYTHON))
        elif error.found_stack:
            self._lines.append("  found by %s at:" % error.found_by)
            self._add_stack(error.found_stack)
        else:
            self._lines.append("  found by %s" % error.found_by)
        if error.block_known:
            self._lines.append("  the %d-byte block at 0x%x was allocated at:" % (error.block_size, error.block))
            self._add_stack(error.alloc_stack)
            if error.free_stack:
                self._lines.append("  and freed at:")
                self._add_stack(error.free_stack)

    def add_leak(self, leak: Finding) -> None:
        """The group's line, ", allocated at:", its stack and an empty line."""
        self._lines.append(leak.message + ", allocated at:")
        self._add_stack(leak.alloc_stack)
        self._lines.append("")

    def _add_stack(self, stack: Sequence[Frame]) -> None:
        if not stack:
            self._lines.append(STACK_INDENT + "<no stack recorded>")
            return
        for index, frame in enumerate(stack):
            if is_interpreter_frame(frame):
                self._lines.append(STACK_INDENT + "(Python interpreter frames left out)")
                return
            self._add_frame(index, frame)

    def _add_frame(self, index: int, frame: Frame) -> None:
        # "    #3 0x55d0c8a01189 in main /src/x.c:12 (/abs/prog+0x1189)", as the library prints it.
        line = "%s#%d 0x%x" % (STACK_INDENT, index, frame.pc)
        if frame.function:
            line += " in " + frame.function
        if frame.file:
            line += " " + frame.file
            if frame.line:
                line += ":%d" % frame.line
        if frame.module:
            line += " (%s+0x%x)" % (frame.module, frame.offset)
        self._lines.append(line)
        if self.first_user_line is None and in_user_sources(frame):
            self.first_user_line = (frame.file or "", frame.line)


def cap_text(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Text cut to at most `limit` characters at a line end, with a note when something was cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    cut = limit if cut < 0 else cut + 1
    return text[:cut] + "... (cut; the program's log has the rest)\n"


def _kinds(findings: Iterable[Finding]) -> str:
    kinds: List[str] = []
    for f in findings:
        if f.kind not in kinds:
            kinds.append(f.kind)
    return ", ".join(kinds)


class Verdict:
    """What one check found: the failure's text and its one-line summary (pytest's short test
    summary and the JUnit message show that line)."""

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.summaries: List[str] = []

    def __bool__(self) -> bool:
        return bool(self.parts)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    @property
    def summary(self) -> str:
        return "; ".join(self.summaries)

    def add_errors(self, count: int, errors: Sequence[Finding], during: str) -> None:
        """`count` errors happened `during` ("during this test"); `errors` are the unsuppressed
        distinct ones (none: every error was suppressed, nothing fails)."""
        if count <= 0 or not errors:
            return
        report = FailureText()
        for error in errors:
            report.add_error(error)
        headline = "debugmalloc: %s %s" % (plural(count, "heap error", "heap errors"), during)
        self._add(headline, _kinds(errors), report)

    def add_leaks(self, leaked_bytes: int, leaks: Sequence[Finding], during: str) -> None:
        """`leaked_bytes` of definite and indirect leaks among blocks allocated `during` the test;
        `leaks` are the groups."""
        if leaked_bytes <= 0:
            return
        report = FailureText()
        for leak in leaks:
            report.add_leak(leak)
        headline = "debugmalloc: %s leaked %s (definite and indirect leaks of blocks allocated during the test)" % (
            during, plural(leaked_bytes, "byte", "bytes"))
        self._add(headline, _kinds(f for f in leaks if f.kind in ("definite", "indirect")) or "definite", report)

    def _add(self, headline: str, kinds: str, report: FailureText) -> None:
        self.parts.append(cap_text(headline + ":\n" + report.text).rstrip("\n") + "\n")
        where = ""
        if report.first_user_line is not None:
            where = " at %s:%d" % report.first_user_line
        self.summaries.append("%s: %s%s" % (headline.split(" (")[0], kinds, where))
