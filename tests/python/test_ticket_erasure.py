"""Personal data erasure and retention on the ticket desk from Python: an
erasure request needs pii.erase and reaches the decision sink without the
customer's data, waits for the customer's open tickets, and leaves the
tickets' shape; retention anonymizes finished tickets by their last
update."""

import pathlib

import pytest

import ccengine

HOTLINE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "routing" / "hotline.json"
PHONE = "13912345678"
DAY = 86400.0


@pytest.fixture
def center(hotline_access):
    routing, e, _, decisions = hotline_access
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_categories(routing)
    return e, desk, decisions


def test_an_erasure_request_needs_pii_erase_and_waits_for_open_tickets(center):
    e, desk, decisions = center
    first = desk.create("noise", f"王芳来电反映噪音, 回电{PHONE}", customer_id=PHONE,
                        address="和平里7号", fields={"customer.name": "王芳"})
    second = desk.create("noise", "王芳再次来电, 烧烤店仍在营业", customer_id=PHONE,
                         dedupe=False)
    other = desk.create("noise", "李雷反映噪音", customer_id="13800000000", dedupe=False)
    desk.cancel(first["id"], "dispatcher", f"王芳({PHONE})撤回")

    # A supervisor may read personal data in its departments but not erase it.
    with pytest.raises(ccengine.CcengineError) as info:
        desk.erase_customer(PHONE, "chen", "删除请求 2026-0042")
    assert info.value.code == "PERMISSION_DENIED" and "pii.erase" in str(info.value)
    with pytest.raises(ccengine.CcengineError) as info:
        desk.erase_customer(PHONE, "nobody", "删除请求 2026-0042")
    assert info.value.code == "UNAUTHENTICATED"

    # The open ticket holds the request back.
    with pytest.raises(ccengine.CcengineError) as info:
        desk.erase_customer(PHONE, "dpo", "删除请求 2026-0042")
    assert info.value.code == "FAILED_PRECONDITION"
    assert str(second["id"]) in str(info.value)
    assert desk.get(first["id"])["anonymized"] is False

    desk.cancel(second["id"], "dispatcher", "市民撤回")
    erased = desk.erase_customer(PHONE, "dpo", "删除请求 2026-0042")
    assert erased == [first["id"], second["id"]]
    for ticket_id in erased:
        t = desk.get(ticket_id)
        assert t["anonymized"] is True
        assert (t["text"], t["customer_id"], t["address"], t["fields"]) == ("", "", "", {})
        assert (t["category"], t["state"]) == ("noise", "cancelled")
        history = desk.history(ticket_id)
        assert [h["reason"] for h in history[:-1]] == [""] * (len(history) - 1)
        assert (history[-1]["action"], history[-1]["actor"], history[-1]["reason"]) == (
            "erase", "dpo", "删除请求 2026-0042")
    assert desk.get(other["id"])["anonymized"] is False
    assert desk.query(customer_id=PHONE) == []
    assert desk.erase_customer(PHONE, "dpo", "删除请求 2026-0042") == []

    # Every decision reached the sink; none holds the customer's number.
    judged = [(d["permission"], d["allowed"]) for d in decisions
              if d["permission"] == "pii.erase"]
    assert judged == [("pii.erase", False), ("pii.erase", True), ("pii.erase", True),
                      ("pii.erase", True)]
    assert PHONE not in repr(decisions)
    assert "删除请求 2026-0042" in repr(decisions)
    # The unknown actor was refused before any decision could name it.
    assert all(d.get("actor") != "nobody" for d in decisions)


def test_an_erasure_needs_an_access_control_to_record_it():
    desk = ccengine.TicketDesk(":memory:", start_s=0)
    desk.add_category("noise", department="城管")
    t = desk.create("noise", "噪音扰民", customer_id=PHONE)
    desk.cancel(t["id"], "dispatcher", "撤回")
    with pytest.raises(ccengine.CcengineError) as info:
        desk.erase_customer(PHONE, "dpo", "删除请求 7")
    assert info.value.code == "PERMISSION_DENIED"
    assert "no access control is attached" in str(info.value)
    assert desk.get(t["id"])["anonymized"] is False


def test_retention_anonymizes_finished_tickets_by_their_last_update():
    desk = ccengine.TicketDesk(":memory:", start_s=0)
    desk.add_category("noise", department="城管")
    old = desk.create("noise", "噪音扰民", customer_id=PHONE)
    desk.cancel(old["id"], "dispatcher", "重复来电")
    desk.advance_to(10 * DAY)
    recent = desk.create("noise", "路灯不亮", customer_id="13800000000", dedupe=False)
    desk.cancel(recent["id"], "dispatcher", "重复来电")
    still_open = desk.create("noise", "井盖缺失", customer_id="13700000000", dedupe=False)
    desk.advance_to(15 * DAY)

    assert desk.expire_finished(7 * DAY) == 1
    assert desk.get(old["id"])["anonymized"] is True
    assert desk.history(old["id"])[-1]["action"] == "expire"
    assert desk.get(recent["id"])["anonymized"] is False
    assert desk.expire_finished(DAY, actor="nightly") == 1
    assert desk.history(recent["id"])[-1]["actor"] == "nightly"
    assert desk.get(still_open["id"])["anonymized"] is False
    for bad in (0, -DAY):
        with pytest.raises(ValueError, match="retention period|keep_s"):
            desk.expire_finished(bad)


def test_the_routing_file_sets_the_retention_periods():
    routing = ccengine.RoutingFile.load(str(HOTLINE))
    assert routing.retention == {
        "customer_history_s": 90 * DAY, "tickets_s": 1095 * DAY,
        "knowledge_feedback_s": 365 * DAY, "reports_s": 1095 * DAY, "audit_s": 2190 * DAY}
    with pytest.raises(ValueError, match="the audit trail must outlive"):
        ccengine.RoutingFile.from_json(
            '{"queues": [{"name": "a"}], "retention": {"tickets_days": 3000}}')
    # A nightly job applies the file's period to the desk.
    desk = ccengine.TicketDesk(":memory:", start_s=0)
    desk.add_category("noise", department="城管")
    t = desk.create("noise", "噪音扰民", customer_id=PHONE)
    desk.cancel(t["id"], "dispatcher", "撤回")
    desk.advance_to(1094 * DAY)
    assert desk.expire_finished(routing.retention["tickets_s"]) == 0
    desk.advance_to(1096 * DAY)
    assert desk.expire_finished(routing.retention["tickets_s"]) == 1
