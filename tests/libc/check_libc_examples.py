#!/usr/bin/env python3
"""Runs the examples of the range checks in the interposed C library functions
(examples/libc_*.c) under libdebugmalloc.so. For each bad call: the kind, the
access (read or write), the function named, the offset and the functions of its
stacks, from the report file; the readable report says the same. The clean
example (plain and fortified) gets no report at all; check_libc=0,
suppressions and abort_on_error do what they say; `debugmalloc report` reads
the new kind and the access."""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None
# Page guards (sampled by default) would make a real overflow fault after its report: off, for repeatable runs.
BASE_OPTIONS = "guard_pages=off:check_libc=1"  # check_libc=1 is the default; said all the same


def example(name):
    return os.path.join(ARGS.bin, "example-" + name)


def run(name, options="", env_extra=None):
    """Runs an example with a fresh report_dir; returns (proc, errors), each error a dict of its
    record with its stacks' function names under "stack", "alloc_stack" and "free_stack"."""
    with tempfile.TemporaryDirectory() as d:
        opts = ":".join(o for o in (BASE_OPTIONS, "report_dir=" + d, options) if o)
        proc = dmtest.run([example(name)], lib=ARGS.lib, options=opts, env_extra=env_extra)
        reports = dmtest.read_reports(d)
    errors = []
    for _, records in reports:
        stacks = {}
        for r in records:
            if r["t"] == "stack":
                stacks[r["id"]] = [f.get("function") or "" for f in r["frames"]]
            elif r["t"] == "error":
                e = dict(r)
                for key in ("stack", "alloc_stack", "free_stack"):
                    e[key] = stacks.get(r[key], []) if r[key] is not None else []
                errors.append(e)
    return proc, errors


def libc_errors(errors):
    """The errors the libc checks found (the others are found later, by free() or the heap checks)."""
    return [e for e in errors if "access" in e or e["kind"] == "memcpy-param-overlap"]


# How the message of a libc check starts ("memcpy() writes 20 bytes ...", "memcpy(): source ...").
LIBC_MESSAGE = re.compile(r"^[_a-z]+\(\)(?: reads | writes |: source )")


# (kind, access, api, offset, a function of the stack where it was found, of the allocation stack, of the free stack)
MEMORY = [
    ("heap-buffer-overflow", "write", "memcpy()", 16, "copy_header", "make_header", None),
    ("heap-buffer-underflow", "write", "memset()", -4, "clear_prefix", "make_header", None),
    ("heap-buffer-overflow", "read", "memcmp()", 16, "same_record", "make_header", None),
    ("use-after-free", "read", "memchr()", 0, "has_newline", "make_header", "main"),
]
STRINGS = [
    ("heap-buffer-overflow", "write", "strcpy()", 10, "set_name", "make_buffer", None),
    ("heap-buffer-overflow", "read", "strlen()", 8, "name_length", "make_buffer", None),
    ("heap-buffer-overflow", "write", "strcat()", 8, "add_suffix", "make_buffer", None),
    ("heap-buffer-overflow", "write", "strncpy()", 12, "copy_fixed", "make_buffer", None),
    ("heap-buffer-overflow", "read", "strchr()", 8, "find_extension", "make_buffer", None),
    ("heap-buffer-overflow", "read", "strcmp()", 8, "is_default", "make_buffer", None),
    ("use-after-free", "read", "strdup()", 0, "keep_name", "make_buffer", "main"),
    ("heap-buffer-overflow", "write", "wcscpy()", 20, "set_title", "make_buffer", None),
]
FORMAT = [
    ("heap-buffer-overflow", "write", "sprintf()", 8, "format_id", "make_buffer", None),
    ("heap-buffer-overflow", "write", "snprintf()", 16, "format_path", "make_buffer", None),
    ("use-after-free", "write", "vsprintf()", 0, "log_to", "make_buffer", "main"),
]
INPUT = [
    ("heap-buffer-overflow", "write", "read()", 32, "read_block", "make_buffer", None),
    ("heap-buffer-overflow", "write", "pread()", 32, "read_at", "make_buffer", None),
    ("heap-buffer-overflow", "write", "recv()", 32, "receive", "make_buffer", None),
    ("heap-buffer-overflow", "write", "fread()", 40, "read_record", "make_buffer", None),
    ("heap-buffer-overflow", "write", "fgets()", 64, "read_line", "make_buffer", None),
    ("heap-buffer-overflow", "write", "getline()", 16, "read_whole_line", "make_buffer", None),
    ("heap-buffer-overflow", "write", "realpath()", 64, "resolve", "make_buffer", None),
]
FORTIFIED = [
    ("heap-buffer-overflow", "read", "__memcpy_chk()", 16, "copy_out", "make_buffer", None),
    ("use-after-free", "write", "__strcpy_chk()", 0, "rename_freed", "rename_freed", "rename_freed"),
    ("use-after-free", "write", "__sprintf_chk()", 0, "number_freed", "number_freed", "number_freed"),
]


class Families(unittest.TestCase):
    def check_family(self, name, expected):
        proc, errors = run(name)
        self.assertEqual(proc.returncode, 23, proc.stderr)
        found = libc_errors(errors)
        self.assertEqual([(e["kind"], e.get("access"), e["api"]) for e in found],
                         [x[:3] for x in expected], proc.stderr)
        for (kind, access, api, offset, found_fn, alloc_fn, free_fn), e in zip(expected, found):
            what = "%s %s" % (api, kind)
            self.assertEqual(e["offset"], offset, what)
            self.assertIsNotNone(e["block"], what)
            # The stack starts at the caller. Optimised, a fortified call's frame is named after the
            # inline wrapper of <string.h> or <stdio.h> (memcpy, strcpy, ...) that holds it.
            wrapper = api[2:-6] if api.endswith("_chk()") else None
            self.assertIn(e["stack"][0], (found_fn, wrapper), "%s: the stack starts at the caller: %s" % (what, e["stack"]))
            self.assertIn("main", e["stack"], what)
            self.assertIn(alloc_fn, e["alloc_stack"], what)
            if free_fn:
                self.assertIn(free_fn, e["free_stack"], what)
            else:
                self.assertEqual(e["free_stack"], [], what)
            self.assertIn(api, e["message"])
            self.assertIn("reads" if access == "read" else "writes", e["message"])
        # The readable reports say the same, in the same order, found by the function.
        readable = [r for r in dmtest.readable_reports(proc.stderr) if LIBC_MESSAGE.match(r[1])]
        self.assertEqual([r[0] for r in readable], [x[0] for x in expected])
        for (kind, access, api, *_), (_, message, text) in zip(expected, readable):
            self.assertTrue(message.startswith(api + (" reads" if access == "read" else " writes")), message)
            self.assertIn("found by %s at:" % api, text)
        # The program's own output is unchanged: the checks report, the C library still runs.
        plain = subprocess.run([example(name)], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.stdout, plain.stdout)
        return found

    def test_memory_functions(self):
        found = self.check_family("libc-memory", MEMORY)
        self.assertRegex(found[0]["message"],
                         r"^memcpy\(\) writes 20 bytes at \[0x[0-9a-f]+, 0x[0-9a-f]+\), 4 bytes past the end of a "
                         r"16-byte block at 0x[0-9a-f]+$")
        self.assertEqual(found[0]["bad_bytes"], 4, "how far past the block")
        self.assertRegex(found[1]["message"], r", 4 bytes before the start of a 16-byte block")
        self.assertEqual(found[2]["bad_bytes"], 8)

    def test_string_functions(self):
        found = self.check_family("libc-strings", STRINGS)
        self.assertRegex(found[1]["message"],
                         r"^strlen\(\) reads at least 9 bytes .*1 byte past the end of a 8-byte block .*"
                         r"\(no terminating NUL inside it\)$")

    def test_formatted_output(self):
        found = self.check_family("libc-format", FORMAT)
        self.assertRegex(found[0]["message"], r"^sprintf\(\) writes 12 bytes .* 4 bytes past the end")
        self.assertRegex(found[1]["message"], r"^snprintf\(\) writes 24 bytes .* 8 bytes past the end")

    def test_buffers_filled_by_input(self):
        found = self.check_family("libc-input", INPUT)
        self.assertRegex(found[6]["message"], r"^realpath\(\) writes 4096 bytes")

    def test_fortified_forms(self):
        self.check_family("libc-fortified", FORTIFIED)

    def test_overlap(self):
        proc, errors = run("libc-overlap")
        self.assertEqual(proc.returncode, 23)
        found = libc_errors(errors)
        self.assertEqual([(e["kind"], e["api"], e["stack"][0]) for e in found],
                         [("memcpy-param-overlap", "memcpy()", "drop_first"),
                          ("memcpy-param-overlap", "strcpy()", "quote")], proc.stderr)
        heap, stack = found
        self.assertNotIn("access", heap)
        self.assertEqual((heap["offset"], heap["bad_bytes"]), (1, 5))
        self.assertIn("main", heap["alloc_stack"])
        self.assertRegex(heap["message"], r"^memcpy\(\): source \[0x[0-9a-f]+, 0x[0-9a-f]+\) and destination "
                                          r"\[0x[0-9a-f]+, 0x[0-9a-f]+\) overlap by 5 bytes, in a 16-byte block")
        self.assertIsNone(stack["block"], "a stack buffer is no heap block")
        self.assertEqual(len(errors), 2, "memmove is not reported")


class Clean(unittest.TestCase):
    def test_every_function_at_its_exact_bounds(self):
        for name in ("libc-clean", "libc-clean-fortified"):
            plain = subprocess.run([example(name)], capture_output=True, text=True, timeout=60)
            proc, errors = run(name, "leaks=1")
            self.assertEqual(errors, [], name)
            self.assertEqual(proc.stderr, "", name)
            self.assertEqual(proc.returncode, 0, name)
            self.assertEqual(proc.stdout, plain.stdout, name)
            self.assertIn("libc-clean: done", proc.stdout)

    def test_the_fortified_build_calls_the_fortified_forms(self):
        out = subprocess.run(["nm", "-D", "--undefined-only", example("libc-clean-fortified")],
                             capture_output=True, text=True, check=True).stdout
        for name in ("__memcpy_chk", "__strcpy_chk", "__sprintf_chk", "__read_chk", "__fread_chk", "__realpath_chk"):
            self.assertIn(name, out)


class Options(unittest.TestCase):
    def test_check_libc_0_turns_the_checks_off(self):
        proc, errors = run("libc-memory", "check_libc=0")
        self.assertEqual(libc_errors(errors), [])
        # The writes are still found, later, by free().
        self.assertEqual(sorted(e["kind"] for e in errors), ["heap-buffer-overflow", "heap-buffer-underflow"])
        proc, errors = run("libc-overlap", "check_libc=0")
        self.assertEqual((errors, proc.returncode), ([], 0))

    def test_suppressions_name_the_kinds_and_the_callers(self):
        with tempfile.TemporaryDirectory() as d:
            supp = os.path.join(d, "libc.supp")
            with open(supp, "w") as f:
                f.write("heap-buffer-overflow:copy_header\nmemcpy-param-overlap:drop_first\n")
            _, errors = run("libc-memory", "suppressions=" + supp)
            self.assertEqual([e["api"] for e in libc_errors(errors)], ["memset()", "memcmp()", "memchr()"])
            proc, errors = run("libc-overlap", "suppressions=" + supp)
            self.assertEqual([e["api"] for e in errors], ["strcpy()"])

    def test_abort_on_error_stops_before_the_call(self):
        proc, errors = run("libc-memory", "abort_on_error=1")
        self.assertEqual(proc.returncode, -signal.SIGABRT)
        self.assertEqual([r[0] for r in dmtest.readable_reports(proc.stderr)], ["heap-buffer-overflow"])
        self.assertNotIn("same:", proc.stdout)

    def test_one_report_per_site(self):
        # The signal handler test repeats one bad call many times; here: the report file counts once per site.
        proc, errors = run("libc-strings")
        self.assertEqual(len({(e["kind"], e["api"]) for e in libc_errors(errors)}), len(STRINGS))


class Reporter(unittest.TestCase):
    def test_the_tool_reads_the_kind_and_the_access(self):
        if not ARGS.tool:
            self.skipTest("no --tool")
        with tempfile.TemporaryDirectory() as d:
            for name in ("libc-memory", "libc-overlap"):
                dmtest.run([example(name)], lib=ARGS.lib, options=BASE_OPTIONS + ":report_dir=" + d)
            proc = subprocess.run([ARGS.tool, "report", "--format", "json", d], capture_output=True, text=True,
                                  timeout=120)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            doc = json.loads(proc.stdout)
            kinds = [e["kind"] for e in doc["errors"]]
            self.assertEqual(kinds.count("memcpy-param-overlap"), 2)
            memcpy = [e for e in doc["errors"] if e["message"].startswith("memcpy() writes")]
            self.assertEqual(len(memcpy), 1)
            self.assertEqual(memcpy[0].get("access"), "write")
            self.assertEqual(memcpy[0]["stack"][0]["function"], "copy_header")
            text = subprocess.run([ARGS.tool, "report", "--color", "never", d], capture_output=True, text=True,
                                  timeout=120).stdout
            self.assertIn("memcpy-param-overlap", text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tool", default=None)
    ARGS, rest = parser.parse_known_args()
    if ARGS.tool is None and os.path.exists(os.path.join(ARGS.bin, "debugmalloc")):
        ARGS.tool = os.path.join(ARGS.bin, "debugmalloc")
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
