#!/usr/bin/env python3
"""One run, one truth: the leak summary the library prints at exit, its report file, and
`debugmalloc report --format text|json` of that file give the same totals by kind and the
same suppressed count, for every leak_kinds setting, with a suppressions file that hides
one leak group (example-leak-kinds: one leak of every kind, plus keep_forever's to hide).

Totals by kind leave the suppressed groups out (they count on the suppressed line only).
Suppressions are matched against the listed kinds' groups only, so a kind that is not
listed counts every block of its kind, and is marked so everywhere."""
import argparse
import glob
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

ARGS = None
KINDS = ["definite", "indirect", "possible", "reachable"]
PHRASES = {"definitely lost": "definite", "indirectly lost": "indirect", "possibly lost": "possible",
           "still reachable": "reachable"}
NOT_LISTED = "(not listed: see leak_kinds)"

# The example's own groups: kind -> (function at the top of the allocation stack, bytes, blocks).
USER_GROUPS = {"definite": ("lose_table", 48, 1), "indirect": ("make_row", 256, 4),
               "possible": ("open_cursor", 200, 1), "reachable": ("load_settings", 512, 1)}
SUPPRESSED_FUNCTION, SUPPRESSED_BYTES = "keep_forever", 100

# Every value leak_kinds accepts: unset (the default), "all", and every list of kinds
# (one out of order: the order does not matter).
SETTINGS = [None, "all"] + [",".join(c) for n in range(1, 5) for c in itertools.combinations(KINDS, n)] + \
           ["reachable,definite"]


def listed_kinds(setting):
    if setting is None:
        return ["definite", "indirect"]
    if setting == "all":
        return list(KINDS)
    return [k for k in KINDS if k in setting.split(",")]


class Run:
    """One run of example-leak-kinds and everything said about it."""

    def __init__(self, setting):
        self.setting = setting
        with tempfile.TemporaryDirectory() as d:
            supp = os.path.join(d, "keep.supp")
            with open(supp, "w") as f:
                f.write("# deliberate: allocated once, kept for the life of the process\nleak:%s\n" % SUPPRESSED_FUNCTION)
            reports = os.path.join(d, "reports")
            options = "leaks=1:report_dir=%s:suppressions=%s" % (reports, supp)
            if setting is not None:
                options += ":leak_kinds=" + setting
            env = dict(os.environ, LD_PRELOAD=ARGS.lib, DEBUGMALLOC_OPTIONS=options)
            proc = subprocess.run([os.path.join(ARGS.bin, "example-leak-kinds")], env=env,
                                  capture_output=True, text=True, timeout=120)
            self.returncode, self.stderr = proc.returncode, proc.stderr
            [path] = glob.glob(os.path.join(reports, "*.report"))
            with open(path) as f:
                self.records = [json.loads(line) for line in f]
            tool = os.path.join(ARGS.bin, "debugmalloc")
            self.text = subprocess.run([tool, "report", "--format", "text", "--color", "never", reports],
                                       capture_output=True, text=True, timeout=60).stdout
            self.json = json.loads(subprocess.run([tool, "report", "--format", "json", reports],
                                                  capture_output=True, text=True, timeout=60).stdout)


def library_summary(stderr):
    """The LEAK SUMMARY on stderr: ({kind: (bytes, blocks)}, not-listed kinds, (suppressed bytes, blocks))."""
    lines = stderr.splitlines()
    heads = [i for i, line in enumerate(lines) if re.fullmatch(r"==\d+== LEAK SUMMARY:", line)]
    assert len(heads) == 1, stderr
    totals, not_listed, suppressed = {}, [], (0, 0)
    for line in lines[heads[0] + 1:]:
        m = re.fullmatch(r"==\d+== +(definitely lost|indirectly lost|possibly lost|still reachable): "
                         r"(\d+) bytes in (\d+) blocks( \(not listed: see leak_kinds\))?", line)
        if m:
            kind = PHRASES[m.group(1)]
            totals[kind] = (int(m.group(2)), int(m.group(3)))
            if m.group(4):
                not_listed.append(kind)
            continue
        m = re.fullmatch(r"==\d+== +suppressed: (\d+) bytes in (\d+) blocks", line)
        if m:
            suppressed = (int(m.group(1)), int(m.group(2)))
    assert sorted(totals) == sorted(KINDS), stderr
    return totals, not_listed, suppressed


def tool_text_summary(text):
    """The SUMMARY table of `debugmalloc report --format text`: the same three things.
    A kind without a row has nothing known of it but 0."""
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if line == "SUMMARY (debugmalloc)"]
    assert len(heads) == 1, text
    totals, not_listed, suppressed = {k: (0, 0) for k in KINDS}, [], (0, 0)
    for line in lines[heads[0] + 1:]:
        assert "not collected" not in line, text
        m = re.fullmatch(r"    (definitely lost|indirectly lost|possibly lost|still reachable) +(\d+) +(\d+)"
                         r"(  \(not listed: see leak_kinds\))?", line)
        if m:
            kind = PHRASES[m.group(1)]
            totals[kind] = (int(m.group(2)), int(m.group(3)))
            if m.group(4):
                not_listed.append(kind)
            continue
        m = re.fullmatch(r"  suppressed +\d+ errors?, (\d+) bytes? in (\d+) leaked blocks?", line)
        if m:
            suppressed = (int(m.group(1)), int(m.group(2)))
    return totals, not_listed, suppressed


def record_groups(records):
    """The report file's leak records: [(kind, bytes, blocks, top function)]."""
    stacks = {r["id"]: r for r in records if r["t"] == "stack"}
    out = []
    for r in records:
        if r["t"] == "leak":
            frames = stacks[r["stack"]]["frames"] if r["stack"] is not None else []
            out.append((r["kind"], r["bytes"], r["blocks"], frames[0]["function"] if frames else None))
    return out


def json_groups(report):
    return [(g["kind"], g["bytes"], g["blocks"], g["stack"][0]["function"] if g["stack"] else None)
            for g in report["leaks"]]


def sums(groups, kind):
    return (sum(g[1] for g in groups if g[0] == kind), sum(g[2] for g in groups if g[0] == kind))


class OneTruth(unittest.TestCase):
    RUNS = None

    @classmethod
    def setUpClass(cls):
        cls.RUNS = {setting: Run(setting) for setting in SETTINGS}

    def runs(self):
        """(setting, run, listed kinds, kinds not listed) of every setting."""
        return [(setting, run, listed_kinds(setting), [k for k in KINDS if k not in listed_kinds(setting)])
                for setting, run in self.RUNS.items()]

    def test_every_output_gives_the_same_totals(self):
        for setting, run, listed, unlisted in self.runs():
            with self.subTest(leak_kinds=setting):
                self.same_totals(run, listed, unlisted)

    def same_totals(self, run, listed, unlisted):
        end = run.records[-1]
        self.assertEqual(end["t"], "end")
        self.assertTrue(end["leak_check"])
        [supp_record] = [r for r in run.records if r["t"] == "suppressed"]
        summary = run.json["summary"]

        lib_totals, lib_not_listed, lib_suppressed = library_summary(run.stderr)
        text_totals, text_not_listed, text_suppressed = tool_text_summary(run.text)
        # Bytes first: they are in every output; blocks in the report file and the JSON.
        for kind in KINDS:
            want = lib_totals[kind]
            self.assertEqual(text_totals[kind], want, "tool text vs library summary, " + kind)
            self.assertEqual(summary["leaked_bytes"][kind], want[0], "tool json vs library summary, " + kind)
            self.assertEqual(end["leaked_bytes"][kind], want[0], "report file vs library summary, " + kind)
            self.assertEqual(summary.get("leaked_blocks", {}).get(kind), want[1], "tool json blocks, " + kind)
            self.assertEqual(end.get("leaked_blocks", {}).get(kind), want[1], "report file blocks, " + kind)
        self.assertEqual(text_suppressed, lib_suppressed, run.text)
        self.assertEqual((supp_record["leak_bytes"], supp_record["leak_blocks"]), lib_suppressed)
        self.assertEqual((summary["suppressed"]["leak_bytes"], summary["suppressed"]["leak_blocks"]), lib_suppressed)

        self.assertEqual(lib_not_listed, unlisted, run.stderr)
        self.assertEqual(text_not_listed, [k for k in unlisted if lib_totals[k][1] != 0], run.text)
        self.assertEqual(summary.get("leak_kinds_not_listed"), unlisted)
        self.assertEqual(end.get("leak_kinds"), listed)

    def test_listed_totals_are_the_listed_groups_and_leave_the_suppressed_out(self):
        for setting, run, listed, unlisted in self.runs():
            with self.subTest(leak_kinds=setting):
                self.listed_groups(run, listed, unlisted)

    def listed_groups(self, run, listed, unlisted):
        end = run.records[-1]
        in_file, in_json = record_groups(run.records), json_groups(run.json)
        for kind in listed:
            total = (end["leaked_bytes"][kind], end.get("leaked_blocks", {}).get(kind))
            self.assertEqual(sums(in_file, kind), total, "report file groups, " + kind)
            self.assertEqual(sums(in_json, kind), total, "json groups, " + kind)
            function, nbytes, blocks = USER_GROUPS[kind]
            self.assertIn((kind, nbytes, blocks, function), in_json)
        for kind in unlisted:
            self.assertEqual(sums(in_file, kind), (0, 0), "no groups of a kind not listed: " + kind)
            self.assertEqual(sums(in_json, kind), (0, 0), "no groups of a kind not listed: " + kind)
        self.assertNotIn(SUPPRESSED_FUNCTION, [g[3] for g in in_file + in_json])
        suppressed = run.json["summary"]["suppressed"]
        if "definite" in listed:
            self.assertGreaterEqual((suppressed["leak_bytes"], suppressed["leak_blocks"]), (SUPPRESSED_BYTES, 1))
        self.assertEqual(run.returncode, 23 if {"definite", "indirect"} & set(listed) else 0, run.stderr)

    def test_settings_only_choose_what_is_listed(self):
        # Every block is counted once, on its kind's line or the suppressed line, whatever is listed.
        everything = set()
        listed_total = {k: set() for k in KINDS}
        unlisted_total = {k: set() for k in KINDS}
        for _, run, listed, unlisted in self.runs():
            end = run.records[-1]
            supp = run.json["summary"]["suppressed"]
            by_kind = {k: (end["leaked_bytes"][k], end.get("leaked_blocks", {}).get(k, 0)) for k in KINDS}
            everything.add((sum(b for b, _ in by_kind.values()) + supp["leak_bytes"],
                            sum(n for _, n in by_kind.values()) + supp["leak_blocks"]))
            for k in KINDS:
                (listed_total if k in listed else unlisted_total)[k].add(by_kind[k])
        self.assertEqual(len(everything), 1, everything)
        for k in KINDS:
            self.assertEqual(len(listed_total[k]), 1, (k, listed_total[k]))
            self.assertEqual(len(unlisted_total[k]), 1, (k, unlisted_total[k]))
        # Not listed, a kind is not matched against suppressions: keep_forever's block is in it.
        [(listed_bytes, listed_blocks)] = listed_total["definite"]
        [(unlisted_bytes, unlisted_blocks)] = unlisted_total["definite"]
        self.assertEqual((unlisted_bytes - listed_bytes, unlisted_blocks - listed_blocks), (SUPPRESSED_BYTES, 1))


class NothingInvented(unittest.TestCase):
    """What the tool cannot know it says so: never a 0 in place of an unknown total."""

    def reports_of(self, d, options):
        env = dict(os.environ, LD_PRELOAD=ARGS.lib, DEBUGMALLOC_OPTIONS="report_dir=%s:%s" % (d, options))
        subprocess.run([os.path.join(ARGS.bin, "example-leak-kinds")], env=env, capture_output=True, timeout=120)
        self.assertEqual(len(glob.glob(os.path.join(d, "*.report"))), 1)

    def tool(self, *args):
        return subprocess.run([os.path.join(ARGS.bin, "debugmalloc"), "report", "--color", "never", *args],
                              capture_output=True, text=True, timeout=60).stdout

    def test_leaks_not_checked_are_not_collected(self):
        with tempfile.TemporaryDirectory() as d:
            self.reports_of(d, "leaks=0")
            with open(glob.glob(os.path.join(d, "*.report"))[0]) as f:
                end = [json.loads(line) for line in f][-1]
            self.assertFalse(end["leak_check"])
            self.assertIsNone(end["leaked_bytes"])
            text = self.tool("--format", "text", d)
            self.assertIn("  leaks              not collected (no process checked leaks at exit)\n", text)
            summary = json.loads(self.tool("--format", "json", d))["summary"]
            self.assertEqual(summary["leaked_bytes"], {k: None for k in KINDS})
            self.assertEqual(summary["leaked_blocks"], {k: None for k in KINDS})
            self.assertIn("no heap errors (leaks not collected)", self.tool("--format", "junit", d))
            self.assertIn("Leaks not collected", self.tool("--format", "html", d))
            notes = json.loads(self.tool("--format", "sarif", d))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            self.assertIn("leaks were not collected", notes[0]["message"]["text"])

    def test_a_kind_not_listed_cannot_be_compared_with_a_baseline(self):
        with tempfile.TemporaryDirectory() as d:
            self.reports_of(d, "leaks=1")
            summary = json.loads(self.tool("--format", "json", "--diff", d, d))["summary"]
            self.assertEqual(summary["leaked_bytes"], {"definite": 0, "indirect": 0, "possible": None, "reachable": None})
            self.assertEqual(summary["leak_kinds_not_listed"], ["possible", "reachable"])
            text = self.tool("--format", "text", "--diff", d, d)
            self.assertRegex(text, r"\n    possibly lost +\? +\?  \(not listed: see leak_kinds\)\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
