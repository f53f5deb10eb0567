"""Calendar reports of a simulation from Python: ``report_start`` places the
run on the calendar, ``result["interval_rows"]`` makes day, week and month
reports (rows, CSV, JSON, an SVG chart) with the metrics module's report
functions, checked against the simulator's own interval figures; the rows
travel through ``sweep``; bad arguments raise ValueError."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

import ccengine

MONDAY = "2026-12-07T00:00:00+08:00"  # midnight in Shanghai


def scenario(days=2, **extra):
    s = {
        "seed": 11,
        "horizon_s": days * 86400,
        "interval_s": 900,
        "skills": ["general"],
        "queues": [{"name": "general", "skills": {"general": 1}, "sl_seconds": 20}],
        "agents": [
            {"name": "day team", "count": 6, "skills": {"general": 5}},
            {"name": "generalists", "count": 3, "skills": {"general": 5}},
        ],
        "arrivals": [
            {
                "queue": "general",
                "rate_per_s": 0.04,
                "handle_time": {"dist": "exponential", "mean": 180},
                "patience": {"dist": "exponential", "mean": 120},
            }
        ],
        "report_start": MONDAY,
    }
    s.update(extra)
    return s


def test_daily_report_sums_the_simulators_intervals():
    r = ccengine.simulate(scenario())
    rows = r["interval_rows"]
    assert isinstance(rows, ccengine.IntervalRows)
    assert rows.queue_rows > 150 and rows.agent_rows > 9 * 150
    days = rows.report("queues", "day", "Asia/Shanghai")
    assert [d["start_s"] for d in days] == [1796572800.0, 1796659200.0]
    sim = r["intervals"]["queues"]["general"]
    for d, day in enumerate(days):
        part = sim[96 * d : 96 * (d + 1)]
        assert day["offered"] == sum(i["offered"] for i in part)
        assert day["answered"] == sum(i["answered"] for i in part)
        assert day["abandoned"] == sum(i["abandoned"] for i in part)
        within = sum(i["service_level"] * i["offered"] for i in part)
        assert day["service_level"] == pytest.approx(within / day["offered"], abs=1e-12)
    assert sum(d["offered"] for d in days) == r["summary"]["queues"]["general"]["offered"]

    groups = rows.report("groups", "day", "Asia/Shanghai")
    first = [g for g in groups if g["start_s"] == days[0]["start_s"]]
    assert [g["group"] for g in first] == ["day team", "generalists"]
    assert first[0]["logged_in_s"] == pytest.approx(6 * 86400)
    assert first[1]["logged_in_s"] == pytest.approx(3 * 86400)
    assert sum(g["answered"] for g in groups) == sum(d["answered"] for d in days)


def test_csv_json_and_chart():
    rows = ccengine.simulate(scenario())["interval_rows"]
    as_rows = rows.report("queues", "day", "Asia/Shanghai")
    table = list(csv.DictReader(io.StringIO(rows.report("queues", "day", "Asia/Shanghai", "csv"))))
    assert [t["period_start"] for t in table] == [
        "2026-12-07T00:00:00+08:00",
        "2026-12-08T00:00:00+08:00",
    ]
    assert [int(t["offered"]) for t in table] == [r["offered"] for r in as_rows]
    parsed = json.loads(rows.report("queues", "day", "Asia/Shanghai", "json"))
    assert [p["answered"] for p in parsed] == [r["answered"] for r in as_rows]
    agents = list(csv.DictReader(io.StringIO(rows.report("agents", "week", "Asia/Shanghai", "csv"))))
    assert len(agents) == 9  # one week row per agent
    svg = ET.fromstring(rows.report("queues", "hour", "Asia/Shanghai", "svg", target=0.8))
    bars = [e for e in svg.iter("{http://www.w3.org/2000/svg}rect") if e.get("class") == "bar"]
    assert len(bars) == 48


def test_rows_come_through_sweep():
    s = scenario(days=1, replications=2)
    [swept] = ccengine.sweep([s], executor="serial")
    direct = ccengine.simulate(s)
    assert swept["interval_rows"].report("queues", "hour", "UTC", "csv") == direct[
        "interval_rows"
    ].report("queues", "hour", "UTC", "csv")


def test_without_report_start_there_are_no_rows():
    s = scenario(days=1)
    del s["report_start"]
    assert "interval_rows" not in ccengine.simulate(s)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"of": "calls"}, "of: must be 'queues', 'agents' or 'groups', got 'calls'"),
        ({"granularity": "year"}, "unknown granularity 'year'"),
        ({"time_zone": "Mars/Olympus"}, "time_zone: unknown time zone 'Mars/Olympus'"),
        ({"format": "pdf"}, "format: must be 'rows', 'csv', 'json' or 'svg', got 'pdf'"),
        ({"of": "agents", "format": "svg"}, "format: 'svg' charts queue reports only"),
        ({"format": "svg", "target": 1.5}, "target: must be in [0, 1] or None, got 1.5"),
        ({"target": 0.8}, "target: only a chart (format='svg') draws one"),
    ],
)
def test_bad_report_arguments(kwargs, message):
    rows = ccengine.simulate(scenario(days=1))["interval_rows"]
    with pytest.raises(ValueError) as e:
        rows.report(**kwargs)
    assert message in str(e.value)


@pytest.mark.parametrize(
    "start, message",
    [
        ("2026-12-07 00:00", "report_start: expected an RFC 3339 time"),
        ("2026-12-07T00:05:00+08:00", "report_start: must be on a 15-minute boundary"),
        (1796572800, "report_start: expected a str"),
    ],
)
def test_bad_report_start(start, message):
    with pytest.raises(ValueError) as e:
        ccengine.simulate(scenario(days=1, report_start=start))
    assert message in str(e.value)


def test_too_many_rows_are_refused_before_the_run():
    s = scenario(days=30)
    s["agents"][0]["count"] = 3000
    with pytest.raises(ccengine.CcengineError) as e:
        ccengine.simulate(s)
    assert "report_start: a report of 3003 agents and 1 queues" in str(e.value)
