#!/usr/bin/python3
"""Simulated contacts per second: SimPy 2.3.1 versus ccengine.simulate.

Both simulate the same M/M/c+M contact center (docs/design.md, "Performance targets"):
100 agents, Poisson arrivals at 1.5 contacts/s, exponential handle time
(mean 60 s) and exponential patience (mean 120 s; a customer still waiting
when it runs out abandons). Both are timed in this process, in the same run,
from Python:

  simpy_renege  SimPy's legacy API (Debian's python3-simpy 2.3.1): a Customer
                Process does ``yield (request, self, res), (hold, self,
                patience)`` and abandons unless ``self.acquired(res)``, then
                ``yield hold`` for the handle time and ``yield release``; a
                Source process activates customers and holds for the
                inter-arrival times. The same center as ccengine's.
  simpy_plain   the usual way to write M/M/c in SimPy (request, hold,
                release; no patience): a lighter model, the one the
                simulation target is stated against.
  ccengine_renege  ``ccengine.simulate(scenario)`` with the real routing
                engine as the router (skills, strategy, events, metrics),
                the same center, a longer horizon so that setup is amortized.
  ccengine_plain  the same without patience (nobody abandons): the center of
                simpy_plain.

Contacts per second = simulated contacts / wall seconds of the call (for
ccengine, measured around ``ccengine.simulate`` in Python, dict conversion
included). Each is run ``--repeats`` times, the four models in turn in
each round (a slow spell of a shared machine then hits both sides of a
pair); the median rate is reported, and the median over rounds of the
ratios ccengine_renege / simpy_renege and ccengine_plain / simpy_plain are
the figures compared with the ≥ 100× target (the plain model is the one the
target names).

Run (the build tree's module is found through the .pth that points at
build/release/python, or set CCENGINE_PYTHONPATH to another build's
python/ folder):

    /usr/bin/python3 bench/simpy_compare.py [--repeats 5] [--json out.json]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time

if os.environ.get("CCENGINE_PYTHONPATH"):
    sys.path.insert(0, os.environ["CCENGINE_PYTHONPATH"])

AGENTS = 100
RATE_PER_S = 1.5
AHT_S = 60.0
PATIENCE_S = 120.0


def run_simpy(horizon_s, seed, renege):
    """One SimPy 2.3.1 run; returns (contacts, answered, abandoned, seconds)."""
    from SimPy.Simulation import (Process, Resource, activate, hold,
                                  initialize, release, request, simulate)

    rng = random.Random(seed)
    stats = {"arrived": 0, "answered": 0, "abandoned": 0}

    class Customer(Process):
        def visit(self, res):
            if renege:
                yield (request, self, res), (hold, self,
                                             rng.expovariate(1.0 / PATIENCE_S))
                if not self.acquired(res):
                    stats["abandoned"] += 1
                    return
            else:
                yield request, self, res
            stats["answered"] += 1
            yield hold, self, rng.expovariate(1.0 / AHT_S)
            yield release, self, res

    class Source(Process):
        def generate(self, res):
            while True:
                stats["arrived"] += 1
                c = Customer()
                activate(c, c.visit(res))
                yield hold, self, rng.expovariate(RATE_PER_S)

    t0 = time.perf_counter()
    initialize()
    agents = Resource(capacity=AGENTS, name="agents", unitName="agent")
    src = Source()
    activate(src, src.generate(agents))
    simulate(until=horizon_s)
    seconds = time.perf_counter() - t0
    return stats["arrived"], stats["answered"], stats["abandoned"], seconds


def mmc_scenario(seed, horizon_s, agents, rate_per_s, aht_s, patience_s=None):
    """An M/M/c (+M with `patience_s`) center as a ccengine.simulate scenario:
    one queue "general", exponential handle times, no patience when None."""
    return {
        "seed": seed,
        "horizon_s": horizon_s,
        "interval_s": 1800,
        "skills": ["general"],
        "queues": [{"name": "general", "skills": {"general": 1}}],
        "agents": [{"count": agents, "skills": {"general": 5}}],
        "arrivals": [{
            "queue": "general",
            "rate_per_s": rate_per_s,
            "handle_time": {"dist": "exponential", "mean": aht_s},
            "patience": ({"dist": "exponential", "mean": patience_s}
                         if patience_s is not None else {"dist": "none"}),
        }],
    }


def run_ccengine(horizon_s, seed, renege):
    import ccengine

    scenario = mmc_scenario(seed, horizon_s, AGENTS, RATE_PER_S, AHT_S,
                            PATIENCE_S if renege else None)
    t0 = time.perf_counter()
    r = ccengine.simulate(scenario, progress=False)
    seconds = time.perf_counter() - t0
    q = r["summary"]["queues"]["general"]
    return r["contacts"], q["answered"], q["abandoned"], seconds


def summarize(name, runs):
    """runs: [(contacts, answered, abandoned, seconds)] of one model."""
    rates = [r[0] / r[3] for r in runs]
    last = runs[-1]
    return {
        "name": name,
        "contacts_per_run": last[0],
        "answered_share": last[1] / max(1, last[0]),
        "abandoned_share": last[2] / max(1, last[0]),
        "seconds_per_run_median": statistics.median(r[3] for r in runs),
        "contacts_per_s_median": statistics.median(rates),
        "contacts_per_s_best": max(rates),
        "repeats": len(runs),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--simpy-horizon", type=float, default=7200.0,
                    help="simulated seconds per SimPy run (default 7200)")
    ap.add_argument("--ccengine-horizon", type=float, default=72000.0,
                    help="simulated seconds per ccengine run (default 72000)")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()

    import ccengine
    # Interleaved: round i runs each model once, back to back, so that a
    # slow spell of a shared machine hits both sides of a pair; the ratio
    # compared with the target is the median of the per-round ratios.
    models = {
        "simpy_plain": lambda i: run_simpy(args.simpy_horizon, 7 + i, False),
        "ccengine_plain": lambda i: run_ccengine(args.ccengine_horizon, 7 + i, False),
        "simpy_renege": lambda i: run_simpy(args.simpy_horizon, 7 + i, True),
        "ccengine_renege": lambda i: run_ccengine(args.ccengine_horizon, 7 + i, True),
    }
    runs = {name: [] for name in models}
    for i in range(args.repeats):
        for name, fn in models.items():
            runs[name].append(fn(i))
    rows = [summarize(name, runs[name]) for name in models]

    def paired(c, s):
        return statistics.median(
            (a[0] / a[3]) / (b[0] / b[3]) for a, b in zip(runs[c], runs[s]))

    ratio = paired("ccengine_renege", "simpy_renege")
    ratio_plain = paired("ccengine_plain", "simpy_plain")
    by = {r["name"]: r for r in rows}
    ratio_of_medians = (by["ccengine_renege"]["contacts_per_s_median"] /
                        by["simpy_renege"]["contacts_per_s_median"])
    ratio_plain_of_medians = (by["ccengine_plain"]["contacts_per_s_median"] /
                              by["simpy_plain"]["contacts_per_s_median"])

    print(f"python {sys.version.split()[0]} ({sys.executable}); "
          f"ccengine from {os.path.dirname(ccengine.__file__)}")
    print(f"M/M/c+M: {AGENTS} agents, {RATE_PER_S}/s, AHT {AHT_S:g} s, "
          f"patience {PATIENCE_S:g} s; median of {args.repeats} runs")
    print(f"{'model':<16}{'contacts/run':>14}{'answered':>10}{'abandoned':>11}"
          f"{'s/run':>9}{'contacts/s':>13}")
    for r in rows:
        print(f"{r['name']:<16}{r['contacts_per_run']:>14,}"
              f"{r['answered_share']:>10.3f}{r['abandoned_share']:>11.4f}"
              f"{r['seconds_per_run_median']:>9.3f}"
              f"{r['contacts_per_s_median']:>13,.0f}")
    target = 100.0
    for label, r, m in (("plain (no patience) ", ratio_plain, ratio_plain_of_medians),
                        ("renege (patience)   ", ratio, ratio_of_medians)):
        print(f"ccengine / simpy, {label} = {r:6.1f}x median of paired rounds "
              f"({m:.1f}x of the medians)  (target >= {target:g}x: "
              f"{'met' if r >= target else 'missed'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "ratio_vs_simpy_renege": ratio,
                       "ratio_vs_simpy_plain": ratio_plain,
                       "ratio_of_medians_renege": ratio_of_medians,
                       "ratio_of_medians_plain": ratio_plain_of_medians}, f, indent=2)


if __name__ == "__main__":
    main()
