"""KnowledgeBase.load_jsonl: a knowledge base's articles from a JSON Lines file.

The compiled ``KnowledgeBase`` takes ``load_jsonl`` below as its own method
(the package's ``__init__`` attaches it); every line is checked before any
article is added.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any, Dict, List, Mapping, Optional, Union

from ._ccengine import KnowledgeBase, _validate_knowledge_article

_JSONL_KEYS = ("id", "title", "body", "language", "tags", "skills", "queues", "department",
               "departments", "valid_from", "valid_to")
_JSONL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _invalid(message: str) -> ValueError:
    """A ValueError as the compiled core raises it (with ``code``)."""
    error = ValueError(message)
    error.code = "INVALID_ARGUMENT"  # type: ignore[attr-defined]
    return error


def _jsonl_date(value: Any, key: str, where: str) -> Optional[datetime.datetime]:
    """A "YYYY-MM-DD" date as midnight UTC: the start of the day for
    valid_from, its end for valid_to (the last day valid); None for null."""
    if value is None:
        return None
    if not isinstance(value, str) or not _JSONL_DATE.match(value):
        raise _invalid('{}: {}: expected a date "YYYY-MM-DD" or null, got {!r}'.format(
            where, key, value))
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as e:
        raise _invalid("{}: {}: {}".format(where, key, e)) from None
    if key == "valid_to":
        if day == datetime.date.max:
            return None
        day += datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)


def _jsonl_labels(record: Mapping[str, Any], key: str, where: str) -> List[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid("{}: {}: expected a list of strings or null, got {}".format(
            where, key, type(value).__name__))
    return value


def _jsonl_article(record: Any, where: str) -> Dict[str, Any]:
    """The keyword arguments of ``KnowledgeBase.add`` for one line's object."""
    if not isinstance(record, dict):
        raise _invalid("{}: expected a JSON object, got {}".format(where, type(record).__name__))
    unknown = [k for k in record if k not in _JSONL_KEYS]
    if unknown:
        raise _invalid("{}: unknown key {!r} (known: {})".format(
            where, unknown[0], ", ".join(_JSONL_KEYS)))
    for key in ("id", "title"):
        if record.get(key) is None:
            raise _invalid("{}: missing {!r}".format(where, key))
    departments = _jsonl_labels(record, "departments", where)
    if record.get("department") is not None:
        if departments:
            raise _invalid("{}: give 'department' or 'departments', not both".format(where))
        departments = [record["department"]]
    article = {
        "id": record["id"],
        "title": record["title"],
        "tags": _jsonl_labels(record, "tags", where),
        "skills": _jsonl_labels(record, "skills", where),
        "queues": _jsonl_labels(record, "queues", where),
        "departments": departments,
        "valid_from": _jsonl_date(record.get("valid_from"), "valid_from", where),
        "valid_to": _jsonl_date(record.get("valid_to"), "valid_to", where),
    }
    for key in ("body", "language"):
        if record.get(key) is not None:
            article[key] = record[key]
    try:
        _validate_knowledge_article(**article)
    except ValueError as e:
        raise _invalid("{}: {}".format(where, e)) from None
    return article


def load_jsonl(self: KnowledgeBase, path: Union[str, "os.PathLike[str]"]) -> int:
    """Adds the articles of a JSON Lines file; returns how many.

    Each non-blank line is one object: ``{"id", "title", "body", "language",
    "tags": [...], "department": "税务" | null, "valid_from": "YYYY-MM-DD" |
    null, "valid_to": "YYYY-MM-DD" | null}`` (also ``"skills"``, ``"queues"``,
    ``"departments"`` lists); ``id`` and ``title`` are required, ``language``
    defaults to "zh". Dates are UTC days: an article is valid from the start
    of ``valid_from`` to the end of ``valid_to`` (the last day it is valid).
    An id already in the base is replaced (its version goes up).

    Every line is read and checked first (JSON, keys, types, and everything
    ``add`` checks); only then are the articles added, in file order. So a bad
    file raises ValueError naming its first bad line ("articles.jsonl line 7:
    article kb-x: has no title") and adds nothing; a store error while adding
    (a full disk) leaves the articles before it added.

    Raises:
        ValueError: a bad line (invalid UTF-8, not JSON, an unknown key, a
            bad field) or an id that repeats an earlier line.
        OSError: the file cannot be read.
    """
    name = os.fsdecode(path)
    with open(path, "rb") as f:
        data = f.read()
    articles: List[Dict[str, Any]] = []
    first_line: Dict[Any, int] = {}
    for number, raw in enumerate(data.split(b"\n"), 1):
        where = "{} line {}".format(name, number)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _invalid("{}: invalid UTF-8 at byte {}".format(where, e.start)) from None
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise _invalid("{}: not JSON: {} (column {})".format(where, e.msg, e.colno)) from None
        article = _jsonl_article(record, where)
        if article["id"] in first_line:
            raise _invalid("{}: id {!r} repeats line {}".format(
                where, article["id"], first_line[article["id"]]))
        first_line[article["id"]] = number
        articles.append(article)
    for article in articles:
        self.add(**article)
    return len(articles)
