"""The hotline day's knowledge base (知识库): the policy callers' questions
put to the self-service channel and to agent assist (examples/hotline_day.py).

The knowledge base is the evaluation set of tests/data/knowledge (168 policy,
tax, medical-insurance, city-management and IT articles with their synonym
table), kept in an SQLite file in the day's output folder. The day's policy
and web-chat contacts each bring one question, drawn from the set's labelled
questions (most) and from its questions no article answers: the IVR first
asks ``answer`` (self-service: the caller is answered only when the match is
confident), and every question that reaches an agent is searched for the
agent's screen (the top 3, as agent assist delivers them). The labels say
whether each answer and suggestion was the right article.
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Dict, List

import ccengine

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                    "knowledge")
# Share of the day's questions that no article answers.
UNANSWERABLE_SHARE = 0.15


def _lines(name: str) -> List[dict]:
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_knowledge(questions: int, seed: int, out_dir: str) -> Dict[str, object]:
    """Puts `questions` callers' questions to the knowledge base; returns the
    counts and the search latencies."""
    rng = random.Random(seed)
    path = os.path.join(out_dir, "knowledge.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    with open(os.path.join(DATA, "synonyms.txt"), encoding="utf-8") as f:
        kb = ccengine.KnowledgeBase(path, synonyms=f.read())
    kb.load_jsonl(os.path.join(DATA, "articles.jsonl"))
    labelled = _lines("queries.jsonl")
    unanswerable = _lines("unanswerable.jsonl")
    counts = {"questions": 0, "self_served": 0, "self_served_right": 0,
              "self_served_unanswerable": 0, "to_agent": 0, "assist_top1": 0,
              "assist_top3": 0, "to_agent_answerable": 0}
    latencies: List[float] = []
    for _ in range(questions):
        q = (rng.choice(unanswerable) if rng.random() < UNANSWERABLE_SHARE
             else rng.choice(labelled))
        target = q.get("article")
        counts["questions"] += 1
        got = kb.answer(q["query"])
        if got["answer"] is not None:
            counts["self_served"] += 1
            if target is None:
                counts["self_served_unanswerable"] += 1
            elif got["answer"]["id"] == target:
                counts["self_served_right"] += 1
            continue
        counts["to_agent"] += 1
        t0 = time.perf_counter()
        hits = kb.search(q["query"], k=3)
        latencies.append(time.perf_counter() - t0)
        if target is not None:
            counts["to_agent_answerable"] += 1
            ids = [h["id"] for h in hits]
            counts["assist_top1"] += int(bool(ids) and ids[0] == target)
            counts["assist_top3"] += int(target in ids)
    latencies.sort()
    pick = (lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
            if latencies else float("nan"))
    return {"counts": counts, "articles": len(kb), "search_p50_ms": pick(0.5),
            "search_p99_ms": pick(0.99)}


def report_lines(summary: Dict[str, object]) -> List[str]:
    c = summary["counts"]

    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:5.1f}%" if b else "  n/a"

    return [
        f"Knowledge base ({summary['articles']} articles, SQLite FTS5): "
        f"{c['questions']} policy questions",
        f" self-service answered {c['self_served']} ({pct(c['self_served'], c['questions'])}); "
        f"right article {pct(c['self_served_right'], c['self_served'])} of them, "
        f"{c['self_served_unanswerable']} answers to questions no article answers",
        f" to an agent {c['to_agent']}; agent assist's first suggestion right "
        f"{pct(c['assist_top1'], c['to_agent_answerable'])}, the right article in the top 3 "
        f"{pct(c['assist_top3'], c['to_agent_answerable'])} (of those with one)",
        f" search p50 {summary['search_p50_ms']:.2f} ms, p99 {summary['search_p99_ms']:.2f} ms",
    ]
