"""ccengine.optimize_staffing from Python: the result's shape on a small day,
Erlang A's answer on a steady interval, errors, and Ctrl-C."""

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import ccengine


def peak_day(seed=9):
    return {
        "seed": seed, "interval_s": 1800, "horizon_s": 6 * 1800, "skills": ["general"],
        "queues": [{"name": "policy", "skills": {"general": 1}, "sl_seconds": 30}],
        "agents": [{"name": "agents", "count": 1, "skills": {"general": 5}}],
        "arrivals": [{"queue": "policy",
                      "rates_per_interval": [0.03, 0.08, 0.15, 0.15, 0.06, 0.03],
                      "handle_time": {"dist": "lognormal", "mean": 240, "sd": 180},
                      "patience": {"dist": "lognormal", "mean": 600, "sd": 400}}],
    }


def test_a_day_gets_a_plan_that_meets_every_interval():
    seen = []
    r = ccengine.optimize_staffing(
        peak_day(), {"policy": {"service_level": 0.8, "max_abandon": 0.05}},
        pad_erlang_plan=True, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(i, 6) for i in range(1, 7)]
    plan = r["groups"]["agents"]
    assert len(plan) == 6 and all(isinstance(n, int) and n >= 0 for n in plan)
    assert r["met"]["policy"] == [True] * 6
    assert r["queue_intervals"] == 6 and r["intervals_met"] == 6
    assert r["agent_hours"] == pytest.approx(sum(plan) / 2)
    assert r["erlang_agent_hours"] == pytest.approx(sum(r["erlang_groups"]["agents"]) / 2)
    assert r["agent_hours"] <= r["padded_agent_hours"]
    rows = r["achieved"]["intervals"]["queues"]["policy"]
    half = r["achieved"]["half_width"]["intervals"]["queues"]["policy"]
    for row, hw in zip(rows, half):
        assert row["service_level"] >= 0.8 - hw["service_level"]
    assert r["achieved"]["replications"] == 24
    assert r["replications_run"] > 6 * 6


def test_a_steady_interval_gets_erlang_as_answer():
    rate, aht, patience = 0.1, 120, 600
    exact = ccengine.agents_for_service_level(rate, aht, 0.8, 20, patience=patience)
    scenario = {
        "seed": 5, "warmup_s": 1800, "horizon_s": 1800 + 7200, "interval_s": 1800 + 7200,
        "skills": ["g"], "queues": [{"name": "g", "skills": {"g": 1}, "sl_seconds": 20}],
        "agents": [{"name": "team", "count": 1, "skills": {"g": 1}}],
        "arrivals": [{"queue": "g", "rate_per_s": rate,
                      "handle_time": {"dist": "exponential", "mean": aht},
                      "patience": {"dist": "exponential", "mean": patience}}],
    }
    r = ccengine.optimize_staffing(scenario, {"g": {"service_level": 0.8}},
                                   start={"team": [exact + 5]})
    assert r["groups"]["team"] == [exact]


def test_bad_targets_and_options_raise_value_errors():
    day = peak_day()
    with pytest.raises(ValueError, match=r"targets\['nope'\]: unknown queue"):
        ccengine.optimize_staffing(day, {"nope": {"service_level": 0.8}})
    with pytest.raises(ValueError, match=r"targets\['policy'\]: unknown key 'sl'"):
        ccengine.optimize_staffing(day, {"policy": {"sl": 0.8}})
    with pytest.raises(ValueError, match=r"confidence: must be in \(0.5, 1\)"):
        ccengine.optimize_staffing(day, {"policy": {"service_level": 0.8}}, confidence=0.2)
    with pytest.raises(ValueError, match=r"start\['agents'\]: needs one count per interval"):
        ccengine.optimize_staffing(day, {"policy": {"service_level": 0.8}},
                                   start={"agents": [3]})
    with pytest.raises(ValueError, match="group_cost: unknown agent group 'x'"):
        ccengine.optimize_staffing(day, {"policy": {"service_level": 0.8}},
                                   group_cost={"x": 2.0})


# Many small intervals at the default replications: every candidate's batch
# of replications is shorter than the 50 ms between checks, so Ctrl-C must be
# seen between batches too, whatever the threads.
CHILD = textwrap.dedent(
    """
    import sys, ccengine
    day = {"seed": 1, "interval_s": 1800, "horizon_s": 5000 * 1800, "skills": ["g"],
           "queues": [{"name": "g", "skills": {"g": 1}}],
           "agents": [{"name": "a", "count": 1, "skills": {"g": 1}}],
           "arrivals": [{"queue": "g", "rate_per_s": 0.01,
                         "handle_time": {"dist": "exponential", "mean": 180}}]}
    print("started", flush=True)
    try:
        ccengine.optimize_staffing(day, {"g": {"service_level": 0.8}}, threads=%d)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(0)
    sys.exit(1)
    """
)


@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_raises_keyboard_interrupt_within_a_second(threads):
    child = subprocess.Popen([sys.executable, "-c", CHILD % threads], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)
        assert child.poll() is None
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        ready, _, _ = select.select([child.stdout], [], [], 5.0)
        assert ready, "no answer to SIGINT within 5 s"
        assert child.stdout.readline().strip() == "interrupted"
        assert time.monotonic() - sent < 1.0
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
