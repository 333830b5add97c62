"""The Debian package (`make deb`: cpack -G DEB) made from this build, unpacked with `dpkg -x` into
a scratch root (no root rights, nothing on the machine changed) and used from there: the control
fields and Depends, the installed tool running a buggy example under the installed library, the
man pages, pkg-config, find_package(debugmalloc) and the Python package."""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import dmtest  # noqa: E402

ARGS = None
DEB = None  # the package file
ROOT = None  # where it is unpacked


def check(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)}: status {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def in_root(*parts):
    return os.path.join(ROOT, "usr", *parts)


def installed_library():
    return os.path.realpath(in_root(ARGS.libdir, "libdebugmalloc.so"))


def inside_root(path):
    return os.path.realpath(path).startswith(os.path.realpath(ROOT) + os.sep)


def control_field(name):
    return check(["dpkg-deb", "-f", DEB, name]).stdout.strip()


def package_of(library):
    """The Debian package that ships `library` (a path ldd printed), or None."""
    candidates = [library, os.path.realpath(library)]
    for path in list(candidates):  # merged /usr: /lib/x -> /usr/lib/x and back
        candidates.append(path[4:] if path.startswith("/usr/") else "/usr" + path)
    for path in candidates:
        proc = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":")[0].strip()
    return None


class Package(unittest.TestCase):
    def test_control_fields(self):
        self.assertEqual(control_field("Package"), "debugmalloc")
        self.assertEqual(control_field("Version"), ARGS.version)
        self.assertEqual(control_field("Section"), "devel")
        self.assertRegex(control_field("Maintainer"), r".+ <.+@.+>")
        self.assertIn("python3", control_field("Recommends"))
        self.assertTrue(control_field("Description"))
        depends = control_field("Depends")
        self.assertIn(" Depends: " + depends, check(["dpkg", "-I", DEB]).stdout)
        for package in ("libc6", "libunwind8", "libdw1", "libstdc++6"):
            self.assertTrue(re.search(r"(^|, )" + re.escape(package) + r"\b", depends), f"{package} not in {depends}")

    def test_depends_covers_every_library_the_binaries_link(self):
        depends = {d.strip().split(" ")[0] for d in control_field("Depends").split(",")}
        for binary in (in_root("bin", "debugmalloc"), in_root(ARGS.libdir, "libdebugmalloc.so")):
            ldd = check(["ldd", binary]).stdout
            self.assertNotIn("not found", ldd, binary)
            where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
            where.update((os.path.basename(p), p) for p in re.findall(r"^\s*(/\S+) \(0x", ldd, re.M))  # the loader
            # What the binary itself names (its libraries' own needs are their packages' Depends).
            needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", check(["readelf", "-d", binary]).stdout)
            self.assertTrue(needed, binary)
            for name in needed:
                self.assertIn(name, where, f"{binary} needs {name}; ldd did not find it")
                package = package_of(where[name])
                self.assertIsNotNone(package, f"no package ships {where[name]}")
                package = package.split(":")[0]  # libfoo:amd64
                self.assertIn(package, depends, f"{binary} needs {name} from {package}, not in Depends")

    def test_layout(self):
        expected = [
            in_root("bin", "debugmalloc"),
            in_root(ARGS.libdir, "libdebugmalloc.so"),
            in_root(ARGS.libdir, "pkgconfig", "debugmalloc.pc"),
            in_root(ARGS.libdir, "cmake", "debugmalloc", "debugmalloc-config.cmake"),
            in_root("include", "debugmalloc", "debugmalloc.h"),
            in_root("share", "man", "man1", "debugmalloc.1.gz"),
            in_root("share", "man", "man7", "debugmalloc.7.gz"),
        ]
        for path in expected:
            self.assertTrue(os.path.isfile(path), path)
        self.assertTrue(os.access(in_root("bin", "debugmalloc"), os.X_OK))

    def test_installed_tool_runs_a_buggy_program_under_the_installed_library(self):
        example = os.path.join(ARGS.bin, "example-heap-overflow")
        report = os.path.join(ARGS.out, "run.json")
        # The shell prints the LD_PRELOAD the tool gave it, then becomes the example.
        script = 'echo "preload=$LD_PRELOAD"; exec "$0"'
        proc = dmtest.run([in_root("bin", "debugmalloc"), "run", "--format", "json", "-o", report, "--", "sh", "-c",
                           script, example], timeout=120)
        self.assertEqual(proc.returncode, 23, proc.stderr)  # the documented --exitcode default
        preload = re.search(r"^preload=([^:\n]+)", proc.stdout, re.M)
        self.assertIsNotNone(preload, proc.stdout)
        self.assertTrue(inside_root(preload.group(1)), f"the tool preloaded {preload.group(1)}, not {ROOT}'s")
        self.assertEqual(os.path.realpath(preload.group(1)), installed_library())
        self.assertIn("heap-buffer-overflow", proc.stderr)
        with open(report) as f:
            errors = json.load(f)["errors"]
        self.assertEqual([e["kind"] for e in errors], ["heap-buffer-overflow"])
        # The package's binaries are stripped; the program's frames are still named.
        self.assertIn("main", [frame["function"] for frame in errors[0]["stack"]])

    def test_the_tool_looks_first_where_the_build_installs_the_library(self):
        # A copy of the tool with no library beside it: the paths it names are the ones it tried.
        moved = os.path.join(ARGS.out, "moved")
        os.makedirs(os.path.join(moved, "bin"), exist_ok=True)
        shutil.copy(in_root("bin", "debugmalloc"), os.path.join(moved, "bin"))
        proc = dmtest.run([os.path.join(moved, "bin", "debugmalloc"), "run", "--", "true"])
        self.assertEqual(proc.returncode, 2, proc.stderr)
        tried = re.search(r"looked at (\S+)", proc.stderr)
        self.assertIsNotNone(tried, proc.stderr)
        self.assertEqual(tried.group(1), os.path.join(moved, ARGS.libdir, "libdebugmalloc.so"))

    def test_installed_tool_without_a_bug_keeps_the_program_status(self):
        proc = dmtest.run([in_root("bin", "debugmalloc"), "run", "--", os.path.join(ARGS.bin, "example-clean")],
                          timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_installed_man_pages_render(self):
        for section in ("1", "7"):
            page = in_root("share", "man", "man" + section, f"debugmalloc.{section}.gz")
            env = dict(dmtest.library_env(), MANWIDTH="80", LC_ALL="C.UTF-8")
            proc = subprocess.run(["man", "-l", page], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual((proc.returncode, proc.stderr), (0, ""), page)
            self.assertIn(f"DEBUGMALLOC({section})", proc.stdout)

    def pkg_config(self, *args):
        return check(["pkg-config", "--with-path=" + in_root(ARGS.libdir, "pkgconfig"), *args, "debugmalloc"])

    def test_pkg_config_gives_the_preload_path_and_the_header(self):
        preload = self.pkg_config("--variable=preload").stdout.strip()
        self.assertTrue(os.path.isfile(preload), preload)
        self.assertTrue(inside_root(preload), preload)
        self.assertEqual(self.pkg_config("--modversion").stdout.strip(), ARGS.version)
        cflags = self.pkg_config("--cflags").stdout.split()
        include_dirs = [flag[2:] for flag in cflags if flag.startswith("-I")]
        self.assertTrue(any(os.path.isfile(os.path.join(d, "debugmalloc", "debugmalloc.h")) for d in include_dirs),
                        cflags)
        self.assertEqual(self.pkg_config("--libs").stdout.strip(), "")  # the API is weak: no library to link

        # A program built with those flags alone runs with and without the library.
        source = os.path.join(ARGS.out, "api.c")
        program = os.path.join(ARGS.out, "api")
        with open(source, "w") as f:
            f.write('#include <debugmalloc/debugmalloc.h>\n#include <stdio.h>\n'
                    'int main(void) { printf("running=%d\\n", debugmalloc_running()); return 0; }\n')
        check(["cc", *cflags, source, "-o", program])
        self.assertEqual(dmtest.run([program]).stdout, "running=0\n")
        self.assertEqual(dmtest.run([program], lib=preload).stdout, "running=1\n")

    def configure_consumer(self, name, *args):
        """Configures a project that does find_package(debugmalloc) with the root as its prefix path; returns
        what it printed: {"library": ..., "tool": ..., "gtest": "yes"/"no"}."""
        project = os.path.join(ARGS.out, "consumer")
        build = os.path.join(ARGS.out, name)
        os.makedirs(project, exist_ok=True)
        shutil.rmtree(build, ignore_errors=True)
        with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(consumer LANGUAGES CXX)\n"
                    "find_package(debugmalloc REQUIRED)\n"
                    'message(STATUS "library=${DEBUGMALLOC_LIBRARY}")\nmessage(STATUS "tool=${DEBUGMALLOC_TOOL}")\n'
                    'if(TARGET debugmalloc::gtest)\n  message(STATUS "gtest=yes")\nelse()\n'
                    '  message(STATUS "gtest=no")\nendif()\n')
        proc = check([ARGS.cmake, "-S", project, "-B", build, "-DCMAKE_PREFIX_PATH=" + in_root(), *args],
                     env=dmtest.library_env())
        return dict(re.findall(r"^-- (library|tool|gtest)=(.*)$", proc.stdout, re.M))

    def test_find_package_from_the_root(self):
        found = self.configure_consumer("consumer-build")
        self.assertEqual(os.path.realpath(found["library"]), installed_library())
        self.assertEqual(os.path.realpath(found["tool"]), os.path.realpath(in_root("bin", "debugmalloc")))
        self.assertEqual(found["gtest"], "yes")  # GoogleTest is installed where the tests run

    def test_find_package_without_googletest_still_gives_the_library_and_the_tool(self):
        found = self.configure_consumer("consumer-no-gtest-build", "-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON")
        self.assertEqual(os.path.realpath(found["library"]), installed_library())
        self.assertEqual(found["gtest"], "no")

    def test_python_package(self):
        if not os.path.isdir(os.path.join(ARGS.source, "python", "debugmalloc")):
            self.skipTest("no python/debugmalloc in the source tree")
        site = os.path.join(ROOT, ARGS.python_dir.lstrip("/") if os.path.isabs(ARGS.python_dir) else
                            os.path.join("usr", ARGS.python_dir))
        self.assertTrue(os.path.isfile(os.path.join(site, "debugmalloc", "pytest.py")), site)
        self.assertFalse(glob.glob(os.path.join(site, "debugmalloc", "__pycache__")))
        probe = "import debugmalloc; print(debugmalloc.__file__); print(debugmalloc.running())"
        proc = dmtest.run([in_root("bin", "debugmalloc"), "run", "--no-leaks", "--", sys.executable, "-c", probe],
                          env_extra={"PYTHONPATH": site}, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        where, running = proc.stdout.split()[-2:]
        self.assertTrue(inside_root(where), where)
        self.assertEqual(running, "True")


def main():
    global ARGS, DEB, ROOT
    parser = argparse.ArgumentParser()
    for option in ("--build", "--cpack", "--cmake", "--out", "--version", "--libdir", "--python-dir", "--source",
                   "--bin"):
        parser.add_argument(option, required=True)
    ARGS, rest = parser.parse_known_args()
    shutil.rmtree(ARGS.out, ignore_errors=True)
    os.makedirs(ARGS.out)
    # Into our own directory, so that the package `make deb` left in the build directory stays.
    start = time.monotonic()
    check([ARGS.cpack, "-G", "DEB", "--config", os.path.join(ARGS.build, "CPackConfig.cmake"), "-B",
           os.path.join(ARGS.out, "deb")], cwd=ARGS.build, env=dmtest.library_env())
    debs = glob.glob(os.path.join(ARGS.out, "deb", "debugmalloc_*.deb"))
    assert len(debs) == 1, debs
    DEB = debs[0]
    print(f"{os.path.basename(DEB)} made in {time.monotonic() - start:.1f} s", file=sys.stderr)
    ROOT = os.path.join(ARGS.out, "root")
    check(["dpkg", "-x", DEB, ROOT])
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
