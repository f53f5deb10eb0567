"""A customer's erasure request beyond the ticket desk: the engine forgets
the customer's contact history (refused while a contact of theirs is live,
judged under pii.erase without naming the customer), the knowledge base
unlinks agents' verdicts from the customer's contacts with the tallies
unchanged, and ccengine.erase_customer carries the request through all
three, each step idempotent."""

import pytest

import ccengine

PHONE = "13912345678"
REFERENCE = "删除请求 2026-0042"


@pytest.fixture
def center(hotline_access):
    _, e, access, decisions = hotline_access
    e.add_agent(7, skills={"policy": 8})
    e.login(7)
    return e, decisions, access


def serve(e, contact, customer_id, until_s):
    e.add_contact(contact, "政策咨询", customer_id=customer_id)
    e.accept_offer(7, contact)
    e.advance_to(until_s)
    e.complete_contact(7, contact)
    e.end_wrap_up(7)


def test_the_engine_forgets_a_customer_once_no_contact_of_theirs_is_live(center):
    e, decisions, _ = center
    serve(e, 1001, PHONE, 60)
    serve(e, 1002, "13800000000", 120)
    serve(e, 1003, PHONE, 180)
    e.set_not_ready(7)
    e.add_contact(1004, "政策咨询", customer_id=PHONE)  # waiting

    with pytest.raises(ccengine.CcengineError) as info:
        e.erase_customer(PHONE, actor="dpo")
    assert info.value.code == "FAILED_PRECONDITION" and "(1004)" in str(info.value)
    with pytest.raises(ccengine.CcengineError) as info:
        e.erase_customer(PHONE, actor="chen")
    assert info.value.code == "PERMISSION_DENIED" and "pii.erase" in str(info.value)
    with pytest.raises(ccengine.CcengineError) as info:
        e.erase_customer(PHONE, actor="nobody")
    assert info.value.code == "UNAUTHENTICATED"
    assert [h["contact"] for h in e.customer_history(PHONE)] == [1003, 1001]

    e.withdraw(1004)
    assert e.erase_customer(PHONE, actor="dpo") == [1003, 1001]
    assert e.customer_history(PHONE) == []
    assert e.last_agent(PHONE) is None
    assert [h["contact"] for h in e.customer_history("13800000000")] == [1002]
    assert e.erase_customer(PHONE, actor="dpo") == []
    with pytest.raises(ValueError, match="customer id is empty"):
        e.erase_customer("", actor="dpo")
    e.check_invariants()
    assert PHONE.encode() not in e.state_bytes()

    erasures = [d for d in decisions if d["permission"] == "pii.erase"]
    assert [(d["actor"], d["allowed"]) for d in erasures] == [
        ("dpo", True), ("chen", False), ("dpo", True), ("dpo", True)]
    assert all(d["subject"] == "one customer's contact history" for d in erasures)
    assert PHONE not in repr(decisions)


def test_a_command_dict_carries_an_erasure(center):
    e, decisions, access = center
    serve(e, 1001, PHONE, 60)
    with pytest.raises(ccengine.CcengineError) as info:
        e.apply({"type": "erase_customer", "customer_id": PHONE})  # as the bridge
    assert info.value.code == "PERMISSION_DENIED"
    e.apply({"type": "erase_customer", "customer_id": PHONE},
            actor=access.find_actor("dpo"))
    assert e.customer_history(PHONE) == []
    with pytest.raises(ValueError, match="customer id is empty"):
        e.apply({"type": "erase_customer"})
    assert PHONE not in repr(decisions)


def test_knowledge_feedback_is_unlinked_from_the_customers_contacts():
    kb = ccengine.KnowledgeBase()
    kb.add("faq-1", "异地就医备案办理", "通过国家医保服务平台App备案")
    kb.record_feedback("faq-1", "helpful", at=100, contact=1001, agent="7")
    kb.record_feedback("faq-1", "used", at=200, contact="1003", agent="7")
    kb.record_feedback("faq-1", "not_helpful", at=300, contact=2000, agent="8")
    before = kb.feedback_tallies(["faq-1", "faq-none"])
    assert before == [
        {"article": "faq-1", "used": 1, "helpful": 1, "not_helpful": 1},
        {"article": "faq-none", "used": 0, "helpful": 0, "not_helpful": 0}]
    assert kb.anonymize_feedback(contacts=[1001, "1003"]) == 2
    assert kb.anonymize_feedback(contacts=[1001, "1003"]) == 0
    assert kb.feedback_tallies(["faq-1", "faq-none"]) == before
    assert kb.anonymize_feedback(given_before=250) == 0  # both before 250 unlinked already
    assert kb.anonymize_feedback(given_before=301) == 1

    with pytest.raises(ValueError, match="exactly one of contacts"):
        kb.anonymize_feedback()
    with pytest.raises(ValueError, match="exactly one of contacts"):
        kb.anonymize_feedback(contacts=[1], given_before=0)
    with pytest.raises(ValueError, match="iterable of contact ids"):
        kb.anonymize_feedback(contacts="1001")
    with pytest.raises(ValueError, match="kind"):
        kb.record_feedback("faq-1", "great", at=0)
    with pytest.raises(KeyError):
        kb.record_feedback("faq-missing", "used", at=0)


def test_erase_customer_reaches_every_store_and_can_be_asked_again(center, hotline_access):
    e, decisions, _ = center
    routing = hotline_access[0]
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_categories(routing)
    kb = ccengine.KnowledgeBase()
    kb.add("faq-1", "异地就医备案办理", "通过国家医保服务平台App备案")
    serve(e, 1001, PHONE, 60)
    kb.record_feedback("faq-1", "helpful", at=60, contact=1001, agent="7")
    kb.record_feedback("faq-1", "used", at=30, contact="crm-555", agent="7")
    kb.record_feedback("faq-1", "used", at=30, contact=2000, agent="7")
    ticket = desk.create("noise", f"王芳来电反映噪音, 回电{PHONE}", customer_id=PHONE)

    # The open ticket holds the whole request back: nothing anywhere changes.
    with pytest.raises(ccengine.CcengineError) as info:
        ccengine.erase_customer(PHONE, actor="dpo", reference=REFERENCE, engine=e,
                                desk=desk, knowledge=kb, contacts=["crm-555"])
    assert info.value.code == "FAILED_PRECONDITION"
    assert [h["contact"] for h in e.customer_history(PHONE)] == [1001]

    desk.cancel(ticket["id"], "dispatcher", "市民撤回")
    done = ccengine.erase_customer(PHONE, actor="dpo", reference=REFERENCE, engine=e,
                                   desk=desk, knowledge=kb, contacts=["crm-555"])
    assert done == {"tickets": [ticket["id"]], "feedback": 2, "contacts": [1001]}
    assert desk.get(ticket["id"])["anonymized"] is True
    assert e.customer_history(PHONE) == []
    assert kb.feedback_tallies(["faq-1"])[0]["used"] == 2
    assert kb.anonymize_feedback(contacts=[2000]) == 1  # another customer's, untouched

    again = ccengine.erase_customer(PHONE, actor="dpo", reference=REFERENCE, engine=e,
                                    desk=desk, knowledge=kb, contacts=["crm-555"])
    assert again == {"tickets": [], "feedback": 0, "contacts": []}
    assert PHONE not in repr(decisions)
    assert REFERENCE in repr(decisions)

    for bad in ({"reference": ""}, {"contacts": [1.5]}):
        args = {"actor": "dpo", "reference": REFERENCE, "engine": e, **bad}
        with pytest.raises(ValueError):
            ccengine.erase_customer(PHONE, **args)
    with pytest.raises(ValueError):
        ccengine.erase_customer("", actor="dpo", reference=REFERENCE, engine=e)
