// -----------------------------------------------------------------------------
// File: adapters/sqlite/include/ccengine/sqlite/knowledge_store.h
// -----------------------------------------------------------------------------
//
// The SQLite FTS5 knowledge store: a `knowledge::KnowledgeStore`
// (ccengine/knowledge/store.h) in one SQLite file, the embedded default. It
// passes the knowledge store conformance suite (tests/knowledge/).
//
// The file:
//   - table `kb_articles`, one narrow row per article (id, language, labels
//     one per line, validity as int64 microseconds with INT64_MIN / INT64_MAX
//     for the infinite ends, version): what filters and the ranking's
//     tie-break read for every matching article; table `kb_text` (title,
//     tags, body) beside it; the FTS5 table `kb_fts` (columns title, tags,
//     body; external content `kb_text`; tokenizer `ccengine`), kept in step by
//     the store in the same transaction;
//   - WAL journal; `PRAGMA application_id` marks the file as a ccengine
//     knowledge store and `PRAGMA user_version` is its schema version. A
//     ticket store and a knowledge store may not share one file.
//
// Search is one FTS5 query: the MATCH string of `knowledge::BuildQuery` and
// `Fts5MatchExpression` (query text never reaches FTS5's syntax), ranked by
// bm25() with the store's column weights, filtered in SQL, the best `k`
// rows only; then title, tags and body of those rows for the snippet.
//
// The tokenizer `ccengine` (text::Tokenizer: index mode for documents, query
// mode for queries) is registered on the store's connection. A program that
// opens the file with its own connection and wants to read or write `kb_fts`
// registers it there with `RegisterFts5Tokenizer`.
//
// Errors as the port's contract; SQLite's codes map as in the ticket store
// (ticket_store.h): Unavailable for a lock held past busy_timeout or a file
// that cannot be opened, ResourceExhausted for a full disk or
// max_database_bytes, Internal for a corrupt file.
//
// Thread safety: thread-safe; one connection behind a mutex, so calls run one
// at a time. Several stores, in one process or many, may open one file: WAL
// lets searches run beside a writer, and writes are serialized by SQLite's
// file lock.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ccengine::knowledge::KnowledgeStore>> kb =
//       ccengine::sqlite::OpenSqliteKnowledgeStore({.path = "/var/lib/ccengine/kb.db"});

#ifndef CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_KNOWLEDGE_STORE_H_
#define CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_KNOWLEDGE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/store.h"

struct sqlite3;

namespace ccengine::sqlite {

struct SqliteKnowledgeStoreOptions {
  // The database file; created (with the schema) when missing. ":memory:" is
  // refused (use knowledge::NewMemoryKnowledgeStore).
  std::string path;
  // Synonyms, column weights, highlight markers and snippet length.
  knowledge::KnowledgeStoreOptions store;
  // As SqliteTicketStoreOptions (ticket_store.h).
  absl::Duration busy_timeout = absl::Seconds(5);
  enum class Sync { kFull, kNormal, kOff };
  Sync sync = Sync::kNormal;
  int64_t max_database_bytes = 0;
};

// Opens (or creates) the store. Errors: InvalidArgument (an empty path,
// ":memory:", bad options), FailedPrecondition (not an SQLite database, not a
// knowledge store, a newer schema), Unavailable (cannot be opened), Internal.
absl::StatusOr<std::unique_ptr<knowledge::KnowledgeStore>> OpenSqliteKnowledgeStore(
    const SqliteKnowledgeStoreOptions& options);

// Registers the FTS5 tokenizer `name` (text::Tokenizer with default options:
// index mode for documents and snippets, query mode for MATCH strings) on the
// connection `db`. FailedPrecondition when the SQLite library has no FTS5.
absl::Status RegisterFts5Tokenizer(sqlite3* db, const std::string& name = "ccengine");

}  // namespace ccengine::sqlite

#endif  // CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_KNOWLEDGE_STORE_H_
