"""ccengine.KnowledgeBase from Python, in memory and on an SQLite file: articles
in and out, Chinese and English search, synonyms, filters, bad input that
raises and changes nothing, the FAQ file of tests/data/knowledge, the file
outliving the object, and examples/knowledge_faq.py."""

import datetime
import os
import pathlib
import sys
import threading

import pytest

import ccengine

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
DATA = REPO / "tests" / "data" / "knowledge"
ARTICLES = DATA / "articles.jsonl"
SYNONYMS = DATA / "synonyms.txt"
UTC = datetime.timezone.utc
T_2025 = datetime.datetime(2025, 6, 1, tzinfo=UTC).timestamp()


@pytest.fixture(params=["memory", "sqlite"])
def open_kb(request, tmp_path):
    """open_kb(**options): a base of the variant; for SQLite, every call opens
    the same file (tmp_path / "kb.db")."""

    def make(**options):
        path = None if request.param == "memory" else tmp_path / "kb.db"
        return ccengine.KnowledgeBase(path, **options)

    return make


@pytest.fixture
def kb(open_kb):
    return open_kb()


@pytest.fixture
def faq(open_kb):
    """The evaluation set's 168 articles with its synonyms."""
    base = open_kb(synonyms=SYNONYMS)
    assert base.load_jsonl(ARTICLES) == 168
    return base


def ids(hits):
    return [h["id"] for h in hits]


def test_add_get_len_contains_delete(kb):
    assert len(kb) == 0 and "a1" not in kb
    assert kb.add("a1", "噪音扰民投诉", "夜间施工噪音请拨打12345。", tags=["城管", "噪音"],
                  departments="城管") == 1
    assert kb.add("a1", "噪音扰民投诉", "夜间施工噪音请拨打12345。", tags=("城管",)) == 2
    kb.add("a2", "Reset your password", "Open the portal.", "en", skills=["it"],
           queues=["helpdesk"], valid_from=datetime.datetime(2024, 1, 1, 8, tzinfo=UTC),
           valid_to=1.8e9)
    assert len(kb) == 2 and "a1" in kb and "a2" in kb
    assert 5 not in kb and "\ud800" not in kb
    a1 = kb.get("a1")
    assert a1 == {"id": "a1", "title": "噪音扰民投诉", "body": "夜间施工噪音请拨打12345。",
                  "language": "zh", "tags": ["城管"], "skills": [], "queues": [],
                  "departments": [], "valid_from": None, "valid_to": None, "version": 2}
    a2 = kb.get("a2")
    assert a2["valid_from"] == datetime.datetime(2024, 1, 1, 8, tzinfo=UTC).timestamp()
    assert a2["valid_to"] == 1.8e9
    assert (a2["language"], a2["skills"], a2["queues"]) == ("en", ["it"], ["helpdesk"])
    kb.delete("a1")
    assert "a1" not in kb and len(kb) == 1
    with pytest.raises(KeyError, match="a1"):
        kb.get("a1")
    with pytest.raises(KeyError) as err:
        kb.delete("a1")
    assert err.value.code == "NOT_FOUND"


def test_times_are_datetimes_or_seconds(kb):
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    kb.add("aware", "政策", valid_from=datetime.datetime(2025, 1, 1, 8, tzinfo=shanghai))
    kb.add("naive", "政策", valid_from=datetime.datetime(2025, 1, 1))  # taken as UTC
    midnight = datetime.datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    assert kb.get("aware")["valid_from"] == kb.get("naive")["valid_from"] == midnight
    assert ids(kb.search("政策", valid_at=midnight - 1)) == []
    assert sorted(ids(kb.search("政策", valid_at=datetime.datetime(2025, 1, 1)))) == [
        "aware", "naive"]
    with pytest.raises(ValueError, match="valid_from: a date has no time of day"):
        kb.add("d", "政策", valid_from=datetime.date(2025, 1, 1))
    with pytest.raises(ValueError, match="valid_to is not after valid_from"):
        kb.add("d", "政策", valid_from=2e9, valid_to=1e9)
    with pytest.raises(ValueError, match="valid_at"):
        kb.search("政策", valid_at="2025-01-01")


def test_conditional_add(kb):
    assert kb.add("a", "标题") == 1
    assert kb.add("a", "标题二", version=1) == 2
    with pytest.raises(ccengine.CcengineError) as err:
        kb.add("a", "标题三", version=1)
    assert err.value.code == "ABORTED"
    assert kb.get("a")["title"] == "标题二"


def test_chinese_words_and_single_characters(kb):
    kb.add("noise", "噪音扰民投诉怎么办", "楼下烧烤店每晚噪音扰民，可以拨打12345热线投诉。")
    kb.add("other", "垃圾清运", "小区垃圾三天没人清运。")
    hits = kb.search("噪音")
    assert ids(hits) == ["noise"]
    hit = hits[0]
    assert set(hit) == {"id", "score", "coverage", "version", "title", "language", "tags",
                        "snippet"}
    assert hit["score"] > 0 and hit["coverage"] == 1.0 and hit["version"] == 1
    assert "<mark>噪音</mark>" in hit["snippet"]
    assert ids(kb.search("噪")) == ["noise"]
    assert ids(kb.search("烧烤店噪音怎么投诉"))[0] == "noise"


def test_english_is_stemmed(kb):
    kb.add("pw", "Resetting your password", "Passwords expire every 90 days.", "en")
    kb.add("vpn", "Connecting to the VPN", "Install the client first.", "en")
    assert ids(kb.search("reset passwords")) == ["pw"]
    assert ids(kb.search("connected")) == ["vpn"]


def test_synonyms_from_text_or_file(open_kb):
    def base(**options):
        b = open_kb(**options)
        b.add("vat", "增值税专用发票怎么开", "登录电子税务局开具。")
        return b

    assert base().search("VAT") == []
    assert ids(base(synonyms="VAT, 增值税  # tax\n").search("VAT")) == ["vat"]
    assert ids(base(synonyms=SYNONYMS).search("VAT专票")) == ["vat"]
    with pytest.raises(ValueError, match="synonyms line 2"):
        open_kb(synonyms="VAT, 增值税\nlonely\n")
    with pytest.raises(FileNotFoundError):
        open_kb(synonyms=pathlib.Path("/nonexistent/synonyms.txt"))
    with pytest.raises(ValueError, match="synonyms: expected"):
        open_kb(synonyms=42)


def test_filters(kb):
    kb.add("zh", "社保卡补办", "社保卡丢失后补办。", tags=["社保", "人社"], departments=["人社"],
           skills=["social"])
    kb.add("en", "Replacing a social security card 社保卡", "Apply online.", "en",
           tags=["社保"])
    kb.add("old", "社保卡补办（旧流程）", "已停用。", tags=["人社"],
           valid_from=datetime.datetime(2019, 1, 1), valid_to=datetime.datetime(2023, 1, 1))
    assert sorted(ids(kb.search("社保卡"))) == ["en", "old", "zh"]
    assert ids(kb.search("社保卡", language="en")) == ["en"]
    assert sorted(ids(kb.search("社保卡", tags="社保"))) == ["en", "zh"]
    assert sorted(ids(kb.search("社保卡", tags=["人社", "nope"]))) == ["old", "zh"]
    assert sorted(ids(kb.search("社保卡", tags=[]))) == ["en", "old", "zh"]
    assert sorted(ids(kb.search("社保卡", valid_at=T_2025))) == ["en", "zh"]
    assert sorted(ids(kb.search("社保卡", valid_at=datetime.datetime(2020, 1, 1)))) == [
        "en", "old", "zh"]
    # An article listing no departments or skills serves every one.
    assert sorted(ids(kb.search("社保卡", department="税务"))) == ["en", "old"]
    assert sorted(ids(kb.search("社保卡", skills=["social"]))) == ["en", "old", "zh"]
    assert sorted(ids(kb.search("社保卡", skills="tax"))) == ["en", "old"]
    assert len(kb.search("社保卡", k=1)) == 1
    with pytest.raises(ValueError, match="language"):
        kb.search("社保卡", language="Chinese")


def test_bad_input_raises_and_changes_nothing(kb):
    kb.add("a", "噪音扰民", "噪音")
    assert kb.search("") == [] and kb.search("  ，。!? ") == []
    with pytest.raises(ValueError, match="limit"):
        kb.search("噪" * 342)  # 1026 bytes
    assert isinstance(kb.search("噪" * 341), list)  # 1023 bytes: within the limit
    with pytest.raises((UnicodeEncodeError, ValueError)):
        kb.search("\ud800")
    with pytest.raises((UnicodeEncodeError, ValueError)):
        kb.add("b", "标题\ud800")
    with pytest.raises(ValueError, match="no title"):
        kb.add("b", "  \u3000 ")
    with pytest.raises(ValueError, match="no title"):
        kb.add("b", "")
    with pytest.raises(ValueError, match="article id"):
        kb.add("", "标题")
    with pytest.raises(ValueError, match="language"):
        kb.add("b", "标题", language="Chinese")
    with pytest.raises(ValueError, match="tags"):
        kb.add("b", "标题", tags=["x"] * 65)
    with pytest.raises(ValueError, match=r"tags\[1\]: expected a string"):
        kb.add("b", "标题", tags=["x", 1])
    with pytest.raises(ValueError, match="title: expected a string"):
        kb.add("b", None)
    for k in (0, -1, 101):
        with pytest.raises(ValueError, match="k is"):
            kb.search("噪音", k=k)
    with pytest.raises(KeyError):
        kb.delete("nope")
    with pytest.raises(TypeError):
        kb.add("b", "标题", colour="red")
    with pytest.raises(TypeError):
        kb.search("噪音", 10, None, None, "skill")  # skills is keyword-only
    assert len(kb) == 1 and kb.get("a")["version"] == 1


def test_store_options(open_kb):
    base = open_kb(mark=("[", "]"), snippet_chars=16, title_weight=1.0)
    base.add("a", "标题", "这是一段很长的正文，" * 10 + "最后提到噪音扰民。")
    snippet = base.search("噪音")[0]["snippet"]
    assert "[噪音]" in snippet and snippet.startswith("…")
    for bad in ({"snippet_chars": 5}, {"title_weight": 0}, {"mark": ("<b>",)},
                {"mark": "<>"}, {"sync": "sometimes"}):
        with pytest.raises(ValueError):
            open_kb(**bad)


def test_the_faq_file(faq):
    assert len(faq) == 168
    hits = faq.search("医保异地备案怎么办", k=3)
    assert any(h["id"].startswith("kb-yb") for h in hits), hits
    assert ids(faq.search("how do I reset my password", language="en", k=1))[0].startswith(
        "kb-it")
    article = faq.get("kb-tax-015")  # valid 2022-04-01 .. 2022-12-31 (inclusive)
    assert article["departments"] == ["税务"]
    assert article["valid_from"] == datetime.datetime(2022, 4, 1, tzinfo=UTC).timestamp()
    assert article["valid_to"] == datetime.datetime(2023, 1, 1, tzinfo=UTC).timestamp()
    assert faq.get("kb-tax-001")["valid_to"] is None
    # kb-yb-013 is the retired procedure (valid to 2022-06-30).
    assert "kb-yb-013" not in ids(faq.search("异地就医备案", k=100, valid_at=T_2025))
    assert "kb-yb-013" in ids(faq.search("异地就医备案", k=100))


def test_load_jsonl_checks_every_line_first(kb, tmp_path):
    kb.add("keep", "保留的条目")
    good = '{"id": "n1", "title": "新条目", "body": "正文", "tags": ["x"]}'
    cases = {
        "not JSON": [good, "{oops"],
        "expected a JSON object": [good, "[1, 2]"],
        "unknown key 'titel'": [good, '{"id": "n2", "titel": "x"}'],
        "missing 'title'": [good, '{"id": "n2"}'],
        "has no title": [good, '{"id": "n2", "title": " "}'],
        "valid_to: expected a date": [good, '{"id": "n2", "title": "t", "valid_to": "2025/1/1"}'],
        "tags: expected a list": [good, '{"id": "n2", "title": "t", "tags": "x"}'],
        "repeats line 1": [good, good],
    }
    for message, lines in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match="bad.jsonl line 2: .*" + message) as err:
            kb.load_jsonl(path)
        assert err.value.code == "INVALID_ARGUMENT"
        assert len(kb) == 1 and "n1" not in kb, message
    path = tmp_path / "bad.jsonl"
    path.write_bytes(good.encode() + b"\n" + b'{"id": "n2", "title": "\xff"}\n')
    with pytest.raises(ValueError, match="line 2: invalid UTF-8"):
        kb.load_jsonl(str(path))
    # Blank lines, a BOM and CRLF are fine.
    path.write_bytes(b"\xef\xbb\xbf" + good.encode() + b"\r\n\r\n   \n")
    assert kb.load_jsonl(path) == 1 and len(kb) == 2
    with pytest.raises(FileNotFoundError):
        kb.load_jsonl(tmp_path / "missing.jsonl")


def test_the_sqlite_file_outlives_the_base(tmp_path):
    path = tmp_path / "kb.db"
    first = ccengine.KnowledgeBase(path, synonyms=SYNONYMS, sync="full")
    assert first.path == str(path)
    assert first.load_jsonl(ARTICLES) == 168
    before = first.search("医保异地备案怎么办", k=3)
    del first
    again = ccengine.KnowledgeBase(str(path), synonyms=SYNONYMS)
    assert len(again) == 168 and "kb-yb-001" in again
    assert ids(again.search("医保异地备案怎么办", k=3)) == ids(before)
    assert again.get("kb-tax-001")["version"] == 1
    assert "articles=168" in repr(again)
    assert ccengine.KnowledgeBase().path is None


def test_a_failed_call_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "kb.db"
    kb = ccengine.KnowledgeBase(path)
    kb.add("a", "噪音扰民", "夜间噪音", tags=["城管"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "b", "title": "新"}\n{"id": "c", "title": ""}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        kb.add("a", "")
    with pytest.raises(ccengine.CcengineError):
        kb.add("a", "新标题", version=7)
    with pytest.raises(ValueError):
        kb.load_jsonl(bad)
    with pytest.raises(KeyError):
        kb.delete("zzz")
    for base in (kb, ccengine.KnowledgeBase(path)):
        assert len(base) == 1 and "b" not in base
        assert base.get("a") == {
            "id": "a", "title": "噪音扰民", "body": "夜间噪音", "language": "zh",
            "tags": ["城管"], "skills": [], "queues": [], "departments": [],
            "valid_from": None, "valid_to": None, "version": 1}
        assert ids(base.search("噪音")) == ["a"]


def test_not_a_knowledge_file(tmp_path):
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    with pytest.raises(ccengine.CcengineError):
        ccengine.KnowledgeBase(path)
    tickets = tmp_path / "tickets.db"
    ccengine.TicketDesk(str(tickets), start_s=0)
    with pytest.raises(ccengine.CcengineError) as err:
        ccengine.KnowledgeBase(tickets)
    assert err.value.code == "FAILED_PRECONDITION"
    with pytest.raises(ValueError):
        ccengine.KnowledgeBase("")


def test_a_write_waiting_for_the_file_lock_does_not_hold_the_gil(tmp_path):
    """add() blocks on another connection's write lock (busy_timeout 5 s) with
    the GIL released: this thread keeps running meanwhile."""
    import sqlite3
    import time

    path = tmp_path / "kb.db"
    kb = ccengine.KnowledgeBase(path)
    kb.add("a", "噪音扰民")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    errors = []
    writer = threading.Thread(target=lambda: errors.extend(_call(kb.add, "b", "垃圾清运")))
    start = time.monotonic()
    writer.start()
    time.sleep(0.2)
    assert time.monotonic() - start < 1.0  # the GIL came back at once
    assert writer.is_alive()  # still waiting for the lock (so would any call on kb)
    other.execute("COMMIT")
    other.close()
    writer.join()
    assert errors == [] and "b" in kb


def _call(f, *args):
    try:
        f(*args)
        return []
    except Exception as e:  # reported by the caller
        return [e]


def test_searches_from_many_threads_agree(faq):
    queries = ["医保异地备案怎么办", "VAT发票怎么开", "reset password", "噪音扰民"] * 5
    expected = {q: ids(faq.search(q)) for q in set(queries)}
    results, errors = {}, []

    def work(i, q):
        try:
            results[i] = ids(faq.search(q))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i, q)) for i, q in enumerate(queries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(results[i] == expected[q] for i, q in enumerate(queries))


def test_the_faq_example():
    """examples/knowledge_faq.py answers its questions from the FAQ file."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    import knowledge_faq

    kb = knowledge_faq.open_faq(str(ARTICLES))
    answers = knowledge_faq.answer(kb, knowledge_faq.QUESTIONS)
    assert [q for q, _ in answers] == list(knowledge_faq.QUESTIONS)
    assert all(len(hits) == 3 for _, hits in answers)
    top = {q: hits[0]["id"] for q, hits in answers}
    assert top["VAT发票怎么开"].startswith("kb-tax")
    assert any("kb-yb" in line for line in knowledge_faq.report_lines(answers))


def test_answer_hands_over_unless_confident(kb):
    kb.add("passport", "护照办理流程",
           "首次申请护照需要本人到出入境接待大厅，携带身份证，现场拍照采集指纹，十个工作日取证。")
    kb.add("outpatient", "医保门诊报销", "门诊费用在定点医院直接结算，个人支付部分按比例报销。")
    kb.add("inpatient", "医保住院报销", "住院费用在定点医院直接结算，个人支付部分按比例报销。")
    for i in range(20):
        kb.add(f"filler{i}", f"其他事项{i}", f"这是一条与问题无关的说明，编号{i}。")
    got = kb.answer("第一次办护照要带什么，需要本人去出入境大厅吗")
    assert got["answer"] is not None and got["answer"]["id"] == "passport"
    assert got["reason"] == ""
    close = kb.answer("医保报销怎么结算")
    assert close["answer"] is None and "too close" in close["reason"]
    assert kb.answer("   ") == {"answer": None, "reason": "empty question"}
    strict = kb.answer("第一次办护照要带什么，需要本人去出入境大厅吗", min_coverage=1.0)
    assert strict["answer"] is None and "coverage" in strict["reason"]
    with pytest.raises(ValueError, match="limit"):
        kb.answer("a" * 2000)


def test_the_hotline_days_questions_are_all_accounted_for(tmp_path):
    """examples/hotline_knowledge.py (the main job's knowledge part) on a few
    hundred questions: every question is self-served or goes to an agent, and
    most self-service answers are the labelled article."""
    sys.path.insert(0, str(REPO / "examples"))
    try:
        import hotline_knowledge
    finally:
        sys.path.pop(0)
    summary = hotline_knowledge.run_knowledge(300, 7, str(tmp_path))
    c = summary["counts"]
    assert c["questions"] == 300
    assert c["self_served"] + c["to_agent"] == 300
    assert c["self_served"] > 0 and c["to_agent"] > 0
    assert c["self_served_right"] >= 0.8 * c["self_served"]
    assert c["assist_top3"] >= c["assist_top1"]
    assert (tmp_path / "knowledge.db").exists()
    assert "self-service" in "\n".join(hotline_knowledge.report_lines(summary))


def test_the_postgresql_store_from_python(pg_dsn):
    kb = ccengine.KnowledgeBase(pg_dsn, synonyms="医保, 医疗保险\n")
    assert kb.load_jsonl(ARTICLES) == 168
    hits = kb.search("医疗保险异地备案怎么办", k=3)
    assert hits and hits[0]["id"].startswith("kb-yb")
    assert "<mark>" in hits[0]["snippet"]
    memory = ccengine.KnowledgeBase(None, synonyms="医保, 医疗保险\n")
    memory.load_jsonl(ARTICLES)
    for question in ("个税汇算", "VAT发票怎么开", "How do I reset my password?"):
        ours = [(h["id"], round(h["score"], 9)) for h in kb.search(question, k=5)]
        theirs = [(h["id"], round(h["score"], 9)) for h in memory.search(question, k=5)]
        assert ours == theirs, question
    del kb
    reopened = ccengine.KnowledgeBase(pg_dsn)
    assert len(reopened) == 168
    with pytest.raises(ccengine.CcengineError) as err:
        ccengine.KnowledgeBase("postgresql:///ccengine?host=/nonexistent")
    assert err.value.code == "UNAVAILABLE"
