// The SQLite FTS5 knowledge store: the conformance suite, the tokenizer inside
// SQLite, and the file's own behaviour.

#include "ccengine/sqlite/knowledge_store.h"

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/sqlite/ticket_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store_conformance.h"
#include "temp_dir.h"

namespace ccengine::sqlite {
namespace {

using knowledge::Article;
using knowledge::KnowledgeStore;
using knowledge::KnowledgeStoreOptions;
using knowledge::SearchHit;
using knowledge::SearchRequest;
using knowledge::testing::KnowledgeStoreConformance;
using knowledge::testing::KnowledgeStoreFactory;
using knowledge::testing::KnowledgeStoreFactoryName;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

SqliteKnowledgeStoreOptions Options(std::string path) {
  SqliteKnowledgeStoreOptions options;
  options.path = std::move(path);
  return options;
}

// A store with the directory of its file, removed after the store closes.
class StoreInTempDir final : public KnowledgeStore {
 public:
  static absl::StatusOr<std::unique_ptr<KnowledgeStore>> Open(
      KnowledgeStoreOptions options) {
    auto owner = std::make_unique<StoreInTempDir>();
    SqliteKnowledgeStoreOptions sqlite_options = Options(owner->dir_.File("kb.db"));
    sqlite_options.store = std::move(options);
    absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
        OpenSqliteKnowledgeStore(sqlite_options);
    if (!store.ok()) return store.status();
    owner->store_ = *std::move(store);
    return std::unique_ptr<KnowledgeStore>(std::move(owner));
  }

  absl::StatusOr<int64_t> Upsert(const Article& a) override { return store_->Upsert(a); }
  absl::Status Delete(std::string_view id) override { return store_->Delete(id); }
  absl::StatusOr<Article> Get(std::string_view id) override { return store_->Get(id); }
  absl::StatusOr<size_t> Count() override { return store_->Count(); }
  absl::StatusOr<std::vector<SearchHit>> Search(const SearchRequest& r) override {
    return store_->Search(r);
  }
  absl::Status RecordFeedback(const knowledge::Feedback& f) override {
    return store_->RecordFeedback(f);
  }
  absl::StatusOr<std::vector<knowledge::FeedbackTally>> Tallies(
      const std::vector<std::string>& ids) override {
    return store_->Tallies(ids);
  }
  absl::StatusOr<size_t> AnonymizeFeedback(
      const knowledge::FeedbackAnonymization& request) override {
    return store_->AnonymizeFeedback(request);
  }

 private:
  TempDir dir_;  // destroyed after the store
  std::unique_ptr<KnowledgeStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, KnowledgeStoreConformance,
                         ::testing::Values(KnowledgeStoreFactory{"sqlite",
                                                                 StoreInTempDir::Open}),
                         KnowledgeStoreFactoryName);

Article Make(std::string id, std::string title, std::string body) {
  Article a;
  a.id = std::move(id);
  a.title = std::move(title);
  a.body = std::move(body);
  return a;
}

// Runs one-column queries on a raw connection.
std::vector<std::string> Column(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    out.emplace_back(text == nullptr ? "" : text);
  }
  sqlite3_finalize(stmt);
  return out;
}

// The tokenizer registered on a connection of one's own: FTS5 finds
// two-character words inside longer runs (unicode61 does not).
TEST(Fts5TokenizerTest, FindsChineseWordsInsideRuns) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_TRUE(RegisterFts5Tokenizer(db).ok());
  ASSERT_EQ(
      sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE ours USING fts5(t, tokenize='ccengine');"
                   "CREATE VIRTUAL TABLE theirs USING fts5(t, tokenize='unicode61');"
                   "INSERT INTO ours VALUES('夜间施工噪音扰民'), ('Parking policies');"
                   "INSERT INTO theirs VALUES('夜间施工噪音扰民');",
                   nullptr, nullptr, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(db);
  EXPECT_THAT(Column(db, "SELECT t FROM ours WHERE ours MATCH '噪音'"),
              ElementsAre("夜间施工噪音扰民"));
  EXPECT_THAT(Column(db, "SELECT t FROM theirs WHERE theirs MATCH '噪音'"),
              ::testing::IsEmpty());
  EXPECT_THAT(Column(db, "SELECT t FROM ours WHERE ours MATCH '噪'"),
              ElementsAre("夜间施工噪音扰民"));
  EXPECT_THAT(Column(db, "SELECT t FROM ours WHERE ours MATCH 'policy park'"),
              ElementsAre("Parking policies"));
  // FTS5's highlight() marks the first token at each matched position, the
  // character, so a phrase of pairs loses its last character: the store
  // makes its own snippets (knowledge/snippet.h).
  EXPECT_THAT(Column(db,
                     "SELECT highlight(ours, 0, '[', ']') FROM ours WHERE ours MATCH "
                     "'噪音扰民'"),
              ElementsAre("夜间施工[噪音扰]民"));
  // tokenize='ccengine' takes no arguments.
  EXPECT_NE(sqlite3_exec(db,
                         "CREATE VIRTUAL TABLE bad USING fts5(t, tokenize='ccengine x')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteKnowledgeStoreTest, ReopensWithItsArticles) {
  TempDir dir;
  const std::string path = dir.File("kb.db");
  {
    auto store = OpenSqliteKnowledgeStore(Options(path));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Upsert(Make("noise", "噪音扰民投诉", "夜间施工")).ok());
  }
  auto store = OpenSqliteKnowledgeStore(Options(path));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->Count(), 1u);
  SearchRequest request;
  request.query = "噪音";
  absl::StatusOr<std::vector<SearchHit>> hits = (*store)->Search(request);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().id, "noise");
}

TEST(SqliteKnowledgeStoreTest, RefusesOtherFilesAndBadOptions) {
  TempDir dir;
  {
    auto tickets = OpenSqliteTicketStore({.path = dir.File("tickets.db")});
    ASSERT_TRUE(tickets.ok()) << tickets.status();
  }
  auto store = OpenSqliteKnowledgeStore(Options(dir.File("tickets.db")));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenSqliteKnowledgeStore(Options(":memory:")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteKnowledgeStore(Options("")).status().code(),
            absl::StatusCode::kInvalidArgument);
  SqliteKnowledgeStoreOptions bad = Options(dir.File("kb.db"));
  bad.store.title_weight = 0;
  EXPECT_THAT(OpenSqliteKnowledgeStore(bad).status().message(), HasSubstr("weight"));
}

// Two stores on one file: an article one writes is found by the other.
TEST(SqliteKnowledgeStoreTest, TwoConnectionsShareTheFile) {
  TempDir dir;
  auto a = OpenSqliteKnowledgeStore(Options(dir.File("kb.db")));
  auto b = OpenSqliteKnowledgeStore(Options(dir.File("kb.db")));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Upsert(Make("x", "医保报销", "门诊")).ok());
  SearchRequest request;
  request.query = "报销";
  EXPECT_EQ((*b)->Search(request)->size(), 1u);
  ASSERT_TRUE((*b)->Delete("x").ok());
  EXPECT_TRUE((*a)->Search(request)->empty());
}

}  // namespace
}  // namespace ccengine::sqlite
