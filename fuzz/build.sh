#!/usr/bin/env bash
# Builds the report parser fuzzer with clang's libFuzzer, ASan and UBSan.
#   fuzz/build.sh OUTPUT        (exit 77 when clang++ or libFuzzer is missing)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../tool"
out="${1:-$here/report_parser_fuzzer}"
cxx="${CLANGXX:-$(command -v clang++ || command -v clang++-14 || true)}"
[ -n "$cxx" ] || { echo "fuzz: clang++ not found" >&2; exit 77; }
echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long){return 0;}' > "$out.probe.cpp"
if ! "$cxx" -fsanitize=fuzzer "$out.probe.cpp" -o "$out.probe" 2>/dev/null; then
  rm -f "$out.probe.cpp" "$out.probe"; echo "fuzz: clang++ has no libFuzzer" >&2; exit 77
fi
rm -f "$out.probe.cpp" "$out.probe"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src" -I"$here/.." "$here/report_parser_fuzzer.cpp" \
  "$src"/json_lite.cpp "$src"/report_parser.cpp "$src"/model.cpp "$src"/grouping.cpp "$src"/frames.cpp "$src"/suppressions.cpp \
  "$src"/source_snippet.cpp "$src"/render.cpp "$src"/render_text.cpp "$src"/render_json.cpp \
  "$src"/markup.cpp "$src"/render_sarif.cpp "$src"/render_html.cpp "$src"/render_xml.cpp "$src"/render_junit.cpp "$src"/render_suppressions.cpp \
  -o "$out"
