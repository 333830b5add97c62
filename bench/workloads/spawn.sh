#!/bin/sh
# Workload for bench/run.sh: many short processes, as build systems and test
# suites start them (each pipeline is three programs: echo, sed, grep).
# usage: sh spawn.sh [PIPELINES]     prints one checksum line
n=${1:-100}
i=0
found=0
while [ "$i" -lt "$n" ]; do
  # A tool that reports leaks may end a program with its own exit status: count the output, not the status.
  out=$(/bin/echo "line $i" | sed 's/line/seen/' | grep seen)
  case "$out" in seen*) found=$((found + 1)) ;; esac
  i=$((i + 1))
done
echo "spawn checksum $found pipelines $n"
