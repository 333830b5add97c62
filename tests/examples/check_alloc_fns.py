#!/usr/bin/env python3
"""Allocation wrappers (alloc_fns, --alloc-fns) end to end. example-leak-through-wrapper
allocates everything through xmalloc (a built-in wrapper), directly or through its own
my_xzalloc and my_xstrdup: the library's SUMMARY lines and the tool's groups, chart and
locations name the callers with alloc_fns=my_x*, the wrappers without; the stacks keep every
frame; `report` honours the alloc_fns of the processes it reads; `run` passes --alloc-fns
to the library. And a real program: g++, whose cc1plus allocates through libiberty's
xmalloc and xcalloc, has no x* function among its top allocation sites in the HTML chart."""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

from check_examples import section  # noqa: E402

ARGS = None
EXAMPLE = "example-leak-through-wrapper"
XMALLOC_FAMILY = re.compile(r"^x(malloc|calloc|realloc|strdup|strndup|memdup)\b")


def example():
    return os.path.join(ARGS.bin, EXAMPLE)


def run_example(options):
    return dmtest.run([example()], lib=ARGS.lib, options="leaks=1:" + options if options else "leaks=1")


def tool(*args, env=None, timeout=120):
    return subprocess.run([ARGS.tool, *args], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else dmtest.library_env())


def summaries(stderr):
    """The library's SUMMARY lines, without the pid prefix."""
    return re.findall(r"(?m)^==\d+== SUMMARY: (.*)$", stderr)


def leak_sites(stderr):
    """The functions the library's leak SUMMARY lines name, sorted."""
    return sorted(re.match(r".* allocated in (\S+)", s).group(1) for s in summaries(stderr) if " leak of " in s)


def chart_labels(page):
    """The site labels of the HTML page's leak chart, largest first."""
    start = page.find('<svg id="leak-chart"')
    if start < 0:
        return []
    chart = page[start:page.index("</svg>", start)]
    return [html.unescape(label) for label in re.findall(r'text-anchor="end">([^<]*)</text>', chart)]


def functions(stack):
    return [frame["function"] for frame in stack]


class TheLibraryNamesTheCaller(unittest.TestCase):
    def test_built_in_wrappers_only(self):
        proc = run_example("")
        self.assertEqual(leak_sites(proc.stderr), ["make_record", "my_xstrdup", "my_xzalloc"], proc.stderr)
        self.assertIn("SUMMARY: heap-buffer-overflow in main (leak_through_wrapper.c:", proc.stderr)
        self.assertRegex(proc.stderr, r"on a block allocated in my_xstrdup \(leak_through_wrapper\.c:\d+\)")

    def test_the_programs_wrappers_added(self):
        proc = run_example("alloc_fns=my_x*")
        self.assertEqual(leak_sites(proc.stderr), ["copy_name", "make_record", "make_record"], proc.stderr)
        self.assertRegex(proc.stderr, r"on a block allocated in make_label \(leak_through_wrapper\.c:\d+\)")
        # The stacks still show every wrapper.
        reports = dmtest.readable_reports(proc.stderr)
        self.assertEqual(len(reports), 1, proc.stderr)
        alloc = section(reports[0][2], "was allocated at:")
        for fn in ("xmalloc", "my_xstrdup", "make_label", "main"):
            self.assertIn(" in %s " % fn, alloc)

    def test_only_the_leading_wrappers_are_skipped(self):
        # my_xstrdup is not one here: it names its leak, and the overflowed block.
        proc = run_example("alloc_fns=my_xzalloc")
        self.assertEqual(leak_sites(proc.stderr), ["make_record", "make_record", "my_xstrdup"], proc.stderr)

    def test_a_dash_drops_the_built_ins(self):
        proc = run_example("alloc_fns=-")
        self.assertEqual(leak_sites(proc.stderr), ["xmalloc"] * 3, proc.stderr)
        proc = run_example("alloc_fns=-,xmalloc,my_xzalloc")
        self.assertEqual(leak_sites(proc.stderr), ["make_record", "make_record", "my_xstrdup"], proc.stderr)


class TheToolNamesAndGroupsByTheCaller(unittest.TestCase):
    def run_tool(self, *args, fmt="json"):
        proc = tool("run", *args, "--format", fmt, "--output", "-", "--", example())
        self.assertEqual(proc.returncode, 23, proc.stderr)
        return proc.stdout

    def test_one_call_site_through_two_wrappers_is_one_group(self):
        report = json.loads(self.run_tool("--alloc-fns", "my_x*"))
        leaks = sorted((leak["bytes"], leak["blocks"], functions(leak["stack"])[:3]) for leak in report["leaks"])
        self.assertEqual(leaks, [(7, 1, ["xmalloc", "my_xstrdup", "copy_name"]),
                                 (64, 2, ["xmalloc", "make_record", "forget_records"])])
        # Without the program's wrappers, the record through my_xzalloc is a group of its own.
        report = json.loads(self.run_tool())
        self.assertEqual(sorted((leak["bytes"], leak["blocks"]) for leak in report["leaks"]),
                         [(7, 1), (32, 1), (32, 1)])

    def test_html_chart_and_headlines(self):
        page = self.run_tool("--alloc-fns", "my_x*", fmt="html")
        labels = chart_labels(page)
        self.assertEqual([label.split(" ")[0] for label in labels], ["make_record", "copy_name"], labels)
        self.assertIn("allocated in make_record (leak_through_wrapper.c:", page)
        page = self.run_tool("--alloc-fns", "-", fmt="html")
        self.assertEqual({label.split(" ")[0] for label in chart_labels(page)}, {"xmalloc"})

    def test_text_snippet_and_sarif_location(self):
        text = self.run_tool("--alloc-fns", "my_x*", "--color", "never", fmt="text")
        self.assertIn("source of copy_name at ", text)
        self.assertIn("#0 0x", text)
        self.assertRegex(text, r"in xmalloc .*leak_through_wrapper\.c:\d+")  # still in the stack
        sarif = json.loads(self.run_tool("--alloc-fns", "my_x*", fmt="sarif"))
        messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
        self.assertTrue(any(m.endswith("allocated in copy_name (leak_through_wrapper.c:40)") for m in messages),
                        messages)
        names = [loc["logicalLocations"][0]["fullyQualifiedName"]
                 for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("leak") for loc in r["locations"]]
        self.assertEqual(sorted(names), ["copy_name", "make_record"])

    def test_report_honours_the_processes_option(self):
        with tempfile.TemporaryDirectory() as d:
            proc = dmtest.run([example()], lib=ARGS.lib, options="leaks=1:alloc_fns=my_x*:report_dir=" + d)
            self.assertEqual(proc.returncode, 23, proc.stderr)
            merged = json.loads(tool("report", d, "--format", "json").stdout)
            self.assertEqual(len(merged["leaks"]), 2)
            # The command line's "-" drops the built-ins: xmalloc, above every stack, names them all.
            out = tool("report", d, "--format", "junit", "--alloc-fns", "-").stdout
            self.assertEqual(len(re.findall(r'name="definite leak in xmalloc \(leak_through_wrapper\.c:17\)"', out)), 3,
                             out)

    def test_run_passes_the_globs_to_the_library(self):
        with tempfile.TemporaryDirectory() as d:
            # ':' cannot travel in DEBUGMALLOC_OPTIONS: the library gets '?' in its place.
            proc = tool("run", "--report-dir", d, "--alloc-fns", "my_x*,ns::alloc", "--format", "json", "--output",
                        os.devnull, "--", example())
            self.assertEqual(proc.returncode, 23, proc.stderr)
            self.assertEqual(leak_sites(proc.stderr), ["copy_name", "make_record", "make_record"], proc.stderr)
            records = [r for _, rs in dmtest.read_reports(d) for r in rs if r.get("t") == "process"]
            self.assertEqual(len(records), 1)
            self.assertIn("alloc_fns=my_x*,ns??alloc", records[0]["options"])

    def test_a_missing_value_is_refused(self):
        proc = tool("report", "--alloc-fns")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--alloc-fns", proc.stderr)


class RealProgram(unittest.TestCase):
    """g++ under the tool: cc1plus allocates through libiberty's xmalloc, xcalloc, xrealloc."""

    def test_gxx_top_sites_are_not_the_x_functions(self):
        gxx = shutil.which("g++")
        if gxx is None:
            self.skipTest("g++ is not installed")
        with tempfile.TemporaryDirectory() as d:
            source = os.path.join(d, "small.cpp")
            with open(source, "w") as f:
                f.write("#include <map>\n#include <string>\n"
                        "int main() { std::map<std::string, int> m{{\"a\", 1}}; return m.size() == 1 ? 0 : 1; }\n")
            reports = os.path.join(d, "reports")
            proc = tool("run", "--report-dir", reports, "--leak-kinds", "all", "--exitcode", "0", "--output",
                        os.path.join(d, "run.txt"), "--", gxx, "-c", source, "-o", os.path.join(d, "small.o"),
                        timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
            page = tool("report", reports, "--format", "html").stdout
            raw = tool("report", reports, "--format", "html", "--alloc-fns", "-").stdout
            named, unnamed = chart_labels(page), chart_labels(raw)
            # The check can fail: without the built-ins, xmalloc and kin lead the chart.
            self.assertTrue(any(XMALLOC_FAMILY.match(label) for label in unnamed), unnamed)
            self.assertTrue(named, page[:2000])
            self.assertFalse([label for label in named if XMALLOC_FAMILY.match(label)], named)
            self.assertFalse(re.search(r"allocated in x(malloc|calloc|realloc) ", page))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tool", required=True)
    ARGS, rest = parser.parse_known_args()
    sys.modules["check_examples"].ARGS = ARGS
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
