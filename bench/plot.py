#!/usr/bin/env python3
"""Plots of a bench/run.sh result: median wall time and peak RSS of each tool
relative to glibc, per workload, as self-contained SVG bar charts (log scale).
Standard library only.

usage: bench/plot.py RESULTS.csv [--out-prefix PREFIX]
       writes PREFIX-wall.svg and PREFIX-rss.svg (default: next to the CSV)
"""
import argparse
import csv
import math
import os
import statistics
from collections import defaultdict

COLORS = ["#1f6feb", "#8957e5", "#2da44e", "#d29922", "#cf222e", "#57606a", "#bc4c00", "#0a3069", "#8c959f"]


def medians(path):
    """{(tool, workload, scale): (median wall, median rss)} over completed runs."""
    runs = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["status"] not in ("ok", "leaks"):
                continue
            runs[(row["tool"], row["workload"], row["scale"])].append((float(row["wall_s"]), float(row["maxrss_kb"])))
    return {k: (statistics.median(w for w, _ in v), statistics.median(r for _, r in v)) for k, v in runs.items()}


def ratios(med, index):
    """{tool: {workload: ratio to glibc at the same scale}}."""
    out = defaultdict(dict)
    for (tool, workload, scale), values in med.items():
        base = med.get(("glibc", workload, scale))
        if tool == "glibc" or base is None or base[index] <= 0:
            continue
        out[tool][workload] = values[index] / base[index]
    return out


def svg_chart(data, workloads, title):
    tools = [t for t in data if any(w in data[t] for w in workloads)]
    width, left, top, row_h = 980, 190, 50, 14 * max(1, len(tools)) + 12
    height = top + row_h * len(workloads) + 60
    values = [v for t in tools for v in data[t].values() if v > 0]
    lo = min(0.1, min(values)) if values else 0.1
    hi = max(values) * 1.3 if values else 10
    span = math.log10(hi) - math.log10(lo)

    def x(v):
        return left + (math.log10(max(v, lo)) - math.log10(lo)) / span * (width - left - 120)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
           % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">%s</text>' % title]
    for tick in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if lo <= tick <= hi:
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>'
                       % (x(tick), top - 5, x(tick), height - 45, "#333" if tick == 1 else "#ddd"))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%g×</text>' % (x(tick), height - 32, tick))
    for i, w in enumerate(workloads):
        y0 = top + i * row_h
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 8, y0 + row_h / 2, w))
        for j, t in enumerate(tools):
            v = data[t].get(w)
            if v is None:
                continue
            y = y0 + 4 + j * 14
            out.append('<rect x="%d" y="%d" width="%.1f" height="11" fill="%s"/>'
                       % (left, y, max(1.0, x(v) - left), COLORS[j % len(COLORS)]))
            out.append('<text x="%.1f" y="%d">%.2f×</text>' % (x(v) + 4, y + 9, v))
    legend_y = height - 14
    for j, t in enumerate(tools):
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>'
                   % (10 + j * 110, legend_y - 9, COLORS[j % len(COLORS)], 24 + j * 110, legend_y, t))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--out-prefix")
    args = parser.parse_args()
    prefix = args.out_prefix or os.path.splitext(args.csv)[0]
    med = medians(args.csv)
    workloads = sorted({w for (_, w, _) in med}, key=lambda w: list(dict.fromkeys(w for (_, w, _) in med)).index(w))
    for index, kind, title in ((0, "wall", "Wall time relative to glibc (median, log scale; lower is better)"),
                               (1, "rss", "Peak RSS relative to glibc (median, log scale)")):
        path = "%s-%s.svg" % (prefix, kind)
        with open(path, "w") as f:
            f.write(svg_chart(ratios(med, index), workloads, title))
        print("[bench] wrote %s" % path)


if __name__ == "__main__":
    main()
