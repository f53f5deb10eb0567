// -----------------------------------------------------------------------------
// File: adapters/postgres/include/ccengine/postgres/knowledge_store.h
// -----------------------------------------------------------------------------
//
// The PostgreSQL knowledge store: a `knowledge::KnowledgeStore`
// (ccengine/knowledge/store.h) kept in a PostgreSQL database, for knowledge
// bases that several processes or hosts share. It passes the knowledge store
// conformance suite (tests/knowledge/): the same matches, the same BM25
// scores (FTS5's bm25(), ranking.h) and the same hits as the memory store.
// Needs PostgreSQL 11 or later (tested with 15) and a UTF8 database; no
// extension.
//
// The database (knowledge_schema.h has the details):
//   - table `kb_articles`, one narrow row per article (id, version, language,
//     labels as TEXT[], validity as BIGINT microseconds with INT64_MIN /
//     INT64_MAX for the infinite ends, the article's length |d|): what
//     filters and the ranking's tie-break read for every matching article;
//     `kb_text` (title, body) beside it;
//   - table `kb_postings`, the inverted index: one row per (term, article)
//     with the term's occurrences in the title, tags and body, unweighted;
//     terms are the tokenizer's index terms (text::Tokenizer, computed in
//     C++), so no PostgreSQL text search configuration is involved;
//   - table `kb_stats`, one row: the number of articles and the sum of their
//     lengths; `kb_feedback`, agents' verdicts (`RecordFeedback`), one row
//     each, deleted with their article by a foreign key;
//     `knowledge_store_schema`, one row: the schema version;
//   - all in the first schema of the connection's search_path, beside a
//     ticket store's tables if one uses the database too; created, or
//     migrated from an older version, when a store opens the database, in
//     one transaction under an advisory lock.
// Every write is one transaction: the article's rows, its postings and the
// statistics change together.
//
// Search is one statement (one snapshot): the terms of `knowledge::BuildQuery`
// as an array parameter (query text never reaches the SQL), their postings by
// the primary key, n(t) counted from them, N and the mean length from
// `kb_stats`, the score of each article that passes the filters summed in
// SQL with ranking.h's formula, the best `k` by score then id; then
// coverage and snippet in C++ (`DescribeHit`). The column weights are
// parameters of the search, not part of the index: stores with other
// weights may share one database, each ranking with its own. The store's
// sessions run without JIT compilation (set_config('jit', 'off')): it would
// cost a search far more than it saves. Searches read the postings of their
// terms by the index once the server has analyzed the tables (autovacuum
// does); a database loaded in bulk may be analyzed at once (ANALYZE).
//
// Errors as the port's contract, and as the ticket store (ticket_store.h)
// maps the server's: InvalidArgument (`ValidateArticle`, `ValidateSearchRequest`,
// `BuildQuery`; also a title or body with a NUL byte, which PostgreSQL text
// cannot hold; nothing is sent), NotFound, Aborted (only the conditional
// upsert's version check: a deadlock or serialization failure the server
// reports is retried inside the store, a few times, and Aborted only if it
// persists), Unavailable (no connection within `connect_timeout`, a lost
// connection, a statement past `statement_timeout`, a lock wait past the
// server's lock_timeout, a standby; the next call connects again, so the
// store works again once the server is back, without reopening),
// ResourceExhausted (SQLSTATE class 53), Internal (anything else, with the
// server's message and SQLSTATE). Messages name the operation and the
// article ("upsert article faq-12: ...") and the database, never the
// password. A write whose connection is lost while its commit is on its way
// may or may not have been committed: Unavailable; a retried upsert (version
// 0) makes it so either way.
//
// Thread safety: thread-safe. A store holds a pool of up to `pool_size`
// connections; each call takes one, so up to `pool_size` calls run at once.
// Any number of stores, in one process or many, may share a database.
// Searches never wait for writers. Writes of one article serialize on its
// row (the version check decides a conditional upsert); every write also
// updates the one row of `kb_stats` last, just before its commit, so writes
// commit one at a time: a knowledge base is written seldom and read often.
// Rows are always locked in the same order (article, then statistics), so
// writers never deadlock. No call may be made on the engine's router thread.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ccengine::knowledge::KnowledgeStore>> kb =
//       ccengine::postgres::OpenPostgresKnowledgeStore(
//           {.dsn = "postgresql://desk@db.internal/kb"});

#ifndef CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_KNOWLEDGE_STORE_H_
#define CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_KNOWLEDGE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/store.h"

namespace ccengine::postgres {

struct PostgresKnowledgeStoreOptions {
  // A libpq connection string, as `PostgresTicketStoreOptions::dsn`
  // (ticket_store.h): a URI or key=value pairs; unset parts from libpq's
  // environment variables and defaults.
  std::string dsn;

  // Synonyms, column weights, highlight markers and snippet length.
  knowledge::KnowledgeStoreOptions store = {};

  // As PostgresTicketStoreOptions: how long establishing one connection may
  // take; the server's statement_timeout (and, plus connect_timeout, how
  // long the store waits for a reply before it gives a connection up; zero:
  // no limit); the most connections the store holds (1..64).
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration statement_timeout = absl::Seconds(30);
  int pool_size = 4;
};

// Opens the store: connects, checks the server (version, UTF8 encoding), and
// creates the schema or migrates an older one. Errors:
//   InvalidArgument     an empty or malformed dsn, bad timeouts or pool_size
//                       (as the ticket store), bad store options
//                       (`knowledge::ValidateStoreOptions`)
//   Unavailable         no connection within connect_timeout, or lost while
//                       migrating
//   FailedPrecondition  the server is older than PostgreSQL 11; the database
//                       is not UTF8; it has a `kb_articles` table but no
//                       ccengine schema version (not a ccengine knowledge
//                       store); its schema version is newer than this code
//                       knows
//   Internal            anything else (no privilege to create the tables),
//                       with the server's message
absl::StatusOr<std::unique_ptr<knowledge::KnowledgeStore>> OpenPostgresKnowledgeStore(
    const PostgresKnowledgeStoreOptions& options);

}  // namespace ccengine::postgres

#endif  // CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_KNOWLEDGE_STORE_H_
