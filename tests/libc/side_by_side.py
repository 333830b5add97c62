"""docs/libc-checks.md's table: which bad calls of the examples/libc_*.c programs each tool reports: ASan's runtime
preloaded (no instrumentation), Valgrind memcheck, debugmalloc. A call counts as caught
when a report's first frame in the example's own source is the function making it (for debugmalloc,
whose optimised fortified frames carry the inline wrapper's name, the function reported).

  python3 tests/libc/side_by_side.py [BIN_DIR [LIBDEBUGMALLOC]]     (Valgrind and gcc's libasan needed)"""
import json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "bin")
LIB = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "build", "lib", "libdebugmalloc.so")
ASAN = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()

sys.path.insert(0, HERE)
sys.argv = sys.argv[:1]
import check_libc_examples as ex  # noqa: E402

CASES = [("libc-memory", ex.MEMORY), ("libc-strings", ex.STRINGS), ("libc-format", ex.FORMAT),
         ("libc-input", ex.INPUT), ("libc-fortified", ex.FORTIFIED),
         ("libc-overlap", [("memcpy-param-overlap", None, "memcpy()", 1, "drop_first", None, None),
                           ("memcpy-param-overlap", None, "strcpy()", None, "quote", None, None)])]
OWN = re.compile(r"/examples/libc_\w+\.c")


def asan(example):
    env = dict(os.environ, LD_PRELOAD=ASAN, ASAN_OPTIONS="halt_on_error=0:detect_leaks=0:verify_asan_link_order=0")
    out = subprocess.run([os.path.join(BIN, "example-" + example)], env=env, capture_output=True, text=True,
                         timeout=120).stderr
    found = {}
    for block in re.split(r"(?m)^(?===\d+==ERROR: AddressSanitizer: )", out)[1:]:
        kind = re.match(r"==\d+==ERROR: AddressSanitizer: (\S+)", block).group(1)
        for m in re.finditer(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+)", block):
            if OWN.search(m.group(2)):
                found.setdefault(m.group(1), kind)
                break
    return found


def memcheck(example):
    out = subprocess.run(["valgrind", "--tool=memcheck", "--error-limit=no", "--num-callers=12",
                          os.path.join(BIN, "example-" + example)], capture_output=True, text=True, timeout=300).stderr
    found = {}
    for block in re.split(r"(?m)^==\d+== (?=(?:Invalid |Source and destination|Syscall param))", out)[1:]:
        kind = block.splitlines()[0].strip()
        for m in re.finditer(r"(?:at|by) 0x[0-9A-F]+: (\S+) \(([^)]*)\)", block):
            if OWN.search("/examples/" + m.group(2).split(":")[0]) and m.group(2).startswith("libc_"):
                found.setdefault(m.group(1), kind)
                break
    return found


def debugmalloc(example):
    proc, errors = None, []
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, LD_PRELOAD=LIB, DEBUGMALLOC_OPTIONS="guard_pages=off:report_dir=" + d)
        subprocess.run([os.path.join(BIN, "example-" + example)], env=env, capture_output=True, text=True, timeout=120)
        found = {}
        for name in os.listdir(d):
            stacks = {}
            for line in open(os.path.join(d, name)):
                r = json.loads(line)
                if r["t"] == "stack":
                    stacks[r["id"]] = r["frames"]
                elif r["t"] == "error" and ("access" in r or r["kind"] == "memcpy-param-overlap"):
                    found.setdefault("api:" + r["api"], r["kind"] + (" (%s)" % r["access"] if "access" in r else ""))
                    for f in stacks.get(r["stack"], []):
                        if f.get("file") and OWN.search(f["file"]):
                            found.setdefault(f["function"], r["kind"] + (" (%s)" % r["access"] if "access" in r else ""))
                            break
        return found


rows = []
for example, expected in CASES:
    a, v, d = asan(example), memcheck(example), debugmalloc(example)
    for kind, access, api, offset, fn, *_ in expected:
        rows.append((example, "%s in %s" % (api, fn), kind + (" (%s)" % access if access else ""),
                     a.get(fn, "—"), v.get(fn, "—"), d.get(fn) or d.get("api:" + api, "—")))
print("| example | call | the bug | ASan (runtime preloaded) | Valgrind memcheck | debugmalloc |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| %s |" % " | ".join(r))
