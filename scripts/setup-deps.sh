#!/usr/bin/env bash
# Installs the Debian packages debugmalloc needs, only those missing.
#   scripts/setup-deps.sh build   what the build needs
#   scripts/setup-deps.sh test    that, plus the programs the tests run
#   scripts/setup-deps.sh bench   that, plus the peer tools the benchmarks compare with
set -euo pipefail

build_pkgs=(cmake make g++ pkg-config libunwind-dev libgtest-dev
            nlohmann-json3-dev libcli11-dev libdw-dev libbenchmark-dev dpkg-dev file)
test_pkgs=(python3 perl tar gzip bash coreutils binutils valgrind sqlite3 file man-db groff-base
           chromium clang libclang-rt-14-dev libboost-dev python3-dev python3-pytest)
bench_pkgs=(time valgrind heaptrack google-perftools libgoogle-perftools4 electric-fence duma sqlite3 perl)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo=(sudo); else
    echo "setup: missing packages (${missing[*]}) and not root; install them or run as root" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
