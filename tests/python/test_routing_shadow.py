"""Shadow evaluation (灰度) from Python: RoutingShadow compares the live and a
candidate version's decisions contact by contact (and routes a canary share by
the candidate), compare_routing runs both on the same simulated customers."""

import json

import pytest

import ccengine

LIVE = {
    "format": 1,
    "calendar": {"utc_offset_s": 28800},
    "skills": ["policy", "complaint"],
    "queues": [{"name": "policy", "skills": {"policy": 5}, "sl_seconds": 20},
               {"name": "complaint", "skills": {"complaint": 5}, "sl_seconds": 30}],
    "agent_profiles": [{"name": "policy", "skills": {"policy": 7}},
                       {"name": "complaint", "skills": {"complaint": 7, "policy": 4}}],
    "attributes": {"ivr.choice": "string", "customer.tier": "string", "customer.age": "number"},
    "flows": [{"name": "hotline",
               "rules": [{"name": "complaint", "if": "ivr.choice == '2'",
                          "queue": "complaint"}],
               "default": {"queue": "policy"}}],
}


def version(source="candidate.json", **flow_changes):
    doc = json.loads(json.dumps(LIVE))
    doc["flows"][0].update(flow_changes)
    return ccengine.RoutingFile.from_json(json.dumps(doc), source)


# The candidate: VIP callers one class up.
VIP_RULE = {"name": "vip", "if": "customer.tier == 'vip'", "queue": "policy", "priority": 1}
LIVE_FILE = version("live.json")
MORNING = 1796572800 + 10 * 3600  # Monday 2026-12-07 10:00 Beijing time
CANDIDATE = version(rules=LIVE["flows"][0]["rules"] + [VIP_RULE])


def test_shadow_counts_the_decisions_that_differ():
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE)
    kwargs = shadow.route(1, "hotline", {"customer.tier": "vip"}, at_s=MORNING)
    assert kwargs["queue"] == "policy" and kwargs["priority"] == 0  # the live decision
    e = ccengine.Engine.from_config(LIVE_FILE)
    e.add_contact(1, **kwargs)
    shadow.route(2, "hotline", {"ivr.choice": "2", "customer.tier": "vip"}, at_s=MORNING)
    shadow.route(3, "hotline", at_s=MORNING)
    r = shadow.take_report()
    assert (r["decisions"], r["differing"], r["other_priority"], r["other_queue"]) == (3, 1, 1, 0)
    assert r["differing_share"] == pytest.approx(1 / 3)
    assert r["samples"] == [{"contact": 1, "flow": "hotline", "live_rule": "default",
                             "candidate_rule": "vip", "live_queue": "policy",
                             "candidate_queue": "policy", "routed_by_candidate": False}]
    assert {(x["live_rule"], x["candidate_rule"]): x["contacts"] for x in r["rules"]} == {
        ("default", "vip"): 1, ("complaint", "complaint"): 1, ("default", "default"): 1}
    assert r["live_hash"] != r["candidate_hash"]
    assert shadow.report()["decisions"] == 0


def test_a_canary_share_is_routed_by_the_candidate():
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE, canary_share=0.3)
    canary = 0
    for contact in range(2000):
        kwargs = shadow.route(contact, "hotline", {"customer.tier": "vip"}, at_s=MORNING)
        assert kwargs["priority"] == (1 if shadow.in_canary(contact) else 0)
        canary += shadow.in_canary(contact)
    assert shadow.report()["routed_by_candidate"] == canary
    assert 450 < canary < 750  # 30% of 2000, with room for chance


def test_bad_input_is_refused_and_counts_nothing(tmp_path):
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE)
    with pytest.raises(ValueError, match="facts.ivr.choice: the live version declares a string"):
        shadow.route(1, "hotline", {"ivr.choice": 2}, at_s=MORNING)
    with pytest.raises(KeyError, match=r"unknown flow 'web' in the live version \(live.json\)"):
        shadow.route(1, "web", at_s=MORNING)
    with pytest.raises(ValueError, match="contact: must be in 0..4294967295"):
        shadow.route(-1, "hotline", at_s=MORNING)
    with pytest.raises(ValueError, match="facts.customer.age: must be finite, got nan"):
        shadow.route(1, "hotline", {"customer.age": float("nan")}, at_s=MORNING)
    with pytest.raises(ValueError, match="facts.customer.tier: the live version declares a str"):
        shadow.route(1, "hotline", {"customer.tier": 1.5}, at_s=MORNING)
    with pytest.raises(TypeError):
        shadow.route(1, "hotline")  # the arrival time is required
    assert shadow.report()["decisions"] == 0
    with pytest.raises(ValueError, match=r"canary_share: must be in \[0, 1\], got 2"):
        ccengine.RoutingShadow(LIVE_FILE, CANDIDATE, canary_share=2)
    with pytest.raises(FileNotFoundError):
        ccengine.RoutingShadow(tmp_path / "none.json", CANDIDATE)


def test_skills_are_compared_by_name_and_preferences_counted():
    # The candidate numbers its skills the other way round and adds a
    # preference wait: the same skills by name, another preference.
    doc = json.loads(json.dumps(LIVE))
    doc["skills"] = ["complaint", "policy"]
    doc["flows"][0]["rules"][0]["skills"] = {"policy": 3}
    doc["flows"][0]["default"]["preferred_wait_s"] = 20
    live = json.loads(json.dumps(LIVE))
    live["flows"][0]["rules"][0]["skills"] = {"policy": 3}
    shadow = ccengine.RoutingShadow(ccengine.RoutingFile.from_json(json.dumps(live)),
                                    ccengine.RoutingFile.from_json(json.dumps(doc)))
    shadow.route(1, "hotline", {"ivr.choice": "2"}, at_s=MORNING)
    shadow.route(2, "hotline", {"ivr.choice": "1", "customer.tier": None}, at_s=MORNING)
    r = shadow.report()
    assert (r["decisions"], r["differing"], r["other_skills"], r["other_preference"]) == \
        (2, 1, 0, 1)


@pytest.mark.parametrize("share, in_canary", [(0.0, 0), (1.0, 200)])
def test_canary_share_zero_and_one(share, in_canary):
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE, canary_share=share)
    for contact in range(200):
        shadow.route(contact, "hotline", {"customer.tier": "vip"}, at_s=MORNING)
    assert shadow.report()["routed_by_candidate"] == in_canary
    assert shadow.canary_share == share


def test_compare_routing_sets_two_versions_side_by_side():
    # Few agents: the VIP class moves waiting from VIP callers to the others.
    day = {"seed": 4, "horizon_s": 6 * 3600.0, "interval_s": 1800.0,
           "survey_rates": {"policy": 0.5},
           "agents": [{"name": "p", "profile": "policy", "count": 9, "csat_mean": 4.2}],
           "arrivals": [
               {"flow": "hotline", "facts": {"ivr.choice": "1"}, "rate_per_s": 0.03,
                "handle_time": {"dist": "exponential", "mean": 240},
                "patience": {"dist": "exponential", "mean": 200}},
               {"flow": "hotline", "facts": {"customer.tier": "vip"}, "rate_per_s": 0.006,
                "handle_time": {"dist": "exponential", "mean": 240},
                "patience": {"dist": "exponential", "mean": 200}}]}
    c = ccengine.compare_routing(day, LIVE_FILE, CANDIDATE, progress=False)
    policy = c["queues"]["policy"]
    # The same customers: the same offered load, another order of service.
    assert policy["offered"]["delta"] == 0
    assert policy["offered"]["live"] == c["live"]["queues"]["policy"]["offered"]
    assert c["all"]["offered"]["delta"] == 0
    # The VIP class changes who waits: the day's figures move.
    assert any(policy[f]["delta"] != 0 for f in ("service_level", "asa", "p_abandon"))
    assert set(c["all"]) == {"offered", "answered", "abandoned", "p_abandon",
                             "service_level", "asa", "csat_mean"}
    # Surveys answered at the group's true mean, on both sides.
    for side in ("live", "candidate"):
        assert c["all"]["csat_mean"][side] == pytest.approx(4.2, abs=0.15)
        assert c["queues"]["policy"]["csat_mean"][side] == c["all"]["csat_mean"][side]
    # The same version twice changes nothing at all.
    same = ccengine.compare_routing(day, LIVE_FILE, LIVE_FILE, progress=False)
    assert json.dumps(same["live"], sort_keys=True) == json.dumps(same["candidate"], sort_keys=True)
    assert all(v["delta"] == 0 for v in same["all"].values())
    with pytest.raises(ValueError, match="candidate version: arrivals.0..flow: unknown flow"):
        ccengine.compare_routing(day, LIVE_FILE, version(name="ivr"), progress=False)
