#!/usr/bin/env bash
# Whole-process benchmark: each workload under glibc, debugmalloc and the peer
# tools, side by side. See bench/README.md; `bench/run.sh --help` for options.
#   bench/run.sh --quick          # ~3 min: glibc, debugmalloc, lsan, asan
#   bench/run.sh                  # full run, every installed tool (~15-20 min)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${DEBUGMALLOC_BUILD_DIR:-$here/../build}"

# The runner needs the distribution's python3 or any python3 >= 3.7 (stdlib only).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

if [ "${1:-}" = "--build" ]; then
  shift
  cmake -S "$here/.." -B "$build" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target debugmalloc bench-churn bench-xthread bench-containers
fi
for b in bench-churn bench-xthread bench-containers; do
  if [ ! -x "$build/bin/$b" ]; then
    echo "run.sh: $build/bin/$b is missing: build first (cd $here/.. && cmake -S . -B build && cmake --build build -j2), or pass --build first" >&2
    exit 2
  fi
done
export DEBUGMALLOC_BUILD_DIR="$build"
exec "$py" "$here/runner.py" "$@"
