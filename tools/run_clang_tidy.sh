#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the top) over the modules' sources, using the
# compile commands of a configured build tree. Reports; fixes nothing. Exit 1
# when clang-tidy reports any warning, 0 otherwise.
#
#   cmake --preset release                  (writes compile_commands.json)
#   tools/run_clang_tidy.sh                 every src/**/*.cc (slow: minutes)
#   tools/run_clang_tidy.sh src/core/names.cc ...   just those
#
# Env: BUILD_DIR (default build/release), CLANG_TIDY (default clang-tidy),
# JOBS (default nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

BUILD_DIR="${BUILD_DIR:-build/release}"
CLANG_TIDY="${CLANG_TIDY:-clang-tidy}"
JOBS="${JOBS:-$(nproc)}"

if [[ ! -f "${BUILD_DIR}/compile_commands.json" ]]; then
  echo "run_clang_tidy: no ${BUILD_DIR}/compile_commands.json; run: cmake --preset release" >&2
  exit 2
fi
if ! command -v "${CLANG_TIDY}" >/dev/null 2>&1; then
  echo "run_clang_tidy: ${CLANG_TIDY} not found (Debian: apt-get install clang-tidy)" >&2
  exit 2
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- 'src/*.cc')
fi

log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "${JOBS}" "${CLANG_TIDY}" -p "${BUILD_DIR}" --quiet >"${log}" 2>/dev/null || true

cat "${log}"
# One finding per distinct "file:line:col: warning: ... [check]" line (a
# header included by several sources reports the same finding once per source).
count="$( (grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "${log}" || true) | sort -u | wc -l)"
echo "run_clang_tidy: ${count} finding(s) in ${#files[@]} file(s)"
[[ "${count}" -eq 0 ]]
