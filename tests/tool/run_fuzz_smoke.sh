#!/usr/bin/env bash
# Runs the report parser fuzzer briefly over the seed corpus (skip, 77, when it was not built).
set -euo pipefail
fuzzer="$1"; corpus="$2"
[ -x "$fuzzer" ] || { echo "fuzzer not built (no clang++ with libFuzzer): skipped"; exit 77; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work"/
# New inputs go to the scratch copy, never into the source tree.
"$fuzzer" -runs=2000 -max_len=8192 -timeout=10 -rss_limit_mb=2048 "$work" 2>&1 | tail -5
