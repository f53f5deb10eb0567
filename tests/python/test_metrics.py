"""Live metrics from Python: attach_metrics, calendar rows in a time zone,
sliding windows, groups, the DataFrame view, service level definitions on a
queue and in a simulation, and the errors (with nothing changed)."""

import datetime

import pytest

import ccengine

# 2026-12-07 08:00 in Shanghai (UTC+8), a Monday.
OPEN = datetime.datetime(2026, 12, 7, 0, 0, tzinfo=datetime.timezone.utc).timestamp()


@pytest.fixture
def center():
    e = ccengine.Engine()
    e.advance_to(OPEN)
    e.add_skill("policy")
    e.add_queue(name="policy", skills={"policy": 1}, sl_seconds=20,
                sl_definition="within_offered_less_short", short_abandon_s=5,
                offer_timeout_s=None)
    e.attach_metrics(time_zone="Asia/Shanghai")
    e.add_agent(1, skills={"policy": 1})
    e.assign_group(1, "policy team")
    e.login(1)
    return e


def test_rows_now_and_frame(center):
    e = center
    e.add_contact(1, "policy")           # offered to agent 1
    e.add_contact(2, "policy")           # waits
    e.add_contact(3, "policy")           # waits, hangs up after 3 s: short
    e.advance_to(OPEN + 3)
    e.abandon(3)
    e.advance_to(OPEN + 10)
    e.accept_offer(1, 1)                 # waited 10 s: within 20 s
    e.advance_to(OPEN + 100)
    e.complete_contact(1, 1, csat=4, resolved=True)
    e.accept_offer(1, 2)                 # waited 100 s
    e.advance_to(OPEN + 160)

    rows = e.metrics_rows("queues", "30min", OPEN - 3600, OPEN + 3600)
    assert len(rows) == 1
    row = rows[0]
    assert row["start_s"] == OPEN
    assert row["queue"] == "policy"
    assert (row["offered"], row["answered"], row["abandoned"], row["short_abandoned"]) == (3, 2, 1, 1)
    assert row["sl_definition"] == "within_offered_less_short"
    assert row["service_level"] == pytest.approx(1 / 2)        # 1 / (3 - 1)
    assert row["sl_within_offered"] == pytest.approx(1 / 3)
    assert row["sl_within_answered"] == pytest.approx(1 / 2)
    assert row["asa_s"] == pytest.approx(55)
    assert row["aht_s"] == pytest.approx(90)
    assert row["csat"] == 4 and row["fcr"] == 1

    # A day row in Shanghai starts at local midnight: 16:00 UTC the day before.
    days = e.metrics_rows("queues", "day", OPEN, OPEN + 1)
    assert days[0]["start_s"] == OPEN - 8 * 3600

    groups = e.metrics_rows("groups", "hour", OPEN, OPEN + 3600)
    assert [g["group"] for g in groups] == ["policy team"]
    assert groups[0]["busy_s"] == pytest.approx(150)
    assert groups[0]["reserved_s"] == pytest.approx(10)
    assert groups[0]["occupancy"] == pytest.approx(1.0)
    agents = e.metrics_rows("agents", "15min", OPEN, OPEN + 900)
    assert agents[0]["agent"] == 1 and agents[0]["group"] == "policy team"

    now = e.metrics_now()
    assert now["time_s"] == OPEN + 160
    q = now["queues"][0]
    assert q["queue"] == "policy" and q["waiting"] == 0
    assert sorted(q["windows"]) == [5, 15, 60]
    assert q["windows"][5]["offered"] == 3
    assert q["windows"][5]["completed"] == 1
    assert now["agents_by_state"]["busy"] == 1

    frame = ccengine.metrics_frame(rows)
    assert list(frame["queue"]) == ["policy"]
    assert frame["start"][0].tz_convert("Asia/Shanghai").hour == 8


def test_queue_config_and_stats_carry_the_definition(center):
    e = center
    config = e.get_queue_config("policy")
    assert config["sl_definition"] == "within_offered_less_short"
    assert config["short_abandon_s"] == 5
    stats = e.queue_stats("policy")
    assert stats["sl_definition"] == "within_offered_less_short"
    assert stats["service_level"] is None  # nothing offered yet
    with pytest.raises(ValueError, match=r"sl_definition: unknown service level definition "
                                         r"'within_all' \(known: within_offered, "):
        e.add_queue(name="other", skills={"policy": 1}, sl_definition="within_all")
    with pytest.raises(ValueError, match="short_abandon_s: seconds must be finite and >= 0"):
        e.add_queue(name="other", skills={"policy": 1}, short_abandon_s=-1)


def test_bad_metrics_calls_raise_and_change_nothing(center):
    e = center
    e.add_contact(1, "policy")
    before = e.metrics_rows("queues", "day", OPEN - 86400, OPEN + 86400)
    with pytest.raises(ValueError, match="unknown granularity 'fortnight'"):
        e.metrics_rows("queues", "fortnight", OPEN, OPEN + 1)
    with pytest.raises(ValueError, match="of: must be 'queues', 'agents' or 'groups'"):
        e.metrics_rows("calls", "day", OPEN, OPEN + 1)
    with pytest.raises(ValueError, match="from <= to"):
        e.metrics_rows("queues", "day", OPEN + 1, OPEN)
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        e.attach_metrics(time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match=r"windows\[0\] must be a whole number of minutes"):
        e.attach_metrics(windows_min=[2.5])
    assert e.metrics_rows("queues", "day", OPEN - 86400, OPEN + 86400) == before
    fresh = ccengine.Engine()
    with pytest.raises(ccengine.CcengineError, match="call attach_metrics"):
        fresh.metrics_now()


def test_simulation_reports_by_the_queues_definition():
    scenario = {
        "seed": 3, "horizon_s": 3600, "interval_s": 1800,
        "skills": ["s"],
        "queues": [{"name": "q", "skills": {"s": 1}, "sl_seconds": 20,
                    "short_abandon_s": 10}],
        "agents": [{"name": "g", "count": 3, "skills": {"s": 1}}],
        "arrivals": [{"queue": "q", "rate_per_s": 1 / 40,
                      "handle_time": {"dist": "exponential", "mean": 180},
                      "patience": {"dist": "exponential", "mean": 60}}],
    }
    by = {}
    for definition in ("within_offered", "within_answered", "within_answered_abandoned",
                       "within_offered_less_short"):
        scenario["queues"][0]["sl_definition"] = definition
        by[definition] = ccengine.simulate(scenario, progress=False)["summary"]["queues"]["q"]
    q = by["within_offered"]
    within = q["service_level"] * q["offered"]
    assert q["short_abandoned"] > 0
    assert by["within_answered"]["service_level"] == pytest.approx(within / q["answered"])
    assert by["within_answered_abandoned"]["service_level"] == pytest.approx(
        within / (q["answered"] + q["abandoned"]))
    assert by["within_offered_less_short"]["service_level"] == pytest.approx(
        within / (q["offered"] - q["short_abandoned"]))
    scenario["queues"][0]["sl_definition"] = "within_everyone"
    with pytest.raises(ValueError, match=r"queues\[0\]\.sl_definition: unknown service level"):
        ccengine.simulate(scenario, progress=False)
