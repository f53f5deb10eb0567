"""ccengine.RoutingFile and Engine.from_config: the routing file from Python.

The example hotline file loads, builds an engine with its queues, and its
entry flow sends each kind of caller to the queue its rules name, through the
engine to an agent of the right profile; a broken file raises one ValueError
with every error; bad facts raise with the attribute's name.
"""

import os
import pathlib

import pytest

import ccengine

HOTLINE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "routing" / "hotline.json"
# 2026-12-07 10:00 in Beijing (a Monday, not a holiday), in seconds since the epoch.
MONDAY_10AM = 1796608800.0


@pytest.fixture(scope="module")
def routing():
    return ccengine.RoutingFile.load(str(HOTLINE))


def test_loads_what_the_file_declares(routing):
    assert routing.source == str(HOTLINE)
    assert len(routing.content_hash) == 16
    assert routing.skills == ["policy", "complaint", "emergency", "cantonese", "english"]
    assert routing.queues == ["紧急求助", "政策咨询", "投诉举报", "粤语", "English"]
    assert routing.flows == ["hotline"]
    assert routing.attributes["customer.tags"] == "string list"
    assert routing.attributes["time.hour"] == "number"
    assert routing.agent_profile("english")["skills"] == {"policy": 6, "english": 8}
    with pytest.raises(KeyError, match=r"unknown agent profile .+nobody"):
        routing.agent_profile("nobody")


@pytest.mark.parametrize(
    "facts, rule, queue, priority",
    [
        ({}, None, "政策咨询", 0),
        ({"contact.text": "家里着火了，紧急！"}, "emergency", "紧急求助", 2),
        ({"contact.text": "A FIRE", "contact.language": "en"}, "emergency", "紧急求助", 2),
        ({"contact.language": "en"}, "english", "English", 0),
        ({"ivr.choice": "8"}, "english", "English", 0),
        ({"contact.language": "yue"}, "cantonese", "粤语", 0),
        ({"ivr.choice": "2"}, "complaint", "投诉举报", 0),
        ({"customer.tags": ["elderly"]}, "vip policy", "政策咨询", 1),
        ({"customer.repeat": True}, "repeat caller", "政策咨询", 0),
        ({"customer.repeat": False, "customer.tier": None}, None, "政策咨询", 0),
    ],
)
def test_rules_decide_in_order(routing, facts, rule, queue, priority):
    assert routing.match("hotline", facts, at_s=MONDAY_10AM) == rule
    target = routing.route("hotline", facts, at_s=MONDAY_10AM)
    assert target["queue"] == queue
    assert target["priority"] == priority


def test_a_caller_reaches_an_agent_of_the_right_profile(routing):
    e = ccengine.Engine.from_config(str(HOTLINE), start_s=MONDAY_10AM)
    assert e.skills == routing.skills
    for agent, profile in [(1, "policy"), (2, "english"), (3, "senior")]:
        e.add_agent(agent, **routing.agent_profile(profile))
        e.login(agent)
    e.drain_events()
    e.add_contact(10, **routing.route("hotline", {"contact.language": "en"}, at_s=e.now))
    e.add_contact(11, **routing.route("hotline", {"contact.text": "紧急"}, at_s=e.now))
    offers = [ev for ev in e.drain_events() if ev["type"] == "offered"]
    assert [(ev["contact"], ev["agent"], ev["queue"]) for ev in offers] == [
        (10, 2, "English"),
        (11, 3, "紧急求助"),
    ]
    assert offers[1]["priority"] == 2


def test_time_facts_follow_the_files_calendar(routing):
    # 2026-10-01 23:30 in Beijing: a Thursday and a holiday.
    routing2 = ccengine.RoutingFile.from_json(
        HOTLINE.read_text(encoding="utf-8").replace(
            '"rules": [',
            '"rules": [{"name": "night holiday", "if": "time.holiday AND time.hour >= 23 '
            "AND time.weekday == 'thu'\", \"queue\": \"投诉举报\"},",
        )
    )
    at = 1790868600.0
    assert routing2.match("hotline", {}, at_s=at) == "night holiday"
    assert routing2.match("hotline", {}, at_s=at + 3600) is None  # Friday 00:30
    assert routing2.content_hash != routing.content_hash


def test_a_broken_file_lists_every_error():
    with pytest.raises(ValueError) as caught:
        ccengine.RoutingFile.from_json(
            '{"queues": [{"name": "a", "priority": 12}, {"nam": 1}]}', source="f.json"
        )
    assert str(caught.value).splitlines() == [
        "f.json:1:39: /queues/0/priority: must be in 0..9, got 12",
        'f.json:1:44: /queues/1/name: missing "name"',
        'f.json:1:52: /queues/1/nam: unknown key "nam"; did you mean "name"?',
    ]
    syntax = r"f.json: expected ',' or '}' at 1:15 \(byte 14\), found 'x'"
    with pytest.raises(ValueError, match=syntax):
        ccengine.RoutingFile.from_json('{"queues": [] x}', source="f.json")
    with pytest.raises(FileNotFoundError, match="cannot open /nonexistent.json") as missing:
        ccengine.RoutingFile.load("/nonexistent.json")
    assert missing.value.code == "NOT_FOUND"
    with pytest.raises(FileNotFoundError, match="cannot open"):
        ccengine.Engine.from_config("/nonexistent.json")
    with pytest.raises(ValueError, match="is not a regular file"):
        ccengine.RoutingFile.load(str(HOTLINE.parent))
    with pytest.raises(ValueError, match="NUL"):
        ccengine.RoutingFile.load(str(HOTLINE) + "\0junk")


def test_bad_facts_and_arguments_are_named(routing):
    with pytest.raises(ValueError, match="customer.tier: expected a str"):
        routing.route("hotline", {"customer.tier": 3})
    with pytest.raises(ValueError, match=r"customer.tags\[1\]: expected a str"):
        routing.route("hotline", {"customer.tags": ["a", 2]})
    with pytest.raises(ValueError, match="customer.tags: expected a list of str"):
        routing.route("hotline", {"customer.tags": "elderly"})
    with pytest.raises(KeyError, match=r"unknown attribute .+customer.teir"):
        routing.route("hotline", {"customer.teir": "gold"})
    with pytest.raises(KeyError, match=r"unknown flow .+hotlin"):
        routing.route("hotlin", {})
    with pytest.raises(ValueError, match="unknown channel 'phone'"):
        routing.route("hotline", {}, channel="phone")
    with pytest.raises(ValueError, match="at_s"):
        routing.route("hotline", {}, at_s=float("nan"))


def test_from_config_passes_engine_options_and_refuses_bad_ones(routing):
    e = ccengine.Engine.from_config(routing, seed=7, start_s=100.0)
    assert e.now == 100.0

    class MyEngine(ccengine.Engine):
        pass

    mine = MyEngine.from_config(HOTLINE)  # a subclass, from an os.PathLike
    assert type(mine) is MyEngine
    assert mine.routing.queues == routing.queues
    with pytest.raises(TypeError):
        ccengine.Engine.from_config(routing, no_such_option=1)


V1 = """{"skills": ["policy"], "queues": [{"name": "policy", "skills": {"policy": 5}}]}"""
V2 = """{"skills": ["policy", "english"],
         "queues": [{"name": "policy", "skills": {"policy": 5},
                     "relaxation": [{"after_s": 30, "skills": {"policy": 3}}]},
                    {"name": "English", "skills": {"english": 5}}]}"""


def test_reload_and_rollback_versions():
    e = ccengine.Engine.from_config(ccengine.RoutingFile.from_json(V1, "v1.json"))
    assert e.routing.queues == ["policy"]
    e.add_agent(1, skills={"policy": 3})
    e.login(1)
    e.add_contact(9, "policy")
    e.advance_to(60.0)
    e.drain_events()
    assert e.reload_routing(ccengine.RoutingFile.from_json(V2, "v2.json")) == 2
    # The contact waiting 60 s is re-evaluated under version 2: relaxed, offered.
    offers = [ev for ev in e.drain_events() if ev["type"] == "offered"]
    assert [(ev["contact"], ev["agent"]) for ev in offers] == [(9, 1)]
    assert e.routing.queues == ["policy", "English"]
    assert e.queue_stats("English")["waiting"] == 0
    assert e.rollback_routing() == 3
    assert e.routing.source == "v1.json"
    history = e.routing_history
    assert [(h["from_version"], h["to_version"], h["rollback"]) for h in history] == [
        (0, 1, False),
        (1, 2, False),
        (2, 3, True),
    ]
    assert history[2]["to_hash"] == history[0]["to_hash"]
    assert history[1]["at_s"] == 60.0
    with pytest.raises(ccengine.CcengineError, match="no earlier version"):
        e.rollback_routing()


def test_an_incompatible_reload_changes_nothing():
    e = ccengine.Engine.from_config(ccengine.RoutingFile.from_json(V2, "v2.json"))
    swapped = V2.replace('["policy", "english"]', '["english", "policy"]')
    with pytest.raises(ccengine.CcengineError) as caught:
        e.reload_routing(ccengine.RoutingFile.from_json(swapped, "bad.json"))
    assert caught.value.code == "FAILED_PRECONDITION"
    assert 'skill 0 is "policy" in the engine but "english" in bad.json' in str(caught.value)
    assert len(e.routing_history) == 1
    assert e.routing.source == "v2.json"
    plain = ccengine.Engine()
    assert plain.routing is None and plain.routing_history == []
    with pytest.raises(ccengine.CcengineError, match="Engine.from_config"):
        plain.reload_routing(ccengine.RoutingFile.from_json(V1))


def yaml_or_skip():
    """A module built without libyaml says so; that may skip on a laptop,
    never in CI."""
    try:
        ccengine.RoutingFile.from_yaml("format: 1\n", "probe.yaml")
    except ValueError as e:
        if "built without libyaml" in str(e):
            if os.environ.get("CI"):
                pytest.fail(str(e))
            pytest.skip(str(e))


def test_the_same_file_in_yaml_routes_the_same():
    yaml_or_skip()
    here = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "routing")
    as_json = ccengine.RoutingFile.load(os.path.join(here, "hotline.json"))
    as_yaml = ccengine.RoutingFile.load(os.path.join(here, "hotline.yaml"))
    assert as_yaml.queues == as_json.queues and as_yaml.attributes == as_json.attributes
    for facts in ({"contact.text": "火灾"}, {"contact.language": "en"}, {"ivr.choice": "2"},
                  {"customer.tags": ["elderly"]}, {"customer.repeat": True}, {}):
        assert as_yaml.route("hotline", facts) == as_json.route("hotline", facts), facts
    with pytest.raises(ValueError, match=r"x.yaml:3:32: /queues/0/max_wait_s: must be > 0"):
        ccengine.RoutingFile.from_yaml(
            "format: 1\nskills: [a]\nqueues: [{name: q, max_wait_s: -1}]\n", "x.yaml")
    with pytest.raises(ValueError, match=r"x.yaml: duplicate key 'a' at 2:1"):
        ccengine.RoutingFile.from_yaml("a: 1\na: 2\n", "x.yaml")


def test_the_files_ticket_categories_feed_a_desk(routing):
    assert routing.ticket_categories == ["noise", "policy_question"]
    e = ccengine.Engine.from_config(str(HOTLINE), start_s=MONDAY_10AM)
    desk = ccengine.TicketDesk(":memory:", engine=e)
    assert desk.add_categories(routing) == ["noise", "policy_question"]
    t = desk.create("noise", "楼下烧烤店噪音扰民")
    assert t["state"] == "queued" and t["department"] == "城管"
    e.poll(e.now + 1)
    assert e.queue_stats("投诉举报")["waiting"] == 1
    # A desk whose engine was not made from the file is refused, unchanged.
    other = ccengine.Engine()
    other.add_queue(name="城管")
    plain = ccengine.TicketDesk(":memory:", engine=other)
    with pytest.raises(ValueError, match="queue 0 of .*hotline.json is '紧急求助', the desk's engine has '城管'"):
        plain.add_categories(routing)
    for name in routing.ticket_categories:  # none was added
        with pytest.raises(ValueError, match=f'unknown ticket category "{name}"'):
            plain.create(name, "楼下烧烤店噪音扰民")
    assert plain.open_tickets == 0
    with pytest.raises(ValueError, match="needs a desk with an engine"):
        ccengine.TicketDesk(":memory:").add_categories(routing)
