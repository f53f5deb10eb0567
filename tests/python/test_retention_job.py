"""ccengine.apply_retention: a routing file's retention periods applied to
the ticket desk and the knowledge feedback, as a center's nightly job runs
them; idempotent, and only on the stores it is given."""

import datetime

import pytest

import ccengine

DAY = 86400.0
ROUTING = ('{"queues": [{"name": "a"}], '
           '"retention": {"tickets_days": 30, "knowledge_feedback_days": 10}}')


def test_a_nightly_job_applies_the_files_periods_to_the_stores_it_is_given():
    routing = ccengine.RoutingFile.from_json(ROUTING)
    desk = ccengine.TicketDesk(":memory:", start_s=0)
    desk.add_category("noise", department="城管")
    old = desk.create("noise", "噪音扰民, 回电13912345678", customer_id="13912345678")
    desk.cancel(old["id"], "dispatcher", "撤回")
    desk.advance_to(20 * DAY)
    recent = desk.create("noise", "路灯不亮", customer_id="13800000000", dedupe=False)
    desk.cancel(recent["id"], "dispatcher", "撤回")
    still_open = desk.create("noise", "井盖缺失", customer_id="13700000000", dedupe=False)
    desk.advance_to(40 * DAY)
    kb = ccengine.KnowledgeBase()
    kb.add("faq-1", "异地就医备案办理", "通过国家医保服务平台App备案")
    for day, contact in ((1, 11), (25, 12), (39, 13)):
        kb.record_feedback("faq-1", "helpful", at=day * DAY, contact=contact, agent="7")

    # Tickets finished more than 30 days before the desk's now, verdicts given
    # more than 10 days before `now`.
    assert ccengine.apply_retention(routing, desk=desk, knowledge=kb, now=40 * DAY) == {
        "tickets": 1, "feedback": 2}
    assert desk.get(old["id"])["anonymized"] is True
    assert desk.history(old["id"])[-1]["actor"] == "retention"
    assert desk.get(recent["id"])["anonymized"] is False
    assert desk.get(still_open["id"])["anonymized"] is False
    assert kb.feedback_tallies(["faq-1"])[0]["helpful"] == 3  # the tallies stay

    # Run again: nothing left to do. A datetime says the same time.
    at = datetime.datetime(1970, 2, 10, tzinfo=datetime.timezone.utc)
    assert at.timestamp() == 40 * DAY
    assert ccengine.apply_retention(routing, desk=desk, knowledge=kb, now=at,
                                    actor="nightly") == {"tickets": 0, "feedback": 0}
    assert ccengine.apply_retention(routing) == {"tickets": None, "feedback": None}
    assert ccengine.apply_retention(routing, knowledge=kb, now=50 * DAY) == {
        "tickets": None, "feedback": 1}
    desk.advance_to(51 * DAY)
    assert ccengine.apply_retention(routing, desk=desk, actor="nightly") == {
        "tickets": 1, "feedback": None}
    assert desk.history(recent["id"])[-1]["actor"] == "nightly"


@pytest.mark.parametrize("now", [datetime.datetime(2026, 1, 1), "yesterday", float("nan"), True])
def test_a_bad_now_is_refused_before_any_store_is_touched(now):
    routing = ccengine.RoutingFile.from_json(ROUTING)
    kb = ccengine.KnowledgeBase()
    kb.add("faq-1", "异地就医备案办理", "通过国家医保服务平台App备案")
    kb.record_feedback("faq-1", "helpful", at=0, contact=11, agent="7")
    with pytest.raises(ValueError, match="now"):
        ccengine.apply_retention(routing, knowledge=kb, now=now)
    assert kb.anonymize_feedback(given_before=1) == 1
