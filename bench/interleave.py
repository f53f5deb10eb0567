#!/usr/bin/env python3
"""Side-by-side timing of two builds of one benchmark program, interleaved.

A change that must not slow the engine down (a refactor, a new module on the
hot path) is judged by running the program built before it (A) and after it
(B) in alternation, round after round, on the same machine in the same
minutes, so that drift in the machine's speed hits both alike. Each round
runs A then B (or B then A, alternating) with the same filter; the figure per
benchmark is the median over rounds of the ratio B/A of their times.

    bench/interleave.py OLD/bench/decision_bench NEW/bench/decision_bench \\
        --filter 'BM_ContactArrives_Engine/strategy:longest_idle/agents:10000/' \\
        --rounds 7 --min-time 0.3

Prints one line per benchmark: the median times of A and B, the median of the
paired ratios B/A, and their range. Uses the real time Google Benchmark
reports (manual time where the benchmark sets it). Standard library only.
"""

import argparse
import json
import statistics
import subprocess
import sys


def run(binary, bench_filter, min_time):
    cmd = [binary, f"--benchmark_filter={bench_filter}",
           f"--benchmark_min_time={min_time}", "--benchmark_format=json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        times[b["name"]] = b["real_time"]
    if not times:
        sys.exit(f"interleave: {binary} ran no benchmark matching {bench_filter!r}")
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a", help="the baseline benchmark binary")
    p.add_argument("b", help="the benchmark binary to judge")
    p.add_argument("--filter", required=True, help="--benchmark_filter regex")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--min-time", default="0.3")
    args = p.parse_args()
    if args.rounds < 1:
        sys.exit("interleave: --rounds must be >= 1")

    a_times, b_times = {}, {}
    for r in range(args.rounds):
        order = [("a", args.a), ("b", args.b)]
        if r % 2:
            order.reverse()
        for tag, binary in order:
            for name, t in run(binary, args.filter, args.min_time).items():
                (a_times if tag == "a" else b_times).setdefault(name, []).append(t)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"{'benchmark':<90} {'A median':>10} {'B median':>10} {'B/A':>7} {'range':>13}")
    for name in a_times:
        if name not in b_times:
            print(f"{name:<90} missing in B")
            continue
        ratios = [b / a for a, b in zip(a_times[name], b_times[name])]
        print(f"{name:<90} {statistics.median(a_times[name]):>10.1f} "
              f"{statistics.median(b_times[name]):>10.1f} "
              f"{statistics.median(ratios):>7.3f} "
              f"{min(ratios):>6.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
