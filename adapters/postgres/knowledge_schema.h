// -----------------------------------------------------------------------------
// File: adapters/postgres/knowledge_schema.h
// -----------------------------------------------------------------------------
//
// The PostgreSQL knowledge store's database layout: the schema migrations, the
// SQL of its statements, how an `Article` maps to parameters and rows, and the
// index terms of an article. Apart from the store's logic (knowledge_store.cc)
// so that a change of layout is this file and one new migration.
//
// The tables (version 1):
//   kb_articles   one narrow row per article: what filters and the ranking's
//                 tie-break read for every matching article (doc, the id in
//                 the "C" collation so that ties order as std::string does,
//                 version, language, labels as TEXT[], validity as BIGINT
//                 microseconds with INT64_MIN / INT64_MAX for the infinite
//                 ends, and |d|: the article's token positions)
//   kb_text       title and body, beside it (doc)
//   kb_postings   the inverted index: one row per (term, doc) with the term's
//                 occurrences in title, tags and body, unweighted; the
//                 primary key (term, doc) covers the counts, so a search may
//                 read the postings of its terms from the index alone (an
//                 index-only scan, once vacuum has marked the pages visible)
//   kb_stats      one row: the number of articles N and the sum of |d|
//   kb_feedback   agents' verdicts, one row each (doc, contact, agent, kind
//                 as its FeedbackKind number, at), deleted with the article
// n(t), the articles holding a term, is the number of the term's postings:
// counted by the search in the same snapshot, never stored, so it cannot
// drift. The column weights apply at query time (a parameter of the search),
// so stores with other weights may share the database.
//
// Every statement takes its values as parameters ($1, $2, ... with casts
// that fix their types); none is ever spliced into the SQL.
//
// Thread safety: constants and functions without state; thread-safe.

#ifndef CCENGINE_ADAPTERS_POSTGRES_KNOWLEDGE_SCHEMA_H_
#define CCENGINE_ADAPTERS_POSTGRES_KNOWLEDGE_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/tokenizer.h"
#include "pg_conn.h"

struct pg_result;

namespace ccengine::postgres::knowledge_schema {

// The schema: version 1 creates the tables and indexes; a later version
// appends a step. Its version lives in `knowledge_store_schema`; a database
// with a `kb_articles` table but no version is another application's. The
// advisory lock of its migration is "cckb".
const StoreSchema& Schema();

// The statements of the store. Parameters:
//   kLockSql         $1 id; the stored doc, version and length, the row locked
//                    (no row: no such article); NO KEY: the doc never
//                    changes, so feedback recorded meanwhile does not wait
//   InsertSql()      the article (`AddArticle`), then its length; returns
//                    the new doc, or no row when another transaction
//                    inserted the id meanwhile (ON CONFLICT DO NOTHING)
//   UpdateSql()      $1 doc, then the article and its length; returns the new
//                    version
//   kPutTextSql      $1 doc, $2 title, $3 body (inserted or replaced)
//   kDeletePostingsSql  $1 doc
//   kInsertPostingsSql  $1 doc, $2 terms, $3..$5 title, tags and body counts
//                    (parallel arrays)
//   kAddStatsSql     $1 articles, $2 length to add (negative to take away)
//   kDeleteSql       $1 id; the doc and length of the deleted row (none: no
//                    such article); its kb_text row goes by the foreign key
//   GetSql()         $1 id; the article's row (`ReadArticle`)
//   kCountSql        the number of articles
//   kFeedbackSql     $1 id, $2 contact, $3 agent, $4 kind, $5 at; one row
//                    when recorded, none when there is no such article (the
//                    row is key-share-locked, so an article deleted meanwhile
//                    is none)
//   kTalliesSql      $1 ids; rows (position of the id from 1, kind, count)
inline constexpr std::string_view kLockSql =
    "SELECT doc, version, length FROM kb_articles WHERE id = $1::text "
    "FOR NO KEY UPDATE";
std::string InsertSql();
std::string UpdateSql();
inline constexpr std::string_view kPutTextSql =
    "INSERT INTO kb_text (doc, title, body) VALUES ($1::bigint, $2::text, $3::text) "
    "ON CONFLICT (doc) DO UPDATE SET title = excluded.title, body = excluded.body";
inline constexpr std::string_view kDeletePostingsSql =
    "DELETE FROM kb_postings WHERE doc = $1::bigint";
inline constexpr std::string_view kInsertPostingsSql =
    "INSERT INTO kb_postings (term, doc, title_count, tags_count, body_count) "
    "SELECT u.term, $1::bigint, u.t, u.g, u.b FROM unnest($2::text[], $3::integer[], "
    "$4::integer[], $5::integer[]) AS u(term, t, g, b)";
inline constexpr std::string_view kAddStatsSql =
    "UPDATE kb_stats SET articles = articles + $1::bigint, "
    "total_length = total_length + $2::bigint";
inline constexpr std::string_view kDeleteSql =
    "DELETE FROM kb_articles WHERE id = $1::text RETURNING doc, length";
std::string GetSql();
inline constexpr std::string_view kCountSql = "SELECT articles FROM kb_stats";
inline constexpr std::string_view kFeedbackSql =
    "WITH a AS (SELECT doc FROM kb_articles WHERE id = $1::text FOR KEY SHARE) "
    "INSERT INTO kb_feedback (doc, contact, agent, kind, at) SELECT a.doc, $2::text, "
    "$3::text, $4::smallint, $5::bigint FROM a RETURNING doc";
// AnonymizeFeedback: empties the contact and agent of the verdicts given
// before $1 (unix microseconds), or on one of the contacts $1 (a text
// array), that still name either; one row, how many.
inline constexpr std::string_view kUnlinkBeforeSql =
    "WITH u AS (UPDATE kb_feedback SET contact = '', agent = '' WHERE at < $1::bigint "
    "AND (contact <> '' OR agent <> '') RETURNING 1) SELECT count(*) FROM u";
inline constexpr std::string_view kUnlinkContactsSql =
    "WITH u AS (UPDATE kb_feedback SET contact = '', agent = '' "
    "WHERE contact = ANY($1::text[]) AND contact <> '' RETURNING 1) SELECT count(*) FROM "
    "u";
inline constexpr std::string_view kTalliesSql =
    "SELECT u.ord, f.kind, count(*) FROM unnest($1::text[]) WITH ORDINALITY "
    "AS u(id, ord) JOIN kb_articles a ON a.id = u.id JOIN kb_feedback f "
    "ON f.doc = a.doc GROUP BY u.ord, f.kind";

// Appends the article's columns (all but doc, version and length) as
// parameters, in the order `InsertSql` and `UpdateSql` expect them.
void AddArticle(Params& params, const knowledge::Article& article);

// Reads row `row` of a `GetSql` result. Internal, naming the article, when a
// value in it is not one this code writes.
absl::StatusOr<knowledge::Article> ReadArticle(const pg_result* result, int row);
// Reads an int64 column (Internal when it is NULL or not a number).
absl::StatusOr<int64_t> ReadInt(const pg_result* result, int row, int column);

// An article's index terms, sorted, with their occurrences per column, and
// its length |d| (positions that are not colocated, all columns): what the
// memory store computes (text::Tokenizer, index mode; the tags column is the
// tags joined by '\n').
struct ArticleTerms {
  std::vector<std::string> terms;
  std::vector<int64_t> title, tags, body;  // parallel to `terms`
  int64_t length = 0;
};
absl::StatusOr<ArticleTerms> IndexTerms(const text::Tokenizer& tokenizer,
                                        const knowledge::Article& article);
// The parameters of `kInsertPostingsSql` after $1.
void AddPostings(Params& params, const ArticleTerms& terms);

// The search as one statement, and its parameters. Parameters: $1 the
// query's terms (in `KnowledgeQuery::terms` order), $2..$4 the column
// weights, $5 k1, $6 b, $7 k, then the filters'. The SQL depends only on
// which filters are set (`shape`, a bit each), so each shape needs one
// prepared statement. Rows: id, score, version, title, language, tags, body;
// best first, ties by id.
struct SearchSql {
  std::string sql;
  Params params;
  int shape = 0;
};
SearchSql BuildSearch(const knowledge::KnowledgeQuery& query,
                      const knowledge::SearchRequest& request,
                      const knowledge::KnowledgeStoreOptions& options);

// What the store refuses beyond `knowledge::ValidateArticle`: a title or
// body with a NUL byte (PostgreSQL text cannot hold one). InvalidArgument
// naming the article and the field.
absl::Status CheckStorable(const knowledge::Article& article);

}  // namespace ccengine::postgres::knowledge_schema

#endif  // CCENGINE_ADAPTERS_POSTGRES_KNOWLEDGE_SCHEMA_H_
