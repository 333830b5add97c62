"""Unit tests of the debugmalloc Python package without the library: the failure text made
from findings, the check lists, the ctypes structs, and the package's behaviour when
libdebugmalloc.so is not loaded. Run by check_pytest_plugin.py with pytest, never under the
library."""
import ctypes
import os
import subprocess
import sys

import pytest

import debugmalloc
from debugmalloc import _checks, _failure_text, _runtime
from debugmalloc._runtime import Finding, Frame

INTERPRETER = "/usr/bin/python3.11"
EXTENSION = "/build/ext/heapbugs.so"


def user_frame(function="heapbugs_leak", line=18, pc=0x7F00000011DA):
    return Frame(pc=pc, module=EXTENSION, offset=0x11DA, function=function, file="/src/heapbugs.c", line=line)


def interpreter_frame(function="_PyEval_EvalFrameDefault"):
    return Frame(pc=0x52B9E0, module=INTERPRETER, offset=0x52B9E0, function=function)


@pytest.fixture(autouse=True)
def the_interpreter_is_known(monkeypatch):
    monkeypatch.setattr(_failure_text, "_INTERPRETER", INTERPRETER)


def test_interpreter_frames_are_the_interpreters_libpython_libffi_and_ctypes():
    assert _failure_text.is_interpreter_frame(interpreter_frame())
    for module in ("/usr/lib/libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2",
                   "/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so"):
        assert _failure_text.is_interpreter_frame(Frame(module=module)), module
    assert not _failure_text.is_interpreter_frame(user_frame())
    assert not _failure_text.is_interpreter_frame(Frame(module="/lib/x86_64-linux-gnu/libc.so.6"))
    assert not _failure_text.is_interpreter_frame(Frame())


def test_a_leak_is_laid_out_as_the_library_prints_it_without_the_interpreter():
    text = _failure_text.FailureText()
    text.add_leak(Finding(is_leak=True, kind="definite", message="definite leak: 40 bytes in 1 block definitely lost",
                          bytes=40, blocks=1,
                          alloc_stack=[user_frame(), interpreter_frame("PyObject_Vectorcall"), interpreter_frame()]))
    assert text.text == ("definite leak: 40 bytes in 1 block definitely lost, allocated at:\n"
                         "    #0 0x7f00000011da in heapbugs_leak /src/heapbugs.c:18 (/build/ext/heapbugs.so+0x11da)\n"
                         "    (Python interpreter frames left out)\n"
                         "\n")
    assert text.first_user_line == ("/src/heapbugs.c", 18)


def test_an_error_has_its_kind_address_and_three_stacks():
    text = _failure_text.FailureText()
    text.add_error(Finding(kind="double-free", message="free() on 0x10: the 24-byte block was already freed",
                           found_by="free()", address=0x10, block_known=True, block=0x10, block_size=24,
                           found_stack=[user_frame("heapbugs_double_free", 31), interpreter_frame()],
                           alloc_stack=[user_frame("heapbugs_double_free", 28)],
                           free_stack=[user_frame("release", 24), user_frame("heapbugs_double_free", 30)]))
    lines = text.text.splitlines()
    assert lines[0] == "ERROR: debugmalloc: double-free on 0x10"
    assert lines[1] == "free() on 0x10: the 24-byte block was already freed"
    assert lines[2] == "  found by free() at:"
    assert "in heapbugs_double_free /src/heapbugs.c:31 " in lines[3]
    assert lines[4] == "    (Python interpreter frames left out)"
    assert lines[5] == "  the 24-byte block at 0x10 was allocated at:"
    assert "heapbugs.c:28" in lines[6]
    assert lines[7] == "  and freed at:"
    assert "#0 " in lines[8] and "release /src/heapbugs.c:24" in lines[8]
    assert "#1 " in lines[9] and "heapbugs.c:30" in lines[9]
    assert text.first_user_line == ("/src/heapbugs.c", 31), "where it was found comes first"


def test_an_error_found_by_a_heap_check_called_from_python():
    text = _failure_text.FailureText()
    text.add_error(Finding(kind="heap-buffer-overflow", message="1 byte changed", found_by="debugmalloc_check_heap()",
                           address=0x2D, block_known=True, block=0x20, block_size=13,
                           found_stack=[interpreter_frame(), interpreter_frame()],
                           alloc_stack=[user_frame("heapbugs_overflow_kept", 48)]))
    assert "  found by debugmalloc_check_heap(), called from Python (the heap check at the end of the test" in text.text
    assert "heapbugs.c:48" in text.text
    assert "_PyEval_EvalFrameDefault" not in text.text


def test_a_bad_request_has_no_address_and_an_unrecorded_stack_says_so():
    text = _failure_text.FailureText()
    text.add_error(Finding(kind="allocation-size-too-big", message="malloc(-1)", found_by="malloc()",
                           found_stack=[]))
    assert text.text.splitlines()[0] == "ERROR: debugmalloc: allocation-size-too-big"
    leak = _failure_text.FailureText()
    leak.add_leak(Finding(is_leak=True, kind="definite", message="m"))
    assert "    <no stack recorded>" in leak.text


def test_system_and_relative_sources_are_not_the_users():
    text = _failure_text.FailureText()
    text.add_leak(Finding(message="m", alloc_stack=[
        Frame(pc=1, module="/lib/libc.so.6", function="__GI___strdup", file="./string/strdup.c", line=42),
        Frame(pc=2, module="/usr/lib/libx.so", function="inline", file="/usr/include/c++/12/bits/new.h", line=9),
        Frame(pc=3, module=EXTENSION, function="no_line", file="/src/x.c", line=0),
        user_frame("caller", 77),
    ]))
    assert text.first_user_line == ("/src/heapbugs.c", 77)


def test_cap_text_cuts_at_a_line_end_and_says_so():
    assert _failure_text.cap_text("short\n", 100) == "short\n"
    capped = _failure_text.cap_text("aaaa\nbbbb\ncccc\n", 12)
    assert capped == "aaaa\nbbbb\n... (cut; the program's log has the rest)\n"


def test_the_verdict_names_the_kinds_and_the_first_user_line():
    verdict = _failure_text.Verdict()
    assert not verdict
    verdict.add_leaks(40, [Finding(is_leak=True, kind="definite", message="definite leak: 40 bytes", bytes=40,
                                   alloc_stack=[user_frame()])], "this test")
    verdict.add_errors(2, [Finding(kind="double-free", message="m", found_by="free()",
                                   found_stack=[user_frame("heapbugs_double_free", 31)])], "during this test")
    assert verdict
    assert verdict.summary == ("debugmalloc: this test leaked 40 bytes: definite at /src/heapbugs.c:18; "
                               "debugmalloc: 2 heap errors during this test: double-free at /src/heapbugs.c:31")
    assert verdict.text.startswith(
        "debugmalloc: this test leaked 40 bytes (definite and indirect leaks of blocks allocated during the test):\n")
    assert "debugmalloc: 2 heap errors during this test:\nERROR: debugmalloc: double-free" in verdict.text


def test_suppressed_errors_and_no_leaked_bytes_fail_nothing():
    verdict = _failure_text.Verdict()
    verdict.add_errors(3, [], "during this test")  # counted, but every one suppressed
    verdict.add_leaks(0, [Finding(is_leak=True, kind="possible", message="possible leak")], "this test")
    assert not verdict
    assert verdict.text == "" and verdict.summary == ""


@pytest.mark.parametrize("value, expected", [
    (None, "leaks,errors,check_heap"),
    ("", "leaks,errors,check_heap"),
    ("all", "leaks,errors,check_heap"),
    ("1", "leaks,errors,check_heap"),
    ("errors", "errors"),
    ("leaks, check_heap", "leaks,check_heap"),
    ("none", "none"),
    ("0", "none"),
    ("off", "none"),
])
def test_check_lists(value, expected):
    assert _checks.parse(value, "X").names() == expected


def test_no_check_is_false():
    assert not _checks.parse("none", "X")
    assert _checks.parse("errors", "X")


def test_an_unknown_check_is_named_with_its_source():
    with pytest.raises(_checks.BadChecks) as e:
        _checks.parse("leaks,leak", "--debugmalloc")
    assert str(e.value) == ("--debugmalloc: unknown check 'leak' (a comma list of leaks, errors, check_heap; "
                            "or all, or none)")


def test_marker_keywords():
    assert _checks.from_marker(_checks.Checks(), {"leaks": False}, "m").names() == "errors,check_heap"
    assert _checks.from_marker(_checks.parse("errors", "X"), {"leaks": True}, "m").names() == "leaks,errors"
    with pytest.raises(_checks.BadChecks, match="m: unknown keyword 'leak'"):
        _checks.from_marker(_checks.Checks(), {"leak": False}, "m")


def test_findings_are_copied_out_of_the_library_structs():
    frames = (_runtime._Frame * 2)()
    frames[0].pc, frames[0].module, frames[0].offset = 0x1234, b"/abs/ext.so", 0x34
    frames[0].function, frames[0].file, frames[0].line = b"leaky", b"/src/ext.c", 12
    frames[1].pc = 0x99  # nothing known about it
    raw = _runtime._Finding()
    raw.size = ctypes.sizeof(raw)
    raw.is_leak, raw.kind, raw.message = 1, b"definite", b"definite leak: 8 bytes in 1 block definitely lost"
    raw.bytes, raw.blocks = 8, 1
    raw.alloc_stack.frames = ctypes.cast(frames, ctypes.POINTER(_runtime._Frame))
    raw.alloc_stack.count = 2
    finding = _runtime._copy_finding(raw)
    assert finding.is_leak is True and finding.kind == "definite" and finding.bytes == 8
    assert finding.found_by == "" and finding.found_stack == []
    assert finding.alloc_stack == [Frame(0x1234, "/abs/ext.so", 0x34, "leaky", "/src/ext.c", 12), Frame(pc=0x99)]


def test_fields_past_an_older_librarys_struct_are_left_at_their_defaults():
    raw = _runtime._Finding()
    raw.size = _runtime._Finding.bytes.offset  # a library that knew nothing from `bytes` on
    raw.kind, raw.bytes = b"definite", 99
    finding = _runtime._copy_finding(raw)
    assert finding.kind == "definite" and finding.bytes == 0


def test_the_struct_layout_matches_findings_h():
    # findings.h on x86-64: size, is_leak, kind, message, found_by, address, block_known, block,
    # block_size, bad_bytes, occurrences, bytes, blocks, indirect_bytes, indirect_blocks, 3 stacks.
    assert ctypes.sizeof(_runtime._Frame) == 48
    assert ctypes.sizeof(_runtime._Stack) == 16
    assert _runtime._Finding.found_stack.offset == 120
    assert ctypes.sizeof(_runtime._Finding) == 168


def test_without_the_library_everything_is_inert():
    assert _runtime.load() is None
    assert debugmalloc.running() is False
    assert debugmalloc.check_heap() == 0
    with debugmalloc.ignore_leaks():
        pass


def python(code):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_importing_the_package_does_not_import_pytest():
    proc = python("import sys, debugmalloc; print('pytest' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_the_plugin_module_imports_the_real_pytest_not_itself():
    proc = python("import sys, debugmalloc.pytest as plugin\n"
                  "real = sys.modules['pytest']\n"
                  "assert plugin.pytest is real, plugin.pytest\n"
                  "assert real is not plugin and real.__file__ != plugin.__file__\n"
                  "assert hasattr(real, 'hookimpl') and hasattr(real, 'main')\n"
                  "print(plugin.__name__)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "debugmalloc.pytest"
