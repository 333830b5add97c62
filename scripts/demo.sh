#!/usr/bin/env bash
# `make demo`: runs the address-book example (examples/demo.c, four heap bugs)
# under `debugmalloc run`, which reports each bug as it happens and renders the
# merged report at the end.
set -u
build=${1:-build}
echo "== debugmalloc run -- $build/bin/example-demo"
"$build/bin/debugmalloc" run -- "$build/bin/example-demo"
status=$?
echo "== debugmalloc run exited with status $status (23: heap errors or leaks were found)"
# The demo succeeds when the bugs were found.
[ "$status" -eq 23 ] && exit 0
exit 1
