#!/usr/bin/env python3
"""Opens the HTML report in headless Chromium: no console errors, every finding group in the
DOM, the chart drawn, escaped C++ names shown as text. Leaves a screenshot to look at.
Exits 77 (skipped) when chromium is not installed."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(browser, url, *mode):
    profile = tempfile.mkdtemp(prefix="dm-chromium-")
    try:
        return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                               *mode, url], capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    browser = chromium()
    if not browser:
        print("chromium is not installed: skipped")
        return 77
    os.makedirs(args.out, exist_ok=True)
    page = os.path.join(args.out, "report.html")
    proc = subprocess.run([args.tool, "report", "--format", "html", "-o", page,
                           os.path.join(args.fixtures, "basic"), os.path.join(args.fixtures, "multi")],
                          capture_output=True, text=True)
    if proc.returncode != 1:
        print("debugmalloc report failed:", proc.returncode, proc.stderr)
        return 1
    url = "file://" + os.path.abspath(page)
    failures = []

    dom = browse(browser, url, "--dump-dom")
    console = [l for l in dom.stderr.splitlines() if "Uncaught" in l or "ERROR:CONSOLE" in l or ":CONSOLE(" in l]
    if console:
        failures.append("console messages:\n" + "\n".join(console))
    html = dom.stdout
    errors = re.findall(r'<article class="finding error" id="error-\d+"', html)
    leaks = re.findall(r'<article class="finding leak" id="leak-\d+"', html)
    if len(errors) != 6 or len(leaks) != 5:
        failures.append("expected 6 error and 5 leak groups in the DOM, found %d and %d" % (len(errors), len(leaks)))
    for needed in ('<svg id="leak-chart"', "<details open", "net::Worker::run()",
                   "std::vector&lt;std::pair&lt;int, std::string&gt;&gt; net::Server::accept&lt;Conn&amp;&gt;(Conn&amp;)",
                   "use delete[] &lt;T&gt; &amp; \"friends\""):
        if needed not in html:
            failures.append("not in the DOM: " + needed)
    if "<T>" in html:
        failures.append("an unescaped '<T>' from a report reached the DOM as markup")

    shot = os.path.join(args.out, "report.png")
    if os.path.exists(shot):
        os.unlink(shot)
    result = browse(browser, url, "--screenshot=" + shot, "--window-size=1200,1600", "--hide-scrollbars")
    if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
        failures.append("no screenshot: " + result.stderr[-2000:])

    for f in failures:
        print("FAIL:", f)
    print("screenshot:", shot)
    print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
