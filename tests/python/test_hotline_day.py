"""The main job's day (examples/hotline_day.py) runs from its routing file:
every caller type reaches the queue the file's flow names, the English desk
closes at 20:00, and every contact that arrives is accounted for."""

import os
import sys

import ccengine

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import hotline_day  # noqa: E402


def test_the_day_runs_through_the_routing_file():
    scenario, plan = hotline_day.build_scenario(seed=3, scale=0.05)
    assert "queues" not in scenario and "skills" not in scenario
    assert scenario["report_start"] == hotline_day.DAY_START
    result = ccengine.simulate(scenario, progress=False)
    assert result["invariants_ok"]
    queues = result["summary"]["queues"]
    assert set(queues) == set(hotline_day.TARGETS)
    # Every arrival entered exactly one queue (nothing overflows in this file).
    assert sum(q["offered"] for q in queues.values()) == result["contacts"]
    assert all(q["answered"] + q["abandoned"] == q["offered"] for q in queues.values())
    # The English desk: callers from 08:00 to 20:00 (Beijing time), none after.
    english = [row["offered"] for row in result["intervals"]["queues"]["english"]]
    assert sum(english[:16]) == 0 and sum(english[40:]) == 0 and sum(english[16:40]) > 0
    # Its team is planned only while the flow sends it callers.
    rates, counts = plan["english"]
    assert all((rate > 0) == (count > 0) for rate, count in zip(rates, counts))
    # The emergency keywords reach the emergency line.
    assert queues["emergency"]["offered"] > 0
    assert queues["emergency"]["service_level"] > 0.8
