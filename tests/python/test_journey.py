"""Preferred / last agent, the customer history, callbacks and fallback
targets from Python:
the rules, the events, the snapshots, the command dicts and every error
mapping (with the engine unchanged)."""

import math

import pytest

import ccengine


@pytest.fixture
def engine():
    """One queue, agents 1 and 2 logged in (1 idle longer)."""
    e = ccengine.Engine()
    e.add_queue(name="q")
    e.add_queue(name="chat")
    e.add_agent(1)
    e.login(1)
    e.advance_to(5)
    e.add_agent(2)
    e.login(2)
    e.drain_events()
    return e


def types(events):
    return [ev["type"] for ev in events]


def offered_to(events, contact):
    return [ev["agent"] for ev in events if ev["type"] == "offered" and ev["contact"] == contact]


def snapshot(e, contacts=(), customers=()):
    """Everything observable, to prove a refused call changed nothing."""
    live = {}
    for c in contacts:
        try:
            live[c] = e.get_contact(c)
        except KeyError:
            live[c] = None
    return (
        e.now,
        e.accounting(),
        e.queue_stats("q"),
        {a: e.get_agent(a) for a in (1, 2)},
        live,
        {c: e.customer_history(c) for c in customers},
        e.customer_history_entries,
        e.pending_events,
    )


def busy(e, agent, contact):
    """Gives `agent` a call in service (the other agent is made not ready)."""
    other = 2 if agent == 1 else 1
    e.set_not_ready(other)
    e.add_contact(contact, "q")
    e.accept_offer(agent, contact)
    e.set_ready(other)


# --- preferred agents -------------------------------------------------------------


def test_preferred_agent_wins_over_a_longer_idle_one(engine):
    engine.add_contact(10, "q", preferred_agents=[2], preferred_wait_s=30)
    events = engine.drain_events()
    assert offered_to(events, 10) == [2]
    c = engine.get_contact(10)
    assert c["preferred_agents"] == [2]
    assert c["preferred_until_s"] == 35.0
    engine.add_contact(11, "q")
    assert offered_to(engine.drain_events(), 11) == [1]


def test_waits_for_a_busy_preferred_agent_then_falls_back(engine):
    busy(engine, 2, 900)
    engine.drain_events()
    engine.add_contact(10, "q", preferred_agents=[2], preferred_wait_s=30)
    assert engine.get_contact(10)["state"] == "waiting"
    engine.check_invariants()  # agent 1 is free, but 10 is reserved for 2
    engine.advance_to(34.9)
    assert engine.get_contact(10)["state"] == "waiting"
    assert types(engine.drain_events()) == ["contact_queued"]
    engine.advance_to(35)
    events = engine.drain_events()
    assert types(events)[:2] == ["preference_ended", "offered"]
    ended = events[0]
    assert ended["contact"] == 10
    assert ended["reason"] == "preferred_wait"
    assert ended["queue"] == "q"
    assert ended["time_s"] == 35.0
    assert offered_to(events, 10) == [1]
    assert engine.get_contact(10)["preferred_agents"] == []
    assert engine.get_contact(10)["preferred_until_s"] is None


def test_agent_freeing_up_skips_a_contact_reserved_for_another(engine):
    busy(engine, 1, 900)
    busy(engine, 2, 901)
    engine.add_contact(10, "q", preferred_agents=[2], preferred_wait_s=60)
    engine.advance_to(6)
    engine.add_contact(11, "q")
    engine.drain_events()
    engine.complete_contact(1, 900)
    assert offered_to(engine.drain_events(), 11) == [1]
    engine.complete_contact(2, 901)
    assert offered_to(engine.drain_events(), 10) == [2]


def test_no_preferred_agent_logged_in_means_no_wait(engine):
    engine.add_agent(3)
    engine.add_contact(10, "q", preferred_agents=[3, 99], preferred_wait_s=60)
    events = engine.drain_events()
    assert types(events) == ["contact_queued", "preference_ended", "offered", "agent_state_changed"]
    assert events[1]["reason"] == "no_preferred_agent"


def test_last_agent_is_inherited_across_channels(engine):
    engine.set_not_ready(1)
    engine.add_contact(10, "chat", channel="chat", customer_id="cust-7")
    engine.accept_offer(2, 10)
    engine.advance_to(60)
    engine.complete_contact(2, 10)
    engine.set_ready(1)
    assert engine.last_agent("cust-7") == 2
    assert engine.customer_history("cust-7") == [
        {"contact": 10, "agent": 2, "channel": "chat", "queue": "chat", "ended_at_s": 60.0}
    ]
    engine.drain_events()
    engine.add_contact(11, "q", customer_id="cust-7", prefer_last_agent=True, preferred_wait_s=30)
    assert offered_to(engine.drain_events(), 11) == [2]
    assert engine.last_agent("nobody") is None
    assert engine.customer_history("nobody") == []


def test_history_is_bounded_in_size_and_age():
    e = ccengine.Engine(
        customer_history_size=2, customer_history_retention_s=100, customer_history_max_entries=10
    )
    e.add_queue(name="q")
    e.add_agent(1)
    e.login(1)
    for i in range(3):
        e.add_contact(10 + i, "q", customer_id="a")
        e.accept_offer(1, 10 + i)
        e.advance_to(10 * (i + 1))
        e.complete_contact(1, 10 + i)
    assert [h["contact"] for h in e.customer_history("a")] == [12, 11]
    assert e.customer_history_entries == 2
    e.advance_to(119.9)
    assert e.last_agent("a") == 1
    e.advance_to(130)
    assert e.customer_history("a") == []
    assert e.customer_history_entries == 0
    e.check_invariants()


def test_submitted_contact_carries_its_preference(engine):
    engine.submit(
        {"type": "add_contact", "contact": 10, "queue": "q", "preferred_agents": [2], "preferred_wait_s": 30}
    )
    engine.poll(6)
    assert offered_to(engine.drain_events(), 10) == [2]


# --- callbacks ---------------------------------------------------------------------


def test_callback_keeps_its_place_and_is_offered_on_the_callback_channel(engine):
    busy(engine, 1, 900)
    busy(engine, 2, 901)
    engine.add_contact(10, "q")
    engine.advance_to(20)
    engine.add_contact(11, "q")
    engine.advance_to(30)
    engine.drain_events()
    engine.request_callback(10)
    events = engine.drain_events()
    assert types(events) == ["callback_requested"]
    assert events[0]["channel"] == "callback"
    assert events[0]["wait_s"] == 25.0
    c = engine.get_contact(10)
    assert c["channel"] == "callback"
    assert c["original_channel"] == "voice"
    assert c["callback_requested_at_s"] == 30.0
    assert c["arrived_at_s"] == 5.0
    assert engine.queue_position(10) == 1
    stats = engine.queue_stats("q")
    assert stats["callbacks_requested"] == 1
    assert stats["waiting"] == 2
    engine.complete_contact(1, 900)
    events = engine.drain_events()
    offered = [ev for ev in events if ev["type"] == "offered"]
    assert offered[0]["contact"] == 10
    assert offered[0]["channel"] == "callback"
    assert engine.accounting()["balanced"]


def test_callback_cannot_abandon_from_the_line(engine):
    busy(engine, 1, 900)
    busy(engine, 2, 901)
    engine.add_contact(10, "q")
    engine.request_callback(10)
    engine.drain_events()
    before = snapshot(engine, contacts=(10,))
    with pytest.raises(ccengine.CcengineError) as info:
        engine.abandon(10)
    assert info.value.code == "FAILED_PRECONDITION"
    assert str(info.value) == (
        "contact 10 is a callback: its customer is no longer on the line "
        "(withdraw it to cancel the callback)"
    )
    assert snapshot(engine, contacts=(10,)) == before
    engine.withdraw(10)
    assert engine.accounting()["withdrawn"] == 1


def test_request_callback_refusals_leave_the_engine_unchanged(engine):
    engine.add_contact(10, "q")  # offered to 1
    engine.add_contact(11, "q", channel="chat")  # offered to 2
    engine.add_contact(12, "q", channel="email")  # waits: 1 and 2 are ringing
    engine.drain_events()
    cases = [
        (99, KeyError, "unknown contact 99"),
        (10, ccengine.CcengineError, "contact 10 is offered, not waiting"),
        (12, ccengine.CcengineError, "contact 12 is on email"),
    ]
    for contact, error, message in cases:
        before = snapshot(engine, contacts=(10, 11, 12))
        with pytest.raises(error) as info:
            engine.request_callback(contact)
        assert message in str(info.value)
        assert snapshot(engine, contacts=(10, 11, 12)) == before
    with pytest.raises(ValueError):
        engine.request_callback(-1)
    with pytest.raises(ValueError):
        engine.request_callback("10")


def test_request_callback_command_dict(engine):
    busy(engine, 1, 900)
    busy(engine, 2, 901)
    engine.add_contact(10, "q")
    engine.add_contact(11, "q", channel="chat")
    engine.drain_events()
    engine.apply({"type": "request_callback", "contact": 10})
    assert engine.get_contact(10)["channel"] == "callback"
    engine.submit({"type": "request_callback", "contact": 11})
    engine.poll(engine.now)
    failed = [ev for ev in engine.drain_events() if ev["type"] == "command_failed"]
    assert len(failed) == 1
    assert failed[0]["error_code"] == "FAILED_PRECONDITION"
    assert "only voice and video callers" in failed[0]["error"]
    with pytest.raises(ValueError, match="unknown key"):
        engine.apply({"type": "request_callback", "contact": 10, "agent": 1})


# --- fallback targets ---------------------------------------------------------------


def test_an_unanswered_contact_moves_to_its_next_target(engine):
    engine.set_not_ready(1)
    engine.set_not_ready(2)
    engine.add_contact(10, "q", fallbacks=[
        {"after_s": 30, "queue": "chat", "priority": 2},
        {"after_s": 15, "queue": "q", "priority": 4}])
    c = engine.get_contact(10)
    assert (c["fallbacks_left"], c["next_fallback_at_s"]) == (2, 35.0)
    engine.advance_to(35)
    moves = [ev for ev in engine.drain_events() if ev["type"] == "overflowed"]
    assert [(ev["queue"], ev["to_queue"], ev["reason"], ev["time_s"]) for ev in moves] == \
        [("q", "chat", "target_timeout", 35.0)]
    c = engine.get_contact(10)
    assert (c["queue"], c["priority"], c["arrived_at_s"], c["fallbacks_left"],
            c["next_fallback_at_s"]) == ("chat", 2, 5.0, 1, 50.0)
    engine.advance_to(50)
    c = engine.get_contact(10)
    assert (c["queue"], c["priority"], c["fallbacks_left"], c["next_fallback_at_s"]) == \
        ("q", 4, 0, None)
    # The same route through a command dict.
    engine.apply({"type": "add_contact", "contact": 11, "queue": "q",
                  "fallbacks": [{"after_s": 5, "queue": "chat"}]})
    assert engine.get_contact(11)["fallbacks_left"] == 1


@pytest.mark.parametrize(
    "fallbacks, error, message",
    [
        ([{"after_s": 0, "queue": "chat"}], ValueError,
         "contact 10: fallback 0: after must be at least 1 microsecond and finite"),
        ([{"after_s": 1e-7, "queue": "chat"}], ValueError,
         "contact 10: fallback 0: after must be at least 1 microsecond"),
        ([{"after_s": 5, "queue": "nowhere"}], KeyError, "nowhere"),
        ([{"after_s": 5, "queue": "chat", "priority": 10}], ValueError,
         "fallbacks[0].priority: must be in 0..9, got 10"),
        ([{"queue": "chat"}], ValueError, "fallbacks[0]: missing required key 'after_s'"),
        ([{"after_s": 5, "queue": "chat", "skils": {}}], ValueError, "unknown key"),
        ([{"after_s": 5, "queue": "chat"}] * 9, ValueError,
         "contact 10: at most 8 fallback targets, got 9"),
        ("soon", ValueError, "fallbacks"),
    ],
)
def test_invalid_fallbacks_raise_and_change_nothing(engine, fallbacks, error, message):
    before = snapshot(engine, contacts=(10,))
    with pytest.raises(error) as info:
        engine.add_contact(10, "q", fallbacks=fallbacks)
    assert message in str(info.value)
    assert snapshot(engine, contacts=(10,)) == before


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preferred_agents": [1, 1]}, "contact 10: preferred agent 1 listed twice"),
        ({"preferred_agents": list(range(1, 18))}, "contact 10: at most 16 preferred agents, got 17"),
        ({"preferred_wait_s": -1}, "contact 10: preferred_wait must be >= 0 and finite"),
        ({"preferred_wait_s": math.inf}, "contact 10: preferred_wait must be >= 0 and finite"),
        ({"preferred_wait_s": math.nan}, "preferred_wait_s: must be a number of seconds, got nan"),
        ({"preferred_agents": [1, "x"]}, "preferred_agents[1]: expected an integer id"),
        ({"preferred_agents": 3}, "preferred_agents"),
    ],
)
def test_invalid_preference_raises_value_error_and_changes_nothing(engine, kwargs, message):
    before = snapshot(engine, contacts=(10,))
    with pytest.raises(ValueError) as info:
        engine.add_contact(10, "q", **kwargs)
    assert message in str(info.value)
    assert snapshot(engine, contacts=(10,)) == before


def test_customer_history_errors_and_options():
    e = ccengine.Engine()
    with pytest.raises(ValueError, match="customer id is empty"):
        e.customer_history("")
    assert e.last_agent("") is None
    with pytest.raises(ValueError, match="customer_history_retention must be >= 0"):
        ccengine.Engine(customer_history_retention_s=-1)
    with pytest.raises(ValueError, match="customer_history_size must be >= 0"):
        ccengine.Engine(customer_history_size=-1)
    with pytest.raises(ValueError, match="customer_history_max_entries must be >= 0"):
        ccengine.Engine(customer_history_max_entries=-1)
    ccengine.Engine(customer_history_size=0, customer_history_retention_s=0)


# --- the simulator's virtual hold -----------------------------------------------------


def busy_scenario(**arrival):
    a = {
        "queue": "q",
        "rate_per_s": 0.02,
        "handle_time": {"dist": "exponential", "mean": 90},
        "patience": {"dist": "deterministic", "mean": 60},
    }
    a.update(arrival)
    return {
        "seed": 77,
        "horizon_s": 20000,
        "interval_s": 20000,
        "skills": ["general"],
        "queues": [{"name": "q", "skills": {"general": 1}}],
        "agents": [{"name": "agents", "count": 2, "skills": {"general": 5},
                    "capacity": {"voice": 1, "callback": 1}}],
        "arrivals": [a],
    }


def test_simulated_callers_ask_for_a_callback_instead_of_abandoning():
    without = ccengine.simulate(busy_scenario(), progress=False)["summary"]["queues"]["q"]
    with_cb = ccengine.simulate(busy_scenario(callback={"after_s": 30}), progress=False)
    q = with_cb["summary"]["queues"]["q"]
    assert without["abandoned"] > 20
    assert q["offered"] == without["offered"]
    assert q["abandoned"] == 0
    assert q["answered"] == q["offered"]
    assert with_cb["invariants_ok"]


def test_simulator_callback_option_is_checked():
    with pytest.raises(ValueError, match="unknown key"):
        ccengine.simulate(busy_scenario(callback={"after": 30}), progress=False)
    with pytest.raises(ValueError, match=r"arrivals\[0\].callback.after_s: must be >= 0"):
        ccengine.simulate(busy_scenario(callback={"after_s": -5}), progress=False)
    with pytest.raises(ValueError, match="only voice and video"):
        ccengine.simulate(busy_scenario(channel="chat", callback={"after_s": 30}), progress=False)
