// The PostgreSQL knowledge store: a pool of connections, each call one
// transaction on one of them, every statement prepared; the index terms
// computed in C++, the BM25 ranking in SQL (see knowledge_store.h and
// knowledge_schema.h).

#include "ccengine/postgres/knowledge_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/row_codec.h"
#include "ccengine/knowledge/snippet.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "knowledge_schema.h"
#include "pg_conn.h"
#include "pg_pool.h"
#include "text_array.h"

namespace ccengine::postgres {
namespace {

using knowledge::Article;
using knowledge::KnowledgeQuery;
using knowledge::SearchHit;
using knowledge::SearchRequest;

namespace schema = knowledge_schema;

constexpr int kMaxPoolSize = 64;
// Tries of a write that the server gave up as a deadlock or serialization
// failure (or that lost the race to insert a new id) before it is Aborted.
constexpr int kMaxWriteAttempts = 5;

// What every connection is checked for and set up with before its first
// call: a server the schema works on, the statement timeout, float8 written
// with every digit (a score read back is the double the server computed;
// PostgreSQL 12 and later do so by default), and no JIT compilation (it
// costs a search hundreds of milliseconds when the planner's estimates are
// off, as they are before the tables are first analyzed, and saves nothing
// on statements that read a few thousand postings).
SessionOptions Session(absl::Duration statement_timeout) {
  return {.store = "knowledge store",
          .min_server_version = 110000,
          .statement_timeout = statement_timeout,
          .settings = {{"extra_float_digits", "3"}, {"jit", "off"}}};
}

absl::Status NotFound(std::string_view id) {
  return absl::NotFoundError(fmt::format("no article {}", id));
}

// Whether an article could have this id: text the database holds (valid
// UTF-8 without a NUL byte). Another id is no article's, without asking.
bool Storable(std::string_view id) {
  return std::find(id.begin(), id.end(), '\0') == id.end() && text::ValidateUtf8(id).ok();
}

// One try of a write: the article's version (1 for a delete).
using WriteAttempt = Attempt<int64_t>;

// A failed try, retried when the server gave the transaction up (40001,
// 40P01).
WriteAttempt Fail(const absl::Status& status, std::string_view what) {
  return {Annotate(status, what), status.code() == absl::StatusCode::kAborted};
}

absl::StatusOr<double> ReadDouble(const PGresult* result, int row, int column) {
  const std::string_view text(PQgetvalue(result, row, column),
                              static_cast<size_t>(PQgetlength(result, row, column)));
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (PQgetisnull(result, row, column) != 0 || error != std::errc() ||
      end != text.data() + text.size()) {
    return absl::InternalError(fmt::format("the server returned the score \"{}\"", text));
  }
  return value;
}

class PostgresKnowledgeStore final : public knowledge::KnowledgeStore {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresKnowledgeStore>> Open(
      const PostgresKnowledgeStoreOptions& options) {
    if (options.dsn.empty()) {
      return absl::InvalidArgumentError("postgres knowledge store: an empty dsn");
    }
    if (options.connect_timeout <= absl::ZeroDuration() ||
        options.connect_timeout == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          fmt::format("postgres knowledge store: connect_timeout {} is not a positive, "
                      "finite duration",
                      absl::FormatDuration(options.connect_timeout)));
    }
    if (options.statement_timeout < absl::ZeroDuration() ||
        options.statement_timeout >= absl::Hours(24 * 24)) {
      return absl::InvalidArgumentError(fmt::format(
          "postgres knowledge store: statement_timeout {} is outside 0..24 days",
          absl::FormatDuration(options.statement_timeout)));
    }
    if (options.pool_size < 1 || options.pool_size > kMaxPoolSize) {
      return absl::InvalidArgumentError(
          fmt::format("postgres knowledge store: pool_size {} is outside 1..{}",
                      options.pool_size, kMaxPoolSize));
    }
    if (absl::Status s = knowledge::ValidateStoreOptions(options.store); !s.ok()) {
      return Annotate(s, "postgres knowledge store");
    }
    // Checked here, so that no connection is made for a dsn that cannot work.
    if (absl::Status s = DescribeDsn(options.dsn).status(); !s.ok()) return s;
    ConnectOptions connect;
    connect.dsn = options.dsn;
    connect.connect_timeout = options.connect_timeout;
    if (options.statement_timeout > absl::ZeroDuration()) {
      connect.reply_timeout = options.statement_timeout + options.connect_timeout;
    }
    absl::StatusOr<std::unique_ptr<Connection>> first = Connection::Connect(connect);
    if (!first.ok()) return Annotate(first.status(), "open knowledge store");
    if (absl::Status s = SetUpSession(**first, Session(options.statement_timeout));
        !s.ok()) {
      return Annotate(s, "open knowledge store");
    }
    if (absl::Status s = Migrate(**first, schema::Schema()); !s.ok()) {
      return Annotate(s, "open knowledge store");
    }
    auto store = std::unique_ptr<PostgresKnowledgeStore>(
        new PostgresKnowledgeStore(connect, options));
    store->pool_.Adopt(*std::move(first));
    return store;
  }

  absl::StatusOr<int64_t> Upsert(const Article& article) override {
    if (absl::Status s = knowledge::ValidateArticle(article); !s.ok()) return s;
    if (absl::Status s = schema::CheckStorable(article); !s.ok()) return s;
    const std::string what = fmt::format("upsert article {}", article.id);
    absl::StatusOr<schema::ArticleTerms> terms = schema::IndexTerms(tokenizer_, article);
    if (!terms.ok()) return Annotate(terms.status(), what);
    return pool_.WithTransaction<int64_t>(
        what, kMaxWriteAttempts, [&](Connection& connection) {
          return UpsertOnce(connection, article, *terms, what);
        });
  }

  absl::Status Delete(std::string_view id) override {
    const std::string what = fmt::format("delete article {}", id);
    if (!Storable(id)) return NotFound(id);
    return pool_
        .WithTransaction<int64_t>(
            what, kMaxWriteAttempts,
            [&](Connection& connection) { return DeleteOnce(connection, id, what); })
        .status();
  }

  absl::StatusOr<Article> Get(std::string_view id) override {
    const std::string what = fmt::format("get article {}", id);
    if (!Storable(id)) return NotFound(id);
    Params params;
    params.Text(id);
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    absl::StatusOr<PgResult> rows =
        (*connection)->Prepared("ccengine_kb_get", get_sql_, params);
    if (!rows.ok()) return Annotate(rows.status(), what);
    if (PQntuples(rows->get()) == 0) return NotFound(id);
    absl::StatusOr<Article> article = schema::ReadArticle(rows->get(), 0);
    if (!article.ok()) return Annotate(article.status(), what);
    return article;
  }

  absl::Status RecordFeedback(const knowledge::Feedback& feedback) override {
    if (absl::Status s = knowledge::ValidateFeedback(feedback); !s.ok()) return s;
    const std::string what = fmt::format("feedback on article {}", feedback.article_id);
    Params params;
    params.Text(feedback.article_id);
    params.Text(feedback.contact);
    params.Text(feedback.agent);
    params.Int(static_cast<int64_t>(feedback.kind));
    params.Int(knowledge::rows::TimeToMicros(feedback.at));
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    absl::StatusOr<PgResult> added =
        (*connection)
            ->Prepared("ccengine_kb_feedback", std::string(schema::kFeedbackSql), params);
    if (!added.ok()) return Annotate(added.status(), what);
    if (PQntuples(added->get()) == 0) return NotFound(feedback.article_id);
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> AnonymizeFeedback(
      const knowledge::FeedbackAnonymization& request) override {
    if (absl::Status s = knowledge::ValidateFeedbackAnonymization(request); !s.ok()) {
      return s;
    }
    const std::string what = "anonymize feedback";
    const bool expire = request.given_before.has_value();
    Params params;
    if (expire) {
      params.Int(knowledge::rows::TimeToMicros(*request.given_before));
    } else {
      params.Text(TextArrayLiteral(request.contacts));
    }
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    // One statement: its own transaction.
    absl::StatusOr<PgResult> done =
        expire ? (*connection)
                     ->Prepared("ccengine_kb_unlink_before",
                                std::string(schema::kUnlinkBeforeSql), params)
               : (*connection)
                     ->Prepared("ccengine_kb_unlink_contacts",
                                std::string(schema::kUnlinkContactsSql), params);
    if (!done.ok()) return Annotate(done.status(), what);
    if (PQntuples(done->get()) != 1) {
      return absl::InternalError(
          fmt::format("{}: {} rows came back, not one", what, PQntuples(done->get())));
    }
    absl::StatusOr<int64_t> count = schema::ReadInt(done->get(), 0, 0);
    if (!count.ok()) return Annotate(count.status(), what);
    return static_cast<size_t>(*count);
  }

  absl::StatusOr<std::vector<knowledge::FeedbackTally>> Tallies(
      const std::vector<std::string>& article_ids) override {
    if (article_ids.size() > knowledge::kMaxSearchResults) {
      return absl::InvalidArgumentError(fmt::format("{} tallies asked for; at most {}",
                                                    article_ids.size(),
                                                    knowledge::kMaxSearchResults));
    }
    std::vector<knowledge::FeedbackTally> out;
    // An id no article can have is sent as "" (no article's either).
    std::vector<std::string> ids;
    for (const std::string& id : article_ids) {
      out.push_back({.article_id = id});
      ids.push_back(Storable(id) ? id : "");
    }
    if (ids.empty()) return out;
    Params params;
    params.Text(TextArrayLiteral(ids));
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), "feedback tallies");
    absl::StatusOr<PgResult> rows =
        (*connection)
            ->Prepared("ccengine_kb_tallies", std::string(schema::kTalliesSql), params);
    if (!rows.ok()) return Annotate(rows.status(), "feedback tallies");
    for (int row = 0; row < PQntuples(rows->get()); ++row) {
      absl::StatusOr<int64_t> ord = schema::ReadInt(rows->get(), row, 0);
      absl::StatusOr<int64_t> kind = schema::ReadInt(rows->get(), row, 1);
      absl::StatusOr<int64_t> n = schema::ReadInt(rows->get(), row, 2);
      for (const absl::Status& s : {ord.status(), kind.status(), n.status()}) {
        if (!s.ok()) return Annotate(s, "feedback tallies");
      }
      if (*ord < 1 || *ord > static_cast<int64_t>(out.size())) {
        return absl::InternalError("feedback tallies: a row for no id asked for");
      }
      if (absl::Status s = knowledge::rows::SetTallyCount(
              *kind, *n, out[static_cast<size_t>(*ord - 1)]);
          !s.ok()) {
        return s;
      }
    }
    return out;
  }

  absl::StatusOr<size_t> Count() override {
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), "count articles");
    absl::StatusOr<PgResult> rows =
        (*connection)
            ->Prepared("ccengine_kb_count", std::string(schema::kCountSql), Params());
    if (!rows.ok()) return Annotate(rows.status(), "count articles");
    if (PQntuples(rows->get()) != 1) {
      return absl::InternalError(
          fmt::format("count articles: kb_stats holds {} rows", PQntuples(rows->get())));
    }
    absl::StatusOr<int64_t> count = schema::ReadInt(rows->get(), 0, 0);
    if (!count.ok()) return Annotate(count.status(), "count articles");
    return static_cast<size_t>(*count);
  }

  absl::StatusOr<std::vector<SearchHit>> Search(const SearchRequest& request) override {
    if (absl::Status s = knowledge::ValidateSearchRequest(request); !s.ok()) return s;
    absl::StatusOr<KnowledgeQuery> query = knowledge::BuildQuery(
        request.query, options_.synonyms, options_.query_characters);
    if (!query.ok()) return query.status();
    std::vector<SearchHit> hits;
    if (query->empty()) return hits;
    const schema::SearchSql sql = schema::BuildSearch(*query, request, options_);
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), "search");
    absl::StatusOr<PgResult> rows =
        (*connection)
            ->Prepared(fmt::format("ccengine_kb_search_{}", sql.shape), sql.sql,
                       sql.params);
    if (!rows.ok()) return Annotate(rows.status(), "search");
    const PGresult* result = rows->get();
    hits.reserve(static_cast<size_t>(PQntuples(result)));
    for (int row = 0; row < PQntuples(result); ++row) {
      const auto text = [result, row](int column) {
        return std::string(PQgetvalue(result, row, column),
                           static_cast<size_t>(PQgetlength(result, row, column)));
      };
      SearchHit hit;
      hit.id = text(0);
      absl::StatusOr<double> score = ReadDouble(result, row, 1);
      absl::StatusOr<int64_t> version = schema::ReadInt(result, row, 2);
      absl::StatusOr<std::vector<std::string>> tags = ParseTextArray(text(5));
      for (const absl::Status& s : {score.status(), version.status(), tags.status()}) {
        if (!s.ok()) return Annotate(s, fmt::format("search: article {}", hit.id));
      }
      hit.score = *score;
      hit.version = *version;
      hit.title = text(3);
      hit.language = text(4);
      hit.tags = *std::move(tags);
      const std::string body = text(6);
      if (absl::Status s =
              knowledge::DescribeHit(*query, hit.title, hit.tags, body, options_, &hit);
          !s.ok()) {
        return Annotate(s, "search");
      }
      hits.push_back(std::move(hit));
    }
    return hits;
  }

 private:
  PostgresKnowledgeStore(const ConnectOptions& connect,
                         const PostgresKnowledgeStoreOptions& options)
      : options_(options.store),
        pool_(connect, options.pool_size,
              [session = Session(options.statement_timeout)](Connection& connection) {
                if (absl::Status s = SetUpSession(connection, session); !s.ok()) {
                  return s;
                }
                // The schema may have moved on while the store was cut off.
                return CheckSchemaVersion(connection, schema::Schema());
              }) {}

  // One try of a delete, in the transaction `WithTransaction` opened: the
  // article's row (its text follows by the foreign key), then its postings,
  // then the statistics. The postings go in a statement of their own: in READ
  // COMMITTED it sees the postings of a write that committed while the first
  // one waited for the row.
  WriteAttempt DeleteOnce(Connection& connection, std::string_view id,
                          const std::string& what) {
    Params params;
    params.Text(id);
    absl::StatusOr<PgResult> deleted = connection.Prepared(
        "ccengine_kb_delete", std::string(schema::kDeleteSql), params);
    if (!deleted.ok()) return Fail(deleted.status(), what);
    if (PQntuples(deleted->get()) == 0) return {NotFound(id)};
    absl::StatusOr<int64_t> doc = schema::ReadInt(deleted->get(), 0, 0);
    absl::StatusOr<int64_t> length = schema::ReadInt(deleted->get(), 0, 1);
    for (const absl::Status& s : {doc.status(), length.status()}) {
      if (!s.ok()) return Fail(s, what);
    }
    Params postings;
    postings.Int(*doc);
    if (absl::Status s = connection
                             .Prepared("ccengine_kb_delete_postings",
                                       std::string(schema::kDeletePostingsSql), postings)
                             .status();
        !s.ok()) {
      return Fail(s, what);
    }
    Params stats;
    stats.Int(-1);
    stats.Int(-*length);
    if (absl::Status s = connection
                             .Prepared("ccengine_kb_add_stats",
                                       std::string(schema::kAddStatsSql), stats)
                             .status();
        !s.ok()) {
      return Fail(s, what);
    }
    return {1};
  }

  // One try of an upsert, in the transaction `WithTransaction` opened: lock
  // (or insert) the article's row, check the version, write the row, the text
  // and the postings, and last the statistics.
  WriteAttempt UpsertOnce(Connection& connection, const Article& article,
                          const schema::ArticleTerms& terms, const std::string& what) {
    Params id;
    id.Text(article.id);
    absl::StatusOr<PgResult> locked =
        connection.Prepared("ccengine_kb_lock", std::string(schema::kLockSql), id);
    if (!locked.ok()) return Fail(locked.status(), what);
    int64_t doc = 0;
    int64_t version = 1;
    int64_t added_articles = 1;
    int64_t added_length = terms.length;
    if (PQntuples(locked->get()) == 1) {
      absl::StatusOr<int64_t> stored_doc = schema::ReadInt(locked->get(), 0, 0);
      absl::StatusOr<int64_t> stored = schema::ReadInt(locked->get(), 0, 1);
      absl::StatusOr<int64_t> old_length = schema::ReadInt(locked->get(), 0, 2);
      for (const absl::Status& s :
           {stored_doc.status(), stored.status(), old_length.status()}) {
        if (!s.ok()) return Fail(s, what);
      }
      if (article.version != 0 && article.version != *stored) {
        return {
            absl::AbortedError(fmt::format("article {}: version {} expected, {} stored",
                                           article.id, article.version, *stored))};
      }
      doc = *stored_doc;
      Params params;
      params.Int(doc);
      schema::AddArticle(params, article);
      params.Int(terms.length);
      absl::StatusOr<PgResult> updated =
          connection.Prepared("ccengine_kb_update", update_sql_, params);
      if (!updated.ok()) return Fail(updated.status(), what);
      if (PQntuples(updated->get()) != 1) {
        return Fail(absl::InternalError("the locked row was not updated"), what);
      }
      absl::StatusOr<int64_t> next = schema::ReadInt(updated->get(), 0, 0);
      if (!next.ok()) return Fail(next.status(), what);
      version = *next;
      Params old;
      old.Int(doc);
      if (absl::Status s = connection
                               .Prepared("ccengine_kb_delete_postings",
                                         std::string(schema::kDeletePostingsSql), old)
                               .status();
          !s.ok()) {
        return Fail(s, what);
      }
      added_articles = 0;
      added_length = terms.length - *old_length;
    } else {
      if (article.version != 0) {
        return {
            absl::AbortedError(fmt::format("article {}: version {} expected, none stored",
                                           article.id, article.version))};
      }
      Params params;
      schema::AddArticle(params, article);
      params.Int(terms.length);
      absl::StatusOr<PgResult> inserted =
          connection.Prepared("ccengine_kb_insert", insert_sql_, params);
      if (!inserted.ok()) return Fail(inserted.status(), what);
      if (PQntuples(inserted->get()) != 1) {
        // Another transaction inserted the id since the lock found none: the
        // next try finds (and locks) its row.
        return {
            Annotate(absl::AbortedError("the article was inserted concurrently"), what),
            true};
      }
      absl::StatusOr<int64_t> new_doc = schema::ReadInt(inserted->get(), 0, 0);
      if (!new_doc.ok()) return Fail(new_doc.status(), what);
      doc = *new_doc;
    }
    Params text;
    text.Int(doc);
    text.Text(article.title);
    text.Text(article.body);
    if (absl::Status s =
            connection
                .Prepared("ccengine_kb_put_text", std::string(schema::kPutTextSql), text)
                .status();
        !s.ok()) {
      return Fail(s, what);
    }
    Params postings;
    postings.Int(doc);
    schema::AddPostings(postings, terms);
    if (absl::Status s = connection
                             .Prepared("ccengine_kb_insert_postings",
                                       std::string(schema::kInsertPostingsSql), postings)
                             .status();
        !s.ok()) {
      return Fail(s, what);
    }
    Params stats;
    stats.Int(added_articles);
    stats.Int(added_length);
    if (absl::Status s = connection
                             .Prepared("ccengine_kb_add_stats",
                                       std::string(schema::kAddStatsSql), stats)
                             .status();
        !s.ok()) {
      return Fail(s, what);
    }
    return {version};
  }

  const knowledge::KnowledgeStoreOptions options_;
  const text::Tokenizer tokenizer_;
  const std::string insert_sql_ = schema::InsertSql();
  const std::string update_sql_ = schema::UpdateSql();
  const std::string get_sql_ = schema::GetSql();
  ConnectionPool pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<knowledge::KnowledgeStore>> OpenPostgresKnowledgeStore(
    const PostgresKnowledgeStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<PostgresKnowledgeStore>> store =
      PostgresKnowledgeStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<knowledge::KnowledgeStore>(*std::move(store));
}

}  // namespace ccengine::postgres
