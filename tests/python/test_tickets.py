"""ccengine.TicketDesk from Python: the lifecycle, duplicates, errors that leave
the desk as it was, the SQLite file surviving the desk, and dispatch through an
engine (signing for a ticket is accepting the engine's offer)."""

import os

import pytest

import ccengine

T0 = 1796000000.0


def noise_desk(where=":memory:"):
    desk = ccengine.TicketDesk(where, start_s=T0)
    desk.add_category("noise", "城管", first_response_s=2 * 3600, resolution_s=24 * 3600)
    return desk


def test_lifecycle_and_history():
    desk = noise_desk()
    t = desk.create("noise", "楼下烧烤店每晚噪音扰民", customer_id="c1", address="建国路88号")
    assert t["state"] == "new" and t["duplicate_of"] is None
    assert t["resolution"]["due"] == T0 + 24 * 3600
    desk.dispatch(t["id"], "dispatcher")
    desk.sign_for(t["id"], agent="agent-7")
    desk.start(t["id"], "agent-7")
    desk.pend(t["id"], "agent-7", reason="等待市场监管局回复")
    desk.advance_to(T0 + 3600)
    desk.resume(t["id"], "agent-7")
    desk.sign_for(t["id"], "agent-7")
    done = desk.resolve(t["id"], actor="agent-7", answer="已责令整改")
    assert done["state"] == "resolved" and done["resolution"]["stopped"]
    assert desk.close(t["id"], "回访员")["state"] == "closed"
    actions = [h["action"] for h in desk.history(t["id"])]
    assert actions == ["create", "dispatch", "sign_for", "start", "pend", "resume", "sign_for",
                       "resolve", "close"]
    assert desk.counters()["城管"]["resolved_within_sla"] == 1


def test_a_repeat_call_is_linked_to_the_open_ticket():
    desk = noise_desk()
    first = desk.create("noise", "建国路88号楼下烧烤店每晚噪音扰民", customer_id="c1",
                        address="朝阳区建国路88号")
    again = desk.create("noise", "又是那家烧烤店，半夜噪音扰民", customer_id="c1",
                        address="建国路88号")
    assert again["duplicate_of"] == first["id"]
    assert again["state"] == "merged"
    other = desk.create("noise", "建国路86号楼下烧烤店每晚噪音扰民", customer_id="c2",
                        address="建国路86号")
    assert other["duplicate_of"] is None
    types = [e["type"] for e in desk.drain_events()]
    assert types.count("duplicate_linked") == 1


def test_errors_name_the_problem_and_change_nothing():
    desk = noise_desk()
    with pytest.raises(ValueError, match='unknown ticket category "nope"'):
        desk.create("nope", "x")
    with pytest.raises(ValueError, match="invalid UTF-8|more than the limit"):
        desk.create("noise", "x" * (64 * 1024 + 1))
    t = desk.create("noise", "噪音")
    with pytest.raises(ccengine.CcengineError) as err:
        desk.resolve(t["id"], "a", "done")
    assert err.value.code == "FAILED_PRECONDITION"
    assert "ticket 1 is new; resolve needs assigned or in_progress" in str(err.value)
    with pytest.raises(KeyError):
        desk.get(99)
    with pytest.raises(ValueError):
        desk.query(states=["nonsense"])
    with pytest.raises(ValueError):
        desk.add_category("x", "")
    assert desk.get(t["id"])["version"] == 1
    assert len(desk.history(t["id"])) == 1


def test_the_sqlite_file_outlives_the_desk(tmp_path):
    path = str(tmp_path / "tickets.db")
    desk = noise_desk(path)
    t = desk.create("noise", "噪音扰民", address="建国路88号")
    desk.dispatch(t["id"], "dispatcher")
    del desk
    again = noise_desk(path)
    assert again.get(t["id"])["state"] == "queued"
    assert [h["action"] for h in again.history(t["id"])] == ["create", "dispatch"]
    assert again.open_tickets == 1
    assert os.path.getsize(path) > 0


def test_sla_warning_and_breach_are_events():
    desk = ccengine.TicketDesk(":memory:", start_s=T0)
    desk.add_category("noise", "城管", first_response_s=1000.0)
    t = desk.create("noise", "噪音")
    desk.advance_to(T0 + 850)
    desk.tick()
    desk.advance_to(T0 + 1000)
    desk.tick()
    kinds = [(e["type"], e["detail"]) for e in desk.drain_events() if e["type"].startswith("sla")]
    assert kinds == [("sla_warning", "first_response"), ("sla_breached", "first_response")]
    assert desk.get(t["id"])["escalation_level"] == 1
    assert desk.query(open_only=True, due_by=T0 + 10**6) == []
    with pytest.raises(ValueError):
        desk.advance_to(T0)  # not backwards


def _engine_with_desk():
    """An engine with queue 城管 and agent 7 logged in, and a desk on it."""
    e = ccengine.Engine()
    e.add_queue(name="城管")
    e.add_agent(7)
    e.login(7)
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_category("noise", "城管", queue="城管", resolution_s=3600)
    return e, desk


def test_dispatch_through_an_engine():
    e, desk = _engine_with_desk()
    t = desk.create("noise", "噪音扰民")
    assert t["state"] == "queued"
    e.poll(1.0)
    offers = [ev for ev in e.drain_events() if ev["type"] == "offered"]
    assert len(offers) == 1 and offers[0]["channel"] == "ticket"
    e.accept_offer(7, offers[0]["contact"])
    desk.tick()
    assert desk.get(t["id"])["state"] == "assigned"
    assert desk.get(t["id"])["assignee"] == "7"
    desk.resolve(t["id"], "7", "已处理")
    e.poll(2.0)
    assert "completed" in [ev["type"] for ev in e.drain_events()]
    with pytest.raises(ccengine.CcengineError):
        desk.advance_to(10.0)  # the engine's clock rules


def test_an_engine_outlives_its_desk():
    """A desk dropped while its engine goes on stops hearing the engine's
    events (it would otherwise be called after it is gone)."""
    import gc

    e, desk = _engine_with_desk()
    desk.create("noise", "噪音扰民")
    e.poll(1.0)
    offer = [ev for ev in e.drain_events() if ev["type"] == "offered"][0]
    del desk
    gc.collect()
    e.accept_offer(7, offer["contact"])
    e.poll(2.0)
    e.complete_contact(7, offer["contact"])
    e.poll(3.0)
    assert "completed" in [ev["type"] for ev in e.drain_events()]
    e.check_invariants()


def test_the_hotline_days_work_orders_balance(tmp_path):
    """examples/hotline_tickets.py (the main job's ticket part) on a small day:
    every ticket is accounted for, per department and in the file."""
    import sqlite3
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    import hotline_tickets

    summary = hotline_tickets.run_tickets([15.0] * 48, 1800.0, 3, str(tmp_path))
    counters = summary["counters"]
    created = sum(c["created"] for c in counters.values())
    duplicates = sum(c["duplicates"] for c in counters.values())
    resolved = sum(c["resolved"] for c in counters.values())
    assert created == summary["created"] > 300
    assert duplicates > 0
    assert summary["open_at_end"] == 0
    assert resolved == created - duplicates
    for c in counters.values():
        assert c["resolved_within_sla"] <= c["resolved"]
    with sqlite3.connect(summary["db"]) as db:
        (stored,) = db.execute("SELECT count(*) FROM tickets").fetchone()
        (merged,) = db.execute("SELECT count(*) FROM tickets WHERE state = 'merged'").fetchone()
    assert stored == created and merged == duplicates
    assert "城管" in "\n".join(hotline_tickets.report_lines(summary))


def test_the_postgresql_store_from_python(pg_dsn):
    desk = ccengine.TicketDesk(pg_dsn, start_s=T0)
    desk.add_category("noise", "城管", resolution_s=3600)
    t = desk.create("noise", "楼下烧烤店噪音扰民", customer_id="c1", address="建国路88号")
    desk.dispatch(t["id"], "dispatcher")
    again = desk.create("noise", "又是那家烧烤店半夜噪音扰民", customer_id="c1", address="建国路88号")
    assert again["duplicate_of"] == t["id"]
    del desk
    reopened = ccengine.TicketDesk(pg_dsn, start_s=T0)
    assert reopened.get(t["id"])["state"] == "queued"
    assert [h["action"] for h in reopened.history(t["id"])] == ["create", "dispatch"]
    with pytest.raises(ccengine.CcengineError) as err:
        ccengine.TicketDesk("postgresql:///tickets?host=/nonexistent")
    assert err.value.code == "UNAVAILABLE" and "cannot connect" in str(err.value)


def test_an_engine_outlives_its_desk():
    e = ccengine.Engine()
    e.add_queue(name="城管")
    e.add_agent(7)
    e.login(7)
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_category("noise", "城管", queue="城管")
    desk.create("noise", "噪音扰民")
    e.poll(1.0)
    offer = [ev for ev in e.drain_events() if ev["type"] == "offered"][0]
    del desk
    import gc

    gc.collect()
    e.accept_offer(7, offer["contact"])  # its event would have gone to the desk
    e.poll(2.0)
    assert "accepted" in [ev["type"] for ev in e.drain_events()]
