// The PostgreSQL knowledge store: the knowledge store conformance suite, then
// what only a server does: stores sharing a database (with other column
// weights too), concurrent writers, the server going away and coming back,
// schema versions, a lock held past the statement timeout; and the
// evaluation set (tests/data/knowledge) ranked exactly as the memory store
// ranks it.
//
// The tests run against a private server this binary starts (pg_cluster.h).
// Without the server binaries they fail when CI is set and skip otherwise.

#include "ccengine/postgres/knowledge_store.h"

#include <libpq-fe.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/postgres/ticket_store.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "pg_cluster.h"
#include "pg_fixture.h"
#include "store_conformance.h"

#ifndef CCENGINE_KNOWLEDGE_DATA
#define CCENGINE_KNOWLEDGE_DATA "tests/data/knowledge"
#endif

namespace ccengine::postgres {
namespace {

using knowledge::Article;
using knowledge::KnowledgeStore;
using knowledge::KnowledgeStoreOptions;
using knowledge::SearchFilters;
using knowledge::SearchHit;
using knowledge::SearchRequest;
using knowledge::testing::KnowledgeStoreConformance;
using knowledge::testing::KnowledgeStoreFactory;
using knowledge::testing::KnowledgeStoreFactoryName;
using ::testing::HasSubstr;
using testing::PgCluster;
using testing::SharedCluster;
using testing::SkipWithoutServer;

// --- the server ---------------------------------------------------------------

// A store on a fresh database of the shared server.
absl::StatusOr<std::unique_ptr<KnowledgeStore>> OpenFresh(KnowledgeStoreOptions options,
                                                          int pool_size) {
  absl::Status why;
  PgCluster* cluster = SharedCluster(&why);
  if (cluster == nullptr) return why;
  absl::StatusOr<std::string> database = cluster->CreateDatabase();
  if (!database.ok()) return database.status();
  return OpenPostgresKnowledgeStore({.dsn = cluster->Dsn(*database),
                                     .store = std::move(options),
                                     .pool_size = pool_size});
}

std::vector<KnowledgeStoreFactory> ConformanceStores() {
  if (SkipWithoutServer()) return {};
  return {
      KnowledgeStoreFactory{
          "postgres", [](KnowledgeStoreOptions o) { return OpenFresh(std::move(o), 4); }},
      KnowledgeStoreFactory{
          "postgres_one_connection",
          [](KnowledgeStoreOptions o) { return OpenFresh(std::move(o), 1); }},
  };
}

INSTANTIATE_TEST_SUITE_P(Postgres, KnowledgeStoreConformance,
                         ::testing::ValuesIn(ConformanceStores()),
                         KnowledgeStoreFactoryName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KnowledgeStoreConformance);

// --- helpers ------------------------------------------------------------------

Article Make(std::string id, std::string title, std::string body,
             std::vector<std::string> tags = {}) {
  Article a;
  a.id = std::move(id);
  a.title = std::move(title);
  a.body = std::move(body);
  a.tags = std::move(tags);
  return a;
}

std::unique_ptr<KnowledgeStore> MustOpen(const PostgresKnowledgeStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      OpenPostgresKnowledgeStore(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::unique_ptr<KnowledgeStore> MustOpenMemory(KnowledgeStoreOptions options = {}) {
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      knowledge::NewMemoryKnowledgeStore(std::move(options));
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

void Put(KnowledgeStore& store, const Article& a) {
  absl::StatusOr<int64_t> v = store.Upsert(a);
  ASSERT_TRUE(v.ok()) << a.id << ": " << v.status();
}

std::vector<SearchHit> Find(KnowledgeStore& store, const std::string& query,
                            SearchFilters filters = {}, size_t k = 10) {
  const SearchRequest request{.query = query, .filters = std::move(filters), .k = k};
  absl::StatusOr<std::vector<SearchHit>> hits = store.Search(request);
  EXPECT_TRUE(hits.ok()) << query << ": " << hits.status();
  return hits.ok() ? *std::move(hits) : std::vector<SearchHit>{};
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  ids.reserve(hits.size());
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

// The store's hits are the reference's: the same articles in the same order,
// scores equal to 1e-9 relative, the same coverage, snippet, title and tags.
void ExpectSameHits(KnowledgeStore& store, KnowledgeStore& reference,
                    const std::string& query, const SearchFilters& filters = {},
                    size_t k = 10) {
  const std::vector<SearchHit> got = Find(store, query, filters, k);
  const std::vector<SearchHit> want = Find(reference, query, filters, k);
  ASSERT_EQ(Ids(got), Ids(want)) << query;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].score, want[i].score, 1e-9 * want[i].score) << query;
    EXPECT_EQ(got[i].coverage, want[i].coverage) << query;
    EXPECT_EQ(got[i].snippet, want[i].snippet) << query;
    EXPECT_EQ(got[i].title, want[i].title) << query;
    EXPECT_EQ(got[i].tags, want[i].tags) << query;
  }
}

// Tests that need the shared server, each on a fresh database.
class PostgresKnowledgeStore : public testing::FreshDatabaseTest {};

// --- sharing a database -------------------------------------------------------

TEST_F(PostgresKnowledgeStore, ReopeningFindsTheArticles) {
  {
    std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_});
    ASSERT_NE(store, nullptr);
    Put(*store, Make("noise", "噪音扰民投诉", "夜间施工噪音", {"城管"}));
    Put(*store, Make("park", "停车收费", "路边停车按小时收费"));
  }
  std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Count(), 2u);
  absl::StatusOr<Article> noise = store->Get("noise");
  ASSERT_TRUE(noise.ok()) << noise.status();
  EXPECT_EQ(noise->tags, std::vector<std::string>{"城管"});
  EXPECT_EQ(noise->version, 1);
  EXPECT_THAT(Ids(Find(*store, "噪音")), ::testing::ElementsAre("noise"));
}

TEST_F(PostgresKnowledgeStore, TwoStoresOnOneDatabaseSeeEachOthersWrites) {
  std::unique_ptr<KnowledgeStore> a = MustOpen({.dsn = dsn_});
  std::unique_ptr<KnowledgeStore> b = MustOpen({.dsn = dsn_, .pool_size = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Put(*a, Make("med", "医保报销", "门诊费用报销"));
  EXPECT_THAT(Ids(Find(*b, "报销")), ::testing::ElementsAre("med"));
  Put(*b, Make("med2", "医保异地备案", "异地就医先备案再报销"));
  EXPECT_EQ(*a->Count(), 2u);
  EXPECT_EQ(Find(*a, "报销").size(), 2u);

  // A conditional upsert from a stale read loses to the other store's write.
  Article stale = *a->Get("med");
  Article fresh = *b->Get("med");
  fresh.body = "门诊和住院费用报销";
  ASSERT_EQ(*b->Upsert(fresh), 2);
  stale.title = "医保报销（旧）";
  absl::StatusOr<int64_t> lost = a->Upsert(stale);
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted) << lost.status();
  EXPECT_THAT(lost.status().message(), HasSubstr("version 1 expected, 2 stored"));
  EXPECT_EQ(a->Get("med")->body, "门诊和住院费用报销");

  ASSERT_TRUE(a->Delete("med2").ok());
  EXPECT_EQ(b->Get("med2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Ids(Find(*b, "报销")), ::testing::ElementsAre("med"));
}

// Feedback is the article's, whichever store recorded it: an update keeps it,
// a delete takes it.
TEST_F(PostgresKnowledgeStore, FeedbackStaysWithTheArticleAcrossStoresAndUpdates) {
  std::unique_ptr<KnowledgeStore> a = MustOpen({.dsn = dsn_});
  std::unique_ptr<KnowledgeStore> b = MustOpen({.dsn = dsn_});
  ASSERT_TRUE(a && b);
  Put(*a, Make("med", "医保报销", "门诊费用报销"));
  knowledge::Feedback f;
  f.article_id = "med";
  f.contact = "c-1";
  f.agent = "agent-7";
  f.kind = knowledge::FeedbackKind::kHelpful;
  f.at = absl::FromUnixSeconds(1'750'000'000);
  ASSERT_TRUE(a->RecordFeedback(f).ok());
  f.kind = knowledge::FeedbackKind::kUsed;
  ASSERT_TRUE(b->RecordFeedback(f).ok());
  Put(*b, Make("med", "医保报销", "门诊和住院费用报销"));
  absl::StatusOr<std::vector<knowledge::FeedbackTally>> t =
      a->Tallies({"med", "med", std::string("m\0d", 3)});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)[0], (knowledge::FeedbackTally{"med", 1, 1, 0}));
  EXPECT_EQ((*t)[1], (knowledge::FeedbackTally{"med", 1, 1, 0}));
  EXPECT_EQ((*t)[2], (knowledge::FeedbackTally{std::string("m\0d", 3), 0, 0, 0}));
  EXPECT_EQ(Sql("SELECT contact, agent, kind, at FROM kb_feedback ORDER BY kind"),
            "c-1|agent-7|0|1750000000000000\nc-1|agent-7|1|1750000000000000");
  ASSERT_TRUE(b->Delete("med").ok());
  EXPECT_EQ(Sql("SELECT count(*) FROM kb_feedback"), "0");
  EXPECT_EQ(a->RecordFeedback(f).code(), absl::StatusCode::kNotFound);
}

// The weights are the search's, not the index's: stores with other weights
// share a database, each ranking as a memory store with its weights.
TEST_F(PostgresKnowledgeStore, StoresWithOtherWeightsShareTheDatabase) {
  KnowledgeStoreOptions body_first;
  body_first.title_weight = 0.5;
  body_first.tags_weight = 1.5;
  body_first.body_weight = 3.25;
  std::unique_ptr<KnowledgeStore> a = MustOpen({.dsn = dsn_});
  std::unique_ptr<KnowledgeStore> b = MustOpen({.dsn = dsn_, .store = body_first});
  std::unique_ptr<KnowledgeStore> memory_a = MustOpenMemory();
  std::unique_ptr<KnowledgeStore> memory_b = MustOpenMemory(body_first);
  ASSERT_TRUE(a && b && memory_a && memory_b);
  const Article articles[] = {
      Make("in_body", "一般说明", "这里提到了公积金，公积金提取。"),
      Make("in_title", "公积金说明", "这里什么也没有。"),
      Make("in_tags", "其他说明", "这里什么也没有。", {"公积金"}),
  };
  for (const Article& article : articles) {
    Put(*a, article);
    Put(*memory_a, article);
    Put(*memory_b, article);
  }
  EXPECT_EQ(Ids(Find(*a, "公积金")),
            (std::vector<std::string>{"in_title", "in_tags", "in_body"}));
  EXPECT_EQ(Ids(Find(*b, "公积金")).front(), "in_body");
  for (const char* query : {"公积金", "公积金提取", "说明"}) {
    ExpectSameHits(*a, *memory_a, query);
    ExpectSameHits(*b, *memory_b, query);
  }
}

// Writers on two stores upsert, conditionally upsert and delete articles that
// share most of their terms, and record feedback on them; afterwards the
// statistics and the postings are what a recount of the stored articles
// gives, and searches score as a memory store holding the same articles.
TEST_F(PostgresKnowledgeStore, ConcurrentWritersLoseNoUpdates) {
  std::unique_ptr<KnowledgeStore> stores[] = {MustOpen({.dsn = dsn_, .pool_size = 2}),
                                              MustOpen({.dsn = dsn_, .pool_size = 2})};
  ASSERT_TRUE(stores[0] && stores[1]);
  const std::vector<std::string> words = {"社保卡", "补办", "医保", "报销", "公积金",
                                          "提取",   "流程", "材料", "办理", "窗口"};
  constexpr int kThreads = 4;
  constexpr int kSteps = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      KnowledgeStore& store = *stores[t % 2];
      std::mt19937 rng(100 + t);
      for (int step = 0; step < kSteps; ++step) {
        const std::string id = absl::StrCat("a", rng() % 10);
        std::string body;
        for (int w = 0; w < 8; ++w) body += words[rng() % words.size()];
        const int op = static_cast<int>(rng() % 7);
        absl::Status s;
        if (op == 0) {
          s = store.Delete(id);
          if (s.code() == absl::StatusCode::kNotFound) s = absl::OkStatus();
        } else if (op == 6) {
          // Feedback races deletes: recorded, or NotFound.
          knowledge::Feedback f;
          f.article_id = id;
          f.agent = absl::StrCat("agent", t);
          f.kind = knowledge::FeedbackKind::kHelpful;
          s = store.RecordFeedback(f);
          if (s.code() == absl::StatusCode::kNotFound) s = absl::OkStatus();
        } else if (op == 1) {
          absl::StatusOr<Article> read = store.Get(id);
          if (!read.ok()) continue;
          read->body = body;
          s = store.Upsert(*read).status();
          if (s.code() == absl::StatusCode::kAborted ||
              s.code() == absl::StatusCode::kNotFound) {
            s = absl::OkStatus();
          }
        } else {
          s = store
                  .Upsert(Make(id, absl::StrCat(words[rng() % words.size()], " ", id),
                               body, {words[rng() % words.size()]}))
                  .status();
        }
        if (!s.ok()) {
          ADD_FAILURE() << s;
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);

  // The recount, from the stored articles.
  std::unique_ptr<KnowledgeStore> memory = MustOpenMemory();
  const text::Tokenizer tokenizer;
  std::map<std::string, int> rows_with_term;
  int64_t total_length = 0;
  std::istringstream lines(Sql("SELECT id FROM kb_articles ORDER BY id"));
  int articles = 0;
  for (std::string id; std::getline(lines, id);) {
    absl::StatusOr<Article> a = stores[0]->Get(id);
    ASSERT_TRUE(a.ok()) << a.status();
    a->version = 0;
    Put(*memory, *a);
    ++articles;
    std::map<std::string, int> terms;
    std::string tags;
    for (const std::string& tag : a->tags) tags += (tags.empty() ? "" : "\n") + tag;
    for (const std::string& column : {a->title, tags, a->body}) {
      const std::vector<text::Token> tokens =
          *tokenizer.Tokenize(column, text::TokenizeMode::kIndex);
      for (const text::Token& token : tokens) {
        terms[token.term] = 1;
        if (!token.colocated) ++total_length;
      }
    }
    for (const auto& [term, one] : terms) ++rows_with_term[term];
  }
  ASSERT_GT(articles, 0);
  EXPECT_EQ(Sql("SELECT articles, total_length FROM kb_stats"),
            fmt::format("{}|{}", articles, total_length));
  EXPECT_EQ(Sql("SELECT count(*), sum(length) FROM kb_articles"),
            fmt::format("{}|{}", articles, total_length));
  EXPECT_EQ(Sql("SELECT count(*) FROM kb_text"), std::to_string(articles));
  EXPECT_EQ(Sql("SELECT count(*) FROM kb_postings WHERE doc NOT IN "
                "(SELECT doc FROM kb_articles)"),
            "0");
  std::string expected;
  for (const auto& [term, n] : rows_with_term) {
    expected += fmt::format("{}{}|{}", expected.empty() ? "" : "\n", term, n);
  }
  EXPECT_EQ(Sql("SELECT term, count(*) FROM kb_postings GROUP BY term ORDER BY term"),
            expected);
  for (const std::string& word : words) ExpectSameHits(*stores[1], *memory, word);
  ExpectSameHits(*stores[0], *memory, "社保卡补办要什么材料", {}, 100);
}

// --- the server going away ----------------------------------------------------

TEST_F(PostgresKnowledgeStore, TheServerStoppedAndStartedAgain) {
  // A server of its own: this test stops it.
  absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = (*cluster)->Dsn("tickets"),
                                                    .connect_timeout = absl::Seconds(2),
                                                    .pool_size = 2});
  ASSERT_NE(store, nullptr);
  Put(*store, Make("noise", "噪音扰民投诉", "夜间施工噪音"));
  const std::vector<SearchHit> before = Find(*store, "噪音");
  ASSERT_EQ(before.size(), 1u);

  ASSERT_TRUE((*cluster)->Stop("fast").ok());
  const std::pair<std::string, absl::Status> calls[] = {
      {"get article noise", store->Get("noise").status()},
      {"search", store->Search(SearchRequest{.query = "噪音", .filters = {}}).status()},
      {"count articles", store->Count().status()},
      {"upsert article park", store->Upsert(Make("park", "停车", "收费")).status()},
      {"delete article noise", store->Delete("noise")},
  };
  for (const auto& [what, status] : calls) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << what << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr(what));
  }

  // Started again: the same store works at once, without reopening.
  ASSERT_TRUE((*cluster)->StartAgain().ok());
  absl::StatusOr<Article> again = store->Get("noise");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version, 1);
  const std::vector<SearchHit> after = Find(*store, "噪音");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].score, before[0].score);
  Put(*store, Make("park", "停车", "收费"));
  EXPECT_EQ(*store->Count(), 2u);
}

TEST_F(PostgresKnowledgeStore, AWriteLockHeldPastTheStatementTimeoutIsUnavailable) {
  std::unique_ptr<KnowledgeStore> store =
      MustOpen({.dsn = dsn_, .statement_timeout = absl::Milliseconds(300)});
  ASSERT_NE(store, nullptr);
  Put(*store, Make("noise", "噪音扰民投诉", "夜间施工噪音"));
  // Another session holds the statistics row, as a writer does until it commits.
  std::unique_ptr<PGconn, void (*)(PGconn*)> holder(PQconnectdb(dsn_.c_str()), PQfinish);
  PQclear(PQexec(holder.get(), "BEGIN; SELECT * FROM kb_stats FOR UPDATE"));
  ASSERT_EQ(PQtransactionStatus(holder.get()), PQTRANS_INTRANS);
  const absl::Time start = absl::Now();
  absl::StatusOr<int64_t> blocked = store->Upsert(Make("park", "停车", "收费"));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_THAT(blocked.status().message(), HasSubstr("57014"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // Searches do not wait for writers; the refused write left nothing.
  EXPECT_EQ(Find(*store, "噪音").size(), 1u);
  EXPECT_EQ(*store->Count(), 1u);
  EXPECT_EQ(store->Get("park").status().code(), absl::StatusCode::kNotFound);
  PQclear(PQexec(holder.get(), "COMMIT"));
  Put(*store, Make("park", "停车", "收费"));
}

TEST_F(PostgresKnowledgeStore, AnUnreachableServerIsUnavailable) {
  const std::string nowhere = cluster_->directory() + "/nowhere";
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store = OpenPostgresKnowledgeStore(
      {.dsn = fmt::format("host={} user=postgres dbname=kb password=hunter2", nowhere),
       .connect_timeout = absl::Seconds(2)});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_THAT(store.status().message(), HasSubstr("open knowledge store"));
  EXPECT_THAT(store.status().message(), ::testing::Not(HasSubstr("hunter2")));
}

// --- the schema and options ---------------------------------------------------

TEST_F(PostgresKnowledgeStore, SchemaVersionsAndOtherTables) {
  {
    std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_});
    ASSERT_NE(store, nullptr);
    Put(*store, Make("a", "标题", "正文"));
  }
  // A ticket store may use the same database.
  EXPECT_TRUE(OpenPostgresTicketStore({.dsn = dsn_}).ok());
  EXPECT_NE(MustOpen({.dsn = dsn_}), nullptr);
  EXPECT_EQ(Sql("SELECT version FROM knowledge_store_schema"), "2");
  // A version-1 database gets version 2's indexes on open.
  Sql("DROP INDEX kb_feedback_contact");
  Sql("DROP INDEX kb_feedback_linked_at");
  Sql("UPDATE knowledge_store_schema SET version = 1");
  EXPECT_NE(MustOpen({.dsn = dsn_}), nullptr);
  EXPECT_EQ(Sql("SELECT version FROM knowledge_store_schema"), "2");
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_indexes WHERE indexname IN "
                "('kb_feedback_contact', 'kb_feedback_linked_at')"),
            "2");
  Sql("UPDATE knowledge_store_schema SET version = 7");
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> newer =
      OpenPostgresKnowledgeStore({.dsn = dsn_});
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition)
      << newer.status();
  EXPECT_THAT(newer.status().message(), HasSubstr("schema version 7"));

  absl::StatusOr<std::string> other = cluster_->CreateDatabase();
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(cluster_->Sql(*other, "CREATE TABLE kb_articles (n INTEGER)").ok());
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> refused =
      OpenPostgresKnowledgeStore({.dsn = cluster_->Dsn(*other)});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
      << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("not a ccengine knowledge store"));
}

TEST_F(PostgresKnowledgeStore, TheDatabaseHasTheDocumentedLayout) {
  std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  Article a = Make("b", "噪音投诉", "噪音噪音 noise", {"城管", "x"});
  a.valid_from = absl::FromUnixMicros(1'700'000'000'123'456);
  Put(*store, a);
  Put(*store, Make("B", "other", "text"));
  EXPECT_EQ(Sql("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'kb_%' "
                "ORDER BY indexname"),
            "kb_articles_id_key\nkb_articles_pkey\nkb_feedback_by_doc\n"
            "kb_feedback_contact\nkb_feedback_linked_at\n"
            "kb_postings_by_doc\nkb_postings_pkey\nkb_stats_pkey\nkb_text_pkey");
  // Anonymized feedback names no contact and no agent in the table.
  ASSERT_TRUE(
      store
          ->RecordFeedback({"b", "call-1", "a7", knowledge::FeedbackKind::kHelpful,
                            absl::FromUnixSeconds(1'750'000'000)})
          .ok());
  knowledge::FeedbackAnonymization erase;
  erase.contacts = {"call-1"};
  EXPECT_EQ(*store->AnonymizeFeedback(erase), 1u);
  EXPECT_EQ(Sql("SELECT contact || '|' || agent || '|' || kind FROM kb_feedback"), "||1");
  EXPECT_EQ(Sql("SELECT id FROM kb_articles ORDER BY id"), "B\nb");  // bytes
  EXPECT_EQ(Sql("SELECT tags, valid_from, valid_to FROM kb_articles WHERE id = 'b'"),
            "{城管,x}|1700000000123456|9223372036854775807");
  // The postings are the tokenizer's terms with their counts per column.
  const text::Tokenizer tokenizer;
  std::map<std::string, std::array<int, 3>> counts;
  int64_t length = 0;
  int column = 0;
  for (const std::string& text : {a.title, std::string("城管\nx"), a.body}) {
    const std::vector<text::Token> tokens =
        *tokenizer.Tokenize(text, text::TokenizeMode::kIndex);
    for (const text::Token& t : tokens) {
      ++counts[t.term][column];
      if (!t.colocated) ++length;
    }
    ++column;
  }
  std::string expected;
  for (const auto& [term, n] : counts) {
    expected += fmt::format("{}{}|{}|{}|{}", expected.empty() ? "" : "\n", term, n[0],
                            n[1], n[2]);
  }
  EXPECT_EQ(Sql("SELECT term, title_count, tags_count, body_count FROM kb_postings "
                "p JOIN kb_articles a USING (doc) WHERE a.id = 'b' ORDER BY term"),
            expected);
  EXPECT_EQ(Sql("SELECT length FROM kb_articles WHERE id = 'b'"), std::to_string(length));
  EXPECT_EQ(Sql("SELECT articles FROM kb_stats"), "2");
}

TEST_F(PostgresKnowledgeStore, WhatTheDatabaseCannotHoldIsRefusedOrNotFound) {
  std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  for (const Article& a : {Make("nul", std::string("ti\0tle", 6), "b"),
                           Make("nul", "t", std::string("bo\0dy", 5))}) {
    absl::StatusOr<int64_t> v = store->Upsert(a);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << v.status();
    EXPECT_THAT(v.status().message(), HasSubstr("NUL"));
  }
  EXPECT_EQ(*store->Count(), 0u);
  for (const std::string& id : {std::string("a\0b", 3), std::string("\xff")}) {
    EXPECT_EQ(store->Get(id).status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(store->Delete(id).code(), absl::StatusCode::kNotFound);
  }
  Put(*store, Make("noise", "噪音", "施工"));
  EXPECT_EQ(Find(*store, std::string("噪\0音", 7)).size(), 1u);
}

TEST_F(PostgresKnowledgeStore, BadOptionsAreInvalidArgument) {
  KnowledgeStoreOptions bad_weight;
  bad_weight.body_weight = 0;
  const PostgresKnowledgeStoreOptions bad[] = {
      {.dsn = ""},
      {.dsn = "nonsense=1"},
      {.dsn = dsn_, .store = bad_weight},
      {.dsn = dsn_, .connect_timeout = absl::ZeroDuration()},
      {.dsn = dsn_, .statement_timeout = absl::Seconds(-1)},
      {.dsn = dsn_, .pool_size = 0},
      {.dsn = dsn_, .pool_size = 65},
  };
  for (const PostgresKnowledgeStoreOptions& options : bad) {
    absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
        OpenPostgresKnowledgeStore(options);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument)
        << options.dsn << ": " << store.status();
  }
  EXPECT_THAT(
      OpenPostgresKnowledgeStore({.dsn = dsn_, .store = bad_weight}).status().message(),
      HasSubstr("weight"));
}

// --- the evaluation set -------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// Sets `*t` to the day `object[key]` ("YYYY-MM-DD", midnight UTC) plus `days`,
// when it is there.
void SetDay(const nlohmann::json& object, const char* key, int days, absl::Time* t) {
  if (!object.contains(key) || !object[key].is_string()) return;
  std::string error;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%d", object[key].get<std::string>(),
                              absl::UTCTimeZone(), t, &error))
      << error;
  *t += absl::Hours(24 * days);
}

// Every query of the evaluation set, with the set's synonyms, finds the same
// articles in the same order with the same scores as the memory store; some
// with filters too.
TEST_F(PostgresKnowledgeStore, TheEvaluationSetRanksAsTheMemoryStoreRanksIt) {
  const std::string dir = CCENGINE_KNOWLEDGE_DATA;
  absl::StatusOr<text::SynonymTable> synonyms =
      text::SynonymTable::Parse(ReadFile(dir + "/synonyms.txt"));
  ASSERT_TRUE(synonyms.ok()) << synonyms.status();
  KnowledgeStoreOptions options;
  options.synonyms = *synonyms;
  std::unique_ptr<KnowledgeStore> store = MustOpen({.dsn = dsn_, .store = options});
  std::unique_ptr<KnowledgeStore> memory = MustOpenMemory(options);
  ASSERT_TRUE(store && memory);
  for (const nlohmann::json& j : ReadJsonLines(dir + "/articles.jsonl")) {
    Article a;
    a.id = j.at("id").get<std::string>();
    a.title = j.at("title").get<std::string>();
    a.body = j.at("body").get<std::string>();
    a.language = j.at("language").get<std::string>();
    a.tags = j.value("tags", std::vector<std::string>{});
    if (j.contains("department") && j["department"].is_string()) {
      a.departments = {j["department"].get<std::string>()};
    }
    SetDay(j, "valid_from", 0, &a.valid_from);
    SetDay(j, "valid_to", 1, &a.valid_to);  // the last valid day
    Put(*store, a);
    Put(*memory, a);
  }
  const std::vector<nlohmann::json> queries = ReadJsonLines(dir + "/queries.jsonl");
  ASSERT_GT(queries.size(), 700u);
  SearchFilters filtered;
  filtered.language = "zh";
  filtered.valid_at = absl::FromUnixSeconds(1'740'000'000);  // 2025-02
  filtered.department = "税务";
  for (size_t i = 0; i < queries.size(); ++i) {
    const std::string query = queries[i].at("query").get<std::string>();
    ExpectSameHits(*store, *memory, query);
    if (i % 7 == 0) ExpectSameHits(*store, *memory, query, filtered, 5);
    if (::testing::Test::HasFailure()) break;  // one query's story is enough
  }
}

}  // namespace
}  // namespace ccengine::postgres
