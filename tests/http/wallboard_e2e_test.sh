#!/usr/bin/env bash
# End-to-end: the wallboard of ccengine-http-demo (a live engine under load)
# in a real headless Chromium driven by playwright-core (tests/http/
# wallboard_check.cjs): the tiles follow the engine within a second, show
# the same numbers as /metrics, flag queues below target; a screenshot.
#
#   tests/http/wallboard_e2e_test.sh <ccengine-http-demo> <node_modules dir> [screenshot]
#
# Exit 0: passed; 77: skipped (chromium, node or playwright-core missing,
# outside CI only); else failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../testing/processes.sh"

DEMO="${1:?usage: wallboard_e2e_test.sh DEMO NODE_MODULES [SCREENSHOT]}"
MODULES="${2:?usage: wallboard_e2e_test.sh DEMO NODE_MODULES [SCREENSHOT]}"
SHOT="${3:-$(dirname "${DEMO}")/wallboard.png}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

missing=""
command -v chromium >/dev/null 2>&1 || missing="chromium"
command -v node >/dev/null 2>&1 || missing="${missing} node"
[[ -d "${MODULES}/playwright-core" ]] || missing="${missing} ${MODULES}/playwright-core"
if [[ -n "${missing}" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: missing ${missing} (scripts/setup.sh installs chromium and playwright-core;" \
         "Node.js 20 and npm are the machine's)"
    exit 1
  fi
  echo "SKIP: missing ${missing}; run scripts/setup.sh"
  exit 77
fi

WORK="$(mktemp -d /tmp/ccengine-wallboard.XXXXXX)"
PID=""
cleanup() {
  if [[ -n "${PID}" ]]; then stop_processes "${PID}"; fi
  rm -rf "${WORK}"
}
trap cleanup EXIT

# Overloaded (four callers a second for eight agents), so queues fall below
# target and the alerts show.
"${DEMO}" --port 0 --port-file "${WORK}/port" --rate 4 --agents 8 --seed 11 \
  >"${WORK}/demo.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [[ -s "${WORK}/port" ]] && break; sleep 0.1; done
[[ -s "${WORK}/port" ]] || { echo "FAIL: the demo did not report its port"; exit 1; }
sleep 2  # some calls in, some waiting

NODE_PATH="${MODULES}" timeout 120 node "${HERE}/wallboard_check.cjs" \
  "http://127.0.0.1:$(cat "${WORK}/port")" "${SHOT}" || exit 1
echo "PASS"
