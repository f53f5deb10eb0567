#!/usr/bin/env bash
# Checks that every tracked C++ file (*.h, *.cc; `git ls-files`) is formatted
# as .clang-format says. Changes nothing; prints the offending files and exits
# 1 if there are any. Nothing is excluded: every tracked .h/.cc is our code.
#
#   tools/check_format.sh              the whole tree
#   tools/check_format.sh FILE...      just those files
#   CLANG_FORMAT=clang-format-14 tools/check_format.sh
#
# The config was tuned with clang-format 14 (Debian 12); another major version
# may format some constructs differently, so the version is printed.
# To fix a file: clang-format -i FILE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

CLANG_FORMAT="${CLANG_FORMAT:-clang-format}"
if ! command -v "${CLANG_FORMAT}" >/dev/null 2>&1; then
  echo "check_format: ${CLANG_FORMAT} not found (Debian: apt-get install clang-format)" >&2
  exit 2
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.h' '*.cc')
fi

# Many files per clang-format run (one run per file spends most of its time
# starting); the files at fault are those its diagnostics name.
log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
status=0
printf '%s\0' "${files[@]}" |
  xargs -0 -n 100 "${CLANG_FORMAT}" --dry-run --Werror >/dev/null 2>"${log}" || status=$?
mapfile -t offenders < <(sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' "${log}" | sort -u)
if [[ ${status} -ne 0 && ${#offenders[@]} -eq 0 ]]; then
  cat "${log}" >&2
  echo "check_format: ${CLANG_FORMAT} failed (exit ${status})" >&2
  exit 1
fi

version="$("${CLANG_FORMAT}" --version | head -n 1)"
if [[ ${#offenders[@]} -gt 0 ]]; then
  printf '%s\n' "${offenders[@]}"
  echo "check_format: ${#offenders[@]} of ${#files[@]} file(s) not formatted" \
    "(${version}); see: clang-format --dry-run FILE; fix: clang-format -i FILE" >&2
  exit 1
fi
echo "check_format: ok: ${#files[@]} file(s) formatted (${version})"
