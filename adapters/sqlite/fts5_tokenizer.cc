// The FTS5 custom tokenizer `ccengine`: text::Tokenizer inside SQLite, so the
// FTS5 index holds exactly the terms the rest of ccengine computes.

#include <sqlite3.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "ccengine/sqlite/knowledge_store.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "sqlite_db.h"

namespace ccengine::sqlite {
namespace {

// FTS5 wants a tokenizer object per table; ours has no state beyond the
// (immutable, shareable) text::Tokenizer.
struct TokenizerInstance {
  text::Tokenizer tokenizer;
};

int Create(void* /*context*/, const char** /*args*/, int arg_count, Fts5Tokenizer** out) {
  // tokenize='ccengine' takes no arguments.
  if (arg_count != 0) return SQLITE_ERROR;
  *out = reinterpret_cast<Fts5Tokenizer*>(new TokenizerInstance());
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* tokenizer) {
  delete reinterpret_cast<TokenizerInstance*>(tokenizer);
}

// Documents and the text of snippet()/highlight() (FTS5_TOKENIZE_DOCUMENT,
// FTS5_TOKENIZE_AUX) in index mode, MATCH strings in query mode. A sink's
// non-OK code from FTS5 stops the walk and is returned as it is; text the
// tokenizer refuses (invalid UTF-8, too long) is SQLITE_ERROR.
int Tokenize(Fts5Tokenizer* tokenizer, void* context, int flags, const char* text,
             int length,
             int (*token)(void* context, int flags, const char* token, int length,
                          int start, int end)) {
  const auto* instance = reinterpret_cast<TokenizerInstance*>(tokenizer);
  const text::TokenizeMode mode = (flags & FTS5_TOKENIZE_QUERY) != 0
                                      ? text::TokenizeMode::kQuery
                                      : text::TokenizeMode::kIndex;
  int rc = SQLITE_OK;
  const absl::Status status = instance->tokenizer.ForEachToken(
      std::string_view(text == nullptr ? "" : text, text == nullptr ? 0 : length), mode,
      [&](const text::TokenView& t) {
        rc = token(context, t.colocated ? FTS5_TOKEN_COLOCATED : 0, t.term.data(),
                   static_cast<int>(t.term.size()), static_cast<int>(t.start),
                   static_cast<int>(t.end));
        return rc == SQLITE_OK ? absl::OkStatus() : absl::CancelledError();
      });
  if (rc != SQLITE_OK) return rc;
  return status.ok() ? SQLITE_OK : SQLITE_ERROR;
}

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return nullptr;
  }
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace

absl::Status RegisterFts5Tokenizer(sqlite3* db, const std::string& name) {
  if (db == nullptr)
    return absl::InvalidArgumentError("RegisterFts5Tokenizer: no connection");
  fts5_api* api = Fts5Api(db);
  if (api == nullptr || api->iVersion < 2) {
    return absl::FailedPreconditionError(
        "this SQLite library has no FTS5 (it is needed for the knowledge store)");
  }
  fts5_tokenizer tokenizer{Create, Delete, Tokenize};
  const int rc = api->xCreateTokenizer(api, name.c_str(), nullptr, &tokenizer, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db, rc, fmt::format("register the FTS5 tokenizer {}", name));
  }
  return absl::OkStatus();
}

}  // namespace ccengine::sqlite
