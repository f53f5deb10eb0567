"""Long runs from Python: Ctrl-C stops them, bounds refuse absurd scenarios at
once, and ccengine.sweep gives exactly simulate's figures whether the
replications run serially, in a process pool or on a Dask cluster."""

import math
import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import ccengine
from ccengine import _ccengine


def center(rate=0.3, agents=60, horizon=4 * 3600.0, seed=5, replications=3):
    return {
        "seed": seed,
        "horizon_s": horizon,
        "warmup_s": 600,
        "interval_s": 1800,
        "replications": replications,
        "skills": ["general", "tax"],
        "queues": [
            {"name": "general", "skills": {"general": 1}, "sl_seconds": 20},
            {"name": "tax", "skills": {"tax": 2}, "sl_seconds": 30, "survey_rate": 0.5},
        ],
        "agents": [
            {"name": "front", "counts": [agents, agents + 10, agents - 5],
             "skills": {"general": 5}},
            {"name": "tax", "count": 8, "skills": {"tax": 3, "general": 1},
             "csat_mean": 4.1},
        ],
        "arrivals": [
            {"queue": "general", "rate_per_s": rate,
             "handle_time": {"dist": "exponential", "mean": 180},
             "patience": {"dist": "exponential", "mean": 120}},
            {"queue": "tax", "rate_per_s": 0.02,
             "handle_time": {"dist": "lognormal", "mean": 300, "sd": 200}},
        ],
    }


def same_figures(a, b):
    """Every figure equal, NaN equal to NaN, the run's own timing aside."""
    def strip(r):
        return {k: v for k, v in r.items() if k not in ("wall_seconds", "contacts_per_second")}

    def equal(x, y):
        if isinstance(x, dict):
            return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
        if isinstance(x, list):
            return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y))
        if isinstance(x, float) and math.isnan(x):
            return isinstance(y, float) and math.isnan(y)
        return x == y and type(x) is type(y)

    return equal(strip(a), strip(b))


# --- Ctrl-C ---------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import multiprocessing, sys, time, ccengine
    scenario = {
        "horizon_s": 1e6, "skills": ["g"],
        "queues": [{"name": "g", "skills": {"g": 1}}],
        "agents": [{"count": 400, "skills": {"g": 1}}],
        "arrivals": [{"queue": "g", "rate_per_s": 2.0,
                      "handle_time": {"dist": "exponential", "mean": 180}}],
        "replications": 100,
    }
    print("started", flush=True)
    try:
        ccengine.%s
    except KeyboardInterrupt:
        # Nothing left behind: the pool's processes are stopped and reaped.
        print("interrupted", len(multiprocessing.active_children()), flush=True)
        sys.exit(0)
    print("finished", flush=True)
    sys.exit(1)
    """
)


@pytest.mark.parametrize(
    "call",
    ["simulate(scenario, progress=False)",
     "sweep([scenario], executor='serial')",
     "sweep([scenario], workers=2)"],
)
# Early: while the pool starts (workers forking, its threads starting);
# late: well inside the run (tasks running).
@pytest.mark.parametrize("after_s", [0.05, 1.5])
def test_ctrl_c_raises_keyboard_interrupt_within_a_second(call, after_s):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD % call], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(after_s)
        assert child.poll() is None
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        # Without the check the run would go on for hours: wait 5 s at most.
        ready, _, _ = select.select([child.stdout], [], [], 5.0)
        assert ready, "no answer to SIGINT within 5 s"
        line = child.stdout.readline().strip()
        elapsed = time.monotonic() - sent
        assert line == "interrupted 0"
        assert elapsed < 1.0, elapsed
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.mark.parametrize("executor", [None, "threads"])
def test_a_ctrl_c_after_the_last_task_is_not_lost(executor):
    # A Ctrl-C while the last progress call runs: every task is done, yet the
    # sweep raises rather than return as if nothing happened.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    def progress(done, total):
        if done == total:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs

    scenario = center(horizon=1800.0, replications=2)
    if executor == "threads":
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            with pytest.raises(KeyboardInterrupt):
                ccengine.sweep([scenario], pool, progress=progress)
    else:
        with pytest.raises(KeyboardInterrupt):
            ccengine.sweep([scenario], workers=1, progress=progress)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- bounds ---------------------------------------------------------------------

def test_an_absurd_rate_fails_at_once_naming_the_stream():
    s = center()
    s["arrivals"][0]["rate_per_s"] = 1e12
    started = time.monotonic()
    with pytest.raises(ccengine.CcengineError) as e:
        ccengine.simulate(s, progress=False)
    assert time.monotonic() - started < 1.0
    assert e.value.code == "RESOURCE_EXHAUSTED"
    assert str(e.value).startswith(
        "arrivals[0] (queue 'general'): about 1.44e+16 contacts expected per replication")
    assert "raise max_expected_contacts" in str(e.value)
    # The option raises the limit (the run is then only checked, not made).
    s["arrivals"][0]["rate_per_s"] = 10.0
    s["max_expected_contacts"] = 1e3
    with pytest.raises(ccengine.CcengineError):
        _ccengine.check_scenario(s)
    s["max_expected_contacts"] = 1e6
    _ccengine.check_scenario(s)


def test_a_queue_nobody_can_serve_fails_naming_the_queue():
    s = center()
    s["queues"][1]["skills"] = {"tax": 9}  # no agent has tax at 9
    s["arrivals"][1]["rate_per_s"] = 0.5
    s["max_backlog"] = 5000
    with pytest.raises(ccengine.CcengineError) as e:
        ccengine.simulate(s, progress=False)
    assert e.value.code == "RESOURCE_EXHAUSTED"
    assert str(e.value).startswith("queues[1] 'tax': about 7.2e+03 contacts waiting at once")
    with pytest.raises(ValueError, match="max_backlog: must be > 0, got 0"):
        ccengine.simulate(dict(s, max_backlog=0), progress=False)


# --- replications and sweeps ------------------------------------------------------

def test_replications_combine_into_simulate_exactly():
    s = center()
    parts = [_ccengine.simulate_replication(s, r) for r in (0, 1, 2)]
    assert all(isinstance(p, bytes) for p in parts)
    assert same_figures(ccengine.simulate(s, progress=False),
                        _ccengine.combine_replications(s, parts))
    with pytest.raises(ValueError, match="replication number is 1"):
        _ccengine.combine_replications(s, [parts[1], parts[0], parts[2]])
    with pytest.raises(ValueError, match=r"replications\[1\]: expected bytes"):
        _ccengine.combine_replications(s, [parts[0], "x", parts[2]])


def test_sweep_serial_and_process_pool_equal_simulate():
    scenarios = [center(seed=1), center(rate=0.35, seed=2, replications=2),
                 center(agents=70, replications=1)]
    expected = [ccengine.simulate(s, progress=False) for s in scenarios]
    seen = []
    serial = ccengine.sweep(scenarios, executor="serial",
                            progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (6, 6) and len(seen) == 6
    pooled = ccengine.sweep(scenarios, workers=2)
    for e, s, p in zip(expected, serial, pooled):
        assert same_figures(e, s)
        assert same_figures(e, p)
    assert expected[0]["summary"]["queues"]["general"]["offered"] > 0


def test_sweep_refuses_a_bad_scenario_before_running_anything():
    bad = center()
    bad["queues"][0]["skills"] = {"nope": 1}
    with pytest.raises(ValueError, match=r"^scenarios\[1\]: queues\[0\]\.skills"):
        ccengine.sweep([center(), bad], executor="serial")
    absurd = center()
    absurd["arrivals"][0]["rate_per_s"] = 1e12
    with pytest.raises(ccengine.CcengineError) as e:
        ccengine.sweep([absurd])
    assert str(e.value).startswith("scenarios[0]: arrivals[0]")
    assert e.value.code == "RESOURCE_EXHAUSTED"
    with pytest.raises(ValueError, match="executor"):
        ccengine.sweep([center()], executor="threads")
    with pytest.raises(ValueError, match="workers"):
        ccengine.sweep([center()], workers=0)


def test_sweep_on_a_dask_cluster_equals_the_serial_run_bit_for_bit():
    try:
        import distributed
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("python3-distributed is missing in CI (scripts/setup.sh installs it)")
        pytest.skip("python3-distributed is not installed")
    scenarios = [center(seed=11), center(rate=0.25, seed=12, replications=4)]
    serial = ccengine.sweep(scenarios, executor="serial")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = ccengine.sweep(scenarios, executor=client)
    for s, d in zip(serial, on_dask):
        assert same_figures(s, d)
