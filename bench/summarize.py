#!/usr/bin/python3
"""Turns one bench/run.sh result folder into the Markdown tables of bench/README.md.

Usage: /usr/bin/python3 bench/summarize.py RESULT_DIR > summary.md

Reads RESULT_DIR/{decision,storm,intake,sim,memory}_bench.json (Google
Benchmark JSON), RESULT_DIR/simpy_compare.json, RESULT_DIR/ciw_compare.json (when
Ciw was measured) and RESULT_DIR/machine.txt.
Rows missing from a filtered run are left out. Times are in ns unless named.
"""

import json
import os
import sys

TARGETS = []  # (target, figure, met) rows for the final table


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        data = json.load(f)
    return [b for b in data.get("benchmarks", [])
            if b.get("run_type", "iteration") == "iteration"]


def parse(name):
    """'BM_X/strategy:a/agents:10/manual_time' -> ('BM_X', {'strategy': 'a', 'agents': '10'})."""
    parts = name.split("/")
    params = {}
    for p in parts[1:]:
        if ":" in p:
            k, v = p.split(":", 1)
            params[k] = v
    return parts[0], params


def num(x, digits=3):
    if x is None or x == "":
        return "–"
    if isinstance(x, str):
        return x
    ax = abs(x)
    if ax >= 1e9:
        return f"{x / 1e9:.2f} G"
    if ax >= 1e6:
        return f"{x / 1e6:.2f} M"
    if ax >= 1e4:
        return f"{x / 1e3:.1f} k"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax == 0:
        return "0"
    return f"{x:.{digits}g}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(num(c) if not isinstance(c, str) else c
                                     for c in r) + " |")
    return "\n".join(out)


def key4(p):
    return (int(p.get("agents", 0)), int(p.get("skills", 0)),
            int(p.get("reqs", 0)), int(p.get("waiting", 0)))


def decisions(rows, direction):
    """Groups BM_<direction>_{Linear,Kernel,KernelFatRecord,Engine} by parameters."""
    by = {}
    strategies = {}
    for b in rows:
        base, p = parse(b["name"])
        if not base.startswith("BM_" + direction + "_"):
            continue
        if "pop" in p:
            continue  # the shaped populations: worst_case_section
        kind = base[len("BM_" + direction + "_"):]
        k = key4(p)
        if kind == "Engine" and p.get("strategy", "longest_idle") != "longest_idle":
            strategies[p["strategy"]] = (k, b)
            continue
        by.setdefault(k, {})[kind] = b
    return by, strategies


def g(b, field):
    return None if b is None else b.get(field)


def mark(ok):
    return "**met**" if ok else "**missed**"


def decision_section(rows, direction, title, design):
    by, strategies = decisions(rows, direction)
    if not by:
        return ""
    lines = [f"### {title}", ""]
    header = ["agents", "skills", "reqs", "waiting",
              "linear p50", "kernel p50", "engine p50", "engine mean",
              "engine p99", "p99/p50", "× faster than linear (p50 / mean)",
              "× kernel (p50 / mean)", "allocs/decision"]
    body = []
    for k in sorted(by, key=lambda k: (k != design, k)):
        d = by[k]
        e, lin, ker = d.get("Engine"), d.get("Linear"), d.get("Kernel")
        body.append([
            *(f"{v:,}" for v in k),
            g(lin, "p50_ns"), g(ker, "p50_ns"), g(e, "p50_ns"), g(e, "mean_ns"),
            g(e, "p99_ns"), g(e, "p99_over_p50"),
            f"{num(g(e, 'x_linear_p50'))} / {num(g(e, 'x_linear'))}",
            f"{num(g(e, 'x_kernel_p50'))} / {num(g(e, 'x_kernel'))}",
            g(e, "allocs_per_decision"),
        ])
    lines.append(table(header, body))
    lines.append("")
    lines.append(f"First row: the design point ({design[0]:,} agents, {design[1]} "
                 f"skills, {design[2]} requirements, {design[3]:,} waiting). Times "
                 "in ns per decision.")
    fat = [(k, d["KernelFatRecord"]) for k, d in by.items() if "KernelFatRecord" in d]
    if fat:
        lines += ["", "Kernel with the engine's agent-record layout (idle time read "
                  "from 240-byte records instead of a dense array):", ""]
        lines.append(table(
            ["agents", "skills", "reqs", "waiting", "kernel p50", "fat-record p50",
             "fat / dense (p50)"],
            [[*(f"{v:,}" for v in k), g(by[k].get("Kernel"), "p50_ns"),
              g(b, "p50_ns"), g(b, "x_kernel_p50")] for k, b in sorted(fat)]))
    if strategies:
        lines += ["", f"Strategies at the design point (engine, contact arrives):", ""]
        base = by.get(design, {}).get("Engine")
        srows = []
        if base:
            srows.append(["longest_idle", g(base, "p50_ns"), g(base, "mean_ns"),
                          g(base, "p99_ns"), g(base, "x_linear_p50"),
                          g(base, "x_kernel_p50")])
        for s, (k, b) in strategies.items():
            srows.append([s, g(b, "p50_ns"), g(b, "mean_ns"), g(b, "p99_ns"),
                          g(b, "x_linear_p50"), g(b, "x_kernel_p50")])
        lines.append(table(["strategy", "p50", "mean", "p99",
                            "× faster than linear (p50)", "× kernel (p50)"], srows))
    e = by.get(design, {}).get("Engine")
    if e:
        name = "contact arrives" if direction == "ContactArrives" else "agent frees up"
        xl, xlm = e.get("x_linear_p50"), e.get("x_linear")
        xk, xkm = e.get("x_kernel_p50"), e.get("x_kernel")
        if xl is not None:
            TARGETS.append((f"decision ({name}) ≥ 100× linear scan at 10,000 agents",
                            f"{num(xl)}× (p50), {num(xlm)}× (mean)", xl >= 100))
        if xk is not None:
            TARGETS.append((f"decision ({name}) within 3× of the bare kernel",
                            f"{num(xk)}× (p50), {num(xkm)}× (mean)", xk <= 3))
        r = e.get("p99_over_p50")
        TARGETS.append((f"decision ({name}) p99 ≤ 10× p50",
                        f"p99 {num(e.get('p99_ns'))} ns / p50 {num(e.get('p50_ns'))} ns"
                        f" = {num(r)}×", r is not None and r <= 10))
        worst = max((d["Engine"].get("allocs_per_decision", 0)
                     for d in by.values() if "Engine" in d), default=0)
        TARGETS.append((f"decision ({name}): no heap allocation",
                        f"{num(e.get('allocs_per_decision'))} allocs/decision at the design "
                        f"point; worst row {num(worst)}", worst == 0))
    return "\n".join(lines) + "\n"


SIZES = (1000, 10000, 40000, 100000)


def worst_case_section(rows):
    """The shaped populations (rows with pop:…), one line per direction,
    population and strategy: the engine at each size, its ratio to the linear
    scan, its tail, and how its mean grows from 1,000 to 40,000 agents; the
    line whose mean grows the most comes first."""
    engine, base = {}, {}
    for b in rows:
        name, p = parse(b["name"])
        if "pop" not in p:
            continue
        direction, kind = name[3:].split("_", 1)
        shape = f"{p['pop']}/{p['queues']}/{p['free']}"
        agents = int(p.get("agents", 0))
        if kind == "Engine":
            key = (direction, shape, p.get("strategy", "longest_idle"))
            engine.setdefault(key, {})[agents] = b
        else:
            base.setdefault((direction, shape, kind), {})[agents] = b
    if not engine:
        return ""
    sizes = [n for n in SIZES if any(n in by for by in engine.values())]

    def growth(by, field="mean_ns"):
        lo, hi = by.get(1000), by.get(40000)
        if lo and hi and lo.get(field) and hi.get(field) is not None:
            return hi[field] / lo[field]
        return None

    def each(by, f):
        return " · ".join(num(f(by[n])) if n in by else "–" for n in sizes)

    lines = []
    for (direction, shape, strategy), by in engine.items():
        cells = []
        for n in sizes:
            b = by.get(n)
            cells.append("–" if b is None else " / ".join(
                num(b.get(f)) for f in ("mean_ns", "p50_ns", "p99_ns", "p999_ns")))
        lin = base.get((direction, shape, "Linear"), {})
        ker = base.get((direction, shape, "Kernel"), {})
        pool = "eligible_free" if direction == "ContactArrives" else "eligible_waiting"
        label = strategy + (" *" if any(b.get("label") for b in by.values()) else "")
        last = by[max(by)]
        lines.append(((growth(by) is None, -(growth(by) or 0), -last.get("mean_ns", 0)), [
            "contact arrives" if direction == "ContactArrives" else "agent frees up",
            shape, label, *cells,
            each(by, lambda b: f"{num(b.get('x_linear'))} / {num(b.get('x_linear_p50'))}"),
            each(by, lambda b: b.get("p99_over_p50")),
            growth(by), growth(lin), growth(ker),
            each(by, lambda b: b.get(pool)),
        ]))
    lines.sort(key=lambda x: x[0])
    header = ["direction", "population (pop/queues/free)", "strategy",
              *(f"{n // 1000}k: mean / p50 / p99 / p99.9" for n in sizes),
              "× faster than linear, mean / p50 (" + ", ".join(
                  f"{n // 1000}k" for n in sizes) + ")",
              "p99/p50 (" + ", ".join(f"{n // 1000}k" for n in sizes) + ")",
              "engine mean 40k / 1k", "linear mean 40k / 1k", "kernel mean 40k / 1k",
              "eligible free agents (arrives) or waiting contacts (frees), mean"]
    out = ["### Worst case first: populations that do not flatter", "",
           "Populations of `MakeSkewedPopulation` (bench_common.h). Times in ns per "
           "decision; the line whose engine mean grows the most from 1,000 to 40,000 "
           "agents comes first (lines measured at one size only: the slowest first). * the baselines score longest idle only: that "
           "strategy's ratios are to longest idle's linear scan.", ""]
    out.append(table(header, [r for _, r in lines]))
    return "\n".join(out) + "\n"


def storm_section(rows):
    if not rows:
        return ""
    by = {parse(b["name"])[0]: b for b in rows}
    lines = ["### Storms (10,000 agents, 200 skills, 2 requirements)", ""]
    body = []
    for name, what in (
            ("BM_Storm_ShiftStart_Direct", "10,000 agents ready at once, 100,000 waiting (direct calls)"),
            ("BM_Storm_ShiftStart_ViaPoll", "the same through Submit + one Poll"),
            ("BM_Storm_Relax_Storm", "relaxation step expires for 100,000 waiting at once")):
        b = by.get(name)
        if not b:
            continue
        matched = b.get("matched_per_storm")
        body.append([what, b.get("storm_ms"), b.get("decisions"), matched,
                     b.get("per_decision_ns"), b.get("n_x_single_ms"),
                     b.get("x_single"), b.get("x_single_p50"),
                     b.get("allocs_per_decision", "–")])
        if b.get("x_single") is not None:
            TARGETS.append((f"storm: {what} within 2× of N × single",
                            f"{num(b.get('x_single'))}× (vs mean single), "
                            f"{num(b.get('x_single_p50'))}× (vs p50 single)",
                            b["x_single"] <= 2))
    lines.append(table(["storm", "time (ms)", "decisions", "matched",
                        "ns / decision", "N × single (ms)", "× N·single (mean)",
                        "× N·single (p50)", "allocs/decision"], body))
    singles = []
    for name, what in (("BM_Storm_ShiftStart_Single", "one agent ready, 100,000 waiting"),
                       ("BM_Storm_Relax_Trickle", "one relaxation at a time (100,000)")):
        b = by.get(name)
        if b:
            singles.append([what, b.get("p50_ns"), b.get("mean_ns"), b.get("p99_ns"),
                            b.get("allocs_per_decision")])
    if singles:
        lines += ["", "The single decisions they are compared with:", ""]
        lines.append(table(["single decision", "p50 (ns)", "mean (ns)", "p99 (ns)",
                            "allocs/decision"], singles))
    return "\n".join(lines) + "\n"


def intake_section(rows):
    if not rows:
        return ""
    rate = {}
    drain = {}
    for b in rows:
        base, p = parse(b["name"])
        threads = int(p.get("threads", 1))
        cap = p.get("capacity", "")
        rate[(base, cap, threads)] = b.get("items_per_second")
        drain[(base, cap, threads)] = b.get("drain_per_s")
    lines = ["### Intake", "", "Queue alone (producers push 80-byte records, one "
             "consumer drains), pushes per second:", ""]
    body = []
    for cap in ("64", "4096"):
        for t in (1, 2, 4):
            m = rate.get(("BM_MpscQueue_Push", cap, t))
            x = rate.get(("BM_MutexDeque_Push", cap, t))
            if m and x:
                body.append([cap, str(t), m, x, m / x])
    lines.append(table(["capacity", "producers", "MpscQueue", "mutex + deque",
                        "ratio"], body))
    ratios = [r[4] for r in body if r[0] == "4096"]
    if ratios:
        TARGETS.append(("intake ≥ 3× mutex + deque (queue alone, capacity 4096)",
                        ", ".join(f"{num(r)}× ({t} prod.)" for r, t in
                                  zip(ratios, (1, 2, 4))), min(ratios) >= 3))
    body = []
    for t in (1, 2, 4):
        e = rate.get(("BM_Engine_Submit", "", t))
        m = rate.get(("BM_MutexDequeApply_Submit", "", t))
        if e and m:
            body.append([str(t), e, drain.get(("BM_Engine_Submit", "", t)), m,
                         drain.get(("BM_MutexDequeApply_Submit", "", t)), e / m])
    if body:
        lines += ["", "Engine path (Engine::Submit → RouterLoop → Poll → Apply) "
                  "versus mutex + deque + Engine::Apply, commands per second:", ""]
        lines.append(table(["producers", "Engine submit/s", "Engine drain/s",
                            "mutex+deque submit/s", "mutex+deque drain/s",
                            "submit ratio"], body))
        TARGETS.append(("intake ≥ 3× mutex + deque (engine path, submit rate)",
                        ", ".join(f"{num(r[5])}× ({r[0]} prod.)" for r in body),
                        min(r[5] for r in body) >= 3))
    return "\n".join(lines) + "\n"


def sim_section(rows, folder):
    lines = ["### Simulation", ""]
    body = []
    for b in rows:
        body.append([parse(b["name"])[0], b.get("items_per_second"),
                     b.get("contacts_per_run"), b.get("events_per_contact"),
                     b.get("answered_share"), b.get("abandoned_share")])
    if body:
        lines.append(table(["C++ scenario", "contacts/s", "contacts/run",
                            "events/contact", "answered", "abandoned"], body))
    path = os.path.join(folder, "simpy_compare.json")
    if os.path.exists(path):
        with open(path) as f:
            sc = json.load(f)
        lines += ["", "From Python, same process, the four models in turn each round "
                  "(bench/simpy_compare.py):", ""]
        lines.append(table(["model", "contacts/s (median)", "contacts/run",
                            "abandoned"],
                           [[r["name"], r["contacts_per_s_median"],
                             r["contacts_per_run"], r["abandoned_share"]]
                            for r in sc["rows"]]))
        rp, rr = sc["ratio_vs_simpy_plain"], sc["ratio_vs_simpy_renege"]
        lines += ["", f"ccengine / SimPy (median of the rounds' paired ratios): "
                  f"{num(rp)}× without patience, {num(rr)}× with patience (abandonment)."]
        TARGETS.append(("simulation ≥ 100× SimPy (M/M/c, no patience)",
                        f"{num(rp)}×", rp >= 100))
        TARGETS.append(("simulation ≥ 100× SimPy (same center with patience)",
                        f"{num(rr)}×", rr >= 100))
    path = os.path.join(folder, "ciw_compare.json")
    if os.path.exists(path):
        with open(path) as f:
            cc = json.load(f)
        lines += ["", "Against Ciw, M/M/c at load 0.9, same process, the models in turn "
                  "each round (bench/ciw_compare.py):", ""]
        sizes = sorted(cc["sizes"].items(), key=lambda kv: kv[1]["ratio"])
        lines.append(table(["agents", "Ciw contacts/s", "ccengine contacts/s",
                            "ratio (paired)"],
                           [[a, v["ciw"]["contacts_per_s"], v["ccengine"]["contacts_per_s"],
                             v["ratio"]] for a, v in sizes]))
        for a, v in sizes:
            TARGETS.append((f"simulation ≥ 100× Ciw (M/M/c, {a} agents)",
                            f"{num(v['ratio'])}×", v["ratio"] >= 100))
    return "\n".join(lines) + "\n"


def memory_section(rows):
    if not rows:
        return ""
    lines = ["### Memory (counted by a replaced operator new; live bytes after − before)", ""]
    agents, contacts = [], []
    for b in rows:
        base, p = parse(b["name"])
        if base == "BM_Memory_PerAgent":
            agents.append([f"{int(p['agents']):,}", p["skills"],
                           b.get("engine_bytes_per_agent"), b.get("allocs_per_agent")])
        elif base == "BM_Memory_PerWaitingContact":
            contacts.append([f"{int(p['waiting']):,}",
                             "yes" if p.get("attrs") == "1" else "no",
                             b.get("engine_bytes_per_contact"),
                             b.get("allocs_per_contact")])
    if agents:
        lines.append(table(["agents", "skills", "bytes / agent", "allocations / agent"],
                           agents))
        worst = max(r[2] for r in agents)
        TARGETS.append(("memory ≤ 1 KiB per agent", f"{num(worst)} B (worst row)",
                        worst <= 1024))
    if contacts:
        lines += ["", ""]
        lines.append(table(["waiting contacts", "customer id + 2 attributes",
                            "bytes / contact", "allocations / contact"], contacts))
        bare = [r[2] for r in contacts if r[1] == "no"]
        if bare:
            TARGETS.append(("memory ≤ 256 B per waiting contact (no attributes)",
                            f"{num(min(bare))}–{num(max(bare))} B", max(bare) <= 256))
    return "\n".join(lines) + "\n"


def main():
    folder = sys.argv[1]
    out = []
    mpath = os.path.join(folder, "machine.txt")
    if os.path.exists(mpath):
        with open(mpath) as f:
            out += ["```", f.read().strip(), "```", ""]
    d = load(folder, "decision_bench.json")
    design = (10000, 200, 2, 100000)
    out.append(decision_section(d, "ContactArrives", "Routing decision: a contact arrives", design))
    out.append(decision_section(d, "AgentFrees", "Routing decision: an agent frees up", design))
    worst = worst_case_section(d)
    if worst:
        out.append(worst)
    out.append(storm_section(load(folder, "storm_bench.json")))
    out.append(intake_section(load(folder, "intake_bench.json")))
    out.append(sim_section(load(folder, "sim_bench.json"), folder))
    out.append(memory_section(load(folder, "memory_bench.json")))
    if TARGETS:
        out += ["### Targets", "",
                table(["target", "measured", ""], [[t, f, mark(ok)] for t, f, ok in TARGETS])]
    print("\n".join(out))


if __name__ == "__main__":
    main()
