#!/usr/bin/env bash
# -----------------------------------------------------------------------------
# bench/run.sh — run every benchmark program and the SimPy and Ciw
# comparisons, keep the JSON, and print the tables of bench/README.md for
# this run (Ciw only when CIW names a checkout of CiwPython/Ciw).
#
# Usage:
#   bench/run.sh [BUILD_DIR] [MIN_TIME] [OUT_DIR]
#     BUILD_DIR  a configured and built tree with the benchmarks and the
#                Python module (default build/release, the `release` preset)
#     MIN_TIME   --benchmark_min_time in seconds (default 0.5; 0.01 is the
#                CI smoke run)
#     OUT_DIR    where the JSON goes (default BUILD_DIR/bench-results/<time>)
#   Extra Google Benchmark flags may be passed in BENCH_FLAGS, e.g.
#     BENCH_FLAGS="--benchmark_filter=Engine" bench/run.sh
#
# Writes OUT_DIR/machine.txt, OUT_DIR/<program>.json, OUT_DIR/simpy_compare.json
# and OUT_DIR/summary.md (the same tables as bench/README.md, from this run).
# -----------------------------------------------------------------------------
set -euo pipefail

cd "$(dirname "$0")/.."
build="${1:-build/release}"
min_time="${2:-0.5}"
out="${3:-${build}/bench-results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "${out}"

shopt -s nullglob
programs=("${build}"/bench/*_bench)
if [ ${#programs[@]} -eq 0 ]; then
  echo "no benchmark programs in ${build}/bench; build first, e.g." >&2
  echo "  cmake --preset release && cmake --build --preset release -j2" >&2
  exit 1
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "min_time: ${min_time}"
} >"${out}/machine.txt"
cat "${out}/machine.txt"

for exe in "${programs[@]}"; do
  name="$(basename "${exe}")"
  echo "==== ${name}" >&2
  # shellcheck disable=SC2086
  "${exe}" --benchmark_min_time="${min_time}" \
    --benchmark_out="${out}/${name}.json" --benchmark_out_format=json \
    ${BENCH_FLAGS:-} >"${out}/${name}.txt" 2>&1 </dev/null
done

echo "==== simpy_compare.py" >&2
repeats=5
case "${min_time}" in 0.0*) repeats=1 ;; esac
CCENGINE_PYTHONPATH="${build}/python" /usr/bin/python3 bench/simpy_compare.py \
  --repeats "${repeats}" --json "${out}/simpy_compare.json" | tee "${out}/simpy_compare.txt"

# Ciw is measured when CIW names a checkout of CiwPython/Ciw; otherwise the
# script says it skipped it.
echo "==== ciw_compare.py" >&2
ciw_args=(--repeats "${repeats}" --json "${out}/ciw_compare.json")
case "${min_time}" in 0.0*) ciw_args+=(--ciw-contacts 2000 --ccengine-contacts 20000) ;; esac
CCENGINE_PYTHONPATH="${build}/python" /usr/bin/python3 bench/ciw_compare.py \
  --ciw "${CIW:-}" "${ciw_args[@]}" | tee "${out}/ciw_compare.txt"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"${out}/machine.txt"
/usr/bin/python3 bench/summarize.py "${out}" >"${out}/summary.md"
echo "results: ${out} (summary.md)"
