#!/usr/bin/python3
"""A day of a Shenzhen-12345-like citizen hotline, staffed with Erlang A and
simulated through the production routing engine.

About 100,000 contacts arrive over 24 hours on an intraday curve with a
morning and an afternoon peak: voice calls for policy questions (政策咨询),
complaints (投诉举报) and emergencies (紧急求助, served first), Cantonese and
English speakers, VIP callers, and web chats that an agent handles three at a
time. The center's skills, queues, agent profiles and entry flow are the
routing file examples/routing/hotline_day.json — the file a live deployment
loads with ``Engine.from_config`` — so the callers bring facts (an IVR choice,
what they said, a language, a tier) and the file's rules decide their queue
and priority: keywords such as 紧急 / 火灾 reach the emergency line, the
English desk answers from 08:00 to 20:00 (then the policy line does), VIPs go
first. For every half hour the script sizes each skill group with
``agents_for_service_level`` (Erlang A: 80% within the queue's threshold,
with the callers' patience), then runs the day through ``ccengine.simulate``
— the same router a PBX would link — and writes a report:

    intervals.csv     the per-interval table (load, staffing, SL, ASA, …)
    summary.txt       the day's figures per queue and per agent group, and the
                      work orders (工单) the complaint calls opened, per
                      department (examples/hotline_tickets.py)
    tickets.db        those tickets with their histories (SQLite)
    knowledge.db      the knowledge base the policy callers' questions were put
                      to: self-service answers and agent assist
                      (examples/hotline_knowledge.py)
    result.json       the full simulation result
    report_hourly.csv, report_teams.csv, service_level_hourly.svg
                      the day on the calendar (Beijing time) through the same
                      report functions as a live center's stored rows: queues
                      per hour, teams for the day, the hourly service level
                      against the 80% target
    day.png           charts per interval
    staffing.png      the Erlang plan against the simulation's own plan
                      (``optimize_staffing``: the fewest agents per half hour
                      and team that meet every queue's target through the
                      real routing, backlog carried over)

Usage: /usr/bin/python3 examples/hotline_day.py [--out DIR] [--seed N] [--scale X]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

import ccengine
from hotline_knowledge import report_lines as knowledge_report_lines
from hotline_knowledge import run_knowledge
from hotline_tickets import report_lines as ticket_report_lines
from hotline_tickets import run_tickets

INTERVAL_S = 1800
DAY_S = 24 * 3600
# The simulated day on the calendar (a Monday, Beijing time), for its reports
# and for the routing file's time rules.
DAY_START = "2026-12-07T00:00:00+08:00"
DAY_START_EPOCH_S = 1796572800  # DAY_START as seconds since the Unix epoch
TIME_ZONE = "Asia/Shanghai"
CONTACTS_PER_DAY = 100_000
# The center's skills, queues, agent profiles and entry flow: the routing
# file a live deployment would load (Engine.from_config) is the one simulated.
ROUTING_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "routing",
                            "hotline_day.json")

# Who calls: (name, share of the day's contacts, channel, the facts the
# contact brings into the entry flow (IVR choice, speech, language, tier),
# AHT s, sd s, patience s). The flow decides the queue and the priority.
CALLERS = [
    ("policy", 0.417, "voice", {"ivr.choice": "1"}, 240, 150, 180),
    ("policy_vip", 0.013, "voice", {"ivr.choice": "1", "customer.tier": "vip"}, 240, 150, 180),
    ("complaint", 0.165, "voice", {"ivr.choice": "2"}, 360, 200, 240),
    ("complaint_vip", 0.005, "voice", {"ivr.choice": "2", "customer.tier": "vip"},
     360, 200, 240),
    ("emergency", 0.02, "voice", {"contact.text": "楼道里有烟，可能是火灾，紧急"}, 180, 90, 600),
    ("cantonese", 0.06, "voice", {"contact.language": "yue"}, 260, 150, 180),
    ("english", 0.01, "voice", {"contact.language": "en"}, 300, 180, 240),
    ("web_chat", 0.31, "chat", {}, 480, 250, 400),
]
CHATS_PER_AGENT = 3


def intraday_shape(hour: float) -> float:
    """Relative arrival intensity: quiet night, peaks at 10:00 and 15:00."""
    night = 0.06
    morning = 1.00 * math.exp(-((hour - 10.0) / 1.6) ** 2)
    afternoon = 0.85 * math.exp(-((hour - 15.2) / 1.9) ** 2)
    evening = 0.35 * math.exp(-((hour - 19.5) / 2.0) ** 2)
    return night + morning + afternoon + evening


def rates_per_interval(share: float, scale: float) -> list[float]:
    hours = [(i + 0.5) * INTERVAL_S / 3600 for i in range(DAY_S // INTERVAL_S)]
    weights = [intraday_shape(h) for h in hours]
    total = sum(weights)
    day = CONTACTS_PER_DAY * scale * share
    return [day * w / total / INTERVAL_S for w in weights]


def staff(rate: float, aht: float, sl_s: float, patience: float, chats: int,
          wrap_up_s: float) -> int:
    """Agents for 80% within the threshold in one interval (Erlang A); none
    when the queue gets no contacts then (the English desk at night)."""
    if rate <= 0:
        return 0
    # A chat agent works `chats` contacts at once: size it as a faster server.
    # Wrap-up keeps the agent from the next contact: it is part of the work.
    n = ccengine.agents_for_service_level(rate, (aht + wrap_up_s) / chats, 0.8, sl_s,
                                          patience=patience)
    return max(n, 2)


def build_scenario(seed: int, scale: float):
    """The day's callers and, per queue, the Erlang A teams: each caller
    type is routed through the file's flow at the middle of every half hour,
    so a queue is sized for the callers the flow sends it then."""
    routing = ccengine.RoutingFile.load(ROUTING_FILE)
    with open(ROUTING_FILE, encoding="utf-8") as f:
        queues = {q["name"]: q for q in json.load(f)["queues"]}
    intervals = DAY_S // INTERVAL_S
    load = {q: [[0.0, 0.0, 0.0] for _ in range(intervals)] for q in queues}  # rate, work, wait
    arrivals = []
    for name, share, channel, facts, aht, sd, patience in CALLERS:
        rates = rates_per_interval(share, scale)
        for i, rate in enumerate(rates):
            at = DAY_START_EPOCH_S + (i + 0.5) * INTERVAL_S
            queue = routing.route("hotline", facts, channel=channel, at_s=at)["queue"]
            load[queue][i][0] += rate
            load[queue][i][1] += rate * aht
            load[queue][i][2] += rate * patience
        arrivals.append({"flow": "hotline", "facts": facts, "channel": channel,
                         "rates_per_interval": rates,
                         "handle_time": {"dist": "lognormal", "mean": aht, "sd": sd},
                         "patience": {"dist": "exponential", "mean": patience}})
    agents, plan = [], {}
    for q, spec in queues.items():
        chats = CHATS_PER_AGENT if q == "web_chat" else 1
        rates = [rate for rate, _, _ in load[q]]
        counts = [staff(rate, work / rate if rate else 0, spec["sl_seconds"],
                        wait / rate if rate else 0, chats, spec["wrap_up_s"])
                  for rate, work, wait in load[q]]
        plan[q] = (rates, counts)
        # Each queue has its own team, of the file's profile of that name.
        agents.append({"name": f"{q}_team", "profile": q, "counts": counts})
    scenario = {
        "seed": seed, "horizon_s": DAY_S, "warmup_s": 0, "interval_s": INTERVAL_S,
        "replications": 1, "routing": routing, "agents": agents, "arrivals": arrivals,
        # The calendar the file's time rules read, and the reports show.
        "report_start": DAY_START,
    }
    return scenario, plan


# What every queue must achieve in every half hour, through the real routing.
TARGETS = {q: {"service_level": 0.8}
           for q in ("policy", "complaint", "emergency", "cantonese", "english", "web_chat")}


def optimize(scenario):
    """The simulation's own staffing: the fewest agents per half hour and team
    whose simulated day meets every queue's 80% target (docs/staffing.md).
    Fewer replications than the library's defaults keep the job short."""
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 6 == 0 or done == total:
            print(f"optimize_staffing: {done}/{total} half hours decided "
                  f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

    return ccengine.optimize_staffing(scenario, TARGETS, min_replications=4,
                                      max_replications=12, warmup_intervals=1,
                                      progress=progress)


def staffing_lines(optimized, starts, seconds: float) -> list[str]:
    """The Erlang plan beside the simulation's plan, per half hour."""
    met, erlang_met = optimized["met"], optimized["erlang_met"]
    queues = list(met)
    lines = ["Staffing: Erlang A per queue against the simulation's plan (optimize_staffing),",
             "each judged on the same simulated days (12 replications), target 80% within",
             "the threshold in every queue and half hour:",
             " time   Erlang  optimized  queues on target (Erlang / optimized)"]
    for i, start in enumerate(starts):
        e = sum(optimized["erlang_groups"][g][i] for g in optimized["erlang_groups"])
        o = sum(optimized["groups"][g][i] for g in optimized["groups"])
        em = sum(erlang_met[q][i] for q in queues)
        om = sum(met[q][i] for q in queues)
        lines.append(f" {int(start // 3600):02d}:{int(start % 3600 // 60):02d}  {e:6d}  {o:9d}"
                     f"     {em} / {om} of {len(queues)}")
    total = optimized["queue_intervals"]
    lines.append(f" queue-intervals on target: Erlang {optimized['erlang_intervals_met']} of "
                 f"{total}, optimized {optimized['intervals_met']} of {total}")
    lines.append(f" agent-hours: Erlang {optimized['erlang_agent_hours']:,.1f}, optimized "
                 f"{optimized['agent_hours']:,.1f} "
                 f"({optimized['agent_hours'] / optimized['erlang_agent_hours'] - 1:+.1%})")
    lines.append(f" {optimized['replications_run']:,} simulated replications in {seconds:.0f} s")
    return lines


def plot_staffing(optimized, starts, path: str) -> None:
    """Agents per half hour under both plans, and the queues each keeps on target."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    hours = [s / 3600 for s in starts]
    queues = list(optimized["met"])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for key, label in (("erlang_groups", "Erlang A"), ("groups", "optimize_staffing")):
        top.step(hours, [sum(optimized[key][g][i] for g in optimized[key])
                         for i in range(len(starts))], where="post", label=label)
    top.set_ylabel("agents")
    top.set_title("Staffing per half hour")
    top.legend()
    for key, label in (("erlang_met", "Erlang A"), ("met", "optimize_staffing")):
        bottom.step(hours, [sum(optimized[key][q][i] for q in queues)
                            for i in range(len(starts))], where="post", label=label)
    bottom.set_ylabel(f"queues on target (of {len(queues)})")
    bottom.set_xlabel("hour of day")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fmt_pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def fmt_s(x: float) -> str:
    return "    - " if x != x else f"{x:6.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("out", "hotline_day"))
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--scale", type=float, default=1.0, help="traffic multiplier")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    t0 = time.perf_counter()
    scenario, plan = build_scenario(args.seed, args.scale)
    t_staff = time.perf_counter() - t0
    t1 = time.perf_counter()
    # The day placed on the calendar keeps the collector's 15-minute rows.
    result = ccengine.simulate(scenario)
    t_sim = time.perf_counter() - t1
    rows = result.pop("interval_rows")
    t4 = time.perf_counter()
    optimized = optimize(scenario)
    t_opt = time.perf_counter() - t4

    names = list(TARGETS)
    starts = result["intervals"]["start_s"]
    # --- per-interval table ---------------------------------------------------------
    with open(os.path.join(args.out, "intervals.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["interval", "queue", "rate_per_s", "agents_planned", "agents_optimized",
                    "offered", "answered", "abandoned", "p_wait", "service_level", "asa_s",
                    "aht_s", "occupancy", "service_level_optimized"])
        for q in names:
            best = optimized["achieved"]["intervals"]["queues"][q]
            for i, row in enumerate(result["intervals"]["queues"][q]):
                rates, counts = plan[q]
                w.writerow([f"{int(starts[i] // 3600):02d}:{int(starts[i] % 3600 // 60):02d}", q,
                            f"{rates[i]:.4f}", counts[i],
                            optimized["groups"][f"{q}_team"][i], int(row["offered"]),
                            int(row["answered"]), int(row["abandoned"]),
                            f"{row['p_wait']:.4f}", f"{row['service_level']:.4f}",
                            f"{row['asa']:.2f}", f"{row['aht']:.1f}", f"{row['occupancy']:.4f}",
                            f"{best[i]['service_level']:.4f}"])

    lines = []
    lines.append(f"ccengine {ccengine.__version__} — 12345 hotline day, seed {args.seed}, "
                 f"scale {args.scale}")
    lines.append("")
    lines.append("Per half hour, all queues (SL = answered within threshold / offered):")
    lines.append(" time   offered  agents   SL      ASA s  abandoned")
    for i, start in enumerate(starts):
        offered = sum(result["intervals"]["queues"][q][i]["offered"] for q in names)
        within = sum(result["intervals"]["queues"][q][i]["service_level"]
                     * result["intervals"]["queues"][q][i]["offered"]
                     for q in names if result["intervals"]["queues"][q][i]["offered"] > 0)
        answered = sum(result["intervals"]["queues"][q][i]["answered"] for q in names)
        wait = sum(result["intervals"]["queues"][q][i]["asa"]
                   * result["intervals"]["queues"][q][i]["answered"]
                   for q in names if result["intervals"]["queues"][q][i]["answered"] > 0)
        abandoned = sum(result["intervals"]["queues"][q][i]["abandoned"] for q in names)
        staffed = sum(plan[q][1][i] for q in names)
        lines.append(f" {int(start // 3600):02d}:{int(start % 3600 // 60):02d}  {offered:7.0f}  "
                     f"{staffed:6d}  {fmt_pct(within / offered if offered else float('nan'))}  "
                     f"{fmt_s(wait / answered if answered else float('nan'))}  {abandoned:7.0f}")
    lines.append("")
    lines.append("The day, per queue:")
    lines.append(" queue       offered  answered abandoned  p_wait    SL     ASA s   AHT s  occupancy")
    tot_off = tot_ans = tot_ab = 0.0
    for q in names:
        s = result["summary"]["queues"][q]
        tot_off += s["offered"]; tot_ans += s["answered"]; tot_ab += s["abandoned"]
        lines.append(f" {q:10s} {s['offered']:8.0f} {s['answered']:9.0f} {s['abandoned']:9.0f} "
                     f"{fmt_pct(s['p_wait'])} {fmt_pct(s['service_level'])} {fmt_s(s['asa'])} "
                     f"{fmt_s(s['aht'])}  {fmt_pct(s['occupancy'])}")
    lines.append(f" {'all':10s} {tot_off:8.0f} {tot_ans:9.0f} {tot_ab:9.0f}   "
                 f"abandonment {fmt_pct(tot_ab / tot_off)}")
    lines.append("")
    lines.append("Agent groups (mean agents staffed, occupancy, contacts handled):")
    for g, s in result["summary"]["groups"].items():
        lines.append(f" {g:16s} agents {s['agents']:6.1f}  occupancy {fmt_pct(s['occupancy'])}"
                     f"  handled {s['answered']:7.0f}")
    lines.append("")
    peak = max(sum(plan[q][1][i] for q in names) for i in range(len(starts)))
    lines.append(f"staffing: sized per half hour with Erlang A (80% within threshold), "
                 f"peak {peak} agents; sizing took {t_staff:.2f} s")
    lines.append(f"simulation: {result['contacts']} contacts through the real engine in "
                 f"{t_sim:.2f} s ({result['contacts'] / t_sim:,.0f} contacts/s), "
                 f"invariants {'ok' if result['invariants_ok'] else 'BROKEN'}")
    lines.append("")
    lines.extend(staffing_lines(optimized, starts, t_opt))
    t2 = time.perf_counter()
    answered = [row["answered"] for row in result["intervals"]["queues"]["complaint"]]
    tickets = run_tickets(answered, INTERVAL_S, args.seed, args.out)
    t_tickets = time.perf_counter() - t2
    lines.append("")
    lines.extend(ticket_report_lines(tickets))
    lines.append(f" {tickets['created']} tickets filed, routed and worked through a second engine "
                 f"in {t_tickets:.2f} s")
    t3 = time.perf_counter()
    # One question per answered policy call and web chat, capped: the figures
    # are shares, and a sample of this size keeps the run short.
    asked = sum(result["summary"]["queues"][q]["answered"] for q in ("policy", "web_chat"))
    knowledge = run_knowledge(min(int(asked), 2000), args.seed, args.out)
    lines.append("")
    lines.extend(knowledge_report_lines(knowledge))
    lines.append(f" {knowledge['counts']['questions']} questions (a sample of the day's "
                 f"{asked:,.0f} policy calls and chats) in {time.perf_counter() - t3:.2f} s")
    report = "\n".join(lines)
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(report + "\n")
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f, indent=1, default=float)
    print(report)

    for name, text in (
            ("report_hourly.csv", rows.report("queues", "hour", TIME_ZONE, "csv")),
            ("report_teams.csv", rows.report("groups", "day", TIME_ZONE, "csv")),
            ("service_level_hourly.svg",
             rows.report("queues", "hour", TIME_ZONE, "svg", target=0.8))):
        with open(os.path.join(args.out, name), "w", newline="") as f:
            f.write(text)

    ccengine.plot(result, os.path.join(args.out, "day.png"))
    plot_staffing(optimized, starts, os.path.join(args.out, "staffing.png"))
    print(f"\nreport written to {os.path.abspath(args.out)}/ (summary.txt, intervals.csv, "
          f"tickets.db, knowledge.db, result.json, day.png, staffing.png, report_hourly.csv, "
          f"report_teams.csv, service_level_hourly.svg)")
    return 0 if result["invariants_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
