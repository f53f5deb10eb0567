#!/usr/bin/env bash
# End-to-end: ccengine-http-demo (a live engine under load) serves /metrics;
# `promtool check metrics` must accept the exposition, and a real Prometheus
# server (Debian `prometheus`) scrapes it every second and is queried back
# over its HTTP API. Everything on 127.0.0.1, free ports, every process
# stopped by its PID, every wait bounded.
#
#   tests/http/prometheus_e2e_test.sh <ccengine-http-demo binary>
#
# Exit 0: passed; 77: skipped (prometheus, promtool or curl missing, outside
# CI only); else failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../testing/processes.sh"

DEMO="${1:?usage: prometheus_e2e_test.sh DEMO}"

for bin in prometheus promtool curl python3; do
  if ! command -v "${bin}" >/dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then
      echo "FAIL: '${bin}' not installed (scripts/setup.sh installs prometheus and curl)"
      exit 1
    fi
    echo "SKIP: '${bin}' not installed; this test needs the Debian packages prometheus curl"
    exit 77
  fi
done

WORK="$(mktemp -d /tmp/ccengine-prom.XXXXXX)"
PIDS=()
cleanup() {
  stop_processes "${PIDS[@]}"
  PIDS=()
  rm -rf "${WORK}"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "-- demo log:"; tail -n 20 "${WORK}/demo.log" 2>/dev/null
  echo "-- prometheus log:"; tail -n 20 "${WORK}/prometheus.log" 2>/dev/null
  exit 1
}

# An overloaded little center (four callers a second for eight agents who
# talk 5-40 s): queues build up and callers hang up.
"${DEMO}" --port 0 --port-file "${WORK}/port" --rate 4 --agents 8 --seed 7 \
  >"${WORK}/demo.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [[ -s "${WORK}/port" ]] && break; sleep 0.1; done
[[ -s "${WORK}/port" ]] || fail "the demo did not report its port within 10 s"
PORT="$(cat "${WORK}/port")"
TARGET="127.0.0.1:${PORT}"

# 1. The exposition passes promtool's checks (format and naming lint).
sleep 2
curl -sf "http://${TARGET}/metrics" -o "${WORK}/metrics.txt" || fail "GET /metrics failed"
if ! promtool check metrics <"${WORK}/metrics.txt" >"${WORK}/promtool.txt" 2>&1; then
  cat "${WORK}/promtool.txt"
  fail "promtool check metrics refused the exposition"
fi
echo "promtool check metrics: ok ($(wc -c <"${WORK}/metrics.txt") bytes," \
  "$(grep -vc '^#' "${WORK}/metrics.txt") samples)"

# 2. A real Prometheus scrapes it.
PROM_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"${WORK}/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ccengine
    static_configs:
      - targets: ['${TARGET}']
YML
promtool check config "${WORK}/prometheus.yml" >/dev/null || fail "bad prometheus.yml"
prometheus --config.file="${WORK}/prometheus.yml" --storage.tsdb.path="${WORK}/data" \
  --web.listen-address="127.0.0.1:${PROM_PORT}" >"${WORK}/prometheus.log" 2>&1 &
PIDS+=($!)

# query EXPR: the first result's value, or empty.
query() {
  curl -sf --get "http://127.0.0.1:${PROM_PORT}/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}

up=""
for _ in $(seq 1 300); do
  up="$(query 'up{job="ccengine"}')"
  [[ "${up}" == "1" ]] && offered="$(query 'sum(ccengine_queue_offered_total)')" &&
    [[ -n "${offered}" ]] && break
  sleep 0.1
done
[[ "${up}" == "1" ]] || fail "Prometheus never scraped the target successfully (up='${up}')"

# A fixed figure reads back exactly; a counter reads back no higher than the
# endpoint shows after it, and above zero.
threshold="$(query 'ccengine_queue_service_level_threshold_seconds{queue="policy"}')"
[[ "${threshold}" == "20" ]] || fail "threshold read back as '${threshold}', want 20"
offered="$(query 'sum(ccengine_queue_offered_total)')"
now="$(curl -sf "http://${TARGET}/metrics" | awk '/^ccengine_queue_offered_total/ {s += $2} END {print s}')"
python3 - "${offered}" "${now}" <<'PY' || fail "offered: Prometheus '${offered}', endpoint later '${now}'"
import sys
scraped, later = float(sys.argv[1]), float(sys.argv[2])
assert 0 < scraped <= later, (scraped, later)
PY
states="$(query 'count(ccengine_agents)')"
[[ "${states}" == "5" ]] || fail "ccengine_agents has ${states} series, want 5 (one per state)"
# The histogram is usable as one: a quantile over the answered waits.
sleep 2
p90="$(query 'histogram_quantile(0.9, sum by (le) (ccengine_queue_answer_wait_seconds_bucket))')"
python3 -c 'import math, sys; v = float(sys.argv[1]); sys.exit(0 if math.isfinite(v) and v >= 0 else 1)' "${p90:-x}" 2>/dev/null ||
  fail "no quantile from ccengine_queue_answer_wait_seconds (got '${p90}')"
echo "Prometheus scraped ${TARGET}: up=1, offered=${offered} (endpoint later: ${now}), p90 answer wait=${p90} s"
echo "PASS"
