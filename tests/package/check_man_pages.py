"""The man pages the build generates (docgen/): valid roff that groff and man render without a
warning, debugmalloc(1) naming every flag of the tool's own --help, debugmalloc(7) naming every
option of the library's help=1 with its default."""
import argparse
import gzip
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None


def rendered(page, width=80):
    """The page as man shows it on a terminal `width` columns wide, and what man said on stderr."""
    env = dict(dmtest.library_env(), MANWIDTH=str(width), MAN_KEEP_FORMATTING="", LC_ALL="C.UTF-8")
    proc = subprocess.run(["man", "-l", page], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"man -l {page}: status {proc.returncode}: {proc.stderr}"
    # Without a terminal man leaves no overstrikes, but be sure: drop "X\bX" bold and "_\bX" underline.
    return re.sub(r".\x08", "", proc.stdout), proc.stderr


def contains_word(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def tool_flags(args):
    """The flags that `debugmalloc ARGS --help` lists: every -x and --name of its option lines."""
    proc = subprocess.run([ARGS.tool, *args, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    flags = set()
    for line in proc.stdout.splitlines():
        m = re.match(r"  (-[^\s]+)", line)
        if m:
            flags.update(name for name in m.group(1).split(",") if name.startswith("-"))
    return flags


class ManPages(unittest.TestCase):
    PAGES = ("debugmalloc.1", "debugmalloc.7")

    def page(self, name):
        return os.path.join(ARGS.man_dir, name)

    def test_groff_finds_nothing_to_warn_about(self):
        for name in self.PAGES:
            proc = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", self.page(name)], capture_output=True,
                                  text=True, timeout=60)
            self.assertEqual((proc.returncode, proc.stderr), (0, ""), name)

    def test_man_renders_them_without_warnings(self):
        for name in self.PAGES:
            for width in (80, 120):
                text, errors = rendered(self.page(name), width)
                self.assertEqual(errors, "", f"{name} at {width} columns")
                self.assertIn("NAME", text)
                self.assertIn("debugmalloc -", text)

    def test_the_installed_pages_are_the_gzipped_pages(self):
        for name in self.PAGES:
            with open(self.page(name), "rb") as plain, gzip.open(self.page(name) + ".gz") as packed:
                self.assertEqual(plain.read(), packed.read(), name)

    def test_every_flag_of_the_tool_is_in_debugmalloc_1(self):
        text, _ = rendered(self.page("debugmalloc.1"), 200)
        for command in ([], ["run"], ["report"]):
            flags = tool_flags(command)
            self.assertGreater(len(flags), 2, f"no flags read from debugmalloc {' '.join(command)} --help")
            for flag in sorted(flags):
                self.assertTrue(contains_word(text, flag), f"{flag} (debugmalloc {' '.join(command)}) not in the page")
        for section in ("DEBUGMALLOC RUN", "DEBUGMALLOC REPORT", "Exit status", "Examples", "SEE ALSO"):
            self.assertIn(section, text)

    def test_every_option_of_the_library_is_in_debugmalloc_7_with_its_default(self):
        proc = dmtest.run(["/bin/true"], lib=ARGS.lib, options="help=1")
        rows = re.findall(r"(?m)^  (\w+)\s+(bool|uint|string)\s+(\S*)", proc.stderr + proc.stdout)
        self.assertGreater(len(rows), 20, "help=1 printed no table")
        text, _ = rendered(self.page("debugmalloc.7"), 200)
        for name, kind, default in rows:
            shown = {"true": "1", "false": "0"}.get(default, default) if kind == "bool" else default.strip('"')
            entry = f"{name}={kind} (default: {shown or 'empty'})"
            self.assertTrue(entry in text, f"{entry} not in debugmalloc(7)")
        for variable in ("DEBUGMALLOC_OPTIONS", "FtLeaks", "FtMallocErrorAbort", "FtMallocScribble", "LD_PRELOAD"):
            self.assertTrue(contains_word(text, variable), variable)
        for section in ("EXIT STATUS", "FILES", "ENVIRONMENT", "OPTIONS"):
            self.assertIn(section, text)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for option in ("--man-dir", "--tool", "--lib"):
        parser.add_argument(option, required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
