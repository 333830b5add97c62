"""What the Python test drivers share: running a program under libdebugmalloc.so, and reading
the report files it leaves."""
import glob
import json
import os
import re
import subprocess
import time

# Variables that steer the library or the listener: a driver sets them itself, never inherits them.
_LIBRARY_VARIABLES = ("LD_PRELOAD", "DEBUGMALLOC_OPTIONS", "DEBUGMALLOC_GTEST")


def library_env(lib=None, options=None, env_extra=None):
    """This process's environment without the library's variables; then LD_PRELOAD=lib and
    DEBUGMALLOC_OPTIONS=options where given, then env_extra."""
    env = {k: v for k, v in os.environ.items() if k not in _LIBRARY_VARIABLES}
    if lib:
        env["LD_PRELOAD"] = lib
    if options is not None:
        env["DEBUGMALLOC_OPTIONS"] = options
    env.update(env_extra or {})
    return env


def run(cmd, lib=None, options=None, env_extra=None, timeout=120, **kwargs):
    """Runs cmd (text output captured) under the library when lib is given; the result also
    carries .elapsed, the wall time in seconds."""
    start = time.monotonic()
    proc = subprocess.run(cmd, env=library_env(lib, options, env_extra), capture_output=True, text=True,
                          timeout=timeout, **kwargs)
    proc.elapsed = time.monotonic() - start
    return proc


def read_reports(directory):
    """Every report file in directory, sorted by name: [(file name, [records])]."""
    reports = []
    for path in sorted(glob.glob(os.path.join(directory, "*"))):
        with open(path) as f:
            reports.append((os.path.basename(path), [json.loads(line) for line in f]))
    return reports


def readable_reports(stderr):
    """The error reports of a readable log, in order: [(kind, summary line, whole text)]."""
    reports = []
    for block in re.split(r"(?m)^(?===\d+== ERROR: debugmalloc: )", stderr):
        # Bad allocation requests have no address: their first line is only the kind.
        m = re.match(r"==\d+== ERROR: debugmalloc: (\S+)(?: on 0x[0-9a-f]+)?\n==\d+== (.*)\n", block)
        if m:
            reports.append((m.group(1), m.group(2), block))
    return reports
