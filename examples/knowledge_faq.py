"""A hotline FAQ (知识库) with ccengine.KnowledgeBase: loads the 168 policy and
how-to articles of tests/data/knowledge/articles.jsonl (tax, medical insurance,
hospitals, police, city management, IT... in Chinese and English) with the
synonym table next to it, and prints the three best articles for a few callers'
questions: Chinese, English, mixed ("VAT发票怎么开") and two with typos.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/knowledge_faq.py
    /usr/bin/python3 examples/knowledge_faq.py path/to/articles.jsonl [kb.db]

The first argument is another FAQ file (synonyms.txt is read from its folder
when there is one); the second keeps the base in an SQLite file instead of
memory. tests/python/test_knowledge.py runs `answer` on the same questions.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import ccengine

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                    "knowledge")
ARTICLES = os.path.join(DATA, "articles.jsonl")

QUESTIONS = (
    "医保异地备案怎么办",              # Chinese: the 异地备案 / 异地就医备案 synonyms
    "How do I reset my password?",     # English: reset / password stemmed
    "VAT发票怎么开",                   # mixed: VAT = 增值税
    "个税汇算清交",                    # typo: 清交 for 清缴
    "isue vat special invoce",         # English typos
)


def open_faq(articles: str = ARTICLES, path: Optional[str] = None) -> ccengine.KnowledgeBase:
    """A base (in memory, or the SQLite file `path`) loaded with `articles`,
    with the synonyms.txt of the same folder when there is one."""
    synonyms = pathlib.Path(articles).resolve().parent / "synonyms.txt"
    kb = ccengine.KnowledgeBase(path, synonyms=synonyms if synonyms.exists() else None,
                                mark=("[", "]"), snippet_chars=60)
    kb.load_jsonl(articles)
    return kb


def answer(kb: ccengine.KnowledgeBase, questions: Sequence[str],
           k: int = 3) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """The best `k` articles for each question, valid today."""
    now = time.time()
    return [(q, kb.search(q, k=k, valid_at=now)) for q in questions]


def report_lines(answers: Sequence[Tuple[str, List[Dict[str, Any]]]]) -> List[str]:
    lines: List[str] = []
    for question, hits in answers:
        lines.append("Q: " + question)
        if not hits:
            lines.append("   (no article)")
        for rank, h in enumerate(hits, 1):
            lines.append("   {}. {:6.2f}  {:4.0%}  {:<11} {}".format(
                rank, h["score"], h["coverage"], h["id"], h["title"]))
            lines.append("      " + h["snippet"].replace("\n", " "))
        lines.append("")
    return lines


def main(argv: Sequence[str]) -> int:
    articles = argv[1] if len(argv) > 1 else ARTICLES
    path = argv[2] if len(argv) > 2 else None
    start = time.perf_counter()
    kb = open_faq(articles, path)
    print("{} articles loaded in {:.2f} s ({})\n".format(
        len(kb), time.perf_counter() - start, kb.path or "in memory"))
    print("\n".join(report_lines(answer(kb, QUESTIONS))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
