#!/usr/bin/env python3
"""The library never calls the C library functions it checks through its own interposers.

libdebugmalloc.so exports memcpy, strlen, snprintf, read, ... (entry/libc_*.cpp), which
check their ranges. Its own calls of them (the allocator's fills of guards and freed
blocks, the copies the compiler emits) must go to the C library unchecked: they are
linked to __wrap_<name> (-Wl,--wrap in libdebugmalloc/CMakeLists.txt). A call through
the library's PLT to one of these names means one was left out of that list.

Usage: check_self_calls.py LIBRARY
Exit status: 0 none, 1 some (each named), 2 usage.
"""

import re
import subprocess
import sys

# The interposed functions of the range checks (libdebugmalloc/exports.map).
CHECKED = {
    "memcpy", "memmove", "mempcpy", "memset", "memcmp", "bcmp", "memchr", "strcpy", "stpcpy", "strncpy",
    "stpncpy", "strcat", "strncat", "strlen", "strnlen", "strcmp", "strncmp", "strchr", "strrchr", "strdup",
    "strndup", "wcslen", "wcscpy", "read", "pread", "pread64", "recv", "fread", "fgets", "getline", "realpath",
    "sprintf", "vsprintf", "snprintf", "vsnprintf",
}


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", sys.argv[1]], check=True, capture_output=True,
                         text=True).stdout
    called = {}
    function = None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            function = m.group(1)
            continue
        m = re.search(r"\b(?:call|jmp)\s+[0-9a-f]+ <([\w.]+)@plt>", line)
        if m and m.group(1) in CHECKED:
            called.setdefault(m.group(1), set()).add(function)
    for name, callers in sorted(called.items()):
        print("the library calls its own %s (from %s): add it to DM_LIBC_WRAPPED" % (name, ", ".join(sorted(callers))),
              file=sys.stderr)
    if called:
        return 1
    print("no call of a checked C library function goes through the library's own interposers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
