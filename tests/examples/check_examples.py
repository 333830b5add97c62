#!/usr/bin/env python3
"""Runs each program of examples/ under libdebugmalloc.so and checks its report:
the error kind, the block size and offset, the functions in the stacks, and the
exit status. Also checks the options that change what happens after an error."""
import argparse
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


def run(example, env_extra=None, args=()):
    return dmtest.run([os.path.join(ARGS.bin, "example-" + example), *args], lib=ARGS.lib, env_extra=env_extra)


def section(report, title):
    """The stack lines under a heading such as 'was allocated at:'."""
    lines = report.splitlines()
    for i, line in enumerate(lines):
        if title in line:
            out = []
            for follow in lines[i + 1:]:
                if re.match(r"==\d+==     #\d+ ", follow):
                    out.append(follow)
                else:
                    break
            return "\n".join(out)
    return ""


class Examples(unittest.TestCase):
    def expect_one(self, example, kind, summary_pattern, found_fn=None, alloc_fn=None, free_fn=None):
        proc = run(example)
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(len(reports), 1, proc.stderr)
        got_kind, summary, text = reports[0]
        self.assertEqual(got_kind, kind, text)
        self.assertRegex(summary, summary_pattern)
        if found_fn:
            self.assertIn(found_fn, section(text, "found by"), text)
        if alloc_fn:
            self.assertIn(alloc_fn, section(text, "was allocated at:"), text)
        if free_fn:
            self.assertIn(free_fn, section(text, "and freed at:"), text)
        self.assertEqual(proc.returncode, 23, "exitcode after errors")
        return text

    def test_heap_overflow(self):
        text = self.expect_one("heap-overflow", "heap-buffer-overflow",
                               r"^1 byte changed 0 bytes past the end of a 13-byte block", "main", "make_name")
        self.assertIn("heap_overflow.c:", section(text, "was allocated at:"), "file:line from debug info")
        self.assertIn("[00]", text, "the changed byte is shown in the dump")

    def test_heap_underflow(self):
        self.expect_one("heap-underflow", "heap-buffer-underflow",
                        r"^4 bytes changed 4 bytes before the start of a 16-byte block", "main", "make_table")

    def test_use_after_free(self):
        self.expect_one("use-after-free", "use-after-free", r"^4 bytes written at offset 32 of a 36-byte block",
                        None, "open_session", "close_session")

    def test_use_after_free_of_a_large_block_is_caught_as_it_happens(self):
        proc = run("use-after-free-large")
        self.assertEqual(proc.returncode, -signal.SIGSEGV, "dies of the access, as with glibc")
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(len(reports), 1, proc.stderr)
        kind, summary, text = reports[0]
        self.assertEqual(kind, "use-after-free")
        self.assertRegex(summary, r"^read 5000 bytes inside the freed 1048576-byte block at 0x[0-9a-f]+$")
        self.assertIn("found by a read of a protected page at:", text)
        self.assertIn("brightness", section(text, "found by"))
        self.assertIn("load_image", section(text, "was allocated at:"))
        self.assertIn("main", section(text, "and freed at:"))

    def test_double_free(self):
        self.expect_one("double-free", "double-free", r"the 64-byte block was already freed",
                        "release_buffer", "make_buffer", "release_buffer")

    def test_heap_corruption(self):
        self.expect_one("heap-corruption", "heap-corruption", r"the header of the slot at 0x[0-9a-f]+ is damaged", "main")

    def test_invalid_free(self):
        proc = run("invalid-free")
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], ["invalid-free"] * 4, proc.stderr)
        self.assertIn("points into the stack", reports[0][1])
        self.assertIn("example-invalid-free", reports[1][1])
        self.assertRegex(reports[2][1], r"it is 10 bytes inside a 100-byte block")
        self.assertRegex(reports[3][1], r"^realloc\(\) on .* it is 20 bytes inside a 100-byte block")
        self.assertIn("release", section(reports[0][2], "found by"))
        self.assertIn("realloc of an interior pointer returned NULL", proc.stdout)
        self.assertEqual(proc.returncode, 23)

    def test_alloc_dealloc_mismatch(self):
        proc = run("alloc-dealloc-mismatch")
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], ["alloc-dealloc-mismatch"] * 2, proc.stderr)
        self.assertIn("operator delete on a 24-byte block allocated by operator new []", reports[0][1])
        self.assertIn("make_widgets", section(reports[0][2], "was allocated at:"))
        self.assertIn("destroy_widgets", section(reports[0][2], "found by"))
        self.assertIn("operator delete [] on a 8-byte block allocated by malloc()", reports[1][1])
        self.assertIn("make_c_string", section(reports[1][2], "was allocated at:"))

    def expect_bad_requests(self, example, expected, env_extra=None):
        """Each (kind, summary pattern, function in the found-by stack) is reported, in order.
        The program gets what the C library gives it and goes on: its output is a plain run's."""
        proc = run(example, env_extra)
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual([r[0] for r in reports], [e[0] for e in expected], proc.stderr)
        for (kind, pattern, function), (_, summary, text) in zip(expected, reports):
            self.assertRegex(text, r"^==\d+== ERROR: debugmalloc: %s\n" % kind, "no address: none in the title")
            self.assertRegex(summary, pattern)
            self.assertIn(function, section(text, "found by"), text)
            self.assertNotIn("was allocated at:", text, "there is no block")
        plain = subprocess.run([os.path.join(ARGS.bin, "example-" + example)], capture_output=True, text=True,
                               timeout=120)
        self.assertEqual(proc.stdout, plain.stdout)
        self.assertIn("still running", proc.stdout)
        return proc

    TOP_BIT = r": the requested size has its top bit set \(a negative value passed as a size\)$"

    def test_allocation_size_too_big(self):
        proc = self.expect_bad_requests("allocation-size-too-big", [
            ("allocation-size-too-big", r"^malloc\(18446744073709551615\)" + self.TOP_BIT, "allocate_buffer"),
            ("allocation-size-too-big", r"^malloc\(18446744073709551612\)" + self.TOP_BIT, "copy_payload")])
        self.assertIn("malloc((size_t)-1): NULL, errno ENOMEM", proc.stdout)
        self.assertIn("malloc(3 - 7): NULL, errno ENOMEM", proc.stdout)
        self.assertEqual(proc.returncode, 23, "exitcode after errors")

    def test_calloc_overflow(self):
        proc = self.expect_bad_requests("calloc-overflow", [
            ("calloc-overflow",
             r"^calloc\(1099511627776, 1099511627776\): the total size, 1099511627776 \* 1099511627776, "
             r"does not fit in size_t$", "make_grid"),
            ("calloc-overflow",
             r"^reallocarray\(0x[0-9a-f]+, 4611686018427387904, 4\): the total size, 4611686018427387904 \* 4, "
             r"does not fit in size_t$", "grow_table")])
        self.assertIn("calloc(1 << 40, 1 << 40): NULL, errno ENOMEM", proc.stdout)
        self.assertIn("reallocarray(table, 1 << 62, 4): NULL, errno ENOMEM", proc.stdout)
        self.assertIn("the table still holds 42", proc.stdout)
        self.assertEqual(proc.returncode, 23, "exitcode after errors")

    def test_new_with_a_negative_size(self):
        proc = self.expect_bad_requests("new-size-too-big", [
            ("allocation-size-too-big", r"^operator new \[\]\(18446744073709551600\)" + self.TOP_BIT, "make_buffer"),
            ("allocation-size-too-big", r"^operator new \[\]\(18446744073709551600, std::nothrow\)" + self.TOP_BIT,
             "try_make_buffer")])
        self.assertIn("new char[-16]: std::bad_alloc", proc.stdout)
        self.assertIn("new (std::nothrow) char[-16]: nullptr", proc.stdout)
        self.assertEqual(proc.returncode, 23, "exitcode after errors")

    def test_requests_larger_than_memory_fail_silently(self):
        # Programs probe these on purpose: NULL and ENOMEM as with the C library, no report.
        proc = run("large-requests")
        plain = subprocess.run([os.path.join(ARGS.bin, "example-large-requests")], capture_output=True, text=True)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, plain.stdout)
        for line in ("malloc((1 << 46) + 1): NULL, ENOMEM", "malloc(1 << 62): NULL, ENOMEM",
                     "malloc(SIZE_MAX / 2): NULL, ENOMEM"):
            self.assertIn(line, proc.stdout)

    def test_suppressions_name_the_new_kinds(self):
        with tempfile.TemporaryDirectory() as d:
            supp = os.path.join(d, "bad-requests.supp")
            with open(supp, "w") as f:
                f.write("allocation-size-too-big:allocate_buffer\ncalloc-overflow:make_grid\n")
            env = {"DEBUGMALLOC_OPTIONS": "suppressions=" + supp}
            self.expect_bad_requests("allocation-size-too-big", [
                ("allocation-size-too-big", r"^malloc\(18446744073709551612\)", "copy_payload")], env)
            self.expect_bad_requests("calloc-overflow", [("calloc-overflow", r"^reallocarray\(", "grow_table")], env)
            # A rule for one kind leaves the other alone; suppressing every report leaves a clean exit.
            with open(supp, "w") as f:
                f.write("calloc-overflow:*\n")
            self.expect_bad_requests("allocation-size-too-big", [
                ("allocation-size-too-big", r"^malloc\(18446744073709551615\)", "allocate_buffer"),
                ("allocation-size-too-big", r"^malloc\(18446744073709551612\)", "copy_payload")], env)
            proc = self.expect_bad_requests("calloc-overflow", [], env)
            self.assertEqual((proc.stderr, proc.returncode), ("", 0))
            with open(supp, "w") as f:
                f.write("allocation-size-too-big:main\n")
            proc = self.expect_bad_requests("new-size-too-big", [], env)
            self.assertEqual((proc.stderr, proc.returncode), ("", 0))

    def test_clean_program_reports_nothing(self):
        plain = subprocess.run([os.path.join(ARGS.bin, "example-clean")], capture_output=True, text=True)
        # leaks=1: the threads' TLS that glibc keeps with its cached stacks must
        # be recognised (built-in suppressions), not reported.
        proc = run("clean", {"DEBUGMALLOC_OPTIONS": "check_interval=500:leaks=1"})
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, plain.stdout)


class AfterAnError(unittest.TestCase):
    def test_abort_on_error_stops_at_the_first(self):
        for env in ({"DEBUGMALLOC_OPTIONS": "abort_on_error=1"}, {"FtMallocErrorAbort": "1"}):
            proc = run("invalid-free", env)
            self.assertEqual(proc.returncode, -signal.SIGABRT, env)
            self.assertEqual(len(dmtest.readable_reports(proc.stderr)), 1, proc.stderr)

    def test_abort_on_error_stops_at_a_bad_request(self):
        for example, kind in (("allocation-size-too-big", "allocation-size-too-big"),
                              ("calloc-overflow", "calloc-overflow"),
                              ("new-size-too-big", "allocation-size-too-big")):
            proc = run(example, {"DEBUGMALLOC_OPTIONS": "abort_on_error=1"})
            self.assertEqual(proc.returncode, -signal.SIGABRT, example)
            self.assertEqual([r[0] for r in dmtest.readable_reports(proc.stderr)], [kind], proc.stderr)
            self.assertNotIn("still running", proc.stdout)

    def test_exitcode_option(self):
        self.assertEqual(run("double-free", {"DEBUGMALLOC_OPTIONS": "exitcode=0"}).returncode, 0)
        self.assertEqual(run("double-free", {"DEBUGMALLOC_OPTIONS": "exitcode=42"}).returncode, 42)

    def test_log_path_writes_a_file_per_process(self):
        with tempfile.TemporaryDirectory() as d:
            base = os.path.join(d, "log")
            proc = run("double-free", {"DEBUGMALLOC_OPTIONS": "log_path=" + base})
            self.assertEqual(proc.stderr, "")
            files = os.listdir(d)
            self.assertEqual(len(files), 1)
            self.assertRegex(files[0], r"^log\.\d+$")
            self.assertEqual(os.stat(os.path.join(d, files[0])).st_mode & 0o777, 0o600)
            with open(os.path.join(d, files[0])) as f:
                self.assertEqual(dmtest.readable_reports(f.read())[0][0], "double-free")


class Options(unittest.TestCase):
    def test_help_prints_the_table_and_runs(self):
        proc = run("clean", {"DEBUGMALLOC_OPTIONS": "help=1"})
        for name in ("quarantine_mb", "redzone", "stack_depth", "report_dir", "log_path", "exitcode", "suppressions"):
            self.assertRegex(proc.stderr, r"(?m)^  " + name + r"\s")
        self.assertEqual(proc.returncode, 0)

    def test_bad_options_get_one_line_each_and_the_program_runs(self):
        proc = run("clean", {"DEBUGMALLOC_OPTIONS": "no_such_option=1:quarantine_mb=lots:redzone=32"})
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 2, proc.stderr)
        self.assertIn("unknown option 'no_such_option'", lines[0])
        self.assertIn("'quarantine_mb'", lines[1])
        self.assertEqual(proc.returncode, 0)
        self.assertIn("clean:", proc.stdout)

    def test_bad_seed_flag(self):
        proc = run("clean", {"FtLeaks": "maybe"})
        self.assertIn("FtLeaks", proc.stderr)
        self.assertEqual(proc.returncode, 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
