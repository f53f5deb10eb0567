#!/usr/bin/env bash
# End-to-end: SIPp callers → Kamailio (examples/kamailio/kamailio.cfg) → evapi →
# ccengine-kamailio → Kamailio relays to SIPp agents. Everything on 127.0.0.1,
# free ports, every process stopped by its PID, every run bounded.
#
#   tests/kamailio/e2e_test.sh <ccengine-kamailio binary> <examples/kamailio dir> \
#       [<ccengine-report binary>]
#
# With ccengine-report, the daemon also keeps its interval rows in an SQLite
# file; after the calls the day's report must count them, and a second
# daemon started on the same file must show them as today's and leave them
# as they were.
#
# Exit 0: passed; 77: skipped (kamailio or sipp not installed); else failed.
# Figures of the load run go to stdout (and $CCENGINE_E2E_REPORT if set).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../testing/processes.sh"

DAEMON="${1:?usage: e2e_test.sh DAEMON EXAMPLES_DIR}"
EXAMPLES="${2:?usage: e2e_test.sh DAEMON EXAMPLES_DIR}"
REPORT="${3:-}"
# ccengine-audit, when the audit adapter is built: the routing daemon then
# records its routing versions in an audit log, checked with it.
AUDIT_TOOL="${4:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOAD_CALLS="${CCENGINE_E2E_LOAD_CALLS:-200}"
LOAD_RATE="${CCENGINE_E2E_LOAD_RATE:-20}"
# kamailio.cfg's CC_WAIT_LIMIT_MS (one hour) made short: longer than tm's
# fr_timer (5 s) and the 5.5 s a call of flow 'fallback_late' waits, shorter
# than the routing file's max_wait_s (10 s).
WAIT_LIMIT_MS=7000

for bin in kamailio sipp python3; do
  if ! command -v "${bin}" >/dev/null 2>&1; then
    echo "SKIP: '${bin}' not installed; the Kamailio e2e test needs the Debian" \
         "packages kamailio kamailio-extra-modules kamailio-json-modules sip-tester"
    exit 77
  fi
done
MODDIR=/usr/lib/x86_64-linux-gnu/kamailio/modules
for mod in evapi rtjson jansson tmx htable; do
  if [[ ! -f "${MODDIR}/${mod}.so" ]]; then
    echo "SKIP: Kamailio module ${mod}.so missing (kamailio-extra-modules," \
         "kamailio-json-modules)"
    exit 77
  fi
done

WORK="$(mktemp -d /tmp/ccengine-e2e.XXXXXX)"
PIDS=()
cleanup() {
  stop_processes "${PIDS[@]}"
  PIDS=()
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "-- daemon log tail:"; tail -n 30 "${WORK}/daemon.log"; \
  echo "-- kamailio log tail:"; tail -n 20 "${WORK}/kamailio.log"; exit 1; }

# Free ports: N UDP ports and one TCP port, held by nothing once printed.
# P_SILENT: an agent's address where nothing answers; P_CALLER2: callers
# that run beside those on P_CALLER.
read -r P_K P_BUSY P_AGENT P_CALLER P_SILENT P_CALLER2 P_EVAPI < <(python3 - <<'PY'
import socket
socks, ports = [], []
for kind in [socket.SOCK_DGRAM] * 6 + [socket.SOCK_STREAM]:
    s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", 0))
    socks.append(s); ports.append(s.getsockname()[1])
print(*ports)
PY
)
echo "ports: kamailio udp ${P_K}, busy agent ${P_BUSY}, agents ${P_AGENT}," \
     "callers ${P_CALLER}, evapi tcp ${P_EVAPI}; work dir ${WORK}"

# --- configs -------------------------------------------------------------------
sed -e "s/127.0.0.1:5060/127.0.0.1:${P_K}/" -e "s/127.0.0.1:8448/127.0.0.1:${P_EVAPI}/" \
  -e "s/^#!define CC_WAIT_LIMIT_MS [0-9]*\$/#!define CC_WAIT_LIMIT_MS ${WAIT_LIMIT_MS}/" \
  "${EXAMPLES}/kamailio.cfg" >"${WORK}/kamailio.cfg"
grep -qx "#!define CC_WAIT_LIMIT_MS ${WAIT_LIMIT_MS}" "${WORK}/kamailio.cfg" ||
  fail "kamailio.cfg has no '#!define CC_WAIT_LIMIT_MS <ms>' line to shorten"
python3 - "${WORK}/ccengine.json" "${P_EVAPI}" "${P_BUSY}" "${P_AGENT}" <<'PY'
import json, sys
out, evapi, busy, agent = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def q(name, skill, **kw):
    d = {"name": name, "skills": [{"skill": skill, "level": 1}],
         "max_wait_ms": 10000, "wrap_up_ms": 300}
    d.update(kw); return d
agents = [
    {"id": 1, "uri": f"sip:agent1@127.0.0.1:{busy}", "skills": [{"skill": "sales", "level": 9}]},
    {"id": 2, "uri": f"sip:agent2@127.0.0.1:{agent}", "skills": [{"skill": "sales", "level": 5}]},
    {"id": 3, "uri": f"sip:agent3@127.0.0.1:{agent}", "skills": [{"skill": "sales", "level": 3}]},
    {"id": 4, "uri": f"sip:agent4@127.0.0.1:{agent}", "skills": [{"skill": "support", "level": 5}]},
] + [{"id": 100 + i, "uri": f"sip:load{i}@127.0.0.1:{agent}",
      "skills": [{"skill": "load", "level": 1}]} for i in range(1, 41)]
json.dump({"evapi": {"host": "127.0.0.1", "port": evapi},
           "skills": ["sales", "support", "nobody", "load"],
           "queues": [q("sales", "sales"), q("support", "support"),
                      q("nobody", "nobody", max_wait_ms=1000, no_agent_code=480,
                        no_agent_reason="No Agent Available"),
                      q("load", "load", wrap_up_ms=200)],
           "agents": agents}, open(out, "w"), indent=1)
PY
# queue ids follow the order above: sales=0 support=1 nobody=2 load=3

# --- start ---------------------------------------------------------------------
kamailio -DD -E -m 64 -M 16 -f "${WORK}/kamailio.cfg" >"${WORK}/kamailio.log" 2>&1 &
PIDS+=($!)
sipp -sf "${HERE}/agent_busy.xml" -i 127.0.0.1 -p "${P_BUSY}" -nostdin \
  -trace_err -error_file "${WORK}/busy_err.log" \
  -trace_msg -message_file "${WORK}/busy_msg.log" >"${WORK}/busy.out" 2>&1 &
PIDS+=($!)
sipp -sf "${HERE}/agent.xml" -i 127.0.0.1 -p "${P_AGENT}" -nostdin \
  -trace_err -error_file "${WORK}/agent_err.log" >"${WORK}/agent.out" 2>&1 &
PIDS+=($!)
sleep 1
# Before the engine connects, Kamailio fails fast with 503.
timeout 20 sipp -sf "${HERE}/caller_noengine.xml" -s sales "127.0.0.1:${P_K}" \
  -i 127.0.0.1 -p "${P_CALLER}" -m 1 -nostdin >"${WORK}/noengine.out" 2>&1 \
  || fail "without the engine, an INVITE did not get 503 at once"
echo "no engine connected: INVITE answered 503"
DAEMON_ARGS=(--config "${WORK}/ccengine.json" --http 127.0.0.1:0)
[[ -n "${REPORT}" ]] && DAEMON_ARGS+=(--metrics-db "${WORK}/metrics.db")
"${DAEMON}" "${DAEMON_ARGS[@]}" >"${WORK}/daemon.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("${DAEMON_PID}")
for _ in $(seq 1 50); do
  grep -q "evapi connected" "${WORK}/daemon.log" && break
  sleep 0.1
done
grep -q "evapi connected" "${WORK}/daemon.log" || fail "engine did not connect to evapi"
sleep 0.3

# run_callers NAME SCENARIO QUEUE CALLS RATE HOLD_MS TIMEOUT_S
# -pause_msg_ign: Kamailio's UDP workers (eight by default) may forward an
# agent's 180 after its 200 (two workers, two packets); a caller already in
# the call (the pause) ignores that stray provisional response, as RFC 3261
# has a UAC do, instead of aborting the call.
run_callers() {  # NAME SCENARIO QUEUE CALLS RATE HOLD_MS LIMIT_S [SIPP_ARG...]
  local name=$1 sf=$2 queue=$3 calls=$4 rate=$5 hold=$6 limit=$7
  shift 7
  local start=${SECONDS}
  [[ "${sf}" == /* ]] || sf="${HERE}/${sf}"
  timeout "${limit}" sipp "$@" -sf "${sf}" -s "${queue}" "127.0.0.1:${P_K}" \
    -i 127.0.0.1 -p "${P_CALLER}" -m "${calls}" -r "${rate}" -d "${hold}" \
    -l 1000 -nostdin -pause_msg_ign -trace_stat -stf "${WORK}/${name}.csv" \
    -trace_err -error_file "${WORK}/${name}_err.log" >"${WORK}/${name}.out" 2>&1
  local rc=$?
  local stats
  stats="$(python3 - "${WORK}/${name}.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
h, last = rows[0], rows[-1]
g = lambda k: last[h.index(k)]
print(g("TotalCallCreated"), g("SuccessfulCall(C)"), g("FailedCall(C)"))
PY
)"
  read -r created ok failed <<<"${stats}"
  echo "${name}: sipp rc=${rc} created=${created} successful=${ok} failed=${failed}" \
       "in $((SECONDS - start))s"
  [[ ${rc} -eq 0 && "${ok}" == "${calls}" && "${failed}" == "0" ]] \
    || fail "${name}: expected ${calls} successful calls"
}

# --- scenarios -----------------------------------------------------------------
run_callers sales caller.xml sales 12 4 1000 60
run_callers support caller.xml support 4 4 500 30
run_callers nobody caller_noagent.xml nobody 3 3 0 30
LOAD_START=${SECONDS}
run_callers load caller.xml load "${LOAD_CALLS}" "${LOAD_RATE}" 1000 120
LOAD_SECONDS=$((SECONDS - LOAD_START))
sleep 1  # last wrap-ups end

# --- the daemon's /metrics counts what the callers did -----------------------------
METRICS_URL="$(sed -n 's|^LOG http serving \(http://.*/metrics\)$|\1|p' "${WORK}/daemon.log" | head -n 1)"
[[ -n "${METRICS_URL}" ]] || fail "the daemon did not announce its /metrics address"
metric() {  # metric NAME QUEUE: the sample's value in the latest exposition
  awk -v key="$1{queue=\"$2\"}" '$1 == key {print $2}' "${WORK}/metrics.txt"
}
for _ in $(seq 1 50); do  # a snapshot is published each second
  curl -sf "${METRICS_URL}" -o "${WORK}/metrics.txt" || fail "GET ${METRICS_URL} failed"
  [[ "$(metric ccengine_queue_completed_total load)" == "${LOAD_CALLS}" ]] && break
  sleep 0.1
done
for check in "offered sales 12" "answered sales 12" "completed sales 12" \
             "offered support 4" "offered load ${LOAD_CALLS}" \
             "answered load ${LOAD_CALLS}" "completed load ${LOAD_CALLS}"; do
  read -r what queue want <<<"${check}"
  got="$(metric "ccengine_queue_${what}_total" "${queue}")"
  [[ "${got}" == "${want}" ]] || fail "/metrics: ${what} in ${queue} is '${got}', want ${want}"
done
agents_now="$(awk '/^ccengine_agents\{state=/ {s += $2} END {print s}' "${WORK}/metrics.txt")"
agents_cfg="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["agents"]))' "${WORK}/ccengine.json")"
[[ "${agents_now}" == "${agents_cfg}" ]] ||
  fail "/metrics: ccengine_agents sums to '${agents_now}', the config has ${agents_cfg} agents"
echo "/metrics: offered, answered and completed per queue match the calls made;" \
  "${agents_now} agents by state"

# SIGHUP without --routing: nothing to reload, and the daemon goes on.
kill -HUP "${DAEMON_PID}"
for _ in $(seq 1 50); do
  grep -q "LOG routing: SIGHUP ignored" "${WORK}/daemon.log" && break
  sleep 0.1
done
grep -q "LOG routing: SIGHUP ignored" "${WORK}/daemon.log" ||
  fail "SIGHUP without --routing was not logged"
kill -0 "${DAEMON_PID}" 2>/dev/null || fail "SIGHUP without --routing ended the daemon"

kill -TERM "${DAEMON_PID}"
wait_exit "${DAEMON_PID}" || true
grep -q '^SUMMARY' "${WORK}/daemon.log" || fail "daemon wrote no SUMMARY"

# --- checks on the engine's own events -------------------------------------------
python3 - "${WORK}/daemon.log" "${LOAD_CALLS}" "${LOAD_SECONDS}" <<'PY' || fail "event checks"
import re, sys
log, load_calls, load_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
serves = {0: {1, 2, 3}, 1: {4}, 3: set(range(101, 141))}
ev = []
for line in open(log):
    if line.startswith("EV "):
        f = dict(re.findall(r"(\w+)=(\S+)", line))
        ev.append((line.split()[1], f))
summary = dict(re.findall(r"(\w+)=(\S+)", [l for l in open(log) if l.startswith("SUMMARY")][0]))
errors = []
active = {}          # agent -> contacts offered or in service
queue_of = {}
offered_to = {}      # contact -> [agents]
waits = []
for kind, f in ev:
    c, a = f.get("contact"), f.get("agent")
    if kind == "contact_queued": queue_of[c] = int(f["queue"])
    if kind == "offered":
        a = int(a); q = int(f["queue"])
        if a not in serves.get(q, set()):
            errors.append(f"contact {c} of queue {q} offered to agent {a} without the skill")
        if active.get(a):
            errors.append(f"agent {a} offered contact {c} while holding {active[a]}")
        active.setdefault(a, set()).add(c)
        offered_to.setdefault(c, []).append(a)
    if kind in ("rejected", "offer_timed_out", "offer_rescinded", "completed") and a:
        active.get(int(a), set()).discard(c)
    if kind == "abandoned" and a:
        active.get(int(a), set()).discard(c)
busy_hunts = [c for c, agents in offered_to.items() if agents[0] == 1]
rejected_then_next = [c for c in busy_hunts if len(offered_to[c]) >= 2 and offered_to[c][1] in (2, 3)]
if not busy_hunts:
    errors.append("the busy agent (486) was never offered a call")
if busy_hunts and len(rejected_then_next) != len(busy_hunts):
    errors.append(f"after a 486 the next agent was not offered: {busy_hunts}")
# The busy phone itself answered 486 (not a send error on a dead port, which
# also reads as a rejection), once per call hunted past it.
busy_rejected = {f.get("contact") for k, f in ev if k == "rejected" and f.get("agent") == "1"}
if set(busy_hunts) - busy_rejected:
    errors.append(f"the busy agent's offers were not rejected: "
                  f"{sorted(set(busy_hunts) - busy_rejected)}")
try:
    busy_486 = open(log.replace("daemon.log", "busy_msg.log")).read().count("SIP/2.0 486 Busy Here")
except OSError:
    busy_486 = 0
if busy_486 < len(busy_hunts):
    errors.append(f"the busy phone sent {busy_486} 486s for {len(busy_hunts)} calls hunted past it")
overflows = [f for k, f in ev if k == "overflowed" and f.get("queue") == "2"]
if len(overflows) != 3:
    errors.append(f"expected 3 'no agent' overflows, saw {len(overflows)}")
states = {}
freed = 0
for kind, f in ev:
    if kind == "agent_state_changed":
        a = f["agent"]
        if states.get(a) == "wrap_up" and f["state"] == "available": freed += 1
        states[a] = f["state"]
answered = 12 + 4 + load_calls
if int(summary["completed"]) != answered:
    errors.append(f"completed {summary['completed']} != answered {answered}")
if freed < answered:
    errors.append(f"only {freed} wrap-up→available transitions for {answered} calls")
if summary["in_flight"] != "0" or summary["invariants"] != "ok":
    errors.append(f"engine not clean at the end: {summary}")
not_available = [a for a, s in states.items() if s != "available"]
if not_available:
    errors.append(f"agents not available at the end: {not_available}")
print(f"busy-agent hunts: {len(busy_hunts)} (each re-offered to the next agent)")
print(f"no-agent calls answered 480: {len(overflows)}")
print(f"wrap-up→available transitions: {freed}")
print("engine summary:", " ".join(f"{k}={v}" for k, v in summary.items()))
print(f"load: {load_calls} calls offered in {load_s}s")
for e in errors: print("ERROR:", e)
sys.exit(1 if errors else 0)
PY

# --- the day's report from the daemon's interval file, and a restart -------------
if [[ -n "${REPORT}" ]]; then
  # report_counts FILE: "queue offered answered abandoned" per queue, summed
  # over the days of the report (a run may cross midnight).
  report_counts() {
    "${REPORT}" --db "${WORK}/metrics.db" --granularity day --format csv >"$1" ||
      fail "ccengine-report failed"
    python3 - "$1" <<'PY'
import collections, csv, sys
sums = collections.defaultdict(lambda: [0, 0, 0])
for r in csv.DictReader(open(sys.argv[1], newline="")):
    for i, k in enumerate(("offered", "answered", "abandoned")):
        sums[r["queue"]][i] += int(r[k])
for q in sorted(sums):
    print(q, *sums[q])
PY
  }
  first="$(report_counts "${WORK}/report1.csv")"
  grep -qx "load ${LOAD_CALLS} ${LOAD_CALLS} 0" <<<"${first}" ||
    fail "the day's report does not count the ${LOAD_CALLS} load calls: ${first}"
  grep -qx "sales 12 12 0" <<<"${first}" || fail "the day's report lacks the 12 sales calls: ${first}"
  echo "ccengine-report (day, from the daemon's --metrics-db): $(tr '\n' ';' <<<"${first}")"
  "${REPORT}" --db "${WORK}/metrics.db" --granularity hour --format svg --target 0.8 \
    >"${WORK}/report.svg" || fail "ccengine-report --format svg failed"
  python3 -c 'import sys, xml.etree.ElementTree as E
bars = [e for e in E.parse(sys.argv[1]).iter() if e.get("class") == "bar"]
sys.exit(0 if bars else 1)' "${WORK}/report.svg" || fail "the SVG chart is not well-formed or has no bars"

  # A second daemon on the same file: the day is still today's, unchanged.
  day_before="$(date -u +%F)"
  "${DAEMON}" "${DAEMON_ARGS[@]}" >"${WORK}/daemon2.log" 2>&1 &
  DAEMON2_PID=$!
  PIDS+=("${DAEMON2_PID}")
  for _ in $(seq 1 50); do grep -q "LOG http serving" "${WORK}/daemon2.log" && break; sleep 0.1; done
  grep -q "interval rows restored" "${WORK}/daemon2.log" ||
    fail "the restarted daemon did not restore its interval rows"
  URL2="$(sed -n 's|^LOG http serving \(http://.*/metrics\)$|\1|p' "${WORK}/daemon2.log" | head -n 1)"
  today=""
  for _ in $(seq 1 30); do
    today="$(curl -sf "${URL2}" | awk '$1 == "ccengine_queue_period_offered{queue=\"load\",period=\"today\"}" {print $2}')"
    [[ -n "${today}" ]] && break
    sleep 0.1
  done
  if [[ "$(date -u +%F)" == "${day_before}" ]]; then
    [[ "${today}" == "${LOAD_CALLS}" ]] ||
      fail "after the restart /metrics shows ${today:-nothing} load calls today, want ${LOAD_CALLS}"
  fi
  kill -TERM "${DAEMON2_PID}"
  wait_exit "${DAEMON2_PID}" || true
  grep -q '^SUMMARY' "${WORK}/daemon2.log" || fail "the restarted daemon wrote no SUMMARY"
  second="$(report_counts "${WORK}/report2.csv")"
  [[ "${second}" == "${first}" ]] ||
    fail "the restart changed the day's report: before ${first}; after ${second}"
  echo "restart: $(grep -o '[0-9]* interval rows restored' "${WORK}/daemon2.log");" \
    "/metrics today: ${today} load calls; the report unchanged"
fi

# --- the routing file: a flow, a fallback target, a reload on SIGHUP, an IVR's ----
# --- facts, a file refused -----------------------------------------------------
python3 - "${WORK}" "${P_EVAPI}" "${P_AGENT}" <<'PY'
import json, sys
work, evapi, agent = sys.argv[1], int(sys.argv[2]), sys.argv[3]
agents = [{"id": 2, "uri": f"sip:agent2@127.0.0.1:{agent}", "profile": "sales"},
          {"id": 4, "uri": f"sip:agent4@127.0.0.1:{agent}", "profile": "support"}]
json.dump({"evapi": {"host": "127.0.0.1", "port": evapi}, "agents": agents},
          open(f"{work}/agents.json", "w"))
# Queue "nobody" (2) has no agent: flow "fallback" sends a call there, and
# its target falls back after 1 s to support, whose agent answers; flow
# "fallback_late" after 5.5 s, longer than tm's fr_timer (5 s) on the
# suspended INVITE.
def routing(hotline_queue, sales_level):
    return {"format": 1, "skills": ["sales", "support", "nobody"],
            "queues": [{"name": n, "skills": {n: 1}, "max_wait_s": 10, "wrap_up_s": 0.3,
                        "offer_timeout_s": None} for n in ("sales", "support", "nobody")],
            "agent_profiles": [{"name": "sales", "skills": {"sales": sales_level}},
                               {"name": "support", "skills": {"support": 5}}],
            "attributes": {"ivr.choice": "string"},
            "flows": [{"name": "hotline",
                       "rules": [{"name": "ivr 9", "if": "ivr.choice == '9'", "queue": "sales"}],
                       "default": {"queue": hotline_queue}},
                      {"name": "fallback", "rules": [],
                       "default": {"queue": "nobody",
                                   "fallbacks": [{"after_s": 1, "queue": "support"}]}},
                      {"name": "fallback_late", "rules": [],
                       "default": {"queue": "nobody",
                                   "fallbacks": [{"after_s": 5.5, "queue": "support"}]}}]}
json.dump(routing("sales", 5), open(f"{work}/routing.json", "w"))
json.dump(routing("support", 7), open(f"{work}/routing_v2.json", "w"))
PY
AUDIT_ARGS=()
if [[ -n "${AUDIT_TOOL}" ]]; then
  "${AUDIT_TOOL}" keygen "${WORK}/audit.pem" "${WORK}/audit.pub" >/dev/null ||
    fail "ccengine-audit keygen failed"
  AUDIT_ARGS=(--audit-log "${WORK}/audit.log" --audit-key "${WORK}/audit.pem")
elif [[ "${CI:-}" == "true" ]]; then
  fail "no ccengine-audit given: in CI the daemon's audit trail is tested"
fi
"${DAEMON}" --config "${WORK}/agents.json" --routing "${WORK}/routing.json" \
  --http 127.0.0.1:0 "${AUDIT_ARGS[@]}" >"${WORK}/daemon3.log" 2>&1 &
DAEMON3_PID=$!
PIDS+=("${DAEMON3_PID}")
wait_log() {  # wait_log FILE PATTERN: up to 5 s
  for _ in $(seq 1 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  return 1
}
wait_log "${WORK}/daemon3.log" "evapi connected" ||
  fail "the daemon with --routing did not connect: $(head -c 2000 "${WORK}/daemon3.log")"
grep -q "LOG routing: version 1 " "${WORK}/daemon3.log" || fail "no routing version 1 line"
sleep 0.3
run_callers routed1 caller.xml hotline 3 3 500 30
run_callers routed_fallback caller.xml fallback 1 1 500 30
# answer_s NAME MIN MAX: SIPp's time from the INVITE to the answer it
# measures (rtd) must lie in [MIN, MAX) seconds; prints it.
answer_s() {
  python3 - "${WORK}/$1.csv" "$2" "$3" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
h, last = rows[0], rows[-1]
hh, mm, ss, us = (int(x) for x in last[h.index("ResponseTime1(C)")].split(":"))
took = hh * 3600 + mm * 60 + ss + us / 1e6
print(f"{took:.2f}")
sys.exit(0 if float(sys.argv[2]) <= took < float(sys.argv[3]) else 1)
PY
}
# Waits 5.5 s suspended in Kamailio, past tm's fr_timer (5 s), then is
# answered by support's agent.
run_callers routed_fallback_late caller.xml fallback_late 1 1 500 30
took="$(answer_s routed_fallback_late 5.2 7)" ||
  fail "the call of flow 'fallback_late' was answered after ${took} s, not ~5.5 s"
echo "routed_fallback_late: answered by an agent ${took} s after its INVITE"
# A call to queue "nobody" itself waits past Kamailio's wait limit (7 s here,
# before the queue's max_wait_s of 10 s): Kamailio answers 480 and tells the
# daemon, which withdraws the contact.
sed 's|<recv response="480"/>|<recv response="480" rtd="true"/>|' \
  "${HERE}/caller_noagent.xml" >"${WORK}/caller_limit.xml"
run_callers wait_limit "${WORK}/caller_limit.xml" nobody 1 1 0 30
read -r lo hi < <(awk -v ms="${WAIT_LIMIT_MS}" 'BEGIN {print ms / 1000 - 0.5, ms / 1000 + 1.5}')
took="$(answer_s wait_limit "${lo}" "${hi}")" ||
  fail "the call past the wait limit was answered 480 after ${took} s, not ${WAIT_LIMIT_MS} ms"
echo "wait_limit: answered 480 by Kamailio ${took} s after its INVITE"
grep -q "wait limit reached, answered 480" "${WORK}/kamailio.log" ||
  fail "Kamailio did not log the call that reached its wait limit"
wait_log "${WORK}/daemon3.log" "reached Kamailio's wait limit: withdrawn" ||
  fail "the daemon did not withdraw the call that reached Kamailio's wait limit"
cp "${WORK}/routing_v2.json" "${WORK}/routing.json"
kill -HUP "${DAEMON3_PID}"
wait_log "${WORK}/daemon3.log" "LOG routing: version 2 " ||
  fail "SIGHUP did not make the changed file version 2"
grep -q "LOG routing: version 2 .*profile 'sales': skills of 1 agents updated" \
  "${WORK}/daemon3.log" || fail "the agent of profile 'sales' did not follow version 2"
run_callers routed2 caller.xml hotline 3 3 500 30
# An IVR's X-CC-Facts header: ivr.choice=9 picks rule "ivr 9" (sales);
# customer.tier is not an attribute of the file: ignored, and logged.
sed '0,/^Max-Forwards: 70$/s//Max-Forwards: 70\nX-CC-Facts: ivr.choice=9; customer.tier=gold/' \
  "${HERE}/caller.xml" >"${WORK}/caller_ivr.xml"
run_callers routed_ivr "${WORK}/caller_ivr.xml" hotline 2 2 500 30
grep -q "facts ignored: 'customer.tier' (not an attribute of the routing file)" \
  "${WORK}/daemon3.log" || fail "an unknown fact in X-CC-Facts was not logged"
# An IVR that puts the caller's number where a fact belongs: the header is
# ignored and logged, the number masked in the log.
sed '0,/^Max-Forwards: 70$/s//Max-Forwards: 70\nX-CC-Facts: 13812345678/' \
  "${HERE}/caller.xml" >"${WORK}/caller_pii.xml"
run_callers routed_pii "${WORK}/caller_pii.xml" hotline 1 1 500 30
grep -q "facts ignored: X-CC-Facts: '138\*\*\*\*5678' is not name=value" \
  "${WORK}/daemon3.log" || fail "a bad X-CC-Facts header was not logged masked"
if grep -q "13812345678" "${WORK}/daemon3.log"; then
  fail "a caller's number reached the daemon's log unmasked"
fi
# A Call-ID may hold '"' (RFC 3261's word): pasted raw into the invite's JSON
# it would append "event":"bye" and the call would never be routed.
run_callers routed_quote caller.xml hotline 2 2 500 30 -cid_str '%u-%p@%s","event":"bye","q":"'
grep -q '^RING call=[0-9]*-[0-9]*@127.0.0.1","event":"bye","q":" ' "${WORK}/daemon3.log" ||
  fail "no call with a quoted Call-ID was offered"
printf '{"format": 1, "skills": ["sales"' >"${WORK}/routing.json"  # cut short
# The admin request does what SIGHUP does.
ADMIN_URL="$(sed -n 's|^LOG http serving \(http://[^/]*\)/metrics$|\1/-/reload|p' \
  "${WORK}/daemon3.log" | head -n 1)"
[[ -n "${ADMIN_URL}" ]] || fail "the routing daemon did not announce its HTTP address"
# Not from a web page: Origin (a cross-site form) or a foreign Host (DNS
# rebinding) is refused before anything is asked for.
for extra in "Origin: http://evil.example" "Host: evil.example"; do
  code="$(curl -s -o /dev/null -X POST -H "${extra}" -w '%{http_code}' "${ADMIN_URL}")"
  [[ "${code}" == 403 ]] || fail "POST ${ADMIN_URL} with '${extra}' answered ${code}, not 403"
done
reply="$(curl -s -X POST -w ' %{http_code}' "${ADMIN_URL}")"
[[ "${reply}" == *"reload of the routing file requested"*" 202" ]] ||
  fail "POST ${ADMIN_URL} answered '${reply}'"
wait_log "${WORK}/daemon3.log" "LOG routing: reload of .* refused" ||
  fail "a broken file was not refused on POST /-/reload"
run_callers routed3 caller.xml hotline 2 2 500 30
grep -q "LOG access: calls handled as actor 'ccengine-kamailio' (role system)" \
  "${WORK}/daemon3.log" || fail "the daemon did not attach the routing file's roles"
# Version 3's roles: a system role that no longer takes calls. A call is
# refused by the access control and answered 480 at once (not at the wait
# limit); the refusal is an entry of the audit trail.
python3 - "${WORK}" <<'PY'
import json, sys
v3 = json.load(open(f"{sys.argv[1]}/routing_v2.json"))
v3["access"] = {"roles": [{"name": "system", "grants": {
    p: "all" for p in ("agent.state", "offer.answer", "contact.complete",
                       "contact.abandon", "contact.withdraw")}}]}
json.dump(v3, open(f"{sys.argv[1]}/routing.json", "w"))
PY
kill -HUP "${DAEMON3_PID}"
wait_log "${WORK}/daemon3.log" "LOG routing: version 3 " ||
  fail "SIGHUP did not make the file with roles version 3"
sed 's|<recv response="480"/>|<recv response="480" rtd="true"/>|' \
  "${HERE}/caller_noagent.xml" >"${WORK}/caller_refused.xml"
run_callers refused "${WORK}/caller_refused.xml" hotline 1 1 0 30
took="$(answer_s refused 0 2)" ||
  fail "the call the roles refuse was answered 480 after ${took} s, not at once"
grep -q "^END call=.* outcome=refused code=480" "${WORK}/daemon3.log" ||
  fail "the daemon did not end the refused call"
kill -TERM "${DAEMON3_PID}"
wait_exit "${DAEMON3_PID}" || true
python3 - "${WORK}/daemon3.log" "${WAIT_LIMIT_MS}" <<'PY' || fail "routing file checks"
import datetime, re, sys
def when(text):  # an event's RFC 3339 UTC time, any number of fraction digits
    m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(?:\.(\d+))?", text)
    t = datetime.datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%S")
    return t + datetime.timedelta(seconds=float("0." + (m[2] or "0")))
queue_of_offer, phase, errors = [], 0, []
queued_at, moved = {}, []  # contact -> when it entered queue 2; fallback moves
withdrawn = []  # (contact, queue, after s): the calls that reached the wait limit
limit_s = int(sys.argv[2]) / 1000
for line in open(sys.argv[1]):
    if line.startswith("LOG routing: version 2"):
        phase = 1
    elif line.startswith("LOG routing: reload of"):
        phase = 2
    elif line.startswith("EV "):
        kind = line.split()[1]
        f = dict(re.findall(r"(\w+)=(\S+)", line))
        at = when(line.split()[3])
        if kind == "offered":
            queue_of_offer.append((phase, int(f["queue"]), int(f["agent"])))
        elif kind == "contact_queued" and f["queue"] == "2":
            queued_at[f["contact"]] = at
        elif kind == "overflowed":
            moved.append((f["contact"], f["queue"], f["to_queue"], f.get("reason"),
                          (at - queued_at.get(f["contact"], at)).total_seconds()))
        elif kind == "withdrawn":
            withdrawn.append((f["contact"], f["queue"],
                              (at - queued_at.get(f["contact"], at)).total_seconds()))
# The calls of flows "fallback" and "fallback_late" waited 1 s and 5.5 s in
# queue 2 (no agent), moved to support (1) with reason target_timeout, and
# support's agent 4 answered each.
# After the IVR's two calls to sales (0), the call whose facts were ignored
# and the two with quoted Call-IDs go where version 2 sends them (support).
want = ([(0, 0, 2)] * 3 + [(0, 1, 4)] * 2 + [(1, 1, 4)] * 3 + [(1, 0, 2)] * 2 +
        [(1, 1, 4)] * 3 + [(2, 1, 4)] * 2)
if queue_of_offer != want:
    errors.append(f"offers (phase, queue, agent) {queue_of_offer}, want {want}")
if (len(moved) != 2 or [m[1:4] for m in moved] != [("2", "1", "target_timeout")] * 2
        or not 1 <= moved[0][4] < 3 or not 5.5 <= moved[1][4] < 7):
    errors.append(f"fallback moves (contact, queue, to_queue, reason, after s) {moved}, "
                  "want two from 2 to 1, target_timeout, after 1 s and 5.5 s")
# The call to queue 2 itself left the engine when Kamailio's wait limit
# passed: withdrawn, not abandoned, and before the queue's max wait (no
# third overflow).
if (len(withdrawn) != 1 or withdrawn[0][1] != "2"
        or not limit_s - 0.5 <= withdrawn[0][2] < limit_s + 1.5):
    errors.append(f"withdrawn (contact, queue, after s) {withdrawn}, want one from "
                  f"queue 2 after {limit_s} s")
summary = dict(re.findall(r"(\w+)=(\S+)", [l for l in open(sys.argv[1]) if l.startswith("SUMMARY")][0]))
if (summary["completed"] != "15" or summary["withdrawn"] != "1"
        or summary["abandoned"] != "0" or summary["in_flight"] != "0"
        or summary["invariants"] != "ok"):
    errors.append(f"summary {summary}")
for e in errors: print("ERROR:", e)
sys.exit(1 if errors else 0)
PY
echo "routing file: flow 'hotline' to sales, flow 'fallback' from a queue without agents" \
  "to support's agent after 1 s, flow 'fallback_late' after 5.5 s (suspended past tm's" \
  "fr_timer), a call past Kamailio's ${WAIT_LIMIT_MS} ms wait limit answered 480 and" \
  "withdrawn, SIGHUP -> version 2 to support," \
  "X-CC-Facts ivr.choice=9 to sales, a caller's number in X-CC-Facts logged masked," \
  "a Call-ID with quotes routed, a reload from a web page" \
  "refused, a broken file refused (POST /-/reload) and version 2 kept," \
  "version 3's roles refusing calls: answered 480 after ${took} s"

# --- the audit trail of the routing daemon ------------------------------------
# Version 1 at start, versions 2 and 3 on SIGHUP are entries; the broken file
# refused on POST /-/reload changed nothing and is none. So is version 3's
# refusal of a call; the daemon's allowed commands are not (they report
# what Kamailio did, the withdrawal at its wait limit included). The log
# verifies; a copy with one entry changed stops a daemon's start, naming the
# line.
if [[ -n "${AUDIT_TOOL}" ]]; then
  "${AUDIT_TOOL}" show "${WORK}/audit.log" --public-key "${WORK}/audit.pub" \
    >"${WORK}/audit_show.tsv" 2>"${WORK}/audit_verify.out" ||
    fail "the daemon's audit log does not verify: $(cat "${WORK}/audit_verify.out")"
  python3 - "${WORK}/audit_show.tsv" "${WORK}/routing.json" <<'PY' ||
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
got = [(r[2], r[3], r[4], r[5] if r[5].startswith("routing:") else r[5].split()[0],
        r[6].split(" (")[0], r[7].split(" (")[0]) for r in rows]
path = "routing:" + sys.argv[2]
want = [("ccengine-kamailio", "system", "routing.load", path, "", "version 1"),
        ("ccengine-kamailio", "system", "routing.reload", path, "version 1", "version 2"),
        ("ccengine-kamailio", "system", "routing.reload", path, "version 2", "version 3"),
        ("ccengine-kamailio", "system", "denied:contact.add:AddContact", "contact", "", "")]
if got != want:
    print(f"audit entries {got}, want {want}")
    sys.exit(1)
PY
    fail "the audit log does not hold the three routing versions and the refusal"
  sed 's/\trouting\.reload\t/\trouting.rel0ad\t/' "${WORK}/audit.log" >"${WORK}/tampered.log"
  cmp -s "${WORK}/audit.log" "${WORK}/tampered.log" && fail "the audit log copy was not changed"
  cp "${WORK}/audit.log.head" "${WORK}/tampered.log.head"
  timeout 10 "${DAEMON}" --config "${WORK}/agents.json" --routing "${WORK}/routing_v2.json" \
    --http off --audit-log "${WORK}/tampered.log" --audit-key "${WORK}/audit.pem" \
    >"${WORK}/daemon_tampered.log" 2>&1
  rc=$?
  [[ ${rc} -eq 2 ]] && grep -q "does not verify at line" "${WORK}/daemon_tampered.log" ||
    fail "a daemon started on a tampered audit log (exit ${rc}):" \
      "$(head -c 500 "${WORK}/daemon_tampered.log")"
  echo "audit trail: routing versions 1 to 3 and a refusal recorded and" \
    "verified; a tampered log" \
    "refused at start: $(grep -m 1 "does not verify" "${WORK}/daemon_tampered.log" | cut -c1-160)"
fi

# --- the engine gone: the calls waiting for its decision are answered 503 ------
# A daemon dies (kill -9) while two calls wait in queue "nobody" (no agent)
# and a third rings support's agent, whose address answers nothing: Kamailio
# answers the two waiting calls 503 when the connection closes, long before
# its wait limit, and the third when its agent times out (tm's fr_timer,
# 5 s), instead of suspending it again for an engine that is gone.
python3 - "${WORK}" "${P_EVAPI}" "${P_SILENT}" <<'PY'
import json, sys
work, evapi, silent = sys.argv[1], int(sys.argv[2]), sys.argv[3]
json.dump({"evapi": {"host": "127.0.0.1", "port": evapi},
           "agents": [{"id": 4, "uri": f"sip:agent4@127.0.0.1:{silent}", "profile": "support"}]},
          open(f"{work}/agents_silent.json", "w"))
PY
"${DAEMON}" --config "${WORK}/agents_silent.json" --routing "${WORK}/routing_v2.json" \
  >"${WORK}/daemon4.log" 2>&1 &
DAEMON4_PID=$!
PIDS+=("${DAEMON4_PID}")
wait_log "${WORK}/daemon4.log" "evapi connected" ||
  fail "the fourth daemon did not connect: $(head -c 2000 "${WORK}/daemon4.log")"
sleep 0.3
sed 's|<recv response="503"/>|<recv response="503" rtd="true"/>|' \
  "${HERE}/caller_noengine.xml" >"${WORK}/caller_gone.xml"
# gone_caller NAME QUEUE CALLS PORT: callers expecting 503, in the background.
gone_caller() {
  timeout 30 sipp -sf "${WORK}/caller_gone.xml" -s "$2" "127.0.0.1:${P_K}" \
    -i 127.0.0.1 -p "$4" -m "$3" -r 4 -l 1000 -nostdin -trace_stat \
    -stf "${WORK}/$1.csv" >"${WORK}/$1.out" 2>&1
}
gone_caller engine_gone nobody 2 "${P_CALLER}" &
WAITING_PID=$!
gone_caller engine_gone_ringing support 1 "${P_CALLER2}" &
RINGING_PID=$!
for _ in $(seq 1 50); do
  [[ "$(grep -c '^EV contact_queued' "${WORK}/daemon4.log")" -ge 2 &&
     "$(grep -c '^EV offered' "${WORK}/daemon4.log")" -ge 1 ]] && break
  sleep 0.1
done
[[ "$(grep -c '^EV contact_queued' "${WORK}/daemon4.log")" -eq 2 &&
   "$(grep -c '^EV offered' "${WORK}/daemon4.log")" -eq 1 ]] ||
  fail "the fourth daemon did not hold two waiting calls and one offer"
sleep 0.5
kill -KILL "${DAEMON4_PID}"
wait "${WAITING_PID}" || fail "the calls waiting when the engine died were not answered 503" \
  "($(tail -n 5 "${WORK}/engine_gone.out"))"
# Killed 0.5 s after both were seen queued: answered then, not before (sipp's
# response time runs from a moment after its INVITE went out, so the bound
# leaves 0.1 s for that), and not at the wait limit.
took="$(answer_s engine_gone 0.4 3)" ||
  fail "the calls waiting when the engine died were answered after ${took} s on average"
wait "${RINGING_PID}" || fail "the call ringing when the engine died was not answered 503" \
  "($(tail -n 5 "${WORK}/engine_gone_ringing.out"))"
took_ringing="$(answer_s engine_gone_ringing 4.5 6.5)" ||
  fail "the call ringing when the engine died was answered after ${took_ringing} s, not" \
    "at its agent's timeout (5 s)"
grep -q "no ccengine connected: 2 waiting calls resumed" "${WORK}/kamailio.log" ||
  fail "Kamailio did not resume the two waiting calls when the engine died"
[[ "$(grep -c 'answered 503 (no ccengine connected)' "${WORK}/kamailio.log")" -eq 3 ]] ||
  fail "Kamailio did not log three calls answered 503 without the engine"
echo "engine gone: 2 waiting calls answered 503 by Kamailio ${took} s after their INVITEs" \
  "(on average), not at its ${WAIT_LIMIT_MS} ms wait limit; the call ringing an agent" \
  "that never answered, at the agent's timeout (${took_ringing} s)"

echo "PASS: Kamailio e2e"
cleanup
rm -rf "${WORK}"  # kept on failure, for the logs
