"""Simulating a center whose routing is a routing file: ``simulate(scenario,
routing=...)`` takes the skills, queues and strategies from the file, streams
name an entry flow and the facts their contacts carry, and each contact goes
where the flow sends it at its arrival."""

import json
import math

import pytest

import ccengine

# A two-line center written both ways: as a routing file with an IVR flow, and
# as the simulator's own queues.
ROUTING = {
    "format": 1,
    "calendar": {"utc_offset_s": 28800},
    "skills": ["policy", "complaint", "english"],
    "queues": [
        {"name": "policy", "skills": {"policy": 5}, "sl_seconds": 20,
         "relaxation": [{"after_s": 30, "skills": {"policy": 3}}], "wrap_up_s": 10},
        {"name": "complaint", "skills": {"complaint": 5}, "sl_seconds": 30,
         "max_wait_s": 300, "overflow_to": "policy"},
        {"name": "english", "skills": {"english": 5}, "sl_seconds": 30},
    ],
    "agent_profiles": [
        {"name": "policy", "skills": {"policy": 7}, "capacity": {"voice": 1}},
        {"name": "complaint", "skills": {"complaint": 7, "policy": 4},
         "capacity": {"voice": 1}},
        {"name": "english", "skills": {"english": 8, "policy": 5}, "capacity": {"voice": 1}},
    ],
    "attributes": {"ivr.choice": "string", "contact.language": "string",
                   "customer.tier": "string"},
    "flows": [{
        "name": "hotline",
        "rules": [
            {"name": "english office hours",
             "if": "contact.language == 'en' AND time.hour >= 8 AND time.hour < 20",
             "queue": "english"},
            {"name": "complaint", "if": "ivr.choice == '2'", "queue": "complaint"},
            {"name": "vip", "if": "customer.tier == 'vip'", "queue": "policy", "priority": 1},
        ],
        "default": {"queue": "policy"},
    }],
}

SIM_QUEUES = [
    {"name": "policy", "skills": {"policy": 5}, "sl_seconds": 20,
     "relaxation": [{"after_s": 30, "skills": {"policy": 3}}], "wrap_up_s": 10},
    {"name": "complaint", "skills": {"complaint": 5}, "sl_seconds": 30,
     "max_wait_s": 300, "overflow_to": "policy"},
    {"name": "english", "skills": {"english": 5}, "sl_seconds": 30},
]

STREAM = {"handle_time": {"dist": "lognormal", "mean": 200, "sd": 120},
          "patience": {"dist": "exponential", "mean": 150}}


def routing(**changes):
    doc = json.loads(json.dumps(ROUTING))
    doc.update(changes)
    return ccengine.RoutingFile.from_json(json.dumps(doc))


def base(**changes):
    s = {"seed": 5, "horizon_s": 4 * 3600.0, "interval_s": 1800.0,
         "report_start": "2026-12-07T08:00:00+08:00"}
    s.update(changes)
    return s


def same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_flow_routes_like_the_same_queues_written_out():
    # Daytime, so english callers reach the english line under both forms.
    by_file = base(
        agents=[{"name": "p", "profile": "policy", "count": 9},
                {"name": "c", "profile": "complaint", "count": 5},
                {"name": "e", "profile": "english", "count": 2}],
        arrivals=[dict(STREAM, flow="hotline", facts={"ivr.choice": "1"}, rate_per_s=0.035),
                  dict(STREAM, flow="hotline", facts={"ivr.choice": "2"}, rate_per_s=0.02),
                  dict(STREAM, flow="hotline", facts={"contact.language": "en"},
                       rate_per_s=0.006)])
    by_hand = base(
        skills=["policy", "complaint", "english"], queues=SIM_QUEUES,
        agents=[{"name": "p", "skills": {"policy": 7}, "count": 9},
                {"name": "c", "skills": {"complaint": 7, "policy": 4}, "count": 5},
                {"name": "e", "skills": {"english": 8, "policy": 5}, "count": 2}],
        arrivals=[dict(STREAM, queue="policy", rate_per_s=0.035),
                  dict(STREAM, queue="complaint", rate_per_s=0.02),
                  dict(STREAM, queue="english", rate_per_s=0.006)])
    a = ccengine.simulate(by_file, progress=False, routing=routing())
    b = ccengine.simulate(by_hand, progress=False)
    assert a["invariants_ok"] and b["invariants_ok"]
    assert a["contacts"] == b["contacts"] > 700
    assert same(a["summary"], b["summary"])
    assert same(a["intervals"], b["intervals"])


def test_the_files_roles_judge_the_simulated_day():
    day = base(agents=[{"name": "p", "profile": "policy", "count": 9}],
               arrivals=[dict(STREAM, flow="hotline", rate_per_s=0.035)])
    full = ccengine.simulate(day, progress=False, routing=routing())
    grants = {"agent.state": "all", "contact.add": "all", "contact.abandon": "all",
              "contact.complete": "all"}
    enough = routing(access={"roles": [{"name": "system", "grants": grants}]})
    assert same(ccengine.simulate(day, progress=False, routing=enough)["summary"],
                full["summary"])
    del grants["contact.add"]
    short = routing(access={"roles": [{"name": "system", "grants": grants}]})
    with pytest.raises(ccengine.CcengineError,
                       match="actor 'ccengine-sim' lacks contact.add") as info:
        ccengine.simulate(day, progress=False, routing=short)
    assert info.value.code == "PERMISSION_DENIED"


def test_time_rules_follow_the_calendar_of_report_start():
    # 16:00 to 24:00 Beijing time: english callers reach the english line
    # until 20:00, then the flow's default (policy).
    s = base(report_start="2026-12-07T16:00:00+08:00", horizon_s=8 * 3600.0,
             agents=[{"name": "p", "profile": "policy", "count": 6},
                     {"name": "e", "profile": "english", "count": 3}],
             arrivals=[dict(STREAM, flow="hotline", facts={"contact.language": "en"},
                            rate_per_s=0.01)])
    r = ccengine.simulate(s, progress=False, routing=routing())
    english = [row["offered"] for row in r["intervals"]["queues"]["english"]]
    policy = [row["offered"] for row in r["intervals"]["queues"]["policy"]]
    assert all(n > 0 for n in english[:8]) and sum(english[8:]) == 0
    assert sum(policy[:8]) == 0 and all(n > 0 for n in policy[8:])
    assert r["summary"]["queues"]["english"]["offered"] + \
        r["summary"]["queues"]["policy"]["offered"] == r["contacts"]


def test_one_queue_from_a_file_matches_erlang_c():
    doc = {"format": 1, "skills": ["s"], "queues": [{"name": "q", "skills": {"s": 1},
                                                      "sl_seconds": 20}],
           "agent_profiles": [{"name": "a", "skills": {"s": 5}}],
           "flows": [{"name": "in", "rules": [], "default": {"queue": "q"}}]}
    s = {"seed": 3, "horizon_s": 200000.0, "warmup_s": 2000.0, "interval_s": 1800.0,
         "agents": [{"profile": "a", "count": 8}],
         "arrivals": [{"flow": "in", "rate_per_s": 0.1,
                       "handle_time": {"dist": "exponential", "mean": 60}}]}
    r = ccengine.simulate(s, progress=False,
                          routing=ccengine.RoutingFile.from_json(json.dumps(doc)))
    q = r["summary"]["queues"]["q"]
    expected = ccengine.erlang_c_metrics(0.1, 60.0, 8, 20)
    assert q["p_wait"] == pytest.approx(expected["p_wait"], abs=0.05)
    assert q["service_level"] == pytest.approx(expected["service_level"], abs=0.05)


def test_a_fallback_after_a_fixed_wait_shifts_erlang_c_by_that_wait():
    # Nobody serves "front": every caller waits there exactly 10 s, then its
    # target's fallback moves it to "back", an M/M/8 fed by the same Poisson
    # stream 10 s later. So back's answer delay (from arrival) is 10 s more
    # than Erlang C's, and its service level within 20 s of arrival is the
    # share waiting at most 10 s in back: 1 - P_wait * exp(-(c*mu - lambda) * 10).
    doc = {"format": 1, "skills": ["s", "never"],
           "queues": [{"name": "front", "skills": {"never": 1}, "sl_seconds": 20},
                      {"name": "back", "skills": {"s": 1}, "sl_seconds": 20}],
           "agent_profiles": [{"name": "a", "skills": {"s": 5}}],
           "flows": [{"name": "in", "rules": [],
                      "default": {"queue": "front",
                                  "fallbacks": [{"after_s": 10, "queue": "back"}]}}]}
    s = {"seed": 3, "horizon_s": 200000.0, "warmup_s": 2000.0, "interval_s": 1800.0,
         "agents": [{"profile": "a", "count": 8}],
         "arrivals": [{"flow": "in", "rate_per_s": 0.1,
                       "handle_time": {"dist": "exponential", "mean": 60}}]}
    r = ccengine.simulate(s, progress=False,
                          routing=ccengine.RoutingFile.from_json(json.dumps(doc)))
    assert r["invariants_ok"]
    front, back = r["summary"]["queues"]["front"], r["summary"]["queues"]["back"]
    assert front["offered"] > 19000
    assert front["overflowed"] == front["offered"] == back["offered"] == back["answered"]
    erlang = ccengine.erlang_c_metrics(0.1, 60.0, 8, 20)
    assert back["asa"] == pytest.approx(10 + erlang["asa"], rel=0.1)
    within = 1 - erlang["p_wait"] * math.exp(-(8 / 60 - 0.1) * 10)
    assert back["service_level"] == pytest.approx(within, abs=0.05)
    assert back["p_wait"] == 1.0


def test_two_versions_meet_the_same_customers():
    # The candidate drops the VIP rule: the same callers arrive with the same
    # handle times and patience, so only the routing differs.
    s = base(agents=[{"name": "p", "profile": "policy", "count": 6},
                     {"name": "c", "profile": "complaint", "count": 3}],
             arrivals=[dict(STREAM, flow="hotline", facts={"ivr.choice": "1"}, rate_per_s=0.03),
                       dict(STREAM, flow="hotline",
                            facts={"ivr.choice": "1", "customer.tier": "vip"},
                            rate_per_s=0.01)])
    live = ccengine.simulate(s, progress=False, routing=routing())
    flows = json.loads(json.dumps(ROUTING["flows"]))
    flows[0]["rules"] = flows[0]["rules"][:2]
    candidate = ccengine.simulate(s, progress=False, routing=routing(flows=flows))
    assert live["contacts"] == candidate["contacts"]
    a, b = live["summary"]["queues"]["policy"], candidate["summary"]["queues"]["policy"]
    assert a["offered"] == b["offered"]
    assert a["aht"] == pytest.approx(b["aht"], rel=0.05)  # the same work
    assert not same(a, b)  # served in another order


def test_routing_can_be_a_path_and_a_scenario_key(tmp_path):
    path = tmp_path / "routing.json"
    path.write_text(json.dumps(ROUTING))
    s = base(agents=[{"profile": "policy", "count": 4}],
             arrivals=[dict(STREAM, flow="hotline", rate_per_s=0.01)])
    a = ccengine.simulate(s, progress=False, routing=path)
    b = ccengine.simulate(dict(s, routing=str(path)), progress=False)
    assert same(a["summary"], b["summary"])
    with pytest.raises(FileNotFoundError):
        ccengine.simulate(s, progress=False, routing=tmp_path / "missing.json")


def test_staffing_optimizes_a_center_from_a_file():
    s = base(horizon_s=3 * 3600.0,
             agents=[{"name": "p", "profile": "policy", "counts": [2]},
                     {"name": "c", "profile": "complaint", "counts": [2]}],
             arrivals=[dict(STREAM, flow="hotline", facts={"ivr.choice": "1"}, rate_per_s=0.02),
                       dict(STREAM, flow="hotline", facts={"ivr.choice": "2"},
                            rate_per_s=0.01)],
             routing=routing())
    out = ccengine.optimize_staffing(s, {"policy": {"service_level": 0.8},
                                         "complaint": {"service_level": 0.8}},
                                     min_replications=3, max_replications=4)
    assert out["intervals_met"] == out["queue_intervals"]
    assert set(out["groups"]) == {"p", "c"}


def test_staffing_keeps_the_calendar_of_time_rules():
    # A day line from 08:00 to 20:00 Beijing time, else the night line, each
    # with its own team: the Erlang plan staffs a team only while its line
    # gets callers, on the calendar of report_start.
    doc = {"format": 1, "calendar": {"utc_offset_s": 28800}, "skills": ["day", "night"],
           "queues": [{"name": "day", "skills": {"day": 1}},
                      {"name": "night", "skills": {"night": 1}}],
           "agent_profiles": [{"name": "day", "skills": {"day": 5}},
                              {"name": "night", "skills": {"night": 5}}],
           "flows": [{"name": "in", "rules": [{"name": "office hours",
                                               "if": "time.hour >= 8 AND time.hour < 20",
                                               "queue": "day"}],
                      "default": {"queue": "night"}}]}
    s = {"seed": 2, "horizon_s": 86400.0, "interval_s": 3600.0,
         "report_start": "2026-12-07T00:00:00+08:00",
         "routing": ccengine.RoutingFile.from_json(json.dumps(doc)),
         "agents": [{"name": "night", "profile": "night", "counts": [2]},
                    {"name": "day", "profile": "day", "counts": [2]}],
         "arrivals": [dict(STREAM, flow="in", rate_per_s=0.01)]}
    out = ccengine.optimize_staffing(s, {"day": {"service_level": 0.8},
                                         "night": {"service_level": 0.8}},
                                     min_replications=3, max_replications=4)
    for plan in (out["erlang_groups"], out["groups"]):
        assert [h for h in range(24) if plan["day"][h] > 0] == list(range(8, 20))
        assert [h for h in range(24) if plan["night"][h] > 0] == \
            list(range(0, 8)) + list(range(20, 24))


@pytest.mark.parametrize("change, message", [
    ({"arrivals": [dict(STREAM, flow="hotlne", rate_per_s=0.01)]},
     "arrivals[0].flow: unknown flow 'hotlne' (the routing file has: hotline)"),
    ({"arrivals": [dict(STREAM, flow="hotline", facts={"ivr.choice": 2}, rate_per_s=0.01)]},
     "arrivals[0].facts.ivr.choice: the routing file declares a string, got a number"),
    ({"arrivals": [dict(STREAM, flow="hotline", facts={"ivr.chioce": "2"},
                        rate_per_s=0.01)]},
     "arrivals[0].facts.ivr.chioce: the routing file declares no attribute 'ivr.chioce'"),
    ({"arrivals": [dict(STREAM, flow="hotline", facts={"time.hour": 9}, rate_per_s=0.01)]},
     "arrivals[0].facts.time.hour: set for each contact by the simulator"),
    ({"arrivals": [dict(STREAM, flow="hotline", queue="policy", rate_per_s=0.01)]},
     "arrivals[0].queue: name a queue or a flow, not both (flow 'hotline')"),
    ({"arrivals": [dict(STREAM, flow="hotline", priority=1, rate_per_s=0.01)]},
     "arrivals[0].priority: the flow gives the priority class; must be 0, got 1"),
    ({"arrivals": [dict(STREAM, queue="policy", facts={"ivr.choice": "2"},
                        rate_per_s=0.01)]},
     "arrivals[0].facts: facts go to an entry flow; name one"),
    ({"arrivals": [dict(STREAM, rate_per_s=0.01)]},
     "arrivals[0]: give a queue, or a flow of the routing file"),
    ({"agents": [{"profile": "senior", "count": 2}]},
     "agents[0].profile: unknown agent profile 'senior' (the routing file has: policy, "
     "complaint, english)"),
    ({"agents": [{"profile": "policy", "skills": {"policy": 3}, "count": 2}]},
     "agents[0].skills: the group takes profile 'policy''s skills; list none here"),
    ({"queues": SIM_QUEUES},
     "queues: the routing file declares the queues; list none here"),
    ({"skills": ["policy"]}, "skills: the routing file declares the skills; list none here"),
    ({"survey_rates": {"polcy": 0.3}},
     "survey_rates.polcy: the routing file has no queue 'polcy'"),
    ({"survey_rates": {"policy": 1.5}}, "survey_rate: must be in [0, 1], got 1.5"),
    ({"interval_s": 1.0, "horizon_s": 9e5,
      "arrivals": [dict(STREAM, flow="hotline", rate_per_s=0.001)] * 5},
     "interval_s: 900000 intervals × 5 streams with a flow: more than 4000000 routings"),
])
def test_bad_scenarios_name_the_field(change, message):
    s = base(agents=[{"profile": "policy", "count": 2}],
             arrivals=[dict(STREAM, flow="hotline", rate_per_s=0.01)])
    s.update(change)
    with pytest.raises(ValueError) as e:
        ccengine.simulate(s, progress=False, routing=routing())
    assert message in str(e.value)


def test_without_a_routing_file_flows_and_profiles_are_refused():
    s = base(skills=["s"], queues=[{"name": "q", "skills": {"s": 1}}],
             agents=[{"skills": {"s": 2}, "count": 1}],
             arrivals=[dict(STREAM, flow="hotline", rate_per_s=0.01)])
    with pytest.raises(ValueError, match=r"arrivals\[0\].flow: an entry flow needs a routing"):
        ccengine.simulate(s, progress=False)
    s["arrivals"] = [dict(STREAM, queue="q", rate_per_s=0.01)]
    s["agents"] = [{"profile": "x", "count": 1}]
    with pytest.raises(ValueError, match=r"agents\[0\].profile: an agent profile needs a"):
        ccengine.simulate(s, progress=False)
