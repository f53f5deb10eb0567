"""The work orders (工单) of the hotline day: the complaint calls the simulation
answered become tickets, filed with a ccengine.TicketDesk on an SQLite file and
routed through a second engine to the back-office departments that handle
them (城管 city management, 交通 traffic, 住建 housing and construction, 公安
police).

Per half hour, a share of the answered complaint calls turns into tickets at
random moments of the interval. A ticket's problem is drawn per category from
a few phrasings, its place from a skewed pool of streets and buildings, and some
callers ring again about the same problem: the desk links those to the open
ticket instead of dispatching them twice. Each department's officers sign for
tickets as the engine offers them (two at a time), work on each for a
lognormal time, sometimes pend it while another office answers, and resolve it;
deadlines run on the clock around the day, with a warning at 80% and an
escalation (督办) on breach.

Used by examples/hotline_day.py; run alone for a quick look:
    /usr/bin/python3 examples/hotline_tickets.py
"""

from __future__ import annotations

import heapq
import math
import os
import random
import tempfile
from typing import Dict, List, Sequence

import ccengine

# category: (department, first response s, resolution s, phrasings)
CATEGORIES = {
    "noise": ("城管", 3600, 8 * 3600, [
        "楼下烧烤店每晚噪音扰民，凌晨还在营业", "夜间施工噪音很大，影响休息",
        "广场舞音响声音太大，投诉多次无果"]),
    "garbage": ("城管", 3600, 12 * 3600, [
        "垃圾桶满了三天没人清运，气味很大", "小区门口垃圾堆放，影响出行"]),
    "illegal_parking": ("交通", 1800, 4 * 3600, [
        "车辆长期占用消防通道", "人行道上停满了车，行人只能走机动车道"]),
    "traffic_signal": ("交通", 1800, 6 * 3600, [
        "路口红绿灯坏了，车辆乱成一团", "信号灯配时太短，老人过不了马路"]),
    "road_damage": ("住建", 3600, 24 * 3600, [
        "道路中间有个大坑，车辆经过很危险", "人行道地砖松动，下雨溅一身水"]),
    "property": ("住建", 7200, 48 * 3600, [
        "电梯经常故障，物业不修", "楼顶漏水，物业推诿不处理"]),
    "public_safety": ("公安", 900, 2 * 3600, [
        "有人在小区里乱扔烟头，楼道堆满杂物存在火灾隐患", "深夜有人聚集斗殴"]),
}
SHARES = {"noise": 0.25, "garbage": 0.15, "illegal_parking": 0.15, "traffic_signal": 0.08,
          "road_damage": 0.15, "property": 0.15, "public_safety": 0.07}
STREETS = ["深南大道", "华强北路", "福田路", "民治大道", "宝安大道", "南山大道", "梅林路",
           "布吉路", "龙岗大道", "沙河西路", "滨海大道", "新洲路"]
OFFICERS = {"城管": 64, "交通": 34, "住建": 48, "公安": 14}
TICKET_SHARE = 0.6     # answered complaint calls that become a work order
REPEAT_SHARE = 0.08    # tickets that are a caller ringing again about an open one
WORK_MEAN_S, WORK_SD_S = 2400.0, 1500.0
PEND_SHARE = 0.1       # tickets pended while another office answers
PEND_S = 3 * 3600.0
FOLLOW_UP_S = 2 * 3600.0  # the follow-up call after the answer


def _lognormal(rng: random.Random, mean: float, sd: float) -> float:
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def run_tickets(answered_complaints: Sequence[float], interval_s: float, seed: int,
                out_dir: str) -> Dict[str, object]:
    """Files and works the day's tickets; returns the desk's counters per
    department and a few totals."""
    rng = random.Random(seed)
    engine = ccengine.Engine()
    agent_ids: Dict[int, str] = {}
    next_agent = 1
    for dept, n in OFFICERS.items():
        engine.add_queue(name=dept)
        for _ in range(n):
            engine.add_agent(next_agent, capacity={"ticket": 2})
            engine.login(next_agent)
            agent_ids[next_agent] = dept
            next_agent += 1
    path = os.path.join(out_dir, "tickets.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    # "normal": every commit survives a crash of this process (not power loss).
    desk = ccengine.TicketDesk(path, engine=engine, sync="normal")
    for name, (dept, first_s, resolution_s, _) in CATEGORIES.items():
        desk.add_category(name, dept, queue=dept, first_response_s=first_s,
                          resolution_s=resolution_s, dedupe_window_s=3 * 86400)

    # The day's ticket arrivals, in time order.
    events: List[tuple] = []  # (time, order, kind, payload)
    order = 0
    names, weights = zip(*SHARES.items())
    for i, answered in enumerate(answered_complaints):
        for _ in range(int(round(answered * TICKET_SHARE))):
            t = i * interval_s + rng.random() * interval_s
            heapq.heappush(events, (t, order, "create", None))
            order += 1
    open_calls: List[dict] = []  # (category, text, address, customer) of filed tickets
    created = 0
    while events:
        t, _, kind, payload = heapq.heappop(events)
        engine.poll(t)
        for ev in engine.drain_events():
            if ev["type"] == "offered":
                engine.accept_offer(ev["agent"], ev["contact"])
        engine.poll(t)
        desk.tick()
        # A ticket an officer just signed for is worked from now on.
        for ev in desk.drain_events():
            if ev["type"] == "state_changed" and ev["to"] == "assigned":
                heapq.heappush(events, (t, order, "work", ev["ticket"]))
                order += 1
        if kind == "create":
            if open_calls and rng.random() < REPEAT_SHARE:
                again = rng.choice(open_calls)  # the same caller about the same problem
                made = desk.create(again["category"], "又打来了：" + again["text"] + "，还是没人处理",
                                   customer_id=again["customer"], address=again["address"])
            else:
                category = rng.choices(names, weights)[0]
                text = rng.choice(CATEGORIES[category][3])
                street = STREETS[min(int(rng.paretovariate(1.2)) - 1, len(STREETS) - 1)]
                address = f"{street}{rng.randint(1, 400)}号{rng.randint(1, 12)}栋"
                customer = f"c{rng.randint(1, 10**7)}"
                made = desk.create(category, text, customer_id=customer, address=address)
                open_calls.append({"category": category, "text": text, "address": address,
                                   "customer": customer})
            created += 1
        elif kind == "work":
            # Signed for: the officer works on it, perhaps after a pend.
            tid = payload
            ticket = desk.get(tid)
            if ticket["state"] == "assigned":
                desk.start(tid, ticket["assignee"])
                if ticket["reopen_count"] == 0 and rng.random() < PEND_SHARE:
                    desk.pend(tid, ticket["assignee"], "等待其他部门回复")
                    heapq.heappush(events, (t + PEND_S, order, "resume", tid))
                else:
                    work = _lognormal(rng, WORK_MEAN_S, WORK_SD_S)
                    heapq.heappush(events, (t + work, order, "resolve", tid))
                order += 1
        elif kind == "resume":
            desk.resume(payload, "desk")  # back to its officer first
        elif kind == "resolve":
            ticket = desk.get(payload)
            if ticket["state"] == "in_progress":
                desk.resolve(payload, ticket["assignee"], "已处理并答复市民")
                heapq.heappush(events, (t + FOLLOW_UP_S, order, "close", payload))
                order += 1
        elif kind == "close":  # the follow-up call (回访) confirms
            if desk.get(payload)["state"] == "resolved":
                desk.close(payload, "回访员", "市民确认已解决")
    end = max(len(answered_complaints) * interval_s, engine.now)
    engine.poll(end)
    desk.tick()
    counters = desk.counters()
    open_left = len(desk.query(states=["new", "queued", "assigned", "in_progress", "pending",
                                       "returned"], limit=100000))
    return {"counters": counters, "created": created, "open_at_end": open_left,
            "db": os.path.abspath(path), "open_in_index": desk.open_tickets,
            "index_bytes": desk.index_bytes}


def report_lines(summary: Dict[str, object]) -> List[str]:
    lines = ["Work orders (工单) from the answered complaint calls, per department:",
             " department  created  duplicates  resolved  within SLA  warnings  escalated  returned"]
    counters = summary["counters"]
    totals = [0] * 7
    for dept in OFFICERS:
        c = counters.get(dept, {})
        row = [c.get(k, 0) for k in ("created", "duplicates", "resolved", "resolved_within_sla",
                                     "warnings", "escalations", "returned")]
        totals = [a + b for a, b in zip(totals, row)]
        lines.append(f" {dept:8s} {row[0]:8d} {row[1]:11d} {row[2]:9d} {row[3]:11d} "
                     f"{row[4]:9d} {row[5]:10d} {row[6]:9d}")
    lines.append(f" {'all':8s}   {totals[0]:8d} {totals[1]:11d} {totals[2]:9d} {totals[3]:11d} "
                 f"{totals[4]:9d} {totals[5]:10d} {totals[6]:9d}")
    lines.append(f" not yet answered at the end of the day: {summary['open_at_end']}; "
                 f"tickets kept in {summary['db']}")
    return lines


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        s = run_tickets([40.0] * 48, 1800.0, 7, d)
        print("\n".join(report_lines(s)))
