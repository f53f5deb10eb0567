"""Hours of operation and the estimated wait with an interval, from Python:
the hours dict both ways, closed arrivals and closing time, error messages
(with the engine unchanged), estimate_wait, and the simulator's check of the
estimate against observed waits on M/M/c centers."""

import datetime
import math

import pytest

import ccengine

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOTLINE = {
    "utc_offset_s": 8 * 3600,
    "weekly": {d: [["08:30", "12:00"], ["13:30", "18:00"]] for d in WEEKDAYS},
    "holidays": ["2026-10-01"],
    "special": {"2026-12-24": [["09:00", "12:00"]]},
}
UTC8 = datetime.timezone(datetime.timedelta(hours=8))


def local(month, day, hour, minute=0):
    """Seconds since the Unix epoch of a 2026 wall time in UTC+8."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC8).timestamp()


def hotline_engine(start, **queue):
    e = ccengine.Engine(start_s=start)
    e.add_queue(name="voicemail")
    e.add_queue(name="hotline", hours=HOTLINE, **queue)
    return e


def test_hours_dict_round_trips():
    e = hotline_engine(local(9, 30, 7))
    config = e.get_queue_config("hotline")
    hours = config["hours"]
    assert hours["utc_offset_s"] == 28800
    assert hours["weekly"]["mon"] == [["08:30", "12:00"], ["13:30", "18:00"]]
    assert hours["weekly"]["sat"] == [] and hours["weekly"]["sun"] == []
    assert hours["holidays"] == ["2026-10-01"]
    assert hours["special"] == {"2026-12-24": [["09:00", "12:00"]]}
    assert config["move_waiting_at_close"] is False
    e.update_queue("hotline", config)  # what comes out goes back in
    assert e.get_queue_config("hotline") == config
    assert e.get_queue_config("voicemail")["hours"] is None
    # Seconds of the day are accepted too, and "hh:mm:ss".
    e.update_queue("voicemail", hours={"weekly": {"sun": [[0, "24:00"], ]},
                                       "special": {"2026-10-01": [["10:00:30", 43200]]}})
    vm = e.get_queue_config("voicemail")["hours"]
    assert vm["weekly"]["sun"] == [["00:00", "24:00"]]
    assert vm["special"] == {"2026-10-01": [["10:00:30", "12:00"]]}
    assert vm["utc_offset_s"] == 0
    e.update_queue("voicemail", hours=None)
    assert e.get_queue_config("voicemail")["hours"] is None


def test_arrival_while_closed_leaves_with_reason_closed():
    e = hotline_engine(local(9, 30, 7))  # Wednesday 07:00 local
    e.add_agent(1)
    e.login(1)
    e.drain_events()
    stats = e.queue_stats("hotline")
    assert stats["open"] is False
    e.add_contact(1, "hotline")
    events = e.drain_events()
    overflow = [ev for ev in events if ev["type"] == "overflowed"]
    assert len(overflow) == 1
    assert overflow[0]["reason"] == "closed"
    assert overflow[0]["queue"] == "hotline"
    assert overflow[0]["to_queue"] is None  # left the engine
    stats = e.queue_stats("hotline")
    assert stats["closed"] == 1 and stats["overflowed"] == 1
    assert e.accounting()["overflowed"] == 1
    # At 08:30 local it opens, by its timer.
    assert e.next_timer_at() == local(9, 30, 8, 30)
    e.advance_to(local(9, 30, 8, 30))
    assert e.queue_stats("hotline")["open"] is True
    e.add_contact(2, "hotline")
    assert e.get_contact(2)["agent"] == 1


def test_closing_moves_the_line_to_voicemail_when_asked():
    e = hotline_engine(local(9, 30, 17), overflow_to="voicemail", move_waiting_at_close=True)
    e.add_contact(1, "hotline")
    e.add_contact(2, "hotline")
    e.drain_events()
    e.advance_to(local(9, 30, 19))
    events = [ev for ev in e.drain_events() if ev["type"] == "overflowed"]
    assert [ev["contact"] for ev in events] == [1, 2]
    assert {ev["reason"] for ev in events} == {"closed"}
    assert {ev["to_queue"] for ev in events} == {"voicemail"}
    assert {ev["time_s"] for ev in events} == {local(9, 30, 18)}
    assert e.get_contact(1)["queue"] == "voicemail"
    assert e.queue_stats("hotline")["waiting"] == 0
    e.check_invariants()


def test_closing_serves_the_line_by_default():
    e = hotline_engine(local(9, 30, 17))
    e.add_contact(1, "hotline")
    e.advance_to(local(9, 30, 19))
    assert e.get_contact(1)["state"] == "waiting"
    assert e.queue_stats("hotline")["open"] is False
    e.add_agent(1)
    e.login(1)
    assert e.get_contact(1)["agent"] == 1


def snapshot(e):
    return (e.now, e.accounting(), e.queues, [e.get_queue_config(q) for q in e.queues],
            [e.queue_stats(q) for q in e.queues], e.next_timer_at())


@pytest.mark.parametrize(
    "hours, exc, pattern",
    [
        ({"weekly": {"mon": [["08:30", "25:00"]]}}, ValueError,
         r"^hours\.weekly\.mon\[0\]\[1\]: '25:00' is not a time of day"),
        ({"weekly": {"monday": [["08:30", "12:00"]]}}, ValueError,
         r"^hours\.weekly: unknown weekday 'monday' \(known: mon, tue"),
        ({"weekly": {"mon": [["08:30", "12:00"], ["11:00", "13:00"]]}}, ValueError,
         r"^queue 'hotline': hours: weekly\[mon\]\[1\]: window 11:00-13:00 overlaps "
         r"08:30-12:00$"),
        ({"weekly": {"mon": [["12:00", "08:30"]]}}, ValueError,
         r"closes before it opens"),
        ({"weekly": {"mon": [["08:30"]]}}, ValueError,
         r"^hours\.weekly\.mon\[0\]: expected an \[open, close\] pair, got 1 items"),
        ({"holidays": ["2026-02-30"]}, ValueError,
         r"^hours\.holidays\[0\]: '2026-02-30' is not a date"),
        ({"holidays": ["2026-10-01", "2026-10-01"]}, ValueError, r"listed twice"),
        ({"utc_offset_s": 15 * 3600}, ValueError, r"utc_offset_s must be within"),
        ({"utc_offset": 3600}, ValueError, r"unknown key 'utc_offset'"),
        ("9 to 5", ValueError, r"hours"),
    ],
)
def test_bad_hours_raise_and_change_nothing(hours, exc, pattern):
    e = hotline_engine(local(9, 30, 10))
    e.add_contact(1, "hotline")
    before = snapshot(e)
    with pytest.raises(exc, match=pattern):
        e.update_queue("hotline", hours=hours)
    with pytest.raises(exc):
        e.add_queue(name="other", hours=hours)
    assert snapshot(e) == before


def test_estimate_wait_dict():
    e = ccengine.Engine()
    e.add_queue(name="q", expected_handle_time_s=120)
    for a in (1, 2, 3):
        e.add_agent(a)
        e.login(a)
        e.add_contact(100 + a, "q")
        e.accept_offer(a, 100 + a)
    e.add_contact(1, "q")
    e.add_contact(2, "q")
    w = e.estimate_wait(1)
    assert w["position"] == 1 and w["agents"] == 3 and w["servers"] == 3
    assert w["handle_time_s"] == pytest.approx(120)
    assert w["expected_s"] == pytest.approx(40)
    assert w["low_s"] == pytest.approx(-40 * math.log(0.9))
    assert w["high_s"] == pytest.approx(40 * math.log(10))
    assert (w["low_quantile"], w["high_quantile"]) == (0.1, 0.9)
    w2 = e.estimate_wait(2)
    assert w2["position"] == 2 and w2["expected_s"] == pytest.approx(80)
    assert w2["low_s"] > w["low_s"] and w2["high_s"] > w["high_s"]
    for a in (1, 2, 3):
        e.set_not_ready(a)
    assert e.estimate_wait(1)["expected_s"] == math.inf
    with pytest.raises(KeyError, match="unknown contact 9"):
        e.estimate_wait(9)
    with pytest.raises(ccengine.CcengineError, match="contact 101 is in_service, not waiting"):
        e.estimate_wait(101)
    assert ccengine.Engine.estimate_wait.__doc__


def mmc(agents, load, horizon, aht=60.0, seed=11):
    return {
        "seed": seed,
        "horizon_s": horizon,
        "estimate_waits": True,
        "warmup_s": 20 * aht,
        "interval_s": horizon,
        "skills": ["s"],
        "queues": [{"name": "q", "skills": {"s": 1}}],
        "agents": [{"name": "team", "count": agents, "skills": {"s": 1}}],
        "arrivals": [{"queue": "q", "rate_per_s": load * agents / aht,
                      "handle_time": {"dist": "exponential", "mean": aht}}],
    }


@pytest.mark.parametrize("agents, load, horizon", [(3, 0.8, 300_000.0), (40, 0.9, 80_000.0)])
def test_simulated_waits_match_the_estimate_on_mmc(agents, load, horizon):
    r = ccengine.simulate(mmc(agents, load, horizon), progress=False)
    q = r["summary"]["queues"]["q"]
    assert q["ewt_count"] > 2000
    assert q["ewt_mean"] == pytest.approx(q["wait_mean"], rel=0.06)
    assert q["ewt_coverage"] == pytest.approx(0.80, abs=0.035)
    # Only the per-queue summary carries the estimate figures.
    assert "ewt_mean" not in r["summary"]["groups"]["team"]
    assert "ewt_mean" not in r["intervals"]["queues"]["q"][0]
