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
    "attributes": {"ivr.choice": "string", "customer.tier": "string"},
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
CANDIDATE = version(rules=LIVE["flows"][0]["rules"] + [VIP_RULE])


def test_shadow_counts_the_decisions_that_differ():
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE)
    kwargs = shadow.route(1, "hotline", {"customer.tier": "vip"})
    assert kwargs["queue"] == "policy" and kwargs["priority"] == 0  # the live decision
    e = ccengine.Engine.from_config(LIVE_FILE)
    e.add_contact(1, **kwargs)
    shadow.route(2, "hotline", {"ivr.choice": "2", "customer.tier": "vip"})
    shadow.route(3, "hotline")
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
        kwargs = shadow.route(contact, "hotline", {"customer.tier": "vip"})
        assert kwargs["priority"] == (1 if shadow.in_canary(contact) else 0)
        canary += shadow.in_canary(contact)
    assert shadow.report()["routed_by_candidate"] == canary
    assert 450 < canary < 750  # 30% of 2000, with room for chance


def test_bad_input_is_refused_and_counts_nothing(tmp_path):
    shadow = ccengine.RoutingShadow(LIVE_FILE, CANDIDATE)
    with pytest.raises(ValueError, match="facts.ivr.choice: the live version declares a string"):
        shadow.route(1, "hotline", {"ivr.choice": 2})
    with pytest.raises(KeyError, match=r"unknown flow 'web' in the live version \(live.json\)"):
        shadow.route(1, "web")
    with pytest.raises(ValueError, match="contact: must be in 0..4294967295"):
        shadow.route(-1, "hotline")
    assert shadow.report()["decisions"] == 0
    with pytest.raises(ValueError, match=r"canary_share: must be in \[0, 1\], got 2"):
        ccengine.RoutingShadow(LIVE_FILE, CANDIDATE, canary_share=2)
    with pytest.raises(FileNotFoundError):
        ccengine.RoutingShadow(tmp_path / "none.json", CANDIDATE)


def test_compare_routing_sets_two_versions_side_by_side():
    # Few agents: the VIP class moves waiting from VIP callers to the others.
    day = {"seed": 4, "horizon_s": 6 * 3600.0, "interval_s": 1800.0,
           "agents": [{"name": "p", "profile": "policy", "count": 9}],
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
    for figure in ("service_level", "asa", "p_abandon"):
        assert policy[figure]["delta"] == pytest.approx(
            policy[figure]["candidate"] - policy[figure]["live"])
    # The same version twice changes nothing at all.
    same = ccengine.compare_routing(day, LIVE_FILE, LIVE_FILE, progress=False)
    assert json.dumps(same["live"], sort_keys=True) == json.dumps(same["candidate"], sort_keys=True)
    assert all(v["delta"] == 0 for v in same["all"].values()
               if v["delta"] is not None and v["delta"] == v["delta"])  # NaN: no CSAT
    with pytest.raises(ValueError, match="candidate version: arrivals.0..flow: unknown flow"):
        ccengine.compare_routing(day, LIVE_FILE, version(name="ivr"), progress=False)
