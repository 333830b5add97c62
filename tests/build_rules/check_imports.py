#!/usr/bin/env python3
"""The preloaded library imports only what it is allowed to.

libdebugmalloc.so runs inside every program, before and during everything: it
may call the C library (glibc), libunwind, and the few C++ ABI entry points
listed below (operator new's std::bad_alloc, the new-handler, static-guard and
exception plumbing, the demangler). Anything else it imports means some STL or
other library code crept into the library's own paths.

Usage: check_imports.py LIBRARY
Exit status: 0 allowed, 1 something else is imported (each named), 2 usage.
"""

import re
import subprocess
import sys

ALLOWED_CXX = {
    "_ZNSt9bad_allocD1Ev", "_ZTISt9bad_alloc", "_ZTVSt9bad_alloc", "_ZSt15get_new_handlerv",
    "__cxa_allocate_exception", "__cxa_throw", "__cxa_begin_catch", "__cxa_end_catch",
    "__cxa_guard_acquire", "__cxa_guard_release", "__cxa_demangle", "__gxx_personality_v0",
}
# Weak hooks every shared object mentions (transactional memory, profiling).
ALLOWED_WEAK = {"_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable", "__gmon_start__", "__cxa_finalize"}
LIBUNWIND = re.compile(r"^(_U(L)?x86_64_\w+|unw_\w+)$")


def undefined_symbols(library):
    out = subprocess.run(["nm", "-D", "--undefined-only", library], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if fields:
            yield fields[-1]


def allowed(symbol):
    name, _, version = symbol.partition("@")
    if version.startswith("GLIBC_"):
        return True
    if name in ALLOWED_CXX and (version.startswith("GLIBCXX_") or version.startswith("CXXABI_")):
        return True
    return (not version and (name in ALLOWED_WEAK or LIBUNWIND.match(name) is not None))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    bad = sorted(s for s in undefined_symbols(sys.argv[1]) if not allowed(s))
    for symbol in bad:
        demangled = subprocess.run(["c++filt", symbol.partition("@")[0]], capture_output=True, text=True).stdout.strip()
        print("not allowed: %s (%s)" % (symbol, demangled), file=sys.stderr)
    if bad:
        print("%d imported symbols outside glibc, libunwind and the listed C++ ABI entry points" % len(bad),
              file=sys.stderr)
        return 1
    print("imports: glibc, libunwind and the listed C++ ABI entry points only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
