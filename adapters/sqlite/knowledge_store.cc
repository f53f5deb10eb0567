// The SQLite FTS5 knowledge store (ccengine/sqlite/knowledge_store.h).

#include "ccengine/sqlite/knowledge_store.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/row_codec.h"
#include "ccengine/knowledge/snippet.h"
#include "ccengine/knowledge/store.h"
#include "fmt/format.h"
#include "sqlite_db.h"

namespace ccengine::sqlite {
namespace {

using knowledge::Article;
using knowledge::KnowledgeQuery;
using knowledge::SearchHit;
using knowledge::SearchRequest;
namespace rows = knowledge::rows;

// `PRAGMA application_id` of a knowledge store file ("cckb").
constexpr int32_t kApplicationId = 0x63636b62;

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE kb_articles(
  doc INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  language TEXT NOT NULL,
  tags TEXT NOT NULL,
  skills TEXT NOT NULL,
  queues TEXT NOT NULL,
  departments TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE TABLE kb_text(
  doc INTEGER PRIMARY KEY REFERENCES kb_articles(doc) ON DELETE CASCADE,
  title TEXT NOT NULL,
  tags TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE kb_feedback(
  doc INTEGER NOT NULL REFERENCES kb_articles(doc) ON DELETE CASCADE,
  contact TEXT NOT NULL,
  agent TEXT NOT NULL,
  kind INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX kb_feedback_doc ON kb_feedback(doc, kind);
CREATE VIRTUAL TABLE kb_fts USING fts5(
  title, tags, body,
  content='kb_text', content_rowid='doc', tokenize='ccengine'
);
)sql"},
    // Version 2: personal data erasure and retention (AnonymizeFeedback) find
    // the verdicts still linked to a contact or an agent by contact and by
    // time.
    {2, R"sql(
CREATE INDEX kb_feedback_contact ON kb_feedback(contact) WHERE contact <> '';
CREATE INDEX kb_feedback_linked_at ON kb_feedback(at) WHERE contact <> '' OR agent <> '';
)sql"},
};

// The columns of an article read back (kb_articles a, kb_text t), in order.
constexpr std::string_view kArticleColumns =
    "a.doc, a.id, a.language, a.tags, a.skills, a.queues, a.departments, a.valid_from, "
    "a.valid_to, a.version, t.title, t.body";
enum Column : int {
  kDoc,
  kId,
  kLanguage,
  kTags,
  kSkills,
  kQueues,
  kDepartments,
  kValidFrom,
  kValidTo,
  kVersion,
  kTitle,
  kBody,
};

// Search statements kept per filter shape; more shapes than this start over.
constexpr size_t kMaxCachedSearches = 64;

Article ReadArticle(const Statement& row) {
  Article a;
  a.id = row.ColumnText(kId);
  a.language = row.ColumnText(kLanguage);
  a.tags = rows::SplitLabels(row.ColumnText(kTags));
  a.skills = rows::SplitLabels(row.ColumnText(kSkills));
  a.queues = rows::SplitLabels(row.ColumnText(kQueues));
  a.departments = rows::SplitLabels(row.ColumnText(kDepartments));
  a.valid_from = rows::MicrosToTime(row.ColumnInt(kValidFrom));
  a.valid_to = rows::MicrosToTime(row.ColumnInt(kValidTo));
  a.version = row.ColumnInt(kVersion);
  a.title = row.ColumnText(kTitle);
  a.body = row.ColumnText(kBody);
  return a;
}

// Binds the columns of kb_articles after doc (?2..?10).
void BindArticle(Statement& s, const Article& a, int64_t version) {
  s.BindText(2, a.id);
  s.BindText(3, a.language);
  s.BindText(4, rows::JoinLabels(a.tags));
  s.BindText(5, rows::JoinLabels(a.skills));
  s.BindText(6, rows::JoinLabels(a.queues));
  s.BindText(7, rows::JoinLabels(a.departments));
  s.BindInt(8, rows::TimeToMicros(a.valid_from));
  s.BindInt(9, rows::TimeToMicros(a.valid_to));
  s.BindInt(10, version);
}

// A label condition: the label (between newlines) occurs in the column.
std::string HasLabel(std::string_view column, int parameter) {
  return fmt::format("instr(char(10) || a.{} || char(10), ?{}) > 0", column, parameter);
}

// The search SQL for the request's filter shape, and the values to bind from
// parameter 6 on (1: MATCH, 2..4: weights, 5: k).
struct SearchSql {
  std::string sql;
  std::vector<std::string> texts;  // bound first, from ?6
  std::vector<int64_t> integers;   // then these
};

SearchSql BuildSearchSql(const knowledge::SearchFilters& f) {
  SearchSql out;
  std::string where;
  int next = 6;
  const auto text = [&](std::string value) {
    out.texts.push_back(std::move(value));
    return next++;
  };
  if (f.language.has_value())
    where += fmt::format(" AND a.language = ?{}", text(*f.language));
  const auto any_label = [&](std::string_view column,
                             const std::vector<std::string>& labels,
                             bool empty_serves_all) {
    std::string clause = empty_serves_all ? fmt::format("a.{} = ''", column) : "";
    for (const std::string& label : labels) {
      if (!clause.empty()) clause += " OR ";
      clause += HasLabel(column, text("\n" + label + "\n"));
    }
    where += " AND (" + clause + ")";
  };
  if (!f.tags.empty()) any_label("tags", f.tags, false);
  if (!f.skills.empty()) any_label("skills", f.skills, true);
  if (f.queue.has_value()) any_label("queues", {*f.queue}, true);
  if (f.department.has_value()) any_label("departments", {*f.department}, true);
  if (f.valid_at.has_value()) {
    const int p = next++;
    out.integers.push_back(rows::TimeToMicros(*f.valid_at));
    where += fmt::format(" AND a.valid_from <= ?{0} AND ?{0} < a.valid_to", p);
  }
  out.sql = fmt::format(
      "SELECT a.doc, bm25(kb_fts, ?2, ?3, ?4) AS score FROM kb_fts "
      "JOIN kb_articles a ON a.doc = kb_fts.rowid "
      "WHERE kb_fts MATCH ?1{} ORDER BY score, a.id LIMIT ?5",
      where);
  return out;
}

class SqliteKnowledgeStore final : public knowledge::KnowledgeStore {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteKnowledgeStore>> Open(
      const SqliteKnowledgeStoreOptions& options) {
    if (absl::Status s = knowledge::ValidateStoreOptions(options.store); !s.ok())
      return s;
    absl::StatusOr<Database> db = OpenStoreDatabase(options);
    if (!db.ok()) return db.status();
    if (absl::Status s = RegisterFts5Tokenizer(db->handle()); !s.ok()) return s;
    if (absl::Status s =
            Migrate(*db, kApplicationId, "ccengine knowledge store", kMigrations);
        !s.ok()) {
      return s;
    }
    auto store = std::unique_ptr<SqliteKnowledgeStore>(
        new SqliteKnowledgeStore(*std::move(db), options.store));
    if (absl::Status s = store->Prepare(); !s.ok()) return s;
    return store;
  }

  absl::StatusOr<int64_t> Upsert(const Article& article) override {
    if (absl::Status s = knowledge::ValidateArticle(article); !s.ok()) return s;
    const std::string what = fmt::format("upsert article {}", article.id);
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, what);
    }
    absl::StatusOr<std::optional<Article>> old = Find(article.id);
    if (!old.ok()) return Annotate(old.status(), what);
    int64_t version = 1;
    int64_t doc = 0;
    if (old->has_value()) {
      const Article& stored = **old;
      if (article.version != 0 && article.version != stored.version) {
        return absl::AbortedError(
            fmt::format("article {}: version {} expected, {} stored", article.id,
                        article.version, stored.version));
      }
      version = stored.version + 1;
      doc = found_doc_;
      if (absl::Status s = IndexRow(fts_delete_, doc, stored); !s.ok()) {
        return Annotate(s, what);
      }
      StatementUse use(update_);
      update_.BindInt(1, doc);
      BindArticle(update_, article, version);
      if (absl::Status s = update_.Run(); !s.ok()) return Annotate(s, what);
    } else {
      if (article.version != 0) {
        return absl::AbortedError(fmt::format(
            "article {}: version {} expected, none stored", article.id, article.version));
      }
      StatementUse use(insert_);
      insert_.BindNull(1);
      BindArticle(insert_, article, version);
      if (absl::Status s = insert_.Run(); !s.ok()) return Annotate(s, what);
      doc = db_.LastInsertRowid();
    }
    if (absl::Status s = IndexRow(put_text_, doc, article); !s.ok())
      return Annotate(s, what);
    if (absl::Status s = IndexRow(fts_insert_, doc, article); !s.ok()) {
      return Annotate(s, what);
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return version;
  }

  absl::Status Delete(std::string_view id) override {
    const std::string what = fmt::format("delete article {}", id);
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, what);
    }
    absl::StatusOr<std::optional<Article>> old = Find(id);
    if (!old.ok()) return Annotate(old.status(), what);
    if (!old->has_value()) return absl::NotFoundError(fmt::format("no article {}", id));
    const int64_t doc = found_doc_;
    if (absl::Status s = IndexRow(fts_delete_, doc, **old); !s.ok())
      return Annotate(s, what);
    {
      StatementUse use(remove_);
      remove_.BindInt(1, doc);
      if (absl::Status s = remove_.Run(); !s.ok()) return Annotate(s, what);
    }
    return Annotate(txn.Commit(), what);
  }

  absl::StatusOr<Article> Get(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    absl::StatusOr<std::optional<Article>> found = Find(id);
    if (!found.ok()) return Annotate(found.status(), fmt::format("get article {}", id));
    if (!found->has_value()) return absl::NotFoundError(fmt::format("no article {}", id));
    return **std::move(found);
  }

  absl::Status RecordFeedback(const knowledge::Feedback& feedback) override {
    if (absl::Status s = knowledge::ValidateFeedback(feedback); !s.ok()) return s;
    const std::string what = fmt::format("feedback on article {}", feedback.article_id);
    std::lock_guard<std::mutex> lock(mu_);
    StatementUse use(add_feedback_);
    add_feedback_.BindText(1, feedback.article_id);
    add_feedback_.BindText(2, feedback.contact);
    add_feedback_.BindText(3, feedback.agent);
    add_feedback_.BindInt(4, static_cast<int64_t>(feedback.kind));
    add_feedback_.BindInt(5, rows::TimeToMicros(feedback.at));
    if (absl::Status s = add_feedback_.Run(); !s.ok()) return Annotate(s, what);
    if (db_.Changes() == 0) {
      return absl::NotFoundError(fmt::format("no article {}", feedback.article_id));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<knowledge::FeedbackTally>> Tallies(
      const std::vector<std::string>& article_ids) override {
    if (article_ids.size() > knowledge::kMaxSearchResults) {
      return absl::InvalidArgumentError(fmt::format("{} tallies asked for; at most {}",
                                                    article_ids.size(),
                                                    knowledge::kMaxSearchResults));
    }
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, "feedback tallies");
    }
    std::vector<knowledge::FeedbackTally> out;
    for (const std::string& id : article_ids) {
      knowledge::FeedbackTally t{.article_id = id};
      StatementUse use(tally_);
      tally_.BindText(1, id);
      while (true) {
        absl::StatusOr<bool> row = tally_.Step();
        if (!row.ok()) return Annotate(row.status(), "feedback tallies");
        if (!*row) break;
        if (absl::Status s =
                rows::SetTallyCount(tally_.ColumnInt(0), tally_.ColumnInt(1), t);
            !s.ok()) {
          return s;
        }
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  absl::StatusOr<size_t> AnonymizeFeedback(
      const knowledge::FeedbackAnonymization& request) override {
    if (absl::Status s = knowledge::ValidateFeedbackAnonymization(request); !s.ok()) {
      return s;
    }
    const bool expire = request.given_before.has_value();
    const std::string_view what = "anonymize feedback";
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, what);
    }
    size_t done = 0;
    auto run = [&](Statement& statement) -> absl::Status {
      StatementUse use(statement);
      if (absl::Status s = statement.Run(); !s.ok()) return s;
      done += static_cast<size_t>(db_.Changes());
      return absl::OkStatus();
    };
    if (expire) {
      unlink_before_.BindInt(1, rows::TimeToMicros(*request.given_before));
      if (absl::Status s = run(unlink_before_); !s.ok()) return Annotate(s, what);
    } else {
      for (const std::string& contact : request.contacts) {
        unlink_contact_.BindText(1, contact);
        if (absl::Status s = run(unlink_contact_); !s.ok()) return Annotate(s, what);
      }
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return done;
  }

  absl::StatusOr<size_t> Count() override {
    std::lock_guard<std::mutex> lock(mu_);
    StatementUse use(count_);
    absl::StatusOr<bool> row = count_.Step();
    if (!row.ok()) return Annotate(row.status(), "count articles");
    return static_cast<size_t>(count_.ColumnInt(0));
  }

  absl::StatusOr<std::vector<SearchHit>> Search(const SearchRequest& request) override {
    if (absl::Status s = knowledge::ValidateSearchRequest(request); !s.ok()) return s;
    absl::StatusOr<KnowledgeQuery> query = knowledge::BuildQuery(
        request.query, options_.synonyms, options_.query_characters);
    if (!query.ok()) return query.status();
    std::vector<SearchHit> hits;
    if (query->empty()) return hits;
    const std::string match = knowledge::Fts5MatchExpression(*query);
    SearchSql sql = BuildSearchSql(request.filters);
    std::lock_guard<std::mutex> lock(mu_);
    absl::StatusOr<Statement*> search = SearchStatement(sql.sql);
    if (!search.ok()) return Annotate(search.status(), "search");
    // One snapshot for the ranking and the rows it names.
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, "search");
    }
    std::vector<std::pair<int64_t, double>> ranked;
    {
      Statement& s = **search;
      StatementUse use(s);
      s.BindText(1, match);
      s.BindDouble(2, options_.title_weight);
      s.BindDouble(3, options_.tags_weight);
      s.BindDouble(4, options_.body_weight);
      s.BindInt(5, static_cast<int64_t>(request.k));
      int p = 6;
      for (const std::string& t : sql.texts) s.BindText(p++, t);
      for (const int64_t i : sql.integers) s.BindInt(p++, i);
      while (true) {
        absl::StatusOr<bool> row = s.Step();
        if (!row.ok()) return Annotate(row.status(), "search");
        if (!*row) break;
        ranked.emplace_back(s.ColumnInt(0), -s.ColumnDouble(1));
      }
    }
    for (const auto& [doc, score] : ranked) {
      StatementUse use(by_doc_);
      by_doc_.BindInt(1, doc);
      absl::StatusOr<bool> row = by_doc_.Step();
      if (!row.ok()) return Annotate(row.status(), "search");
      if (!*row) return absl::InternalError("search: a ranked article has no row");
      const Article a = ReadArticle(by_doc_);
      SearchHit hit;
      hit.id = a.id;
      hit.score = score;
      hit.version = a.version;
      hit.title = a.title;
      hit.language = a.language;
      hit.tags = a.tags;
      if (absl::Status s =
              knowledge::DescribeHit(*query, a.title, a.tags, a.body, options_, &hit);
          !s.ok()) {
        return Annotate(s, "search");
      }
      hits.push_back(std::move(hit));
    }
    return hits;
  }

 private:
  SqliteKnowledgeStore(Database db, knowledge::KnowledgeStoreOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}

  absl::Status Prepare() {
    const std::string columns(kArticleColumns);
    struct {
      Statement* statement;
      std::string sql;
    } const statements[] = {
        {&by_id_, fmt::format("SELECT {} FROM kb_articles a JOIN kb_text t USING (doc) "
                              "WHERE a.id = ?1",
                              columns)},
        {&by_doc_, fmt::format("SELECT {} FROM kb_articles a JOIN kb_text t USING (doc) "
                               "WHERE a.doc = ?1",
                               columns)},
        {&insert_,
         "INSERT INTO kb_articles(doc, id, language, tags, skills, queues, departments, "
         "valid_from, valid_to, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
         "?10)"},
        {&update_,
         "UPDATE kb_articles SET id = ?2, language = ?3, tags = ?4, skills = ?5, "
         "queues = ?6, departments = ?7, valid_from = ?8, valid_to = ?9, version = ?10 "
         "WHERE doc = ?1"},
        {&put_text_,
         "INSERT OR REPLACE INTO kb_text(doc, title, tags, body) VALUES(?1, ?2, ?3, ?4)"},
        {&remove_, "DELETE FROM kb_articles WHERE doc = ?1"},
        {&fts_insert_,
         "INSERT INTO kb_fts(rowid, title, tags, body) VALUES(?1, ?2, ?3, ?4)"},
        {&fts_delete_,
         "INSERT INTO kb_fts(kb_fts, rowid, title, tags, body) "
         "VALUES('delete', ?1, ?2, ?3, ?4)"},
        {&count_, "SELECT count(*) FROM kb_articles"},
        {&add_feedback_,
         "INSERT INTO kb_feedback(doc, contact, agent, kind, at) "
         "SELECT doc, ?2, ?3, ?4, ?5 FROM kb_articles WHERE id = ?1"},
        {&unlink_before_,
         "UPDATE kb_feedback SET contact = '', agent = '' "
         "WHERE at < ?1 AND (contact <> '' OR agent <> '')"},
        {&unlink_contact_,
         "UPDATE kb_feedback SET contact = '', agent = '' WHERE contact = ?1"},
        {&tally_,
         "SELECT f.kind, count(*) FROM kb_feedback f JOIN kb_articles a USING (doc) "
         "WHERE a.id = ?1 GROUP BY f.kind"},
    };
    for (const auto& [statement, sql] : statements) {
      absl::StatusOr<Statement> prepared = db_.Prepare(sql);
      if (!prepared.ok()) return prepared.status();
      *statement = *std::move(prepared);
    }
    return absl::OkStatus();
  }

  // The stored article with this id (and its doc in found_doc_), or nullopt.
  absl::StatusOr<std::optional<Article>> Find(std::string_view id) {
    StatementUse use(by_id_);
    by_id_.BindText(1, id);
    absl::StatusOr<bool> row = by_id_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Article>();
    found_doc_ = by_id_.ColumnInt(kDoc);
    return std::optional<Article>(ReadArticle(by_id_));
  }

  // Adds the article's text to the index, or (fts_delete_) takes it out: an
  // external-content table is told the old values.
  absl::Status IndexRow(Statement& statement, int64_t doc, const Article& a) {
    StatementUse use(statement);
    statement.BindInt(1, doc);
    statement.BindText(2, a.title);
    statement.BindText(3, rows::JoinLabels(a.tags));
    statement.BindText(4, a.body);
    return statement.Run();
  }

  absl::StatusOr<Statement*> SearchStatement(const std::string& sql) {
    auto it = searches_.find(sql);
    if (it != searches_.end()) return &it->second;
    if (searches_.size() >= kMaxCachedSearches) searches_.clear();
    absl::StatusOr<Statement> prepared = db_.Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    return &searches_.emplace(sql, *std::move(prepared)).first->second;
  }

  std::mutex mu_;
  // Declared before the statements, so that they are finalized first.
  Database db_;
  const knowledge::KnowledgeStoreOptions options_;
  Statement by_id_, by_doc_, insert_, update_, put_text_, remove_, fts_insert_,
      fts_delete_, count_, add_feedback_, unlink_before_, unlink_contact_, tally_;
  absl::flat_hash_map<std::string, Statement> searches_;
  int64_t found_doc_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<knowledge::KnowledgeStore>> OpenSqliteKnowledgeStore(
    const SqliteKnowledgeStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteKnowledgeStore>> store =
      SqliteKnowledgeStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<knowledge::KnowledgeStore>(*std::move(store));
}

}  // namespace ccengine::sqlite
