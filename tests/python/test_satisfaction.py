"""Satisfaction-weighted routing from Python: outcomes teach the quality
estimates, the satisfaction strategy prefers the better agent while enough are
free, guards pass busy agents over, explanation records come as events, and
bad input raises with the engine's message and changes nothing."""

import pytest

import ccengine


def teach(e, agent, others, n, first_id, **outcome):
    """`agent` serves n contacts of queue 'train' at once with `outcome`."""
    for o in others:
        e.set_not_ready(o)
    for i in range(n):
        cid = first_id + i
        e.add_contact(cid, "train")
        assert e.get_contact(cid)["agent"] == agent
        e.accept_offer(agent, cid)
        e.complete_contact(agent, cid, **outcome)
    for o in others:
        e.set_ready(o)


@pytest.fixture
def center():
    """Agent 1 poor (CSAT 1, unresolved), agent 2 excellent; agent 1 has
    been free the longest."""
    e = ccengine.Engine(quality_half_life_s=None)
    e.add_skill("policy")
    for name, strategy in (("train", "longest_idle"), ("li", "longest_idle"),
                           ("sat", "satisfaction")):
        e.add_queue(name=name, skills={"policy": 1}, strategy=strategy,
                    offer_timeout_s=None)
    for a in (1, 2):
        e.add_agent(a, skills={"policy": 5})
        e.login(a)
    teach(e, 1, [2], 10, 100, csat=1, resolved=False)
    teach(e, 2, [1], 10, 200, csat=5, resolved=True)
    e.advance_to(300)
    teach(e, 2, [1], 1, 300)
    e.advance_to(600)
    e.drain_events()
    return e


def test_quality_estimates_are_shrunk_toward_the_skill_mean():
    e = ccengine.Engine(quality_half_life_s=None)
    e.add_skill("policy")
    e.add_queue(name="train", skills={"policy": 1})
    for a in (1, 2):
        e.add_agent(a, skills={"policy": 5})
        e.login(a)
    assert e.quality(1, "policy") == {"csat": 3.5, "fcr": 0.7, "csat_weight": 0.0,
                                      "fcr_weight": 0.0}
    teach(e, 1, [2], 10, 1, csat=5, resolved=True)
    # k = 10: skill mean (50 + 35) / 20 = 4.25; agent (50 + 42.5) / 20.
    assert e.quality(1, "policy")["csat"] == pytest.approx(4.625)
    assert e.quality(1, "policy")["fcr"] == pytest.approx(0.925)
    assert e.quality(2, "policy")["csat"] == pytest.approx(4.25)
    assert e.quality(1, 0)["csat_weight"] == pytest.approx(10)


def test_satisfaction_prefers_the_better_agent(center):
    center.add_contact(1, "li")
    assert center.get_contact(1)["agent"] == 1  # longest idle
    center.withdraw(1)
    center.add_contact(2, "sat")
    assert center.get_contact(2)["agent"] == 2  # quality


def test_explanation_records_are_events_when_switched_on(center):
    center.add_contact(1, "sat")
    assert "decision_explained" not in [ev["type"] for ev in center.drain_events()]
    center.withdraw(1)
    center.explain = True
    center.add_contact(2, "sat")
    events = center.drain_events()
    kinds = [ev["type"] for ev in events]
    i = kinds.index("decision_explained")
    assert kinds[i + 1] == "offered"
    x = events[i]["explanation"]
    assert x["direction"] == "contact_arrived"
    assert x["strategy"] == "satisfaction"
    assert x["agent"] == 2 and x["contact"] == 2 and x["queue"] == "sat"
    assert "quality orders agents" in x["rule"]
    by_agent = {c["agent"]: c for c in x["candidates"]}
    assert by_agent[2]["verdict"] == "chosen"
    assert by_agent[1]["verdict"] == "ranked"
    terms = by_agent[2]["terms"]
    assert set(terms) == {"csat", "fcr", "quality", "proficiency", "idle", "occupancy",
                          "score"}
    assert terms["score"] == pytest.approx(by_agent[2]["score"])
    assert by_agent[2]["score"] > by_agent[1]["score"]
    assert events[i + 1]["explanation"] is None


def test_guards_pass_a_busy_agent_over(center):
    center.update_queue("sat", guards={"occupancy_cap": 0.5})
    assert center.get_queue_config("sat")["guards"] == {
        "occupancy_cap": 0.5, "max_occupancy_spread": 1.0, "exploration": 0.0}
    center.set_not_ready(1)
    center.add_contact(1, "train")
    center.accept_offer(2, 1)
    center.advance_to(1500)
    center.complete_contact(2, 1)
    center.set_ready(1)
    center.advance_to(1800)
    assert center.window_occupancy(2) > 0.5
    center.explain = True
    center.add_contact(2, "sat")
    assert center.get_contact(2)["agent"] == 1
    x = [ev for ev in center.drain_events() if ev["type"] == "decision_explained"][0]
    verdicts = {c["agent"]: c["verdict"] for c in x["explanation"]["candidates"]}
    assert verdicts == {1: "chosen", 2: "occupancy_cap"}


def test_custom_satisfaction_strategy_and_command_outcome(center):
    center.add_satisfaction_strategy("strict", min_idle_for_quality=3)
    center.add_queue(name="strict", skills={"policy": 1}, strategy="strict")
    center.explain = True
    center.add_contact(3, "strict")
    x = [ev for ev in center.drain_events() if ev["type"] == "decision_explained"][0]
    assert "quality off" in x["explanation"]["rule"]
    agent = center.get_contact(3)["agent"]
    center.accept_offer(agent, 3)
    center.apply({"type": "complete_contact", "agent": agent, "contact": 3, "csat": 4,
                  "resolved": True})
    assert center.quality(agent, "policy")["csat_weight"] == pytest.approx(11)


def test_bad_input_raises_and_changes_nothing(center):
    center.add_contact(1, "sat")
    center.accept_offer(2, 1)
    before = (center.accounting(), center.get_agent(2), center.quality(2, "policy"))
    with pytest.raises(ValueError, match="csat must be in 1..5, got 6"):
        center.complete_contact(2, 1, csat=6)
    with pytest.raises(ValueError, match="resolved: expected a bool"):
        center.complete_contact(2, 1, resolved="yes")
    with pytest.raises(ValueError, match="guards.occupancy_cap must be in"):
        center.update_queue("sat", guards={"occupancy_cap": 0})
    with pytest.raises(ValueError, match="unknown key"):
        center.update_queue("sat", guards={"cap": 0.5})
    with pytest.raises(ValueError, match="min_idle_for_quality must be >= 1"):
        center.add_satisfaction_strategy("bad", min_idle_for_quality=0)
    with pytest.raises(KeyError):
        center.quality(99, "policy")
    with pytest.raises(ValueError, match="default_csat must be in"):
        ccengine.Engine(default_csat=9)
    assert (center.accounting(), center.get_agent(2), center.quality(2, "policy")) == before
    assert center.get_queue_config("sat")["guards"]["occupancy_cap"] == 1.0


def center_scenario(strategy, seed=3, **queue):
    q = {"name": "general", "skills": {"general": 1}, "strategy": strategy,
         "survey_rate": 0.3, **queue}
    return {
        "seed": seed, "horizon_s": 12 * 3600, "warmup_s": 3600, "interval_s": 3600,
        "replications": 1, "skills": ["general"], "queues": [q],
        "agents": [
            {"name": "good", "count": 10, "skills": {"general": 5}, "csat_mean": 4.6,
             "fcr_rate": 0.85},
            {"name": "poor", "count": 10, "skills": {"general": 5}, "csat_mean": 3.0,
             "fcr_rate": 0.55},
        ],
        "arrivals": [{"queue": "general", "rate_per_s": 0.6 * 20 / 300,
                      "handle_time": {"dist": "exponential", "mean": 300}}],
    }


def test_simulation_reports_csat_fcr_and_spread_and_satisfaction_wins():
    li = ccengine.simulate(center_scenario("longest_idle"))["summary"]
    sat = ccengine.simulate(center_scenario(
        "satisfaction", guards={"max_occupancy_spread": 0.3},
        satisfaction={"quality": 4.0, "min_idle_for_quality": 2}))["summary"]
    a, b = li["queues"]["general"], sat["queues"]["general"]
    for m in (a, b):
        assert 1 <= m["csat_mean"] <= 5
        assert 0 <= m["fcr_rate"] <= 1
        assert 0 <= m["occupancy_spread"] <= 1
    assert a["offered"] == b["offered"]  # the same customers
    assert b["asa"] <= 1.1 * a["asa"] + 1e-9
    assert b["occupancy_spread"] <= 0.3
    assert sat["groups"]["good"]["occupancy"] > sat["groups"]["poor"]["occupancy"]
    assert b["csat_mean"] > a["csat_mean"]
    # Per group: what each group's customers said.
    assert sat["groups"]["good"]["csat_mean"] > sat["groups"]["poor"]["csat_mean"]


@pytest.mark.parametrize("change, message", [
    (lambda s: s["queues"][0].update(survey_rate=2),
     "queues[0].survey_rate: must be in [0, 1], got 2"),
    (lambda s: s["agents"][0].update(csat_mean=0),
     "agents[0].csat_mean: must be in [1, 5], got 0"),
    (lambda s: s["queues"][0].update(guards={"exploration": 1}),
     "queues[0]: guards.exploration must be in [0, 1), got 1"),
    (lambda s: s["queues"][0].update(satisfaction={"idle": -1}),
     "queues[0].satisfaction: satisfaction weight 'idle' must be finite and >= 0, got -1"),
    (lambda s: s.update(quality={"default_fcr": 2}),
     "scenario: quality.default_fcr must be in [0, 1], got 2"),
    (lambda s: s["queues"][0].update(guards={"cap": 1}), "unknown key"),
])
def test_simulation_rejects_bad_satisfaction_keys(change, message):
    s = center_scenario("satisfaction")
    change(s)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")
                       .replace("(", r"\(").replace(")", r"\)")):
        ccengine.simulate(s)


def test_hold_for_a_better_agent_is_bounded(center):
    center.add_satisfaction_strategy("hold", max_hold_s=30, hold_margin=0.2)
    center.add_queue(name="hold", skills={"policy": 1}, strategy="hold")
    center.set_not_ready(1)
    center.add_contact(1, "train")
    center.accept_offer(2, 1)          # the excellent agent is busy
    center.set_ready(1)
    center.explain = True
    center.add_contact(2, "hold")      # only the poor agent is free: wait
    assert center.get_contact(2)["state"] == "waiting"
    x = [ev for ev in center.drain_events() if ev["type"] == "decision_explained"][0]
    assert "hold: waits until 30s in queue for agent 2" in x["explanation"]["rule"]
    center.check_invariants()
    center.advance_to(630)             # the bound: the free agent takes it
    assert center.get_contact(2)["agent"] == 1
    with pytest.raises(ValueError, match="max_hold must be in"):
        center.add_satisfaction_strategy("bad", max_hold_s=7200)
