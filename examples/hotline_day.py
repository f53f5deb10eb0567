#!/usr/bin/python3
"""A day of a Shenzhen-12345-like citizen hotline, staffed with Erlang A and
simulated through the production routing engine.

About 100,000 contacts arrive over 24 hours on an intraday curve with a
morning and an afternoon peak: voice calls for policy questions (政策咨询),
complaints (投诉举报) and emergencies (紧急求助, served first), Cantonese and
English speakers, VIP callers, and web chats that an agent handles three at a
time. For every half hour the script sizes each skill group with
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
# The simulated day on the calendar (a Monday, Beijing time), for its reports.
DAY_START = "2026-12-07T00:00:00+08:00"
TIME_ZONE = "Asia/Shanghai"
CONTACTS_PER_DAY = 100_000

# (name, share of the day's contacts, channel, AHT s, sd s, patience s,
#  threshold s, queue skills, agent group skills)
# Each queue has its own team at step 0; after 30 s (10 s for emergencies)
# the relaxation lets other trained agents help.
STREAMS = [
    ("policy", 0.43, "voice", 240, 150, 180, 20, {"policy": 6}, {"policy": 7}),
    ("complaint", 0.17, "voice", 360, 200, 240, 30, {"complaint": 5}, {"complaint": 7, "policy": 4}),
    ("emergency", 0.02, "voice", 180, 90, 600, 10, {"emergency": 6}, {"emergency": 8}),
    ("cantonese", 0.06, "voice", 260, 150, 180, 20, {"policy": 4, "cantonese": 6},
     {"policy": 5, "cantonese": 8}),
    ("english", 0.01, "voice", 300, 180, 240, 30, {"policy": 4, "english": 6},
     {"policy": 5, "english": 8}),
    ("web_chat", 0.31, "chat", 480, 250, 400, 60, {"chat": 3}, {"chat": 6, "policy": 5}),
]
WRAP_UP_S = 15
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


def staff(rate: float, aht: float, sl_s: float, patience: float, chats: int) -> int:
    """Agents for 80% within the threshold in one interval (Erlang A)."""
    if rate <= 0:
        return 1
    # A chat agent works `chats` contacts at once: size it as a faster server.
    # Wrap-up keeps the agent from the next contact: it is part of the work.
    n = ccengine.agents_for_service_level(rate, (aht + WRAP_UP_S) / chats, 0.8, sl_s,
                                          patience=patience)
    return max(n, 2)


def build_scenario(seed: int, scale: float):
    queues, agents, arrivals, plan = [], [], [], {}
    for name, share, channel, aht, sd, patience, sl_s, needs, has in STREAMS:
        rates = rates_per_interval(share, scale)
        chats = CHATS_PER_AGENT if channel == "chat" else 1
        counts = [staff(r, aht, sl_s, patience, chats) for r in rates]
        plan[name] = (rates, counts)
        queue = {"name": name, "skills": needs, "sl_seconds": sl_s, "wrap_up_s": WRAP_UP_S,
                 "strategy": "longest_idle"}
        if name == "policy":  # after 30 s any trained agent may answer
            queue["relaxation"] = [{"after_s": 30, "skills": {"policy": 4}}]
        if name == "emergency":
            queue["priority"] = 2
            queue["relaxation"] = [{"after_s": 10, "skills": {"policy": 7}}]
        queues.append(queue)
        capacity = {"chat": CHATS_PER_AGENT} if channel == "chat" else {"voice": 1}
        agents.append({"name": f"{name}_team", "counts": counts, "skills": has,
                       "capacity": capacity})
        arrival = {"queue": name, "channel": channel, "rates_per_interval": rates,
                   "handle_time": {"dist": "lognormal", "mean": aht, "sd": sd},
                   "patience": {"dist": "exponential", "mean": patience}}
        if name in ("policy", "complaint"):
            arrival["priority_fraction"] = 0.03  # VIP / repeat callers
        arrivals.append(arrival)
    scenario = {
        "seed": seed, "horizon_s": DAY_S, "warmup_s": 0, "interval_s": INTERVAL_S,
        "replications": 1,
        "skills": ["policy", "complaint", "emergency", "cantonese", "english", "chat"],
        "queues": queues, "agents": agents, "arrivals": arrivals,
    }
    return scenario, plan


# What every queue must achieve in every half hour, through the real routing.
TARGETS = {name: {"service_level": 0.8} for name, *_ in STREAMS}


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
    result = ccengine.simulate(dict(scenario, report_start=DAY_START))
    t_sim = time.perf_counter() - t1
    rows = result.pop("interval_rows")
    t4 = time.perf_counter()
    optimized = optimize(scenario)
    t_opt = time.perf_counter() - t4

    names = [s[0] for s in STREAMS]
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
