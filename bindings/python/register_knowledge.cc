// -----------------------------------------------------------------------------
// File: bindings/python/register_knowledge.cc
// -----------------------------------------------------------------------------
//
// ccengine.KnowledgeBase: the knowledge base (知识库) from Python, on one
// `knowledge::KnowledgeStore`: in memory (path None or ":memory:"), the
// PostgreSQL store (a "postgresql://" DSN) or the SQLite FTS5 store in a file
// (when the module was built with those adapters).
// Articles and hits come back as dicts; times are float seconds since the Unix
// epoch (None for an open end) and are accepted as datetimes too (a naive one
// is taken as UTC). `load_jsonl` is pure Python (ccengine/__init__.py); it
// checks every line with `_validate_knowledge_article` before adding any.
//
// Every store call runs without the GIL: the arguments are converted to C++
// values first, the call touches no Python object, and its status is raised
// (or its result converted) once the GIL is held again.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/answer.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/store.h"
#ifdef CCENGINE_PY_HAVE_POSTGRES
#include "ccengine/postgres/knowledge_store.h"
#endif
#include "ccengine/text/synonyms.h"
#include "common.h"
#include "fmt/format.h"

#ifdef CCENGINE_PY_HAVE_SQLITE
#include "ccengine/sqlite/knowledge_store.h"
#endif

namespace ccengine::python {
namespace {

using namespace pybind11::literals;
using knowledge::Article;
using knowledge::KnowledgeStore;
using knowledge::SearchHit;

// Runs `call` (a store call that touches no Python object) without the GIL and
// returns its status or result, to be raised with the GIL held again.
template <typename F>
auto WithoutGil(F&& call) {
  py::gil_scoped_release release;
  return call();
}

// The UTF-8 of a str. ValueError naming `field` for another type, or for a
// str that has no UTF-8 form (a lone surrogate such as "\ud800").
std::string Utf8(py::handle value, const std::string& field) {
  if (!PyUnicode_Check(value.ptr())) {
    RaiseInvalid(fmt::format("{}: expected a string, got {}", field, TypeName(value)));
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
  if (data == nullptr) {
    py::error_already_set error;  // the UnicodeEncodeError, cleared
    RaiseInvalid(fmt::format("{}: not valid Unicode text: {}", field,
                             py::str(error.value()).cast<std::string>()));
  }
  return std::string(data, static_cast<size_t>(size));
}

std::optional<std::string> OptionalUtf8(py::handle value, const std::string& field) {
  if (value.is_none()) return std::nullopt;
  return Utf8(value, field);
}

// Labels (tags, skills, queues, departments): one str is one label; otherwise
// any iterable of str. At most kMaxLabels + 1 are read, so the store's check
// reports "too many" without draining a long iterator.
std::vector<std::string> Labels(py::handle value, const std::string& field) {
  std::vector<std::string> out;
  if (value.is_none()) return out;
  if (PyUnicode_Check(value.ptr())) {
    out.push_back(Utf8(value, field));
    return out;
  }
  if (PyBytes_Check(value.ptr()) || !py::isinstance<py::iterable>(value)) {
    RaiseInvalid(fmt::format("{}: expected a string or an iterable of strings, got {}",
                             field, TypeName(value)));
  }
  for (py::handle item : py::reinterpret_borrow<py::iterable>(value)) {
    out.push_back(Utf8(item, Index(field, out.size())));
    if (out.size() > knowledge::kMaxLabels) break;
  }
  return out;
}

// A datetime (naive: UTC) or float seconds since the Unix epoch.
absl::Time ToKnowledgeTime(py::handle value, const std::string& field) {
  py::module_ datetime = py::module_::import("datetime");
  if (py::isinstance(value, datetime.attr("datetime"))) {
    py::object utc = datetime.attr("timezone").attr("utc");
    py::object t = py::reinterpret_borrow<py::object>(value);
    if (t.attr("utcoffset")().is_none()) t = t.attr("replace")("tzinfo"_a = utc);
    py::object since = t - datetime.attr("datetime")(1970, 1, 1, "tzinfo"_a = utc);
    py::object micros = py::reinterpret_steal<py::object>(PyNumber_FloorDivide(
        since.ptr(), datetime.attr("timedelta")("microseconds"_a = 1).ptr()));
    if (!micros) throw py::error_already_set();
    return absl::FromUnixMicros(ToInt(micros, field));
  }
  if (py::isinstance(value, datetime.attr("date"))) {
    RaiseInvalid(fmt::format(
        "{}: a date has no time of day; pass a datetime or seconds since the epoch",
        field));
  }
  return ToTime(ToDouble(value, field), field);
}

// Contact ids for a feedback erasure: an iterable of str or int (an engine
// contact id, spelt in decimal). At most kMaxErasedContacts + 1 are read, so
// the store's check reports "too many" without draining a long iterator.
std::vector<std::string> ContactIds(py::handle value, const std::string& field) {
  if (PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr()) ||
      !py::isinstance<py::iterable>(value)) {
    RaiseInvalid(
        fmt::format("{}: expected an iterable of contact ids (str or int), got {}", field,
                    TypeName(value)));
  }
  std::vector<std::string> out;
  for (py::handle item : py::reinterpret_borrow<py::iterable>(value)) {
    const std::string where = Index(field, out.size());
    out.push_back(PyLong_Check(item.ptr()) ? std::to_string(ToInt(item, where))
                                           : Utf8(item, where));
    if (out.size() > knowledge::kMaxErasedContacts) break;
  }
  return out;
}

knowledge::FeedbackKind ToFeedbackKind(py::handle value) {
  const std::string kind = Utf8(value, "kind");
  if (kind == "used") return knowledge::FeedbackKind::kUsed;
  if (kind == "helpful") return knowledge::FeedbackKind::kHelpful;
  if (kind == "not_helpful") return knowledge::FeedbackKind::kNotHelpful;
  RaiseInvalid(
      fmt::format("kind: '{}' is not one of 'used', 'helpful', 'not_helpful'", kind));
}

py::object TimeOrNone(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return py::none();
  return py::float_(SecondsSinceEpoch(t));
}

py::list StrList(const std::vector<std::string>& values) {
  py::list out;
  for (const std::string& v : values) out.append(py::str(v));
  return out;
}

// The article of `add`'s arguments; nothing is checked beyond the types (the
// store checks the rest: ValidateArticle).
Article ToArticle(py::handle id, py::handle title, py::handle body, py::handle language,
                  py::handle tags, py::handle skills, py::handle queues,
                  py::handle departments, py::handle valid_from, py::handle valid_to,
                  py::handle version) {
  Article a;
  a.id = Utf8(id, "id");
  a.title = Utf8(title, "title");
  a.body = Utf8(body, "body");
  a.language = Utf8(language, "language");
  a.tags = Labels(tags, "tags");
  a.skills = Labels(skills, "skills");
  a.queues = Labels(queues, "queues");
  a.departments = Labels(departments, "departments");
  if (!valid_from.is_none()) a.valid_from = ToKnowledgeTime(valid_from, "valid_from");
  if (!valid_to.is_none()) a.valid_to = ToKnowledgeTime(valid_to, "valid_to");
  a.version = ToInt(version, "version");
  return a;
}

py::dict ArticleToDict(const Article& a) {
  return py::dict("id"_a = a.id, "title"_a = a.title, "body"_a = a.body,
                  "language"_a = a.language, "tags"_a = StrList(a.tags),
                  "skills"_a = StrList(a.skills), "queues"_a = StrList(a.queues),
                  "departments"_a = StrList(a.departments),
                  "valid_from"_a = TimeOrNone(a.valid_from),
                  "valid_to"_a = TimeOrNone(a.valid_to), "version"_a = a.version);
}

py::dict HitToDict(const SearchHit& h) {
  return py::dict("id"_a = h.id, "score"_a = h.score, "coverage"_a = h.coverage,
                  "version"_a = h.version, "title"_a = h.title, "language"_a = h.language,
                  "tags"_a = StrList(h.tags), "snippet"_a = h.snippet);
}

// The synonym table of the `synonyms` argument: None, the table's text, or an
// os.PathLike naming a UTF-8 file of it (OSError when it cannot be read).
text::SynonymTable ToSynonyms(py::handle value) {
  if (value.is_none()) return text::SynonymTable();
  std::string source;
  std::string table_text;
  if (PyUnicode_Check(value.ptr())) {
    table_text = Utf8(value, "synonyms");
  } else if (py::isinstance(value, py::module_::import("os").attr("PathLike"))) {
    py::object path = py::module_::import("os").attr("fspath")(value);
    source = py::str(path).cast<std::string>();
    py::object data =
        py::module_::import("pathlib").attr("Path")(path).attr("read_bytes")();
    table_text = data.cast<std::string>();
  } else {
    RaiseInvalid(fmt::format(
        "synonyms: expected the table's text (str) or an os.PathLike to a file of it, "
        "got {}",
        TypeName(value)));
  }
  absl::StatusOr<text::SynonymTable> table =
      WithoutGil([&] { return text::SynonymTable::Parse(table_text); });
  if (!table.ok() && !source.empty()) {
    RaiseStatus(absl::Status(
        table.status().code(),
        fmt::format("{}: {}", source, std::string(table.status().message()))));
  }
  return Unwrap(std::move(table));
}

knowledge::KnowledgeStoreOptions ToStoreOptions(py::handle synonyms, double title_weight,
                                                double tags_weight, double body_weight,
                                                py::handle mark, int64_t snippet_chars) {
  knowledge::KnowledgeStoreOptions options;
  options.synonyms = ToSynonyms(synonyms);
  options.title_weight = title_weight;
  options.tags_weight = tags_weight;
  options.body_weight = body_weight;
  if (PyUnicode_Check(mark.ptr()) || !PySequence_Check(mark.ptr()) ||
      PySequence_Size(mark.ptr()) != 2) {
    if (PyErr_Occurred()) PyErr_Clear();
    RaiseInvalid(fmt::format(
        "mark: expected a pair of strings (opening, closing), got {}", TypeName(mark)));
  }
  py::sequence pair = py::reinterpret_borrow<py::sequence>(mark);
  options.mark_open = Utf8(pair[0], "mark[0]");
  options.mark_close = Utf8(pair[1], "mark[1]");
  if (snippet_chars < 0) {
    RaiseInvalid(fmt::format("snippet_chars is {}; it must be positive", snippet_chars));
  }
  options.snippet_chars = static_cast<size_t>(snippet_chars);
  return options;
}

class PyKnowledgeBase {
 public:
  PyKnowledgeBase(const py::object& path, const py::object& synonyms, double title_weight,
                  double tags_weight, double body_weight, const py::object& mark,
                  int64_t snippet_chars, const std::string& sync) {
    if (sync != "full" && sync != "normal" && sync != "off") {
      RaiseInvalid(fmt::format("sync: '{}' is not one of 'full', 'normal', 'off'", sync));
    }
    knowledge::KnowledgeStoreOptions options = ToStoreOptions(
        synonyms, title_weight, tags_weight, body_weight, mark, snippet_chars);
    std::string where = ":memory:";
    if (!path.is_none()) {
      // os.fsencode: str, bytes or os.PathLike, as the file system spells it.
      where = py::module_::import("os").attr("fsencode")(path).cast<std::string>();
    }
    if (where == ":memory:") {
      store_ = Unwrap(knowledge::NewMemoryKnowledgeStore(std::move(options)));
      return;
    }
    if (absl::StartsWith(where, "postgresql://") ||
        absl::StartsWith(where, "postgres://")) {
#ifdef CCENGINE_PY_HAVE_POSTGRES
      postgres::PostgresKnowledgeStoreOptions pg_options;
      pg_options.dsn = where;
      pg_options.store = std::move(options);
      store_ = Unwrap(
          WithoutGil([&] { return postgres::OpenPostgresKnowledgeStore(pg_options); }));
      return;
#else
      RaiseStatus(absl::UnimplementedError(
          "this ccengine module was built without the PostgreSQL knowledge store"));
#endif
    }
#ifdef CCENGINE_PY_HAVE_SQLITE
    sqlite::SqliteKnowledgeStoreOptions sqlite_options;
    sqlite_options.path = where;
    sqlite_options.store = std::move(options);
    sqlite_options.sync =
        sync == "full"     ? sqlite::SqliteKnowledgeStoreOptions::Sync::kFull
        : sync == "normal" ? sqlite::SqliteKnowledgeStoreOptions::Sync::kNormal
                           : sqlite::SqliteKnowledgeStoreOptions::Sync::kOff;
    store_ = Unwrap(
        WithoutGil([&] { return sqlite::OpenSqliteKnowledgeStore(sqlite_options); }));
    path_ = where;
#else
    RaiseStatus(absl::UnimplementedError(
        "this ccengine module was built without the SQLite knowledge store; "
        "pass path=None for a base in memory"));
#endif
  }

  KnowledgeStore& store() { return *store_; }
  // The file as os.fsdecode gives it back, or None.
  py::object PathObject() const {
    if (!path_.has_value()) return py::none();
    return py::module_::import("os").attr("fsdecode")(py::bytes(*path_));
  }

 private:
  std::unique_ptr<KnowledgeStore> store_;
  std::optional<std::string> path_;  // the SQLite file; none in memory
};

knowledge::SearchRequest ToRequest(py::handle query, py::handle k, py::handle language,
                                   py::handle tags, py::handle skills, py::handle queue,
                                   py::handle department, py::handle valid_at) {
  knowledge::SearchRequest r;
  r.query = Utf8(query, "query");
  const int64_t n = ToInt(k, "k");
  if (n < 0) {
    RaiseInvalid(fmt::format("k is {}; 1..{} allowed", n, knowledge::kMaxSearchResults));
  }
  r.k = static_cast<size_t>(n);
  r.filters.language = OptionalUtf8(language, "language");
  r.filters.tags = Labels(tags, "tags");
  r.filters.skills = Labels(skills, "skills");
  r.filters.queue = OptionalUtf8(queue, "queue");
  r.filters.department = OptionalUtf8(department, "department");
  if (!valid_at.is_none()) r.filters.valid_at = ToKnowledgeTime(valid_at, "valid_at");
  return r;
}

constexpr const char* kClassDoc = R"doc(The knowledge base (知识库): FAQ entries,
policy answers and how-tos, searched the way an agent or a self-service channel
asks (Chinese, English or mixed; BM25 over title, tags and body; synonyms).

KnowledgeBase(path=None, *, synonyms=None, title_weight=4.0, tags_weight=2.0,
body_weight=1.0, mark=("<mark>", "</mark>"), snippet_chars=80, sync="normal"):
path None or ":memory:" keeps the articles in memory; a "postgresql://" DSN
opens the PostgreSQL store (the server); a file path (str or
os.PathLike) opens or creates an SQLite FTS5 store there (WAL; `sync` "full"
survives power loss, "normal" a crash of the process, "off" nothing but a clean
exit). `synonyms` is the text of a synonym table (one group per line, terms
separated by "," or "="; "#" comments) or an os.PathLike to a UTF-8 file of
it. Hits show up to `snippet_chars` characters of the body with the matches
between the `mark` pair (the text is not HTML-escaped).

Times (valid_from, valid_to, valid_at) are datetimes (a naive one is taken as
UTC) or float seconds since the Unix epoch; `get` returns float seconds, None
for an open end. An article is valid at t when valid_from <= t < valid_to.

Errors: ValueError for a bad article or request (the message names the
field), KeyError for get/delete of an unknown id, CcengineError (a
RuntimeError) otherwise, e.g. ABORTED when a conditional add finds another
version. A failed call changes nothing.)doc";

}  // namespace

void RegisterKnowledge(py::module_& m) {
  py::class_<PyKnowledgeBase> cls(m, "KnowledgeBase", kClassDoc);
  cls.def(py::init<const py::object&, const py::object&, double, double, double,
                   const py::object&, int64_t, const std::string&>(),
          "path"_a = py::none(), py::kw_only(), "synonyms"_a = py::none(),
          "title_weight"_a = 4.0, "tags_weight"_a = 2.0, "body_weight"_a = 1.0,
          "mark"_a = py::make_tuple("<mark>", "</mark>"), "snippet_chars"_a = 80,
          "sync"_a = "normal");
  cls.def(
      "add",
      [](PyKnowledgeBase& kb, const py::object& id, const py::object& title,
         const py::object& body, const py::object& language, const py::object& tags,
         const py::object& skills, const py::object& queues,
         const py::object& departments, const py::object& valid_from,
         const py::object& valid_to, const py::object& version) {
        const Article a = ToArticle(id, title, body, language, tags, skills, queues,
                                    departments, valid_from, valid_to, version);
        return Unwrap(WithoutGil([&] { return kb.store().Upsert(a); }));
      },
      "id"_a, "title"_a, "body"_a = "", "language"_a = "zh", "tags"_a = py::tuple(),
      py::kw_only(), "skills"_a = py::tuple(), "queues"_a = py::tuple(),
      "departments"_a = py::tuple(), "valid_from"_a = py::none(),
      "valid_to"_a = py::none(), "version"_a = 0,
      R"doc(Adds the article, or replaces the one with this id; returns its new
version (1, then +1 on each replacement). version=0 writes unconditionally; a
positive version writes only if the stored one equals it (CcengineError ABORTED
otherwise). Tags are searched (between title and body in weight) and filter;
skills, queues and departments only filter (empty: every one). A str for a
label list is one label.)doc");
  cls.def(
      "delete",
      [](PyKnowledgeBase& kb, const py::object& id) {
        const std::string key = Utf8(id, "id");
        Check(WithoutGil([&] { return kb.store().Delete(key); }));
      },
      "id"_a, "Removes the article; KeyError if there is none.");
  cls.def(
      "get",
      [](PyKnowledgeBase& kb, const py::object& id) {
        const std::string key = Utf8(id, "id");
        return ArticleToDict(Unwrap(WithoutGil([&] { return kb.store().Get(key); })));
      },
      "id"_a,
      "The article as a dict (id, title, body, language, tags, skills, queues, "
      "departments, valid_from, valid_to, version); KeyError if there is none.");
  cls.def("__len__", [](PyKnowledgeBase& kb) {
    return Unwrap(WithoutGil([&] { return kb.store().Count(); }));
  });
  cls.def("__contains__", [](PyKnowledgeBase& kb, const py::object& id) {
    // Only a str with a UTF-8 form can be an id.
    if (!PyUnicode_Check(id.ptr())) return false;
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(id.ptr(), &size);
    if (data == nullptr) {
      PyErr_Clear();
      return false;
    }
    const std::string key(data, static_cast<size_t>(size));
    absl::StatusOr<Article> a = WithoutGil([&] { return kb.store().Get(key); });
    if (a.status().code() == absl::StatusCode::kNotFound) return false;
    Check(a.status());
    return true;
  });
  cls.def(
      "search",
      [](PyKnowledgeBase& kb, const py::object& query, const py::object& k,
         const py::object& language, const py::object& tags, const py::object& skills,
         const py::object& queue, const py::object& department,
         const py::object& valid_at) {
        const knowledge::SearchRequest request =
            ToRequest(query, k, language, tags, skills, queue, department, valid_at);
        std::vector<SearchHit> hits =
            Unwrap(WithoutGil([&] { return kb.store().Search(request); }));
        py::list out;
        for (const SearchHit& h : hits) out.append(HitToDict(h));
        return out;
      },
      "query"_a, "k"_a = 10, "language"_a = py::none(), "tags"_a = py::none(),
      py::kw_only(), "skills"_a = py::none(), "queue"_a = py::none(),
      "department"_a = py::none(), "valid_at"_a = py::none(),
      R"doc(The best `k` (1..100) articles for `query`, best first, as dicts: id,
score (BM25, higher is better), coverage (the share of the query's words the
article holds, 0..1), version, title, language, tags, snippet. An article
matches when it holds any of the query's terms (CJK text matches by character
pairs and single characters; English words are stemmed; synonyms expand the
query). Filters: language equal; tags (a str or several) at least one;
skills, queue, department served (an article listing none serves all);
valid_at a time the article is valid at. A query of white space or
punctuation is an empty result; more than 1024 bytes is a ValueError.)doc");
  cls.def(
      "answer",
      [](PyKnowledgeBase& kb, const py::object& question, const py::object& language,
         const py::object& tags, const py::object& valid_at, double min_coverage,
         double min_score, double min_lead) {
        const knowledge::SearchRequest request =
            ToRequest(question, py::int_(2), language, tags, py::none(), py::none(),
                      py::none(), valid_at);
        const knowledge::AnswerPolicy policy{
            .min_coverage = min_coverage, .min_score = min_score, .min_lead = min_lead};
        knowledge::AnswerResult result = Unwrap(WithoutGil([&] {
          return knowledge::Answer(kb.store(), request.query, request.filters, policy);
        }));
        py::dict out;
        out["answer"] = result.article.has_value()
                            ? py::object(HitToDict(*result.article))
                            : py::object(py::none());
        out["reason"] = result.reason;
        return out;
      },
      "question"_a, "language"_a = py::none(), "tags"_a = py::none(), py::kw_only(),
      "valid_at"_a = py::none(),
      "min_coverage"_a = knowledge::AnswerPolicy{}.min_coverage,
      "min_score"_a = knowledge::AnswerPolicy{}.min_score,
      "min_lead"_a = knowledge::AnswerPolicy{}.min_lead,
      R"doc(A self-service answer: {"answer": the best article as a search hit
dict, or None to hand the caller over to an agent, "reason": why not ("" when
answered)}. The best hit must cover at least `min_coverage` of the question's
places, score at least `min_score`, and lead the second hit by the factor
`min_lead`; the defaults are calibrated on the repository's evaluation set
for about 90% precision (docs/knowledge.md) and should be recalibrated for
another knowledge base. Errors as `search`.)doc");
  cls.def(
      "record_feedback",
      [](PyKnowledgeBase& kb, const py::object& article, const py::object& kind,
         const py::object& at, const py::object& contact, const py::object& agent) {
        knowledge::Feedback f;
        f.article_id = Utf8(article, "article");
        f.kind = ToFeedbackKind(kind);
        f.at = ToKnowledgeTime(at, "at");
        f.contact = PyLong_Check(contact.ptr())
                        ? std::to_string(ToInt(contact, "contact"))
                        : Utf8(contact, "contact");
        f.agent = Utf8(agent, "agent");
        Check(WithoutGil([&] { return kb.store().RecordFeedback(f); }));
      },
      "article"_a, "kind"_a, py::kw_only(), "at"_a, "contact"_a = "", "agent"_a = "",
      R"doc(Stores an agent's verdict on an article: kind 'used', 'helpful' or
'not_helpful', given at ``at`` (a datetime, naive meaning UTC, or seconds since
the epoch) on ``contact`` (an engine contact id or any str) by ``agent``.
KeyError for an unknown article; ValueError for a bad kind, time or label.)doc");
  cls.def(
      "feedback_tallies",
      [](PyKnowledgeBase& kb, const py::object& articles) {
        const std::vector<std::string> ids = Labels(articles, "articles");
        py::list out;
        for (const knowledge::FeedbackTally& t :
             Unwrap(WithoutGil([&] { return kb.store().Tallies(ids); }))) {
          out.append(py::dict("article"_a = t.article_id, "used"_a = t.used,
                              "helpful"_a = t.helpful, "not_helpful"_a = t.not_helpful));
        }
        return out;
      },
      "articles"_a,
      R"doc(The verdicts each article has received, in the order given: dicts with
article, used, helpful, not_helpful (zeros for an article without any).)doc");
  cls.def(
      "anonymize_feedback",
      [](PyKnowledgeBase& kb, const py::object& contacts,
         const py::object& given_before) {
        knowledge::FeedbackAnonymization request;
        if (contacts.is_none() == given_before.is_none()) {
          RaiseInvalid(
              "give exactly one of contacts (an erasure request) and "
              "given_before (retention)");
        }
        if (!contacts.is_none()) request.contacts = ContactIds(contacts, "contacts");
        if (!given_before.is_none()) {
          request.given_before = ToKnowledgeTime(given_before, "given_before");
        }
        return Unwrap(WithoutGil([&] { return kb.store().AnonymizeFeedback(request); }));
      },
      py::kw_only(), "contacts"_a = py::none(), "given_before"_a = py::none(),
      R"doc(Unlinks verdicts from the contact they were given on and the agent who
gave them, in one transaction, and returns how many: those on any of
``contacts`` (a customer's erasure request: engine contact ids or str, at most
10,000) or those given before ``given_before`` (retention: a datetime or
seconds since the epoch). The verdicts themselves stay, so the tallies and the
ranking do not change. Exactly one of the two; ValueError otherwise.)doc");
  cls.def_property_readonly("path", &PyKnowledgeBase::PathObject,
                            "The SQLite file, or None for a base in memory.");
  cls.def("__repr__", [](PyKnowledgeBase& kb) {
    absl::StatusOr<size_t> n = WithoutGil([&] { return kb.store().Count(); });
    return fmt::format("KnowledgeBase({}, articles={})",
                       py::repr(kb.PathObject()).cast<std::string>(),
                       n.ok() ? std::to_string(*n) : std::string("?"));
  });

  m.def(
      "_validate_knowledge_article",
      [](const py::object& id, const py::object& title, const py::object& body,
         const py::object& language, const py::object& tags, const py::object& skills,
         const py::object& queues, const py::object& departments,
         const py::object& valid_from, const py::object& valid_to,
         const py::object& version) {
        Check(knowledge::ValidateArticle(ToArticle(id, title, body, language, tags,
                                                   skills, queues, departments,
                                                   valid_from, valid_to, version)));
      },
      "id"_a, "title"_a, "body"_a = "", "language"_a = "zh", "tags"_a = py::tuple(),
      py::kw_only(), "skills"_a = py::tuple(), "queues"_a = py::tuple(),
      "departments"_a = py::tuple(), "valid_from"_a = py::none(),
      "valid_to"_a = py::none(), "version"_a = 0,
      "Checks what KnowledgeBase.add would store (ValueError otherwise); for "
      "KnowledgeBase.load_jsonl.");
}

}  // namespace ccengine::python
