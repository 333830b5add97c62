#!/usr/bin/env python3
"""The leak scan under libdebugmalloc.so, on the leak_* example programs: what
its roots are (every readable, writable mapping; excluded blocks; registered
regions; the program's registers where it entered the tool), how lost cycles
are classified whatever their order in memory, that it survives threads on
tiny stacks and memory the program made inaccessible, and LeakSanitizer's
interface. Each case asserts exact counts from the library's LEAK SUMMARY and
the report file, that the program's stdout and exit status are its own, and,
where Valgrind's memcheck is right, that it agrees with Valgrind."""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

import check_leaks
from check_leaks import leaks_in, run

ARGS = None
KINDS = ("definite", "indirect", "possible", "reachable")
SUMMARY_LINE = re.compile(r"^==\d+== +(definitely lost|indirectly lost|possibly lost|still reachable): "
                          r"([\d,]+) bytes in ([\d,]+) blocks", re.M)
PHRASE = {"definitely lost": "definite", "indirectly lost": "indirect", "possibly lost": "possible",
          "still reachable": "reachable"}
INACCESSIBLE = "in memory the program made inaccessible"


def summaries(stderr):
    """Every LEAK SUMMARY of a log (Valgrind's or the library's), in order: [{kind: (bytes, blocks)}]."""
    out = []
    for phrase, nbytes, blocks in SUMMARY_LINE.findall(stderr):
        if phrase == "definitely lost":
            out.append({})
        out[-1][PHRASE[phrase]] = (int(nbytes.replace(",", "")), int(blocks.replace(",", "")))
    return out


def example(name):
    return os.path.join(ARGS.bin, "example-" + name)


def case_env(case):
    return {"LEAK_CASE": case} if case is not None else {}


_plain = {}


def plain(name, case=None):
    """The example without the library (cached): its stdout and exit status are the reference."""
    key = (name, case)
    if key not in _plain:
        env = dict(os.environ, **case_env(case))
        env.pop("LD_PRELOAD", None)
        env.pop("DEBUGMALLOC_OPTIONS", None)
        _plain[key] = subprocess.run([example(name)], env=env, capture_output=True, text=True, timeout=60)
    return _plain[key]


def valgrind(name, case=None):
    """The example under Valgrind's memcheck: (its LEAK SUMMARY, its log), or (None, None) without Valgrind."""
    if shutil.which("valgrind") is None:
        return None, None
    env = dict(os.environ, **case_env(case))
    env.pop("LD_PRELOAD", None)
    proc = subprocess.run(["valgrind", "--leak-check=full", "--show-leak-kinds=all", example(name)], env=env,
                          capture_output=True, text=True, timeout=120)
    found = summaries(proc.stderr)
    if not found:  # "All heap blocks were freed -- no leaks are possible"
        assert "no leaks are possible" in proc.stderr, proc.stderr
        return {kind: (0, 0) for kind in KINDS}, proc.stderr
    return found[-1], proc.stderr


class Scan:
    """One run under the library (check_leaks.run): the process, its report file's records, its summaries."""

    def __init__(self, name, case=None, options="leak_kinds=all:exitcode=0", env=None):
        self.name, self.case = name, case
        started = time.monotonic()
        self.proc, reports = run(name, options, dict(case_env(case), **(env or {})))
        self.seconds = time.monotonic() - started
        self.records = [r for _, records in reports for r in records]
        self.summaries = summaries(self.proc.stderr)

    @property
    def last(self):
        """The summary of the check at exit."""
        return self.summaries[-1]

    def groups(self, function):
        """(kind, bytes, blocks) of the report file's leak groups allocated by `function` (the top frame)."""
        return sorted((kind, nbytes, blocks) for kind, nbytes, blocks, _, _, fns in leaks_in(self.records)
                      if fns[:1] == [function])

    def end(self):
        [end] = [r for r in self.records if r["t"] == "end"]
        return end


class LeakScanCase(unittest.TestCase):
    maxDiff = None

    def assertLost(self, scan, definite, indirect=(0, 0), possible=(0, 0)):
        """The check at exit found exactly these (bytes, blocks), in the log and in the report file."""
        self.assertTrue(scan.summaries, scan.proc.stderr)
        got = {k: scan.last[k] for k in ("definite", "indirect", "possible")}
        self.assertEqual(got, {"definite": definite, "indirect": indirect, "possible": possible}, scan.proc.stderr)
        leaked = scan.end()["leaked_bytes"]
        self.assertEqual((leaked["definite"], leaked["indirect"], leaked["possible"]),
                         (definite[0], indirect[0], possible[0]))

    def assertOwnOutput(self, scan, status=None):
        """The program's stdout is what it is without the library, and so is its exit status (or `status`)."""
        reference = plain(scan.name, scan.case)
        self.assertEqual(reference.returncode, 0, "the program itself succeeds: " + reference.stderr)
        self.assertEqual(scan.proc.stdout, reference.stdout)
        self.assertEqual(scan.proc.returncode, reference.returncode if status is None else status, scan.proc.stderr)
        self.assertNotIn("ERROR: debugmalloc", scan.proc.stderr)


class Roots(LeakScanCase):
    """Every readable, writable mapping is a root, as in Valgrind; unreadable pages are not."""

    def test_a_pointer_in_an_anonymous_mapping_keeps_its_block(self):
        scan = Scan("leak-mmap-pool")
        self.assertOwnOutput(scan)
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("make_pooled"), [("reachable", 200, 1)])
        vg, _ = valgrind("leak-mmap-pool")
        if vg is not None:
            self.assertEqual((vg["definite"], vg["reachable"]), ((0, 0), (200, 1)), "Valgrind agrees")

    def test_a_pointer_in_a_huge_untouched_reservation_keeps_its_block_and_the_scan_is_fast(self):
        scan = Scan("leak-huge-mapping")
        self.assertOwnOutput(scan)
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("make_reserved"), [("reachable", 300, 1)])
        self.assertLess(scan.seconds, 5.0, "a 64 GiB reservation is read only where it is resident")

    def test_a_pointer_only_in_a_prot_none_page_does_not_count(self):
        scan = Scan("leak-protnone-page")
        self.assertOwnOutput(scan)
        self.assertLost(scan, definite=(160, 1))
        self.assertEqual(scan.groups("make_hidden"), [("definite", 160, 1)])
        self.assertEqual(scan.groups("make_kept"), [("reachable", 96, 1)], "the readable page of the same mapping")
        vg, _ = valgrind("leak-protnone-page")
        if vg is not None:
            self.assertEqual((vg["definite"], vg["reachable"]), ((160, 1), (96, 1)), "Valgrind agrees")

    def test_the_dynamic_loaders_allocations_are_not_leaks(self):
        scan = Scan("leak-dlopen-loop")
        self.assertOwnOutput(scan)
        self.assertIn("loaded 50 times; missing library: not loaded; /nonexistent/", scan.proc.stdout)
        self.assertLost(scan, definite=(0, 0))
        vg, _ = valgrind("leak-dlopen-loop")
        if vg is not None:
            self.assertEqual([vg[k] for k in ("definite", "indirect", "possible")], [(0, 0)] * 3, "Valgrind agrees")


class SharedGranule(LeakScanCase):
    """A large block's mapping ends inside a 64 KiB granule and a page mapped right after it, in the
    same granule, holds the only pointer to a 72-byte block (examples/scan_shared_granule.c): the scan
    skips the large block's mapping, not the rest of the granule, so that block is still reachable."""
    SIZES = (200000, 300000, 400000)  # none a whole number of granules with its redzone and guard page
    PLACED = re.compile(r"^size (\d+): the large block's mapping ends at 0x([0-9a-f]+); "
                        r"page mapped at 0x([0-9a-f]+)\n$")

    def test_a_pointer_in_the_rest_of_a_large_blocks_last_granule_keeps_its_block(self):
        skipped = []
        for size in self.SIZES:
            scan = Scan("scan-shared-granule", str(size))
            self.assertEqual(scan.proc.returncode, 0, scan.proc.stderr)
            self.assertNotIn("ERROR: debugmalloc", scan.proc.stderr)
            # The mapping ended on a granule boundary, or the address after it was taken: another size.
            if scan.proc.stdout.startswith("SKIP: "):
                skipped.append(scan.proc.stdout.strip())
                continue
            placed = self.PLACED.match(scan.proc.stdout)
            self.assertIsNotNone(placed, scan.proc.stdout)
            end, page = int(placed.group(2), 16), int(placed.group(3), 16)
            self.assertEqual(page, end, "the page is right after the large block's mapping")
            self.assertNotEqual(end % 65536, 0, "that mapping does not end on a granule boundary")
            self.assertEqual(page // 65536, (end - 1) // 65536, "the page shares the mapping's last granule")
            self.assertLost(scan, definite=(0, 0))
            self.assertEqual(scan.groups("make_held_next_door"), [("reachable", 72, 1)])
            return
        self.fail("no size placed a page in a large block's last granule: " + "; ".join(skipped))


class FiberStacks(LeakScanCase):
    """4 threads spinning on 2, 4 or 16 KiB stacks (malloc'd or mmap'd above a guard page) while the
    main thread leaks 77 bytes: the threads are stopped for the scan without overflowing those stacks."""
    RUNS = 5

    def test_threads_on_tiny_stacks_survive_the_scan(self):
        cases = [f"{size} {alloc} {end}" for size in (2048, 4096, 16384) for alloc in ("malloc", "mmap")
                 for end in ("exit", "check")]
        # symbolize=0: the stacks are not looked at here, and the runs are many.
        jobs = [case for case in cases for _ in range(self.RUNS)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            scans = list(pool.map(lambda case: Scan("leak-fiber-stacks", case, "exitcode=0:symbolize=0"), jobs))
        failures = []
        for scan in scans:
            checks = 2 if scan.case.endswith("check") else 1
            try:
                self.assertOwnOutput(scan)
                self.assertEqual(len(scan.summaries), checks, scan.proc.stderr)
                for s in scan.summaries:
                    self.assertEqual(s["definite"], (77, 1), scan.proc.stderr)
                    self.assertEqual(s["indirect"], (0, 0), scan.proc.stderr)
                if checks == 2:
                    self.assertIn("debugmalloc_leak_check() returned 77\n", scan.proc.stderr)
                self.assertEqual(scan.end()["leaked_bytes"]["definite"], 77)
            except AssertionError as e:
                failures.append(f"LEAK_CASE='{scan.case}': exit status {scan.proc.returncode}: {str(e)[:300]}")
        self.assertEqual(failures, [], f"{len(failures)} of {len(scans)} runs failed")


class InaccessibleHeap(LeakScanCase):
    """A page of a 24, 1000, 20000 and 300000-byte block made PROT_NONE or unmapped by the program."""

    def check(self, case):
        scan = Scan("leak-mprotect-heap", case, "", {"FtLeaks": "1"})
        self.assertOwnOutput(scan, status=23)  # 23: the real 40-byte leak
        self.assertLost(scan, definite=(40, 1))
        self.assertEqual(scan.groups("leak_forty"), [("definite", 40, 1)])
        lines = [line for line in scan.proc.stderr.splitlines() if INACCESSIBLE in line]
        self.assertEqual(len(lines), 2, scan.proc.stderr)
        self.assertRegex(lines[0], r"^debugmalloc: the heap check at exit did not read \d+ blocks? " + INACCESSIBLE)
        self.assertRegex(lines[1], r"^debugmalloc: the leak check did not read \d+ blocks? " + INACCESSIBLE)

    def test_pages_made_prot_none(self):
        self.check("mprotect")

    def test_pages_unmapped(self):
        self.check("munmap")


class LostCycles(LeakScanCase):
    """Rings of three 16-byte nodes: one definite block per group of rings that no other lost block
    points to, all the rest indirect, whatever the addresses (Valgrind's clique order gets some of
    these wrong: the total lost is compared with it, not the split)."""

    def check(self, case, groups, indirect_per_group, definite_per_group=1):
        scan = Scan("leak-cycles", case)
        self.assertOwnOutput(scan)
        self.assertEqual(scan.proc.stdout, f"{case}: {groups} groups of rings lost\n")
        definite = groups * definite_per_group
        indirect = groups * indirect_per_group
        self.assertLost(scan, definite=(16 * definite, definite), indirect=(16 * indirect, indirect))
        return scan

    def test_a_pair_of_rings_the_higher_pointing_into_the_lower(self):
        self.check("pair", 1, 5)

    def test_18_pairs_every_node_to_every_node_both_address_orders(self):
        self.check("pairs", 18, 5)
        vg, _ = valgrind("leak-cycles", "pairs")
        if vg is not None:
            lost = (vg["definite"][0] + vg["indirect"][0], vg["definite"][1] + vg["indirect"][1])
            self.assertEqual(lost, (16 * 108, 108), "Valgrind loses as many blocks (it splits them differently)")

    def test_chains_of_rings(self):
        self.check("chain", 24, 8)  # A -> B -> C in 8 layouts x 3 landing nodes

    def test_rings_of_rings(self):
        # A -> B -> C -> A (24 groups: 1 definite, 8 indirect), and D -> A with A -> B -> C -> A
        # (78 groups: 1 definite, 11 indirect).
        scan = Scan("leak-cycles", "ring_of_rings")
        self.assertOwnOutput(scan)
        self.assertEqual(scan.proc.stdout, "ring_of_rings: 102 groups of rings lost\n")
        self.assertLost(scan, definite=(16 * 102, 102), indirect=(16 * (24 * 8 + 78 * 11), 24 * 8 + 78 * 11))

    def test_two_rings_into_one(self):
        self.check("two_into_one", 24, 7, definite_per_group=2)  # A -> C and B -> C: A and B definite


class ExcludedBlocksAreRoots(LeakScanCase):
    """root (64 bytes) -> 2 children (32 bytes) -> 1 grandchild (48 bytes); the root excluded."""

    def check(self, name, case, root_function):
        scan = Scan(name, case)
        self.assertOwnOutput(scan)
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups(root_function), [], "the excluded block itself is never listed")
        self.assertEqual(scan.groups("make_child"), [("reachable", 64, 2)])
        self.assertEqual(scan.groups("make_grandchild"), [("reachable", 48, 1)])

    def test_debugmalloc_ignore_object(self):
        self.check("leak-excluded-roots", "ignore", "make_root")

    def test_debugmalloc_disable_leaks(self):
        self.check("leak-excluded-roots", "disable", "make_root")

    def test_lsan_ignore_object(self):
        self.check("leak-lsan-interface", "ignore", "make_root")

    def test_lsan_disable(self):
        self.check("leak-lsan-interface", "disable", "make_root")


class ScanStartsWhereTheToolWasEntered(LeakScanCase):
    def test_on_demand_dead_frames_are_not_roots_and_the_callers_registers_are(self):
        scan = Scan("leak-stale-stack")
        self.assertOwnOutput(scan)
        self.assertIn("debugmalloc_leak_check() returned 1337\n", scan.proc.stderr)
        self.assertEqual(len(scan.summaries), 2, scan.proc.stderr)
        self.assertEqual(scan.summaries[0]["definite"], (1337, 1),
                         "the copies snprintf and fprintf left below main are dead; the block in r13 is not lost")
        self.assertLost(scan, definite=(1337, 1))
        # The 128-byte block was only in r13 during the check, then stored in a global.
        self.assertEqual(scan.groups("make_kept_in_register"), [("reachable", 128, 1)])
        self.assertNotIn("definite leak: 128 bytes", scan.proc.stderr)

    def test_at_exit_a_callee_saved_register_of_exits_caller_is_a_root(self):
        scan = Scan("leak-exit-register")
        self.assertOwnOutput(scan)
        # Only an interior pointer (block + 8) in r13 across exit(): possibly lost, as Valgrind says.
        self.assertLost(scan, definite=(0, 0), possible=(120, 1))
        self.assertEqual(scan.groups("make_kept_in_register"), [("possible", 120, 1)])
        vg, _ = valgrind("leak-exit-register")
        if vg is not None:
            self.assertEqual((vg["definite"], vg["possible"]), ((0, 0), (120, 1)), "Valgrind agrees")


class PastTheEnd(LeakScanCase):
    def test_new_of_an_empty_array_is_kept_a_pointer_past_a_malloc_block_is_not(self):
        scan = Scan("leak-new-array-zero")
        self.assertOwnOutput(scan)
        self.assertLost(scan, definite=(8, 1))
        self.assertEqual(scan.groups("make_past_the_end()"), [("definite", 8, 1)])
        self.assertEqual(scan.groups("make_empty_array()"), [("reachable", 8, 1)], "LeakSanitizer's new T[0] rule")
        _, log = valgrind("leak-new-array-zero")
        if log is not None:  # Valgrind has no new T[0] rule: only the malloc(8) block is compared
            self.assertRegex(log, r"8 bytes in 1 blocks are definitely lost in loss record \d+ of \d+\n"
                                  r"==\d+== +at 0x[0-9A-F]+: malloc .*\n==\d+== +by 0x[0-9A-F]+: make_past_the_end\(\)")


class RootRegions(LeakScanCase):
    """Block A (64 bytes) is lost and holds the only pointer to block B (48 bytes); part of A is a root region."""

    def check(self, name, case, registered):
        scan = Scan(name, case)
        self.assertOwnOutput(scan)
        if registered:
            self.assertLost(scan, definite=(64, 1))
            self.assertEqual(scan.groups("make_entry"), [("reachable", 48, 1)])
        else:
            self.assertLost(scan, definite=(64, 1), indirect=(48, 1))
            self.assertEqual(scan.groups("make_entry"), [("indirect", 48, 1)])
        self.assertEqual(scan.groups("make_table_with_root_region"), [("definite", 64, 1)])
        return scan

    def test_debugmalloc_register_root_region(self):
        self.check("leak-root-region", "keep", True)

    def assertRegisteredThenNot(self, scan):
        """The check while the region was registered found only A; the one at exit A and B."""
        self.assertEqual(len(scan.summaries), 2, scan.proc.stderr)
        self.assertEqual((scan.summaries[0]["definite"], scan.summaries[0]["indirect"]), ((64, 1), (0, 0)))

    def test_debugmalloc_unregister_root_region(self):
        scan = self.check("leak-root-region", "unregister", False)
        self.assertRegisteredThenNot(scan)
        self.assertIn("debugmalloc_leak_check() while registered returned 64\n", scan.proc.stderr)
        self.assertIn("debugmalloc_unregister_root_region() returned 1\n", scan.proc.stderr)

    def test_lsan_register_root_region(self):
        self.check("leak-lsan-interface", "root_region", True)

    def test_lsan_unregister_root_region(self):
        scan = self.check("leak-lsan-interface", "unregister", False)
        self.assertRegisteredThenNot(scan)
        self.assertIn("__lsan_do_recoverable_leak_check() while registered: 1\n", scan.proc.stderr)


class LeakSanitizerChecks(LeakScanCase):
    def test_recoverable_leak_check(self):
        scan = Scan("leak-lsan-interface", "recoverable")
        self.assertOwnOutput(scan)
        self.assertIn("__lsan_do_recoverable_leak_check() before the leak: 0\n", scan.proc.stderr)
        self.assertIn("__lsan_do_recoverable_leak_check() after the leak: 1\n", scan.proc.stderr)
        self.assertLost(scan, definite=(91, 1))

    def test_do_leak_check_with_a_leak_ends_the_process(self):
        scan = Scan("leak-lsan-interface", "check_leak", "leak_kinds=all")
        reference = plain(scan.name, scan.case)
        self.assertEqual(reference.returncode, 0)
        before, after = reference.stdout.split("after __lsan_do_leak_check\n")
        self.assertEqual(after, "done\n")
        self.assertEqual(scan.proc.stdout, before, "stdout up to the call, flushed; nothing after it runs")
        self.assertEqual(scan.proc.returncode, 23)
        self.assertEqual(len(scan.summaries), 1, scan.proc.stderr)
        self.assertLost(scan, definite=(93, 1))

    def test_do_leak_check_without_a_leak_returns_and_the_check_at_exit_does_not_run(self):
        scan = Scan("leak-lsan-interface", "check_clean", "leak_kinds=all")  # exitcode 23 if it ran again
        self.assertOwnOutput(scan, status=0)
        self.assertEqual(len(scan.summaries), 1, scan.proc.stderr)
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("leak_block"), [], "the block leaked after the check is not checked")


SCAN_STATISTICS = re.compile(r"^debugmalloc: leak scan: (\d+) blocks in [\d.]+ ms \(cpu [\d.]+ ms\); tagged pointers (on|off): "
                             r"(\d+) blocks reached only through them, (\d+) more made reachable by them; "
                             r"held by the kernel: (\d+) epoll data, (\d+) timer values$", re.M)


def scan_statistics(scan):
    """The verbosity=1 line of the check at exit: (tagged on, tag-only blocks, epoll data, timer values)."""
    found = SCAN_STATISTICS.findall(scan.proc.stderr)
    assert found, scan.proc.stderr
    _, tagged, tag_only, _, epoll, timers = found[-1]
    return tagged == "on", int(tag_only), int(epoll), int(timers)


class TaggedPointers(LeakScanCase):
    """Boost.Lockfree keeps an ABA tag in the top 16 bits of its pointers (examples/leak_lockfree.cpp):
    a queue and a stack with 500 items (48 bytes, make_item) queued in each at exit, 1201 nodes
    (allocate_node) behind tagged words only. Valgrind and LeakSanitizer call them lost."""
    NODES, ITEMS = 1201, 1000
    NODE_FUNCTION = "allocate_node(unsigned long, unsigned long)"

    def scan(self, case, options=""):
        if not os.path.exists(example("leak-lockfree")):
            self.skipTest("example-leak-lockfree was not built: no Boost headers (libboost-dev)")
        scan = Scan("leak-lockfree", case, "leak_kinds=all:exitcode=0:verbosity=1" + options)
        self.assertOwnOutput(scan)
        self.assertEqual(scan.proc.stdout, f"{case}: 500 items queued in each, 1201 nodes live, popped ids sum 59900\n")
        return scan

    def blocks(self, scan, function, kinds):
        return sum(blocks for kind, _, blocks in scan.groups(function) if kind in kinds)

    def items(self, scan):
        """{kind: (bytes, blocks)} of the items (two groups: pushed onto the queue, onto the stack)."""
        out = {}
        for kind, nbytes, blocks in scan.groups("make_item(int)"):
            b, n = out.get(kind, (0, 0))
            out[kind] = (b + nbytes, n + blocks)
        return out

    def test_a_global_queue_and_stack_keep_their_nodes_and_items(self):
        scan = self.scan("global")
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(self.items(scan), {"reachable": (48 * self.ITEMS, self.ITEMS)})
        self.assertEqual(self.blocks(scan, self.NODE_FUNCTION, ("reachable",)), self.NODES)
        self.assertEqual(self.blocks(scan, self.NODE_FUNCTION, ("definite", "indirect", "possible")), 0)

    def test_with_tagged_pointers_0_they_are_lost_again_and_the_counter_says_how_many(self):
        on, off = self.scan("global"), self.scan("global", ":tagged_pointers=0")
        lost = off.last["definite"][1] + off.last["indirect"][1]
        self.assertGreater(off.last["definite"][1], 0, off.proc.stderr)
        self.assertEqual(self.blocks(off, "make_item(int)", ("reachable",)), 0, "no item is reachable without tags")
        self.assertEqual(on.last["reachable"][1] - off.last["reachable"][1], lost, "all of them, and only them")
        self.assertEqual(scan_statistics(on)[:2], (True, lost), "the scan counts the blocks only a tag kept")
        self.assertEqual(scan_statistics(off)[:2], (False, 0))

    def test_a_lost_queue_and_stack_lose_their_nodes_and_items(self):
        # The tag is the only thing between these blocks and a real leak: it must keep nothing by itself.
        scan = self.scan("lost")
        self.assertEqual(scan.last["definite"][1], 2, "the queue and the stack objects")
        self.assertEqual(scan.last["indirect"][1], self.NODES + self.ITEMS, "what hangs from them, tags followed")
        self.assertEqual(scan.last["possible"], (0, 0))
        self.assertEqual(self.items(scan), {"indirect": (48 * self.ITEMS, self.ITEMS)})
        self.assertEqual(self.blocks(scan, self.NODE_FUNCTION, ("indirect",)), self.NODES)
        self.assertEqual(scan.groups("make_lost_structures()")[0][0], "definite")


class SignalStacks(LeakScanCase):
    """A 40960-byte signal stack malloc'd by the program (examples/leak_sigaltstack.c): the kernel holds
    its only pointer while it is installed."""

    def scan(self, case):
        scan = Scan("leak-sigaltstack", case)
        self.assertOwnOutput(scan)
        self.assertNotIn("did not stop", scan.proc.stderr)
        self.assertIn(" before: disabled; handler on the new stack: yes\n", scan.proc.stdout,
                      "the tool's own signal stack is not shown to the program")
        return scan

    def test_installed_on_the_main_thread_it_is_still_reachable(self):
        scan = self.scan("main")
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("make_signal_stack"), [("reachable", 40960, 1)])

    def test_installed_on_a_thread_stopped_for_the_check_it_is_still_reachable(self):
        scan = self.scan("thread")
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("make_signal_stack"), [("reachable", 40960, 1)])

    def test_a_stack_replaced_by_another_is_lost(self):
        scan = self.scan("replaced")
        self.assertLost(scan, definite=(40960, 1))
        self.assertEqual(scan.groups("make_signal_stack"), [("definite", 40960, 1), ("reachable", 40960, 1)])

    def test_disabled_and_freed_the_thread_still_stops_and_nothing_leaks(self):
        scan = self.scan("disabled")
        self.assertIn("disabled: now disabled\n", scan.proc.stdout)
        self.assertLost(scan, definite=(0, 0))
        self.assertEqual(scan.groups("make_signal_stack"), [])


class KernelHeldPointers(LeakScanCase):
    """A 204-byte connection object whose only pointer the kernel holds (examples/leak_epoll.c): an epoll
    registration's data.ptr, or a POSIX timer's sigev_value. Reachable while registered, lost after."""

    def scan(self, case, held=None):
        scan = Scan("leak-epoll", case, "leak_kinds=all:exitcode=0:verbosity=1")
        self.assertOwnOutput(scan)
        if held is not None:
            self.assertEqual(scan_statistics(scan)[2:], held, "(epoll data, timer values) held at exit")
        return scan

    def assertConnection(self, scan, kind):
        self.assertEqual(scan.groups("make_connection"), [(kind, 204, 1)])
        if kind == "reachable":
            self.assertLost(scan, definite=(0, 0))
        else:
            self.assertLost(scan, definite=(204, 1))

    def test_registered_with_epoll_it_is_still_reachable(self):
        scan = self.scan("registered", (1, 0))
        self.assertEqual(scan.proc.stdout, "registered: epoll_wait gave back the connection: yes\n")
        self.assertConnection(scan, "reachable")

    def test_once_the_registration_is_gone_it_is_lost(self):
        for case in ("deleted", "closed", "epoll_closed", "dup2", "close_range"):
            with self.subTest(case=case):
                scan = self.scan(case, (0, 0))
                self.assertEqual(scan.proc.stdout, f"{case}: epoll_wait gave back the connection: yes\n")
                self.assertConnection(scan, "definite")

    def test_a_vfork_child_closing_the_descriptors_drops_nothing_of_the_parents(self):
        scan = self.scan("vfork", (1, 0))
        self.assertEqual(scan.proc.stdout, "vfork: epoll_wait gave back the connection: yes\n")
        self.assertConnection(scan, "reachable")

    def test_epoll_ctl_mod_replaces_the_value(self):
        scan = self.scan("modified", (1, 0))
        self.assertConnection(scan, "definite")
        self.assertEqual(scan.groups("make_other"), [("reachable", 96, 1)])

    def test_one_descriptor_in_two_epoll_instances(self):
        scan = self.scan("two_loops", (1, 0))
        self.assertConnection(scan, "definite")
        self.assertEqual(scan.groups("make_other"), [("reachable", 96, 1)])

    def test_a_timers_sigev_value_until_timer_delete(self):
        scan = self.scan("timer", (0, 1))
        self.assertEqual(scan.proc.stdout, "timer: the signal carried the connection\n")
        self.assertConnection(scan, "reachable")
        self.assertConnection(self.scan("timer_deleted", (0, 0)), "definite")

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    ARGS, rest = parser.parse_known_args()
    check_leaks.ARGS = ARGS  # its run() reads the library and the programs' directory from there
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
