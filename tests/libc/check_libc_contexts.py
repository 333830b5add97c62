#!/usr/bin/env python3
"""The interposed C library functions where programs call them from unusual
places (tests/libc/libc_contexts.c): a vfork child, signal handlers, threads, a
library's constructor before libdebugmalloc's own start-up and under dlopen,
memory that is not the heap. The program computes what it computes without the
library, and the library reports only the bad calls."""
import argparse
import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None
BASE_OPTIONS = "guard_pages=off:check_libc=1"  # check_libc=1 is the default; said all the same


class Contexts(unittest.TestCase):
    def same_as_plain(self, cmd, env_extra=None, options=""):
        plain = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               env=dmtest.library_env(env_extra=env_extra))
        proc = dmtest.run(cmd, lib=ARGS.lib, options=":".join(o for o in (BASE_OPTIONS, options) if o),
                          env_extra=env_extra)
        self.assertEqual(proc.stdout, plain.stdout, proc.stderr)
        return proc

    def clean(self, cmd, options=""):
        proc = self.same_as_plain(cmd, options=options)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        return proc

    def test_vfork_child(self):
        self.assertIn("child exit 0", self.clean([ARGS.contexts, "vfork"]).stdout)

    def test_signal_handlers_interrupting_the_allocator(self):
        self.assertIn("signals: all handled", self.clean([ARGS.contexts, "signals"]).stdout)

    def test_a_bad_call_in_a_signal_handler(self):
        # The handler's first 5 runs write one byte too many. Each is reported (like every error,
        # once per distinct stack: the interrupted code differs), the run goes on.
        proc = dmtest.run([ARGS.contexts, "signals-overflow"], lib=ARGS.lib, options=BASE_OPTIONS, timeout=300)
        self.assertIn("signals: all handled", proc.stdout)
        reports = [r for r in dmtest.readable_reports(proc.stderr) if r[1].startswith("memcpy()")]
        self.assertGreaterEqual(len(reports), 1, proc.stderr)
        self.assertLessEqual(len(reports), 5, proc.stderr)
        for kind, message, text in reports:
            self.assertEqual(kind, "heap-buffer-overflow")
            self.assertRegex(message, r"^memcpy\(\) writes 65 bytes .* 1 byte past the end of a 64-byte block")
            self.assertRegex(text, r"found by memcpy\(\) at:\n==\d+==     #0 .* in on_alarm ")
        self.assertEqual(proc.returncode, 23)

    def test_threads(self):
        self.clean([ARGS.contexts, "threads"])

    def test_memory_that_is_not_a_heap_block_and_blocks_of_every_kind(self):
        self.clean([ARGS.contexts, "foreign"])

    def test_a_constructor_that_runs_before_the_library_starts(self):
        self.assertIn("early: plugin-16/", self.clean([ARGS.early]).stdout)

    def test_a_bad_call_before_the_library_starts_is_reported(self):
        proc = self.same_as_plain([ARGS.early], env_extra={"LIBC_PLUGIN_OVERFLOW": "1"})
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(reports[0][0], "heap-buffer-overflow", proc.stderr)
        self.assertRegex(reports[0][1], r"^memcpy\(\) writes 19 bytes .* 3 bytes past the end of a 16-byte block")
        self.assertIn("overflow_in_constructor", reports[0][2])

    def test_a_constructor_under_dlopen(self):
        self.assertIn("dlopen: plugin-16/", self.clean([ARGS.contexts, "dlopen", ARGS.plugin]).stdout)
        proc = self.same_as_plain([ARGS.contexts, "dlopen", ARGS.plugin], env_extra={"LIBC_PLUGIN_OVERFLOW": "1"})
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(reports[0][0], "heap-buffer-overflow", proc.stderr)
        self.assertIn("overflow_in_constructor", reports[0][2])
        self.assertIn("dlopen", reports[0][2], "the stack goes through dlopen")

    def test_a_large_block(self):
        proc = dmtest.run([ARGS.contexts, "large-overflow"], lib=ARGS.lib, options=BASE_OPTIONS)
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(reports[0][0], "heap-buffer-overflow", proc.stderr)
        self.assertRegex(reports[0][1],
                         r"^memcmp\(\) reads 1048577 bytes .* 1 byte past the end of a 1048576-byte block")
        # Reported before the call. A large block ends against an inaccessible page (page guards):
        # the C library's memcmp then faults on it, and that is reported too.
        self.assertIn(proc.returncode, (23, -signal.SIGSEGV))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--contexts", required=True)
    parser.add_argument("--early", required=True)
    parser.add_argument("--plugin", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
