"""Scripting the routing engine from Python: the happy path, events, queries,
the command intake, and every error mapping (with the engine unchanged)."""

import pytest

import ccengine


@pytest.fixture
def engine():
    """One skill, one queue, two agents logged in (7 expert, 8 junior)."""
    e = ccengine.Engine()
    assert e.add_skill("tax") == 0
    assert e.add_queue(name="tax", skills={"tax": 3}, sl_seconds=20, wrap_up_s=0) == 0
    e.add_agent(7, name="Ada", skills={"tax": 8})
    e.add_agent(8, skills={"tax": 4})
    e.login(7)
    e.login(8)
    e.drain_events()
    return e


def types(events):
    return [ev["type"] for ev in events]


def snapshot(e):
    """Everything observable, to prove a refused call changed nothing."""
    agents = {a: e.get_agent(a) for a in (7, 8)}
    return (e.now, e.accounting(), e.queue_stats("tax"), agents, e.pending_events)


def test_contact_lifecycle_offered_accepted_completed(engine):
    engine.add_contact(1001, "tax", customer_id="c-1", attributes={"lang": "en"})
    events = engine.drain_events()
    assert "contact_queued" in types(events)
    offered = [ev for ev in events if ev["type"] == "offered"]
    assert len(offered) == 1
    assert offered[0]["contact"] == 1001
    assert offered[0]["queue"] == "tax"
    assert offered[0]["agent"] in (7, 8)
    agent = offered[0]["agent"]
    assert engine.get_agent(agent)["state"] == "reserved"
    contact = engine.get_contact(1001)
    assert contact["state"] == "offered"
    assert contact["agent"] == agent
    assert contact["attributes"] == {"lang": "en"}

    engine.advance_to(4.0)
    engine.accept_offer(agent, 1001)
    accepted = [ev for ev in engine.drain_events() if ev["type"] == "accepted"]
    assert accepted[0]["wait_s"] == pytest.approx(4.0)
    assert engine.get_agent(agent)["state"] == "busy"

    engine.advance_to(124.0)
    engine.complete_contact(agent, 1001)
    completed = [ev for ev in engine.drain_events() if ev["type"] == "completed"]
    assert completed[0]["handle_s"] == pytest.approx(120.0)
    assert completed[0]["time_s"] == pytest.approx(124.0)

    stats = engine.queue_stats("tax")
    assert stats["entered"] == 1
    assert stats["answered"] == 1
    assert stats["completed"] == 1
    assert stats["asa"] == pytest.approx(4.0)
    assert stats["aht"] == pytest.approx(120.0)
    assert stats["service_level"] == 1.0
    books = engine.accounting()
    assert books["entered"] == books["completed"] == 1
    assert books["balanced"] is True
    engine.check_invariants()
    with pytest.raises(KeyError):
        engine.get_contact(1001)  # ended contacts are forgotten


def test_auto_accept_agent_answers_offers_as_they_are_made():
    e = ccengine.Engine()
    e.add_skill("tax")
    e.add_queue(name="tax", skills={"tax": 3})
    e.add_agent(9, skills={"tax": 5}, auto_accept=True)
    e.login(9)
    e.drain_events()
    assert e.get_agent(9)["auto_accept"] is True
    e.advance_to(2.0)
    e.add_contact(1, "tax")
    events = e.drain_events()
    assert types(events) == ["contact_queued", "offered", "accepted", "agent_state_changed"]
    assert events[-1]["agent_state"] == "busy"  # never "reserved"
    assert e.get_contact(1)["state"] == "in_service"
    with pytest.raises(ccengine.CcengineError, match="not offered"):
        e.accept_offer(9, 1)  # nothing rings
    e.submit({"type": "add_agent", "agent": 10, "skills": {"tax": 5}, "auto_accept": True})
    e.poll(3.0)
    assert e.get_agent(10)["auto_accept"] is True
    e.advance_to(10.0)
    times = e.get_agent(9)["time_in_state_s"]
    assert times == {"logged_out": 0.0, "not_ready": 0.0, "available": 2.0,
                     "reserved": 0.0, "busy": 8.0, "wrap_up": 0.0}
    e.check_invariants()


def test_event_dicts_have_uniform_keys(engine):
    engine.add_contact(1, 0)  # queue by id works too
    events = engine.drain_events()
    assert events
    keys = set(events[0])
    assert {"type", "time_s", "contact", "agent", "queue", "to_queue", "channel",
            "agent_state", "reason", "wait_s", "handle_s", "error"} <= keys
    assert all(set(ev) == keys for ev in events)
    assert engine.pending_events == 0


def test_waiting_contact_position_and_estimated_wait(engine):
    for c in (1, 2):
        engine.add_contact(c, "tax")
    engine.add_contact(3, "tax")
    engine.add_contact(4, "tax")
    assert engine.get_contact(3)["state"] == "waiting"
    assert engine.queue_position(3) == 1
    assert engine.queue_position(4) == 2
    assert engine.simple_estimated_wait(4) > 0
    assert engine.queue_stats("tax")["waiting"] == 2


def test_skills_levels_and_best_proficiency(engine):
    assert engine.skills == ["tax"]
    assert engine.find_skill("tax") == 0
    assert engine.get_agent(7)["skills"] == {"tax": 8}
    q = engine.add_queue({"name": "expert", "skills": {"tax": 6},
                          "strategy": "best_proficiency"})
    assert engine.queues == ["tax", "expert"]
    engine.add_contact(50, q)
    offered = [ev for ev in engine.drain_events() if ev["type"] == "offered"]
    assert offered[0]["agent"] == 7  # only 7 has level >= 6
    config = engine.get_queue_config("expert")
    assert config["skills"] == {"tax": 6}
    assert config["strategy"] == "best_proficiency"


def test_not_ready_reject_and_transfer(engine):
    engine.set_not_ready(8, reason=5)
    assert engine.get_agent(8)["state"] == "not_ready"
    assert engine.get_agent(8)["reason"] == 5
    engine.add_contact(1, "tax")
    engine.reject_offer(7, 1)
    assert engine.get_contact(1)["excluded"] == [7]
    assert engine.get_contact(1)["state"] == "waiting"
    engine.set_ready(8)
    assert engine.get_contact(1)["agent"] == 8
    other = engine.add_queue(name="other")
    engine.add_contact(2, "tax")
    engine.transfer(2, "other")
    assert engine.get_contact(2)["queue"] == "other"
    engine.withdraw(2)
    assert engine.accounting()["withdrawn"] == 1
    assert other == 1


def test_submit_and_poll_apply_commands_in_order(engine):
    engine.submit({"type": "add_contact", "contact": 9, "queue": "tax"})
    assert engine.pending_events == 0  # nothing happens before poll
    assert engine.poll(2.0) == 1
    offered = [ev for ev in engine.drain_events() if ev["type"] == "offered"]
    agent = offered[0]["agent"]
    engine.submit({"type": "accept_offer", "agent": agent, "contact": 9})
    engine.submit({"type": "accept_offer", "agent": agent, "contact": 9})  # refused
    assert engine.poll(3.0) == 2
    failed = [ev for ev in engine.drain_events() if ev["type"] == "command_failed"]
    assert len(failed) == 1
    assert failed[0]["error_code"] == "FAILED_PRECONDITION"
    assert failed[0]["error"]
    assert engine.now == 3.0
    with pytest.raises(ValueError, match="unknown command 'acept_offer'"):
        engine.submit({"type": "acept_offer", "agent": 7, "contact": 9})
    with pytest.raises(ValueError, match="missing required key 'contact'.*'contcat'"):
        engine.apply({"type": "abandon", "contcat": 9})


def test_force_agent_state_and_logout(engine):
    engine.force_agent_state(8, "logged_out")
    assert engine.get_agent(8)["state"] == "logged_out"
    engine.logout(7)
    engine.remove_agent(7)
    assert engine.agent_count == 1


# --- errors ------------------------------------------------------------------------


def test_unknown_agent_raises_key_error_with_engine_message(engine):
    engine.add_contact(1, "tax")
    before = snapshot(engine)
    with pytest.raises(KeyError) as info:
        engine.accept_offer(99, 1)
    assert info.value.args[0] == "unknown agent 99"
    assert info.value.code == "NOT_FOUND"
    assert snapshot(engine) == before


def test_unknown_queue_and_skill_raise_key_error(engine):
    with pytest.raises(KeyError, match="unknown queue 'nope'"):
        engine.add_contact(1, "nope")
    with pytest.raises(KeyError, match="unknown skill 'nope'"):
        engine.add_agent(20, skills={"nope": 3})
    assert engine.agent_count == 2


def test_bad_level_raises_value_error(engine):
    before = snapshot(engine)
    with pytest.raises(ValueError, match="must be in 1..10, got 11") as info:
        engine.add_agent(20, skills={"tax": 11})
    assert info.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ValueError, match="1..10"):
        engine.set_agent_skills(7, {"tax": 0})
    with pytest.raises(ValueError, match="1..10"):
        engine.add_agent(21, skills={"tax": 1000})
    assert snapshot(engine) == before
    assert engine.agent_count == 2


def test_accepting_a_contact_not_offered_raises_ccengine_error(engine):
    engine.add_contact(1, "tax")
    offered = [ev for ev in engine.drain_events() if ev["type"] == "offered"]
    holder = offered[0]["agent"]
    other = 8 if holder == 7 else 7
    before = snapshot(engine)
    with pytest.raises(ccengine.CcengineError) as info:
        engine.accept_offer(other, 1)
    assert isinstance(info.value, RuntimeError)
    assert info.value.code == "FAILED_PRECONDITION"
    assert str(info.value)  # the engine's message, unchanged
    assert snapshot(engine) == before
    assert engine.get_contact(1)["agent"] == holder
    engine.check_invariants()


def test_duplicates_and_time_going_backwards(engine):
    with pytest.raises(ccengine.CcengineError) as info:
        engine.add_skill("tax")
    assert info.value.code == "ALREADY_EXISTS"
    with pytest.raises(ccengine.CcengineError):
        engine.add_agent(7)
    engine.advance_to(10)
    with pytest.raises(ValueError, match="backwards"):
        engine.advance_to(5)
    assert engine.now == 10


def test_bad_input_types_raise_value_error(engine):
    with pytest.raises(ValueError, match="unknown key 'skils'.*did you mean 'skills'"):
        engine.add_queue(name="x", skils={"tax": 1})
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        engine.add_contact(1, "tax", channel="fax")
    with pytest.raises(ValueError, match="agent"):
        engine.login(-1)
    with pytest.raises(ValueError, match="unknown agent state"):
        engine.force_agent_state(7, "asleep")
    with pytest.raises(ValueError):
        ccengine.Engine(priority_class_weight_s=0)
    assert engine.queues == ["tax"]


def test_capacity_forms(engine):
    engine.add_agent(30, skills={"tax": 5}, capacity={"chat": 2})
    active = engine.get_agent(30)["active_per_channel"]
    assert set(active) == {"voice", "chat", "email", "video", "callback", "message", "ticket"}
    engine.add_agent(31, capacity={"max_per_channel": {"voice": 1}, "load_budget": 100})
    with pytest.raises(ValueError, match="unknown key 'fax'"):
        engine.add_agent(32, capacity={"fax": 1})


def test_engine_docstrings():
    assert ccengine.Engine.__doc__
    for name in ("add_skill", "add_queue", "add_agent", "login", "add_contact",
                 "accept_offer", "complete_contact", "drain_events", "poll",
                 "advance_to", "queue_stats", "accounting", "check_invariants",
                 "get_agent", "get_contact", "queue_position", "simple_estimated_wait",
                 "submit", "transfer", "withdraw", "set_priority",
                 "force_agent_state", "abandon", "reject_offer", "logout",
                 "set_ready", "set_not_ready"):
        assert getattr(ccengine.Engine, name).__doc__, name
    assert ccengine.CcengineError.__doc__
    assert issubclass(ccengine.CcengineError, RuntimeError)


def test_update_queue_priority_abandon_and_wrap_up(engine):
    engine.add_queue(name="spill")
    engine.update_queue("tax", overflow_to="spill", max_size=1, wrap_up_s=30)
    config = engine.get_queue_config("tax")
    assert config["overflow_to"] == "spill"
    assert config["max_size"] == 1
    assert config["wrap_up_s"] == 30.0
    assert config["max_wait_s"] == float("inf")
    engine.update_queue("tax", {"overflow_to": None})
    assert engine.get_queue_config("tax")["overflow_to"] is None
    with pytest.raises(ValueError, match="unknown key"):
        engine.update_queue("tax", wrapup_s=3)

    for c in (1, 2, 3):
        engine.add_contact(c, "tax")
    assert engine.get_contact(3)["state"] == "waiting"
    engine.set_priority(3, 2)
    assert engine.get_contact(3)["priority"] == 2
    engine.abandon(3)
    assert engine.accounting()["abandoned"] == 1

    agent = engine.get_contact(1)["agent"]
    engine.accept_offer(agent, 1)
    with pytest.raises(ccengine.CcengineError) as info:
        engine.logout(agent)  # refused while a contact is in service
    assert info.value.code == "FAILED_PRECONDITION"
    engine.advance_to(60)
    engine.complete_contact(agent, 1)
    assert engine.get_agent(agent)["state"] == "wrap_up"
    assert engine.next_timer_at() is not None
    engine.end_wrap_up(agent)
    # free again: contact 2's offer timed out at 20 s elsewhere, so it rings here
    assert engine.get_agent(agent)["state"] == "reserved"
    assert engine.get_contact(2)["agent"] == agent
    engine.check_invariants()


def test_record_events_off(engine):
    engine.record_events = False
    engine.add_contact(1, "tax")
    assert engine.drain_events() == []
    engine.record_events = True
    engine.abandon(1)
    assert "abandoned" in types(engine.drain_events())


def test_answers_may_name_their_offer(engine):
    engine.add_contact(2001, "tax")
    offered = [ev for ev in engine.drain_events() if ev["type"] == "offered"]
    offer, agent = offered[0]["offer"], offered[0]["agent"]
    assert offer >= 1
    engine.accept_offer(agent, 2001, offer=offer)
    accepted = [ev for ev in engine.drain_events() if ev["type"] == "accepted"]
    assert accepted[0]["offer"] == offer
    # A retry of the same answer changes nothing; an earlier offer is stale.
    engine.accept_offer(agent, 2001, offer=offer)
    assert engine.drain_events() == []
    with pytest.raises(ccengine.CcengineError) as err:
        engine.accept_offer(agent, 2001, offer=offer - 1 if offer > 1 else offer + 1)
    assert err.value.code == "FAILED_PRECONDITION"
    assert "is not its latest" in str(err.value)
