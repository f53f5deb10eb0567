"""Roles and scopes from Python: the hotline file's departments, actors on
the engine and per call, refusals that change nothing with the engine's
message, expiring roles, role changes, checks outside the engine and the
decision sink."""

import pathlib

import pytest

import ccengine

HOTLINE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "routing" / "hotline.json"


@pytest.fixture
def center():
    routing = ccengine.RoutingFile.load(str(HOTLINE))
    e = ccengine.Engine.from_config(routing, start_s=0)
    e.add_agent(7, **routing.agent_profile("english"))
    e.add_agent(8, **routing.agent_profile("policy"))
    access = ccengine.AccessControl(routing)
    access.assign_agent(7, "外语组")
    access.assign_agent(8, "热线一部")
    decisions = []
    access.set_decision_sink(decisions.append)
    actors = {
        "chen": access.add_actor("chen", tenant="12345", departments=["外语组"],
                                 roles=["supervisor"]),
        "lee": access.add_actor("li.lei", tenant="12345", agent=7, roles=["agent"]),
        "bridge": access.add_actor("sip-bridge", roles=["system"]),
    }
    e.attach_access(access)
    return e, access, actors, decisions


def test_an_agent_acts_on_itself_only(center):
    e, _, actors, decisions = center
    e.actor = actors["lee"]
    e.login(7)
    assert e.get_agent(7)["state"] == "available"
    with pytest.raises(ccengine.CcengineError) as info:
        e.login(8)
    assert info.value.code == "PERMISSION_DENIED"
    assert str(info.value) == ("actor 'li.lei' lacks agent.state for Login on agent 8: "
                               "no role of theirs grants it there")
    assert e.get_agent(8)["state"] == "logged_out"
    assert [d["action"] for d in decisions] == ["Login", "Login"]
    assert [d["allowed"] for d in decisions] == [True, False]


def test_a_supervisor_acts_in_its_departments(center):
    e, _, actors, decisions = center
    e.actor = actors["bridge"]
    e.add_contact(1, queue="English")
    e.add_contact(2, queue="政策咨询")
    assert decisions == []  # the system's traffic is not audited
    e.actor = actors["chen"]
    e.set_priority(1, 5)
    with pytest.raises(ccengine.CcengineError, match="contact.withdraw"):
        e.withdraw(2)
    assert e.get_contact(2)["state"] == "waiting"
    # Per call: the bridge's actor for one command, the engine's actor kept.
    e.apply({"type": "withdraw", "contact": 2}, actor=actors["bridge"])
    assert e.actor == actors["chen"]
    assert decisions[0]["subject"] == "contact 1 in queue 4"
    assert decisions[0]["roles"] == "supervisor"


def test_no_actor_or_an_unknown_one_is_unauthenticated(center):
    e, access, actors, _ = center
    with pytest.raises(ccengine.CcengineError) as info:
        e.login(7)
    assert info.value.code == "UNAUTHENTICATED"
    e.actor = 999
    with pytest.raises(ccengine.CcengineError, match="unknown actor 999"):
        e.login(7)
    access.remove_actor("li.lei")
    e.actor = actors["lee"]
    with pytest.raises(ccengine.CcengineError, match="unknown actor"):
        e.login(7)
    e.attach_access(None)  # detached: the engine's own checks only
    e.login(7)


def test_roles_expire_and_change_under_access_manage(center):
    e, access, actors, decisions = center
    root = access.add_actor("root", tenant="12345", roles=["administrator"])
    lead = access.add_actor("zhou", tenant="12345", departments=["外语组"],
                            roles=[("team_lead", 100.0)])
    e.actor = actors["bridge"]
    e.login(7)
    e.actor = lead
    e.force_agent_state(7, "not_ready")
    e.advance_to(100)
    with pytest.raises(ccengine.CcengineError, match="expired at 1970-01-01T00:01:40"):
        e.force_agent_state(7, "available")
    with pytest.raises(ccengine.CcengineError, match="access.manage"):
        access.grant_role(lead, "zhou", "supervisor", now_s=100)
    access.grant_role(root, "zhou", "team_lead", until_s=200, now_s=100)
    e.force_agent_state(7, "available")
    assert access.actor(lead)["roles"] == [("team_lead", 200.0)]
    access.revoke_role(root, "zhou", "team_lead", now_s=100)
    access.revoke_role(root, "zhou", "team_lead", now_s=100)  # not held: nothing changes
    assert access.actor(lead)["roles"] == []
    with pytest.raises(ccengine.CcengineError, match="no one changes their own roles"):
        access.grant_role(root, "root", "auditor", now_s=100)
    with pytest.raises(ValueError, match="unknown role"):
        access.grant_role(root, "zhou", "boss", now_s=100)
    assert [d["action"] for d in decisions if d["permission"] == "access.manage"] == [
        "GrantRole", "GrantRole", "RevokeRole", "RevokeRole", "GrantRole"]


def test_checks_outside_the_engine_and_the_files_roles(center):
    _, access, actors, _ = center
    inspector = access.add_actor("qa", tenant="12345", roles=["quality_inspector"])
    access.check(inspector, "pii.unmask", now_s=0, tenant="12345")
    access.check(actors["chen"], "pii.unmask", now_s=0, department="外语组")
    with pytest.raises(ccengine.CcengineError, match="pii.unmask"):
        access.check(actors["chen"], "pii.unmask", now_s=0, department="热线一部")
    with pytest.raises(ValueError, match="unknown permission"):
        access.check(inspector, "pii.unmsk", now_s=0)
    assert access.roles["quality_inspector"] == {"pii.unmask": "tenant",
                                                 "audit.read": "tenant"}


def test_bad_input_is_refused_and_changes_nothing(center):
    _, access, _, _ = center
    with pytest.raises(ValueError, match="unknown department 'nowhere'"):
        access.add_actor("x", departments=["nowhere"])
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        access.add_actor("x", roles=["boss"])
    with pytest.raises(ccengine.CcengineError) as info:
        access.add_actor("chen")
    assert info.value.code == "ALREADY_EXISTS"
    with pytest.raises(KeyError):
        access.find_actor("x")
    with pytest.raises(ValueError, match="agent: id must be in 0..2"):
        access.add_actor("x", agent=-1)
    with pytest.raises(ValueError, match="agent: expected an integer id"):
        access.assign_agent("7", "外语组")
    with pytest.raises(TypeError):
        access.set_decision_sink(42)
    with pytest.raises(TypeError):
        ccengine.AccessControl("hotline.json")


def test_a_sink_that_raises_refuses_an_audited_action(center):
    e, access, actors, _ = center

    def broken(decision):
        raise OSError("audit disk full")

    access.set_decision_sink(broken)
    e.actor = actors["lee"]
    with pytest.raises(ccengine.CcengineError, match="audit disk full"):
        e.login(7)
    assert e.get_agent(7)["state"] == "logged_out"


def test_the_ticket_desk_sends_as_its_actor(center):
    e, _, actors, _ = center
    routing = ccengine.RoutingFile.load(str(HOTLINE))
    e.actor = actors["bridge"]
    # An agent's actor may not add contacts: the dispatch is refused, and the
    # refusal names the ticket's contact.
    refused = ccengine.TicketDesk(":memory:", engine=e, actor=actors["lee"])
    refused.add_categories(routing)
    t = refused.create("noise", "楼下烧烤店噪音扰民")
    e.poll(e.now)
    failed = [ev for ev in e.drain_events() if ev["type"] == "command_failed"]
    assert [(ev["contact"], ev["error_code"]) for ev in failed] == [
        ((1 << 62) + t["id"], "PERMISSION_DENIED")]
    # Without actor=, the desk sends as the engine's actor when it is made.
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_categories(routing)
    t = desk.create("noise", "楼下烧烤店噪音扰民")
    e.poll(e.now)
    assert e.get_contact((1 << 62) + t["id"])["queue"] == "投诉举报"
