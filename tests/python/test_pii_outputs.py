"""Personal data does not leave through Python unmasked: a hotline's calls
and tickets carrying seeded mobile and landline numbers, identity cards,
bank cards, e-mail addresses, names and addresses run through the engine,
the ticket desk and the knowledge base, and every string handed back —
contacts, events, errors, tickets, their history and events, search
results, a simulated day's report — is scanned: no detector finds anything,
and no seeded value appears. Unmasked reads need pii.unmask and reach the
decision sink; a refused one hands nothing over."""

import datetime
import pathlib
import random
import sys

import pytest

import ccengine

REPO = pathlib.Path(__file__).resolve().parents[2]
HOTLINE = REPO / "examples" / "routing" / "hotline.json"
sys.path.insert(0, str(REPO / "examples"))
import hotline_day  # noqa: E402
import knowledge_faq  # noqa: E402

# Monday 7 December 2026, 10:00 in Beijing: every queue of the file is open.
MONDAY_10AM = datetime.datetime(2026, 12, 7, 10, tzinfo=datetime.timezone(
    datetime.timedelta(hours=8))).timestamp()
NAMES = ["张三丰", "李小龙", "王晓明", "欧阳娜娜", "Chen Jing"]
STREETS = ["建国路", "朝阳北路", "中关村大街"]


def check_digit(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def luhn_complete(partial):
    total = 0
    for i, d in enumerate(reversed(partial)):
        n = int(d)
        if i % 2 == 0:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return partial + str((10 - total % 10) % 10)


class Seeds:
    """Personal data of every kind the detectors know, each value kept so
    that the scan can look for it verbatim."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.values = set()

    def keep(self, value):
        self.values.add(value)
        return value

    def mobile(self):
        return self.keep(f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}")

    def landline(self):
        return self.keep(f"010-{self.rng.randint(2, 9)}{self.rng.randrange(10**7):07d}")

    def resident_id(self):
        first = (f"110105{self.rng.randint(1950, 2005)}{self.rng.randint(1, 12):02d}"
                 f"{self.rng.randint(1, 28):02d}{self.rng.randrange(1000):03d}")
        return self.keep(first + check_digit(first))

    def bank_card(self):
        return self.keep(luhn_complete(f"622202{self.rng.randrange(10**12):012d}"))

    def email(self):
        return self.keep(f"user{self.rng.randrange(10**6)}@example.com")

    def name(self):
        return self.keep(self.rng.choice(NAMES))

    def address(self):
        return self.keep(f"{self.rng.choice(STREETS)}{self.rng.randint(1, 400)}号")

    def note(self):
        kind = self.rng.randrange(5)
        if kind == 0:
            return f"请回电 {self.mobile()}，白天都在"
        if kind == 1:
            return f"身份证号{self.resident_id()}，办理社保"
        if kind == 2:
            return f"退款到卡号 {self.bank_card()}"
        if kind == 3:
            return f"材料发到 {self.email()} 谢谢"
        return f"单位电话{self.landline()}转人工"


def strings(value):
    """Every string in a returned value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)


class Scanner:
    def __init__(self, seeds):
        self.seeds = seeds
        self.outputs = 0
        self.strings = 0

    def scan(self, where, value):
        self.outputs += 1
        for s in strings(value):
            self.strings += 1
            found = ccengine.find_pii(s)
            assert found == [], f"{where}: unmasked {found} in {s!r}"
            for seeded in self.seeds.values:
                # A name masked whole keeps its first character: only the
                # whole value is a leak.
                assert seeded not in s, f"{where}: {seeded!r} in {s!r}"
        return value


@pytest.fixture
def center():
    routing = ccengine.RoutingFile.load(str(HOTLINE))
    engine = ccengine.Engine.from_config(routing, start_s=MONDAY_10AM)
    access = ccengine.AccessControl(routing)
    decisions = []
    access.set_decision_sink(decisions.append)
    system = access.add_actor("sip-bridge", roles=["system"])
    inspector = access.add_actor("qa", tenant="12345", roles=["quality_inspector"])
    agent = access.add_actor("li.lei", tenant="12345", agent=1, roles=["agent"])
    engine.attach_access(access)
    engine.actor = system
    return routing, engine, access, decisions, {"inspector": inspector, "agent": agent}


def test_a_day_of_calls_and_tickets_leaves_nothing_unmasked(center):
    routing, engine, access, decisions, actors = center
    seeds = Seeds(7)
    scan = Scanner(seeds)
    for agent in range(1, 9):
        profile = "english" if agent <= 2 else "policy"
        engine.add_agent(agent, **routing.agent_profile(profile))
        engine.login(agent)
    queues = ["政策咨询", "English", "投诉举报"]
    live = []
    for contact in range(1, 121):
        engine.add_contact(
            contact, queue=queues[contact % 3], customer_id=seeds.mobile(),
            attributes={"customer.name": seeds.name(), "customer.address": seeds.address(),
                        "note": seeds.note(), "ivr.choice": "1"})
        live.append(contact)
        engine.poll(engine.now)
        for ev in scan.scan("drain_events", engine.drain_events()):
            if ev["type"] == "offered":
                engine.accept_offer(ev["agent"], ev["contact"])
        engine.advance_to(engine.now + 20)
        for c in list(live):
            try:
                got = scan.scan("get_contact", engine.get_contact(c))
            except KeyError:
                live.remove(c)
                continue
            if got["state"] == "serving" and contact % 4 == 0:
                engine.complete_contact(got["agent"], c)
                engine.end_wrap_up(got["agent"])
    # A refused command's error.
    engine.submit({"type": "transfer", "contact": 999999, "to": "English"})
    engine.poll(engine.now)
    failed = [ev for ev in scan.scan("drain_events", engine.drain_events())
              if ev["type"] == "command_failed"]
    assert failed and failed[0]["error"]
    for q in queues:
        scan.scan("queue_stats", engine.queue_stats(q))
    for agent in range(1, 9):
        scan.scan("get_agent", engine.get_agent(agent))

    desk = ccengine.TicketDesk(":memory:", engine=engine)
    desk.add_categories(routing)
    tickets = []
    for i in range(40):
        made = desk.create("noise", f"楼下烧烤店噪音扰民，{seeds.note()}",
                           customer_id=seeds.mobile(), address=seeds.address(),
                           fields={"customer.name": seeds.name(), "remark": seeds.note()})
        tickets.append(scan.scan("create", made)["id"])
    for t in tickets[:10]:
        scan.scan("return", desk.return_to_dispatcher(
            t, "dispatcher", reason=f"地址不全，请回电 {seeds.mobile()}"))
        scan.scan("dispatch", desk.dispatch(t, "dispatcher"))
        scan.scan("history", desk.history(t))
        scan.scan("get", desk.get(t))
    scan.scan("query", desk.query())
    desk.tick()
    scan.scan("ticket events", desk.drain_events())

    kb = knowledge_faq.open_faq()
    for _ in range(20):
        question = f"我的社保卡怎么补办？{seeds.note()}"
        scan.scan("search", kb.search(question))
        scan.scan("answer", kb.answer(question))

    scenario, _ = hotline_day.build_scenario(seed=3, scale=0.02)
    scan.scan("simulate", ccengine.simulate(scenario, progress=False))

    assert scan.strings > 10000 and len(seeds.values) > 300
    # Masked reads are not decisions anyone answers for.
    assert [d for d in decisions if d["permission"] == "pii.unmask"] == []


def test_unmasked_reads_need_pii_unmask_and_are_recorded(center):
    routing, engine, access, decisions, actors = center
    engine.add_contact(1, queue="English", customer_id="13812345678",
                       attributes={"customer.name": "张三丰", "note": "回电 13812345678"})
    masked = engine.get_contact(1)
    assert masked["customer_id"] == "138****5678"
    assert masked["attributes"] == {"customer.name": "张**", "note": "回电 138****5678"}
    with pytest.raises(ccengine.CcengineError) as info:
        engine.get_contact(1, unmasked=True, actor=actors["agent"])
    assert info.value.code == "PERMISSION_DENIED" and "pii.unmask" in str(info.value)
    raw = engine.get_contact(1, unmasked=True, actor=actors["inspector"])
    assert raw["customer_id"] == "13812345678"
    assert raw["attributes"]["customer.name"] == "张三丰"
    unmask = [(d["actor"], d["allowed"], d["subject"]) for d in decisions
              if d["permission"] == "pii.unmask"]
    assert unmask == [("li.lei", False, "contact 1 in queue English"),
                      ("qa", True, "contact 1 in queue English")]

    desk = ccengine.TicketDesk(":memory:", engine=engine)
    desk.add_categories(routing)
    t = desk.create("noise", "噪音扰民，回电 13912345678", customer_id="13912345678",
                    address="建国路88号")
    assert (t["text"], t["customer_id"], t["address"]) == (
        "噪音扰民，回电 139****5678", "139****5678", "建**")
    with pytest.raises(ccengine.CcengineError, match="pii.unmask"):
        desk.get(t["id"], unmasked=True, actor="li.lei")
    with pytest.raises(ccengine.CcengineError) as info:
        desk.get(t["id"], unmasked=True, actor="nobody")
    assert info.value.code == "UNAUTHENTICATED"
    assert desk.get(t["id"], unmasked=True, actor="qa")["address"] == "建国路88号"
    assert [d["subject"] for d in decisions if d["permission"] == "pii.unmask"][-2:] == [
        f"ticket {t['id']}", f"ticket {t['id']}"]


def test_without_an_access_control_nothing_is_unmasked():
    # The routing file's personal fields still apply.
    engine = ccengine.Engine.from_config(str(HOTLINE), start_s=MONDAY_10AM)
    engine.add_contact(1, queue="English", attributes={"customer.name": "张三丰"})
    assert engine.get_contact(1)["attributes"] == {"customer.name": "张**"}
    engine = ccengine.Engine()
    engine.add_skill("s")
    engine.add_queue(name="q", skills={"s": 1})
    engine.add_contact(1, queue="q", customer_id="13812345678")
    assert engine.get_contact(1)["customer_id"] == "138****5678"
    with pytest.raises(ccengine.CcengineError, match="no access control is attached"):
        engine.get_contact(1, unmasked=True)
