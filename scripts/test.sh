#!/usr/bin/env bash
# ccengine's full check — the command CI runs (.ci/run) and the README names:
#
#   ./scripts/test.sh                 everything (release, install, asan, tsan)
#   CCENGINE_QUICK=1 ./scripts/test.sh   release + install checks only
#
# Stages:
#   1. scripts/setup.sh (installs only missing Debian packages), then the
#      repository checks: clang-format (tools/check_format.sh), the module
#      layering (tools/check_layering.py), links (tools/check_links.py)
#   2. preset `release`: configure, build (benchmarks, examples, the Python
#      module, the tests), make `import ccengine` work for /usr/bin/python3 from
#      any directory (scripts/install_python.sh), clang-tidy over src/ with the
#      release compile commands, ctest (pytest + the wheel, the end-to-end
#      tests, the fuzz smokes, the script checks, and the randomized and
#      concurrency GoogleTest suites at full size). Every GoogleTest suite runs
#      in stage 5, with the sanitizers and assertions on; CCENGINE_QUICK=1
#      runs them all here instead.
#   3. every bench/*_bench binary, briefly (--benchmark_min_time=0.01)
#   4. install to build/install; build + run tests/consumer against it through
#      the CMake package and through pkg-config
#   5. preset `asan` (ASan + UBSan): build, every GoogleTest suite and the
#      script checks, not the e2e tests and the fuzz smokes (libFuzzer builds,
#      already ASan + UBSan in the release run). The libraries build at -O1,
#      the tests' own code at -O0 (CCENGINE_TEST_CODE_OPTIONS): a suite's time
#      goes into the libraries it tests, its compile into the test code, and
#      -O0 instruments as much. UBSan leaves out two checks
#      here, `null` and `alignment`, which instrument every member access and
#      are the costliest to compile: a null dereference that faults still
#      stops the test (ASan's SEGV report), but a member call through a null
#      pointer that reads no field, a reference bound to *nullptr and a
#      misaligned access go unreported here; the fuzzers keep both checks on
#      the byte readers, where misaligned reads would come from
#   6. preset `tsan`: build the suites labelled `concurrency` (and what they
#      link, nothing else), run them
# Build trees live in build/<preset> and are reused, so reruns are incremental.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

QUICK="${CCENGINE_QUICK:-0}"
# The GoogleTest suites the release build runs besides the asan build: the
# randomized and concurrency ones, at full size and full speed.
RELEASE_SUITES='random|idle_pool|intake|mpsc_queue|router_loop|concurrency'
# Parallel jobs for builds and ctest: the machine's cores unless told.
JOBS="${CCENGINE_JOBS:-$(nproc)}"
START=${SECONDS}
STAGE_START=${SECONDS}

banner() {
  STAGE_START=${SECONDS}
  printf '\n==============================================================================\n'
  printf '== %s\n' "$*"
  printf '==============================================================================\n'
}

stage_done() {
  printf -- '-- %s: ok (%ds)\n' "$1" "$((SECONDS - STAGE_START))"
}

on_exit() {
  local rc=$?
  if [[ ${rc} -ne 0 ]]; then
    printf '\n** scripts/test.sh FAILED (exit %d) after %ds\n' "${rc}" "$((SECONDS - START))" >&2
  fi
}
trap on_exit EXIT

# --- 1. dependencies ---------------------------------------------------------
banner "setup: Debian packages"
./scripts/setup.sh
stage_done setup

# --- 1b. repository checks -----------------------------------------------------
banner "repository: format, module layering, links"
./tools/check_format.sh
/usr/bin/python3 tools/check_layering.py
/usr/bin/python3 tools/check_links.py
stage_done "repository checks"

# --- 2. release --------------------------------------------------------------
banner "release: configure + build"
if [[ "${QUICK}" == "1" ]]; then
  cmake --preset release
else
  cmake --preset release -DCCENGINE_TEST_SUITES_MATCHING="${RELEASE_SUITES}"
fi
cmake --build --preset release -j "${JOBS}"
./scripts/install_python.sh release
stage_done "release build"

banner "release: clang-tidy (.clang-tidy, every finding an error)"
JOBS="${JOBS}" ./tools/run_clang_tidy.sh
stage_done "clang-tidy"

banner "release: ctest"
ctest --preset release -j "${JOBS}"
stage_done "release ctest"

# --- 3. benchmarks (smoke) ---------------------------------------------------
banner "release: benchmarks (--benchmark_min_time=0.01)"
BENCH_LOG="build/release/bench-smoke.log"
: >"${BENCH_LOG}"
shopt -s nullglob
bench_sources=(bench/*_bench.cc)
shopt -u nullglob
for src in "${bench_sources[@]}"; do
  name="$(basename "${src}" .cc)"
  exe="build/release/bench/${name}"
  if [[ ! -x "${exe}" ]]; then
    echo "missing benchmark binary ${exe} (source ${src})" >&2
    exit 1
  fi
  echo "-- ${name}"
  echo "==== ${name}" >>"${BENCH_LOG}"
  # decision_bench: its shaped populations at 1,000 agents only (the larger
  # worlds take a minute to build in all).
  if ! CCBENCH_SHAPED_MAX_AGENTS=1000 "${exe}" --benchmark_min_time=0.01 \
    >>"${BENCH_LOG}" 2>&1 </dev/null; then
    echo "benchmark ${name} failed; last lines of ${BENCH_LOG}:" >&2
    tail -n 40 "${BENCH_LOG}" >&2
    exit 1
  fi
done
echo "${#bench_sources[@]} benchmark program(s) ran; output in ${BENCH_LOG}"
stage_done benchmarks

# --- 4. install + consumers --------------------------------------------------
banner "install: build/install + consumer builds (CMake package, pkg-config)"
INSTALL_DIR="${ROOT}/build/install"
rm -rf "${INSTALL_DIR}"
cmake --install build/release --prefix "${INSTALL_DIR}"

cmake -S tests/consumer -B build/consumer -G "Unix Makefiles" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="${INSTALL_DIR}"
cmake --build build/consumer -j "${JOBS}"
echo "-- CMake consumer says: $(build/consumer/app)"
echo "-- examples/embed.cc built against the installed package:"
build/consumer/embed | tail -n 1

pc_file="$(find "${INSTALL_DIR}" -name ccengine.pc -print -quit)"
if [[ -z "${pc_file}" ]]; then
  echo "ccengine.pc was not installed under ${INSTALL_DIR}" >&2
  exit 1
fi
mkdir -p build/consumer-pkgconfig
# --static: the libraries are static, so their private dependency (fmt)
# must be linked too (Requires.private).
pc_flags="$(PKG_CONFIG_PATH="$(dirname "${pc_file}")" pkg-config --static --cflags --libs ccengine)"
echo "-- pkg-config --static --cflags --libs ccengine: ${pc_flags}"
# shellcheck disable=SC2086  # the flags are meant to split
g++ -std=c++20 -Wall -Wextra -Werror -o build/consumer-pkgconfig/app tests/consumer/main.cc ${pc_flags}
echo "-- pkg-config consumer says: $(build/consumer-pkgconfig/app)"
stage_done install

# --- 5/6. sanitizers ---------------------------------------------------------
if [[ "${QUICK}" == "1" ]]; then
  printf '\nCCENGINE_QUICK=1: skipping the asan and tsan presets\n'
else
  banner "asan: configure + build + ctest (ASan + UBSan; not the e2e and fuzz labels)"
  cmake --preset asan
  cmake --build --preset asan -j "${JOBS}"
  tools/sanitized.sh ctest --preset asan -j "${JOBS}"
  stage_done asan

  banner "tsan: configure + build + ctest (label: concurrency)"
  cmake --preset tsan
  # Only what the concurrency suites link (a suite's test is named after its
  # executable), not every library and program of the tree.
  mapfile -t tsan_suites < <(ctest --preset tsan -N | sed -n 's/^ *Test *#[0-9]*: *//p')
  if [[ ${#tsan_suites[@]} -eq 0 ]]; then
    echo "tsan: no concurrency suite registered" >&2
    exit 1
  fi
  cmake --build --preset tsan -j "${JOBS}" --target "${tsan_suites[@]}"
  tools/sanitized.sh ctest --preset tsan
  stage_done tsan
fi

printf '\n== scripts/test.sh: all stages passed in %ds\n' "$((SECONDS - START))"
