// The PostgreSQL knowledge store's database layout (see knowledge_schema.h).

#include "knowledge_schema.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/ranking.h"
#include "ccengine/knowledge/row_codec.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "pg_conn.h"
#include "text_array.h"

namespace ccengine::postgres::knowledge_schema {
namespace {

using knowledge::Article;
namespace rows = knowledge::rows;

// Version 1. The postings have no foreign key (a check per posting row would
// double the cost of indexing an article): the store deletes an article's
// postings with it, in the same transaction. Ids and terms are in the "C"
// collation: byte order, as the other stores order ties, and equality is
// byte equality.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE kb_articles (
  doc BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  version BIGINT NOT NULL,
  language TEXT NOT NULL,
  tags TEXT[] NOT NULL,
  skills TEXT[] NOT NULL,
  queues TEXT[] NOT NULL,
  departments TEXT[] NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_to BIGINT NOT NULL,
  length BIGINT NOT NULL
);

CREATE TABLE kb_text (
  doc BIGINT PRIMARY KEY REFERENCES kb_articles (doc) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL
);

CREATE TABLE kb_postings (
  term TEXT COLLATE "C" NOT NULL,
  doc BIGINT NOT NULL,
  title_count INTEGER NOT NULL,
  tags_count INTEGER NOT NULL,
  body_count INTEGER NOT NULL,
  PRIMARY KEY (term, doc) INCLUDE (title_count, tags_count, body_count)
);
CREATE INDEX kb_postings_by_doc ON kb_postings (doc);

-- Agents' verdicts (KnowledgeStore::RecordFeedback); they go with the article.
CREATE TABLE kb_feedback (
  doc BIGINT NOT NULL REFERENCES kb_articles (doc) ON DELETE CASCADE,
  contact TEXT NOT NULL,
  agent TEXT NOT NULL,
  kind SMALLINT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX kb_feedback_by_doc ON kb_feedback (doc, kind);

CREATE TABLE kb_stats (
  only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  articles BIGINT NOT NULL,
  total_length BIGINT NOT NULL
);
INSERT INTO kb_stats (articles, total_length) VALUES (0, 0);
)sql";

// Version 2: personal data erasure and retention (AnonymizeFeedback) find the
// verdicts still linked to a contact or an agent by contact and by time.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE INDEX kb_feedback_contact ON kb_feedback (contact) WHERE contact <> '';
CREATE INDEX kb_feedback_linked_at ON kb_feedback (at) WHERE contact <> '' OR agent <> '';
)sql";

constexpr std::array<Migration, 2> kMigrations = {{{1, kSchemaV1}, {2, kSchemaV2}}};

// The columns of `GetSql`, in order.
enum ArticleColumn : int {
  kId,
  kVersion,
  kLanguage,
  kTags,
  kSkills,
  kQueues,
  kDepartments,
  kValidFrom,
  kValidTo,
  kTitle,
  kBody,
  kArticleColumnCount,
};

std::string IntArrayLiteral(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

// A float8 parameter: the shortest text that reads back as the same double.
std::string Float(double value) { return fmt::format("{}", value); }

// One row of a result, read column by column; the first error is kept (with
// the column's name).
class RowReader {
 public:
  RowReader(const PGresult* result, int row, std::string what)
      : result_(result), row_(row), what_(std::move(what)) {}

  std::string Text(int column) {
    return std::string(PQgetvalue(result_, row_, column),
                       static_cast<size_t>(PQgetlength(result_, row_, column)));
  }

  int64_t Int(int column) {
    const std::string text = Text(column);
    int64_t value = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (PQgetisnull(result_, row_, column) != 0 || error != std::errc() ||
        end != text.data() + text.size()) {
      Fail(column, fmt::format("\"{}\"", text));
    }
    return value;
  }

  std::vector<std::string> TextArray(int column) {
    absl::StatusOr<std::vector<std::string>> elements = ParseTextArray(Text(column));
    if (!elements.ok()) {
      Fail(column, std::string(elements.status().message()));
      return {};
    }
    return *std::move(elements);
  }

  absl::Status status() const { return status_; }

 private:
  void Fail(int column, std::string_view value) {
    if (!status_.ok()) return;
    status_ = absl::InternalError(fmt::format("{}: the database holds {} in column {}",
                                              what_, value, PQfname(result_, column)));
  }

  const PGresult* result_;
  int row_;
  std::string what_;
  absl::Status status_;
};

}  // namespace

const StoreSchema& Schema() {
  // The store, its version table, its main table, the migration lock ("cckb").
  static constexpr StoreSchema kSchema = {"knowledge store", "knowledge_store_schema",
                                          "kb_articles", 0x63636b62, kMigrations};
  return kSchema;
}

std::string InsertSql() {
  return "INSERT INTO kb_articles (id, version, language, tags, skills, queues, "
         "departments, valid_from, valid_to, length) VALUES ($1::text, 1, $2::text, "
         "$3::text[], $4::text[], $5::text[], $6::text[], $7::bigint, $8::bigint, "
         "$9::bigint) ON CONFLICT (id) DO NOTHING RETURNING doc";
}

std::string UpdateSql() {
  return "UPDATE kb_articles SET version = version + 1, language = $3::text, "
         "tags = $4::text[], skills = $5::text[], queues = $6::text[], "
         "departments = $7::text[], valid_from = $8::bigint, valid_to = $9::bigint, "
         "length = $10::bigint WHERE doc = $1::bigint AND id = $2::text "
         "RETURNING version";
}

std::string GetSql() {
  return "SELECT a.id, a.version, a.language, a.tags, a.skills, a.queues, "
         "a.departments, a.valid_from, a.valid_to, x.title, x.body FROM kb_articles a "
         "JOIN kb_text x ON x.doc = a.doc WHERE a.id = $1::text";
}

void AddArticle(Params& params, const Article& article) {
  params.Text(article.id);
  params.Text(article.language);
  params.Text(TextArrayLiteral(article.tags));
  params.Text(TextArrayLiteral(article.skills));
  params.Text(TextArrayLiteral(article.queues));
  params.Text(TextArrayLiteral(article.departments));
  params.Int(rows::TimeToMicros(article.valid_from));
  params.Int(rows::TimeToMicros(article.valid_to));
}

absl::StatusOr<Article> ReadArticle(const PGresult* result, int row) {
  if (PQnfields(result) != kArticleColumnCount) {
    return absl::InternalError(fmt::format("an article row has {} columns, not {}",
                                           PQnfields(result), kArticleColumnCount));
  }
  Article a;
  a.id = std::string(PQgetvalue(result, row, kId),
                     static_cast<size_t>(PQgetlength(result, row, kId)));
  RowReader r(result, row, fmt::format("article {}", a.id));
  a.version = r.Int(kVersion);
  a.language = r.Text(kLanguage);
  a.tags = r.TextArray(kTags);
  a.skills = r.TextArray(kSkills);
  a.queues = r.TextArray(kQueues);
  a.departments = r.TextArray(kDepartments);
  a.valid_from = rows::MicrosToTime(r.Int(kValidFrom));
  a.valid_to = rows::MicrosToTime(r.Int(kValidTo));
  a.title = r.Text(kTitle);
  a.body = r.Text(kBody);
  if (!r.status().ok()) return r.status();
  return a;
}

absl::StatusOr<int64_t> ReadInt(const PGresult* result, int row, int column) {
  RowReader r(result, row, "a reply");
  const int64_t value = r.Int(column);
  if (!r.status().ok()) return r.status();
  return value;
}

absl::StatusOr<ArticleTerms> IndexTerms(const text::Tokenizer& tokenizer,
                                        const Article& article) {
  absl::flat_hash_map<std::string, std::array<int64_t, 3>> counts;
  int64_t length = 0;
  const std::string tags = rows::JoinLabels(article.tags);
  const std::string_view columns[3] = {article.title, tags, article.body};
  for (size_t c = 0; c < 3; ++c) {
    absl::Status s = tokenizer.ForEachToken(columns[c], text::TokenizeMode::kIndex,
                                            [&](const text::TokenView& t) {
                                              ++counts[std::string(t.term)][c];
                                              if (!t.colocated) ++length;
                                              return absl::OkStatus();
                                            });
    if (!s.ok()) return s;
  }
  ArticleTerms out;
  out.length = length;
  out.terms.reserve(counts.size());
  for (const auto& [term, n] : counts) out.terms.push_back(term);
  std::sort(out.terms.begin(), out.terms.end());
  for (const std::string& term : out.terms) {
    const std::array<int64_t, 3>& n = counts.at(term);
    out.title.push_back(n[0]);
    out.tags.push_back(n[1]);
    out.body.push_back(n[2]);
  }
  return out;
}

void AddPostings(Params& params, const ArticleTerms& terms) {
  params.Text(TextArrayLiteral(terms.terms));
  params.Text(IntArrayLiteral(terms.title));
  params.Text(IntArrayLiteral(terms.tags));
  params.Text(IntArrayLiteral(terms.body));
}

// The statement, in steps (all in one snapshot):
//   q       the query's terms with their positions
//   p       their postings, each with f(t, d): the counts times the weights
//   s       N and avg |d| (read as scalar subqueries: one row, whatever the
//           planner's estimate of kb_stats)
//   w       idf(t) from n(t), the number of postings of t (ranking.h's
//           Bm25Idf, in SQL)
//   scored  the articles that pass the filters, each with its score: the sum
//           of ranking.h's Bm25Term over its terms, added in the order of the
//           query's terms as the memory store adds them
//   top     the best k, ties by id (byte order: the "C" collation)
// then the rows of those k.
SearchSql BuildSearch(const knowledge::KnowledgeQuery& query,
                      const knowledge::SearchRequest& request,
                      const knowledge::KnowledgeStoreOptions& options) {
  SearchSql out;
  // A term with a NUL byte (none comes from the tokenizer) is in no article.
  std::vector<std::string> terms;
  for (const std::string& term : query.terms) {
    if (std::find(term.begin(), term.end(), '\0') == term.end()) terms.push_back(term);
  }
  out.params.Text(TextArrayLiteral(terms));
  out.params.Text(Float(options.title_weight));
  out.params.Text(Float(options.tags_weight));
  out.params.Text(Float(options.body_weight));
  out.params.Text(Float(knowledge::kBm25K1));
  out.params.Text(Float(knowledge::kBm25B));
  out.params.Int(static_cast<int64_t>(request.k));
  const knowledge::SearchFilters& f = request.filters;
  std::string where;
  int bit = 0;
  const auto next = [&out] { return out.params.size() + 1; };
  const auto shape = [&out, &bit](bool set) {
    if (set) out.shape |= 1 << bit;
    ++bit;
    return set;
  };
  if (shape(f.language.has_value())) {
    where += fmt::format(" AND a.language = ${}::text", next());
    out.params.Text(*f.language);
  }
  if (shape(!f.tags.empty())) {
    where += fmt::format(" AND a.tags && ${}::text[]", next());
    out.params.Text(TextArrayLiteral(f.tags));
  }
  if (shape(!f.skills.empty())) {
    where += fmt::format(" AND (cardinality(a.skills) = 0 OR a.skills && ${}::text[])",
                         next());
    out.params.Text(TextArrayLiteral(f.skills));
  }
  if (shape(f.queue.has_value())) {
    where += fmt::format(" AND (cardinality(a.queues) = 0 OR ${}::text = ANY (a.queues))",
                         next());
    out.params.Text(*f.queue);
  }
  if (shape(f.department.has_value())) {
    where += fmt::format(
        " AND (cardinality(a.departments) = 0 OR ${}::text = ANY (a.departments))",
        next());
    out.params.Text(*f.department);
  }
  if (shape(f.valid_at.has_value())) {
    const int p = next();
    where +=
        fmt::format(" AND a.valid_from <= ${0}::bigint AND ${0}::bigint < a.valid_to", p);
    out.params.Int(rows::TimeToMicros(*f.valid_at));
  }
  out.sql = fmt::format(
      "WITH q AS (SELECT u.term, u.ord FROM unnest($1::text[]) WITH ORDINALITY "
      "AS u(term, ord)), "
      "p AS (SELECT q.ord, k.doc, k.title_count * $2::float8 + k.tags_count * $3::float8 "
      "+ k.body_count * $4::float8 AS f FROM q JOIN kb_postings k ON k.term = q.term), "
      "s AS (SELECT articles::float8 AS n, total_length::float8 / "
      "NULLIF(articles, 0)::float8 AS avg FROM kb_stats), "
      "w AS (SELECT c.ord, CASE WHEN c.x <= 0 THEN 1e-6::float8 ELSE c.x END AS idf "
      "FROM (SELECT p.ord, ln(((SELECT n FROM s) - count(*)::float8 + 0.5::float8) / "
      "(count(*)::float8 + 0.5::float8)) AS x FROM p GROUP BY p.ord) c), "
      "scored AS (SELECT a.doc, a.id, sum(w.idf * (p.f * ($5::float8 + 1::float8)) / "
      "(p.f + $5::float8 * (1::float8 - $6::float8 + $6::float8 * a.length::float8 / "
      "(SELECT avg FROM s))) ORDER BY p.ord) AS score FROM p JOIN w ON w.ord = p.ord "
      "JOIN kb_articles a ON a.doc = p.doc WHERE TRUE{} GROUP BY a.doc), "
      "top AS (SELECT doc, id, score FROM scored ORDER BY score DESC, id "
      "LIMIT $7::bigint) "
      "SELECT t.id, t.score, a.version, x.title, a.language, a.tags, x.body "
      "FROM top t JOIN kb_articles a ON a.doc = t.doc JOIN kb_text x ON x.doc = t.doc "
      "ORDER BY t.score DESC, t.id",
      where);
  return out;
}

absl::Status CheckStorable(const Article& article) {
  for (const auto& [field, value] :
       {std::pair<std::string_view, const std::string*>{"title", &article.title},
        {"body", &article.body}}) {
    const size_t nul = value->find('\0');
    if (nul != std::string::npos) {
      return absl::InvalidArgumentError(
          fmt::format("article {}: {} has a NUL byte at offset {} (the store cannot "
                      "hold one)",
                      article.id, field, nul));
    }
  }
  return absl::OkStatus();
}

}  // namespace ccengine::postgres::knowledge_schema
