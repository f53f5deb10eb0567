"""ccengine.simulate from Python: the example scenario, the result's shape,
determinism, scenario errors, tables and plots."""

import io
import json
import math

import pytest

import ccengine

METRICS = {"offered", "answered", "abandoned", "overflowed", "p_wait", "p_abandon",
           "asa", "service_level", "aht", "occupancy", "agents", "csat_mean",
           "fcr_rate", "occupancy_spread"}


def mmc(rate=0.1, aht=60.0, agents=8, horizon=20000.0, seed=3, replications=1):
    """A plain M/M/c scenario without abandonment."""
    return {
        "seed": seed,
        "horizon_s": horizon,
        "warmup_s": 1000,
        "interval_s": 1800,
        "replications": replications,
        "skills": ["s"],
        "queues": [{"name": "q", "skills": {"s": 1}, "sl_seconds": 20}],
        "agents": [{"name": "team", "count": agents, "skills": {"s": 1}}],
        "arrivals": [{"queue": "q", "rate_per_s": rate,
                      "handle_time": {"dist": "exponential", "mean": aht}}],
    }


def test_example_scenario_runs_and_has_the_documented_shape(scenario):
    json.dumps(scenario)  # plain data
    r = ccengine.simulate(scenario, progress=False)
    q = r["summary"]["queues"]["general"]
    assert METRICS <= set(q)
    assert q["offered"] > 0
    assert q["answered"] + q["abandoned"] <= q["offered"]
    assert 0 <= q["service_level"] <= 1
    assert 0 < q["occupancy"] < 1
    assert q["aht"] == pytest.approx(60, rel=0.1)
    group = r["summary"]["groups"]["group0"]
    assert group["agents"] == pytest.approx(14)
    starts = r["intervals"]["start_s"]
    assert starts[0] == 0 and starts[1] == 1800
    assert len(starts) == 20
    assert len(r["intervals"]["queues"]["general"]) == len(starts)
    assert len(r["intervals"]["groups"]["group0"]) == len(starts)
    assert METRICS <= set(r["intervals"]["queues"]["general"][5])
    assert "half_width" not in r
    assert r["contacts"] > 0 and r["events"] > 0
    assert r["wall_seconds"] > 0
    assert r["contacts_per_second"] == pytest.approx(r["contacts"] / r["wall_seconds"])
    assert r["invariants_ok"] is True
    json.dumps(r)  # the result is plain data too


def test_mmc_matches_erlang_c():
    r = ccengine.simulate(mmc(horizon=200000.0), progress=False)
    q = r["summary"]["queues"]["q"]
    expected = ccengine.erlang_c_metrics(0.1, 60.0, 8, 20)
    assert q["p_wait"] == pytest.approx(expected["p_wait"], abs=0.05)
    assert q["service_level"] == pytest.approx(expected["service_level"], abs=0.05)
    assert q["occupancy"] == pytest.approx(expected["occupancy"], abs=0.05)
    assert q["abandoned"] == 0


def test_same_seed_same_result_other_seed_differs():
    a = ccengine.simulate(mmc(seed=11), progress=False)
    b = ccengine.simulate(mmc(seed=11), progress=False)
    c = ccengine.simulate(mmc(seed=12), progress=False)
    # Compared as text so that undefined figures (NaN, e.g. csat_mean with
    # no survey) compare equal to themselves.
    same = lambda x, y: json.dumps(x, sort_keys=True) == json.dumps(y, sort_keys=True)
    assert same(a["summary"], b["summary"])
    assert same(a["intervals"], b["intervals"])
    assert not same(a["summary"], c["summary"])


def test_replications_give_half_widths_and_progress_callback():
    calls = []
    r = ccengine.simulate(mmc(replications=3), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    hw = r["half_width"]
    assert set(hw["queues"]["q"]) == set(r["summary"]["queues"]["q"])
    assert hw["queues"]["q"]["service_level"] >= 0
    assert len(hw["intervals"]["queues"]["q"]) == len(r["intervals"]["start_s"])
    assert r["replications"] == 3


def test_progress_bar_on_request(capsys):
    ccengine.simulate(mmc(replications=2, horizon=5000.0), progress=True)
    err = capsys.readouterr().err
    assert "2/2 replications" in err


def test_progress_callback_exception_propagates():
    def boom(done, total):
        raise RuntimeError("stop")
    with pytest.raises(RuntimeError, match="stop"):
        ccengine.simulate(mmc(replications=2, horizon=5000.0), progress=boom)


def test_richer_scenario_shifts_rates_relaxation_capacity():
    s = {
        "seed": 1, "horizon_s": 7200, "interval_s": 900,
        "skills": ["sales", "support"],
        "queues": [
            {"name": "sales", "skills": {"sales": 5},
             "relaxation": [{"after_s": 30, "skills": {"support": 1}}],
             "priority": 1, "sl_seconds": 15, "sl_target": 0.8, "wrap_up_s": 5,
             "strategy": "best_proficiency", "aging_weight": 1.0,
             "max_wait_s": None},
            {"name": "support", "skills": {"support": 1}, "max_size": 50,
             "max_wait_s": 600, "overflow_to": "sales"},
        ],
        "agents": [
            {"name": "sellers", "counts": [3, 4, 5, 4], "skills": {"sales": 7}},
            {"name": "helpers", "skills": [["support", 5]],
             "capacity": {"voice": 1, "chat": 2},
             "shifts": [{"start_s": 0, "end_s": 7200, "count": 3,
                         "breaks": [{"start_s": 3600, "duration_s": 600}]}]},
        ],
        "arrivals": [
            {"queue": "sales", "rates_per_interval": [0.02, 0.04, 0.03],
             "handle_time": {"dist": "lognormal", "mean": 120, "sd": 60},
             "patience": {"dist": "deterministic", "mean": 90},
             "priority": 0, "priority_fraction": 0.1},
            {"queue": "support", "channel": "chat", "trace": [10, 20, 30, 400, 500],
             "handle_time": {"dist": "empirical", "samples": [60, 90, 120]},
             "patience": {"dist": "none"}},
        ],
    }
    r = ccengine.simulate(s, progress=False)
    assert set(r["summary"]["queues"]) == {"sales", "support"}
    assert set(r["summary"]["groups"]) == {"sellers", "helpers"}
    assert r["summary"]["queues"]["support"]["offered"] == 5
    assert r["invariants_ok"] is True


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda s: s.update(horizn_s=10), r"unknown key 'horizn_s'.*did you mean 'horizon_s'"),
        (lambda s: s["arrivals"][0]["handle_time"].update(dist="expo"),
         r"^arrivals\[0\]\.handle_time: unknown dist 'expo'"),
        (lambda s: s["arrivals"][0].update(queue="sales"),
         r"arrivals\[0\]\.queue: unknown queue 'sales'"),
        (lambda s: s["queues"][0].update(skills={"tax": 1}),
         r"queues\[0\]\.skills: unknown skill 'tax'"),
        (lambda s: s["agents"][0].update(cuont=3), r"agents\[0\]: unknown key 'cuont'"),
        (lambda s: s["arrivals"][0]["patience"].update(sd=3),
         r"arrivals\[0\]\.patience: unknown key 'sd'"),
        (lambda s: s["arrivals"][0]["handle_time"].update(mean=-1),
         r"arrivals\[0\]\.handle_time: mean must be > 0"),
        (lambda s: s.update(horizon_s="long"), r"horizon_s: expected a number"),
        (lambda s: s.update(queues={}), r"queues: expected a list"),
        (lambda s: s["agents"][0].update(count=2.5), r"agents\[0\]\.count: expected an integer"),
        (lambda s: s["arrivals"][0].update(channel="fax"), r"unknown channel 'fax'"),
    ],
)
def test_scenario_errors_raise_value_error_naming_the_field(scenario, mutate, pattern):
    mutate(scenario)
    with pytest.raises(ValueError, match=pattern):
        ccengine.simulate(scenario, progress=False)


def test_scenario_must_be_a_dict():
    with pytest.raises(ValueError, match="scenario: expected a dict"):
        ccengine.simulate([1, 2], progress=False)


def test_expected_contacts(scenario):
    assert ccengine.expected_contacts(scenario) == pytest.approx(0.2 * 36000)
    scenario["replications"] = 3
    assert ccengine.expected_contacts(scenario) == pytest.approx(3 * 0.2 * 36000)


def test_to_dataframe_with_pandas(scenario):
    pd = pytest.importorskip("pandas")
    r = ccengine.simulate(scenario, progress=False)
    df = ccengine.to_dataframe(r)
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(r["intervals"]["start_s"])
    assert {"queue", "interval", "start_s"} | METRICS <= set(df.columns)
    counted = df[df["start_s"] >= scenario["warmup_s"]]  # the summary leaves out the warm-up
    assert counted["offered"].sum() == pytest.approx(r["summary"]["queues"]["general"]["offered"])
    summary = ccengine.to_dataframe(r, "queues")
    assert list(summary["queue"]) == ["general"]
    groups = ccengine.to_dataframe(r, kind="group_intervals")
    assert set(groups["group"]) == {"group0"}
    with pytest.raises(ValueError, match="unknown kind"):
        ccengine.to_dataframe(r, "agents")


def test_to_dataframe_half_width_columns():
    pytest.importorskip("pandas")
    r = ccengine.simulate(mmc(replications=2, horizon=5000.0), progress=False)
    df = ccengine.to_dataframe(r, "queues")
    assert "service_level_hw" in df.columns


def test_to_dataframe_without_pandas_gives_numpy(monkeypatch, scenario):
    np = pytest.importorskip("numpy")
    import builtins
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    r = ccengine.simulate(scenario, progress=False)
    table = ccengine.to_dataframe(r)
    assert isinstance(table["offered"], np.ndarray)
    assert len(table["offered"]) == len(r["intervals"]["start_s"])


def test_events_to_dataframe():
    pd = pytest.importorskip("pandas")
    e = ccengine.Engine()
    e.add_skill("s")
    e.add_queue(name="q")
    e.add_agent(1)
    e.login(1)
    e.add_contact(5, "q")
    df = ccengine.to_dataframe(e.drain_events(), "events")
    assert isinstance(df, pd.DataFrame)
    assert "offered" in set(df["type"])


def test_plot_writes_a_png(tmp_path, scenario):
    pytest.importorskip("matplotlib")
    scenario["replications"] = 2
    r = ccengine.simulate(scenario, progress=False)
    path = tmp_path / "staffing.png"
    fig = ccengine.plot(r, str(path), title="general")
    assert path.exists() and path.stat().st_size > 10_000
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) >= 5
    import matplotlib.pyplot as plt
    plt.close(fig)
