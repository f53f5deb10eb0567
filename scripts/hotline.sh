#!/usr/bin/env bash
# Builds the release preset and runs the hotline burst example
# (examples/hotline_burst.cc). Extra arguments are passed to the example.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

SRC="examples/hotline_burst.cc"
EXE="build/release/examples/hotline_burst"
if [[ ! -f "${SRC}" ]]; then
  echo "hotline.sh: ${SRC} does not exist, so there is no ${EXE} to run" >&2
  exit 1
fi

./scripts/setup.sh
cmake --preset release
# Only the example and what it needs (the library), not every test and bench.
cmake --build --preset release -j2 --target hotline_burst
if [[ ! -x "${EXE}" ]]; then
  echo "hotline.sh: ${EXE} is missing after the build" >&2
  exit 1
fi
exec "${EXE}" "$@"
