#!/usr/bin/env python3
"""Fails when a file of the preloaded library includes a header from a layer above its own.

The library's folders are layers, lowest first: a file may include headers of its own
layer, of the layers below it, and of the shared contract (common/). Anything else is a
back edge that would let low-level code reach into the parts built on it.
"""
import pathlib
import re
import sys

LAYERS = ["support", "stacks", "heap", "findings", "core", "entry"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def check(root: pathlib.Path) -> list[str]:
    problems = []
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    for name in folders:
        if name not in LAYERS:
            problems.append(f"{root / name}: folder is not a known layer (add it to LAYERS in order)")
    for layer in LAYERS:
        rank = LAYERS.index(layer)
        for source in sorted((root / layer).glob("*")):
            if source.suffix not in (".h", ".cpp", ".inc"):
                continue
            text = source.read_text()
            for number, line in enumerate(text.splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1)
                top = target.split("/")[0]
                if "/" not in target:
                    problems.append(f"{source}:{number}: include \"{target}\" names no layer (write {layer}/{target})")
                elif top == "common":
                    continue
                elif top not in LAYERS:
                    problems.append(f"{source}:{number}: include \"{target}\" is outside the library's layers")
                elif LAYERS.index(top) > rank:
                    problems.append(f"{source}:{number}: {layer} includes \"{target}\", a layer above it")
                elif not (root / target).exists():
                    problems.append(f"{source}:{number}: include \"{target}\" does not exist")
    for stray in sorted(root.glob("*.cpp")) + sorted(root.glob("*.h")):
        problems.append(f"{stray}: source file outside any layer folder")
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check_layers.py LIBRARY_SOURCE_DIR", file=sys.stderr)
        return 2
    problems = check(pathlib.Path(sys.argv[1]))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layer order {' < '.join(LAYERS)}")
        return 1
    print(f"every include follows the layer order {' < '.join(LAYERS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
