#!/usr/bin/env bash
# -----------------------------------------------------------------------------
# bench/kill_nine.sh — the kill -9 harness at length: the router in a child
# process, killed at random moments and recovered from its folder, checked
# against the producer's ledger after every restart
# (tests/journal/kill_nine_test.cc says what it checks). CI runs 60 kills;
# this runs 1,000 unless told.
#
# Usage:
#   bench/kill_nine.sh [KILLS] [SEED] [BUILD_DIR]
#     KILLS      number of kills (default 1000)
#     SEED       the producer's seed (default 1)
#     BUILD_DIR  a built tree with the tests (default build/release)
# Prints the test's summary line: commands, the time, and where the kills
# landed.
# -----------------------------------------------------------------------------
set -euo pipefail

cd "$(dirname "$0")/.."
kills="${1:-1000}"
seed="${2:-1}"
build="${3:-build/release}"
binary="${build}/tests/kill_nine_test"
if [[ ! -x "${binary}" ]]; then
  echo "no ${binary}; build first, e.g. cmake --preset release && cmake --build --preset release" >&2
  exit 1
fi
CCENGINE_KILLS="${kills}" CCENGINE_KILL_SEED="${seed}" "${binary}" --gtest_brief=1
