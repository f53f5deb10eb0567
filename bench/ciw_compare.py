#!/usr/bin/python3
"""Simulated contacts per second: Ciw versus ccengine.simulate, M/M/c at 23 and 1,850 agents.

Ciw (https://github.com/CiwPython/Ciw, pure Python, version 3.2.7 when this
was written) is on no package index these machines reach. Check out its
public repository into a scratch folder, install its dependencies from Debian
(python3-networkx python3-tqdm python3-numpy python3-yaml) and give the
checkout's path; nothing of Ciw is part of this repository:

    git clone https://github.com/CiwPython/Ciw /tmp/ciw
    /usr/bin/python3 bench/ciw_compare.py --ciw /tmp/ciw [--repeats 5] [--json out.json]

Without --ciw (or when the path holds no importable Ciw) the script says so
and exits 0, having measured nothing.

The center, for both sides: c agents, Poisson arrivals, exponential handle
time (mean 60 s), no patience, first come first served, load 0.9 per agent
(arrival rate 0.9 c / 60 per second), starting empty. Two sizes: 23 agents
and 1,850 agents. Ciw's cost per event grows with its servers (it looks for
a free one among them); ccengine's decision does not.

  ciw       ``ciw.Simulation(network).simulate_until_max_time(horizon)``;
            contacts = arrivals (``nodes[0].number_of_individuals``)
  ccengine  ``ccengine.simulate(scenario)`` with the real routing engine as
            the router (skills, strategy, events, metrics), a longer horizon
            so that its setup is amortized; contacts = arrivals

Contacts per second = arrivals / wall seconds of the call, timed in this
process. Each round runs the four models once, back to back (a slow spell of
a shared machine hits both sides of a pair); the figure compared with the
target (>= 100x) is the median over rounds of ccengine's rate / Ciw's at the
same size. Both sides' mean wait is printed beside Erlang C's, as a check
that they simulate the same center.
"""

import argparse
import importlib
import json
import os
import statistics
import sys
import time

if os.environ.get("CCENGINE_PYTHONPATH"):
    sys.path.insert(0, os.environ["CCENGINE_PYTHONPATH"])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simpy_compare import mmc_scenario  # noqa: E402  (after the path is set)

AHT_S = 60.0
LOAD_PER_AGENT = 0.9
SIZES = (23, 1850)


def rate_for(agents):
    return LOAD_PER_AGENT * agents / AHT_S


def run_ciw(ciw, agents, horizon_s, seed):
    """One Ciw run; returns (arrivals, mean wait of the served, seconds)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate_for(agents))],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT_S)],
        number_of_servers=[agents])
    ciw.seed(seed)
    t0 = time.perf_counter()
    q = ciw.Simulation(network)
    q.simulate_until_max_time(horizon_s)
    seconds = time.perf_counter() - t0
    records = q.get_all_records()
    wait = statistics.fmean(r.waiting_time for r in records) if records else float("nan")
    return q.nodes[0].number_of_individuals, wait, seconds


def run_ccengine(ccengine, agents, horizon_s, seed):
    scenario = mmc_scenario(seed, horizon_s, agents, rate_for(agents), AHT_S)
    t0 = time.perf_counter()
    r = ccengine.simulate(scenario, progress=False)
    seconds = time.perf_counter() - t0
    return r["contacts"], r["summary"]["queues"]["general"]["asa"], seconds


def import_ciw(path):
    if not path:
        return None, "no --ciw PATH given"
    if not os.path.isdir(os.path.join(path, "ciw")):
        return None, f"{path} holds no ciw/ package"
    sys.path.insert(0, path)
    try:
        return importlib.import_module("ciw"), None
    except ImportError as e:  # a dependency missing from Debian's packages
        return None, f"Ciw at {path} does not import: {e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ciw", help="a checkout of CiwPython/Ciw")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--ciw-contacts", type=float, default=20000,
                    help="arrivals to simulate per Ciw run (default 20000)")
    ap.add_argument("--ccengine-contacts", type=float, default=400000,
                    help="arrivals to simulate per ccengine run (default 400000)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    if args.repeats < 1 or args.ciw_contacts <= 0 or args.ccengine_contacts <= 0:
        ap.error("--repeats and the contact counts must be positive")

    ciw, why = import_ciw(args.ciw)
    if ciw is None:
        print(f"ciw_compare: Ciw skipped ({why}); nothing measured")
        return 0
    import ccengine

    runs = {}
    for agents in SIZES:
        runs[("ciw", agents)] = []
        runs[("ccengine", agents)] = []
    for i in range(args.repeats):
        for agents in SIZES:
            lam = rate_for(agents)
            runs[("ciw", agents)].append(
                run_ciw(ciw, agents, args.ciw_contacts / lam, 7 + i))
            runs[("ccengine", agents)].append(
                run_ccengine(ccengine, agents, args.ccengine_contacts / lam, 7 + i))

    print(f"python {sys.version.split()[0]}; Ciw {ciw.__version__} from "
          f"{os.path.dirname(ciw.__file__)}; ccengine from "
          f"{os.path.dirname(ccengine.__file__)}")
    print(f"M/M/c, AHT {AHT_S:g} s, load {LOAD_PER_AGENT} per agent, no patience; "
          f"medians of {args.repeats} interleaved rounds")
    print(f"{'agents':>7} {'model':<9}{'arrivals/run':>14}{'mean wait s':>13}"
          f"{'Erlang C':>10}{'s/run':>9}{'contacts/s':>13}")
    figures = {"repeats": args.repeats, "sizes": {}}
    target = 100.0
    for agents in SIZES:
        erlang = ccengine.erlang_c_metrics(rate_for(agents), AHT_S, agents, 20.0)["asa"]
        size = {}
        for model in ("ciw", "ccengine"):
            rs = runs[(model, agents)]
            rate = statistics.median(r[0] / r[2] for r in rs)
            size[model] = {
                "arrivals_per_run": rs[-1][0],
                "mean_wait_s": statistics.median(r[1] for r in rs),
                "seconds_per_run": statistics.median(r[2] for r in rs),
                "contacts_per_s": rate,
            }
            print(f"{agents:>7} {model:<9}{rs[-1][0]:>14,}"
                  f"{size[model]['mean_wait_s']:>13.3f}{erlang:>10.3f}"
                  f"{size[model]['seconds_per_run']:>9.3f}{rate:>13,.0f}")
        ratio = statistics.median(
            (a[0] / a[2]) / (b[0] / b[2])
            for a, b in zip(runs[("ccengine", agents)], runs[("ciw", agents)]))
        size["ratio"] = ratio
        size["erlang_c_mean_wait_s"] = erlang
        figures["sizes"][str(agents)] = size
    for agents in SIZES:
        r = figures["sizes"][str(agents)]["ratio"]
        print(f"ccengine / Ciw at {agents:>5} agents = {r:7.1f}x median of paired rounds "
              f"(target >= {target:g}x: {'met' if r >= target else 'missed'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
