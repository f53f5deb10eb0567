// The KnowledgeStore contract (ccengine/knowledge/store.h) as tests; see
// store_conformance.h.

#include "store_conformance.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::knowledge::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Article Make(std::string id, std::string title, std::string body,
             std::string language = "zh", std::vector<std::string> tags = {}) {
  Article a;
  a.id = std::move(id);
  a.title = std::move(title);
  a.body = std::move(body);
  a.language = std::move(language);
  a.tags = std::move(tags);
  return a;
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

}  // namespace

void KnowledgeStoreConformance::Put(const Article& a) {
  absl::StatusOr<int64_t> v = store_->Upsert(a);
  ASSERT_TRUE(v.ok()) << v.status();
}

std::vector<SearchHit> KnowledgeStoreConformance::Find(const std::string& query,
                                                       SearchFilters filters, size_t k) {
  SearchRequest request;
  request.query = query;
  request.filters = std::move(filters);
  request.k = k;
  absl::StatusOr<std::vector<SearchHit>> hits = store_->Search(request);
  EXPECT_TRUE(hits.ok()) << query << ": " << hits.status();
  return hits.ok() ? *hits : std::vector<SearchHit>{};
}

void KnowledgeStoreConformance::PutHotline() {
  Put(Make("noise", "夜间施工噪音扰民投诉",
           "晚上十点以后工地还在施工，噪音很大，可以拨打12345投诉。"));
  Put(Make("tax", "个人所得税年度汇算", "每年3月1日至6月30日办理综合所得年度汇算。", "zh",
           {"tax", "个税"}));
  Put(Make("vat", "增值税发票开具", "VAT invoices: 增值税专用发票在电子税务局开具。",
           "zh", {"tax"}));
  Put(Make("pwd", "Reset your password",
           "Passwords expire every 90 days. Policies require 12 characters.", "en",
           {"it"}));
  Put(Make("park", "路内停车收费标准", "路边停车按小时收费，夜间免费。"));
}

namespace {

TEST_P(KnowledgeStoreConformance, UpsertGetVersionsAndDelete) {
  Article a = Make("a1", "标题", "正文");
  a.tags = {"x", "y"};
  a.skills = {"billing"};
  a.queues = {"q1"};
  a.departments = {"税务"};
  a.valid_from = absl::FromUnixSeconds(1'700'000'000);
  a.valid_to = absl::FromUnixSeconds(1'800'000'000);
  absl::StatusOr<int64_t> v1 = store_->Upsert(a);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(*v1, 1);
  absl::StatusOr<Article> got = store_->Get("a1");
  ASSERT_TRUE(got.ok()) << got.status();
  a.version = 1;
  EXPECT_EQ(*got, a);

  a.body = "新的正文";
  a.version = 0;
  EXPECT_EQ(*store_->Upsert(a), 2);
  a.version = 1;  // stale
  EXPECT_EQ(store_->Upsert(a).status().code(), absl::StatusCode::kAborted);
  a.version = 2;
  EXPECT_EQ(*store_->Upsert(a), 3);
  Article other = Make("new", "t", "b");
  other.version = 4;  // conditional on an article that is not there
  EXPECT_EQ(store_->Upsert(other).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(*store_->Count(), 1u);

  EXPECT_TRUE(store_->Delete("a1").ok());
  EXPECT_EQ(store_->Get("a1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("a1").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->Count(), 0u);
}

TEST_P(KnowledgeStoreConformance, InfiniteValidityRoundTrips) {
  Put(Make("a", "t", "b"));
  absl::StatusOr<Article> got = store_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->valid_from, absl::InfinitePast());
  EXPECT_EQ(got->valid_to, absl::InfiniteFuture());
}

TEST_P(KnowledgeStoreConformance, BadArticlesAreRefusedAndWriteNothing) {
  Put(Make("keep", "原标题", "原正文"));
  std::vector<std::pair<Article, std::string>> bad;
  bad.emplace_back(Make("", "t", "b"), "id");
  bad.emplace_back(Make("x", "", "b"), "no title");
  bad.emplace_back(Make("x", " \t\xE3\x80\x80", "b"), "no title");
  bad.emplace_back(Make("keep", "t", "bad \xC3("), "body");
  bad.emplace_back(Make("x", "t", "b", "Chinese"), "language");
  bad.emplace_back(Make("x", "t", "b", "zh", {""}), "tags");
  bad.emplace_back(Make("x", "t", "b", "zh", {"a\nb"}), "control");
  bad.emplace_back(Make("x", "t", std::string(kMaxBodyBytes + 1, 'a')), "body is");
  Article backwards = Make("keep", "t", "b");
  backwards.valid_from = absl::FromUnixSeconds(10);
  backwards.valid_to = absl::FromUnixSeconds(10);
  bad.emplace_back(backwards, "valid_to");
  for (const auto& [article, message] : bad) {
    absl::StatusOr<int64_t> v = store_->Upsert(article);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(v.status().message(), HasSubstr(message));
  }
  EXPECT_EQ(*store_->Count(), 1u);
  absl::StatusOr<Article> kept = store_->Get("keep");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->title, "原标题");
  EXPECT_EQ(kept->version, 1);
}

TEST_P(KnowledgeStoreConformance, ChineseSubstringsOfAnyLengthMatch) {
  PutHotline();
  EXPECT_THAT(Ids(Find("噪音")), ElementsAre("noise"));  // inside 噪音扰民
  EXPECT_THAT(Ids(Find("扰民")), ElementsAre("noise"));
  EXPECT_THAT(Ids(Find("噪")), ElementsAre("noise"));  // one character
  EXPECT_THAT(Ids(Find("停车")), ElementsAre("park"));
  EXPECT_THAT(Ids(Find("汇算")), ElementsAre("tax"));
  EXPECT_THAT(Find("火锅"), IsEmpty());
}

TEST_P(KnowledgeStoreConformance, EnglishIsFoldedAndStemmed) {
  PutHotline();
  EXPECT_THAT(Ids(Find("PASSWORD")), ElementsAre("pwd"));
  EXPECT_THAT(Ids(Find("policy")), ElementsAre("pwd"));      // Policies
  EXPECT_THAT(Ids(Find("ｒｅｓｅｔ")), ElementsAre("pwd"));  // full-width
  const std::vector<SearchHit> mixed = Find("VAT发票怎么开");
  ASSERT_FALSE(mixed.empty());
  EXPECT_EQ(mixed.front().id, "vat");
}

TEST_P(KnowledgeStoreConformance, SynonymsExpandTheQuery) {
  absl::StatusOr<text::SynonymTable> table =
      text::SynonymTable::Parse("个税 = 个人所得税\n医保, 医疗保险\n");
  ASSERT_TRUE(table.ok());
  Open(KnowledgeStoreOptions{.synonyms = *table});
  Put(Make("tax", "个人所得税年度汇算", "综合所得年度汇算。"));
  Put(Make("med", "医疗保险报销", "门诊费用报销。"));
  Put(Make("other", "个体户登记", "营业执照办理。"));
  EXPECT_EQ(Find("个税").front().id, "tax");
  EXPECT_EQ(Find("医保怎么报销").front().id, "med");
}

TEST_P(KnowledgeStoreConformance, TitleOutranksTagsOutranksBody) {
  Put(Make("in_body", "一般说明", "这里提到了公积金。"));
  Put(Make("in_title", "公积金说明", "这里什么也没有。"));
  Put(Make("in_tags", "其他说明", "这里什么也没有。", "zh", {"公积金"}));
  EXPECT_THAT(Ids(Find("公积金")), ElementsAre("in_title", "in_tags", "in_body"));
}

// BM25 exactly as store.h defines it, recomputed here from the tokenizer's
// terms: every store scores like FTS5's bm25().
TEST_P(KnowledgeStoreConformance, ScoresAreBm25OverTheWeightedColumns) {
  PutHotline();
  Put(Make("noise2", "噪音", "噪音噪音，施工噪音。"));
  const KnowledgeStoreOptions o;
  const text::Tokenizer tokenizer;
  struct Doc {
    std::map<std::string, double> f;
    double length = 0;
  };
  std::map<std::string, Doc> docs;
  double total = 0;
  for (const char* id : {"noise", "tax", "vat", "pwd", "park", "noise2"}) {
    const Article a = *store_->Get(id);
    std::string tags;
    for (const std::string& t : a.tags) tags += (tags.empty() ? "" : "\n") + t;
    Doc d;
    for (const auto& [text, w] : {std::pair<std::string, double>{a.title, o.title_weight},
                                  {tags, o.tags_weight},
                                  {a.body, o.body_weight}}) {
      const std::vector<text::Token> tokens =
          *tokenizer.Tokenize(text, text::TokenizeMode::kIndex);
      for (const text::Token& t : tokens) {
        d.f[t.term] += w;
        if (!t.colocated) d.length += 1;
      }
    }
    total += d.length;
    docs[id] = d;
  }
  const double n = static_cast<double>(docs.size());
  const double avg = total / n;
  for (const char* query : {"噪音施工", "tax 汇算", "VAT发票", "噪"}) {
    // The query's terms, then its CJK characters (query_characters), each once.
    std::vector<std::string> terms;
    for (const text::TokenizeMode mode :
         {text::TokenizeMode::kQuery, text::TokenizeMode::kIndex}) {
      const std::vector<text::Token> tokens = *tokenizer.Tokenize(query, mode);
      for (const text::Token& t : tokens) {
        if ((mode == text::TokenizeMode::kQuery ||
             t.kind == text::TokenKind::kCjkUnigram) &&
            std::find(terms.begin(), terms.end(), t.term) == terms.end()) {
          terms.push_back(t.term);
        }
      }
    }
    std::map<std::string, double> expected;
    for (const std::string& term : terms) {
      double hits = 0;
      for (const auto& [id, d] : docs) hits += d.f.count(term);
      double idf = std::log((n - hits + 0.5) / (hits + 0.5));
      if (idf <= 0) idf = 1e-6;
      for (const auto& [id, d] : docs) {
        auto it = d.f.find(term);
        if (it == d.f.end()) continue;
        const double f = it->second;
        expected[id] += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * d.length / avg));
      }
    }
    const std::vector<SearchHit> hits = Find(query);
    ASSERT_EQ(hits.size(), expected.size()) << query;
    for (size_t i = 0; i < hits.size(); ++i) {
      EXPECT_NEAR(hits[i].score, expected[hits[i].id], 1e-9 * expected[hits[i].id])
          << query << " " << hits[i].id;
      if (i > 0) {
        EXPECT_GE(hits[i - 1].score, hits[i].score);
      }
    }
  }
}

TEST_P(KnowledgeStoreConformance, FiltersFollowTheReferenceSemantics) {
  std::vector<Article> all;
  for (int i = 0; i < 12; ++i) {
    Article a = Make(absl::StrCat("a", i), absl::StrCat("社保卡办理 ", i),
                     "社保卡补办流程", i % 3 == 0 ? "en" : "zh");
    if (i % 2 == 0) a.tags = {"card"};
    if (i % 4 == 1) a.tags = {"urgent", "card"};
    if (i % 3 == 1) a.skills = {"insurance"};
    if (i % 5 == 2) a.queues = {"vip"};
    if (i % 4 == 3) a.departments = {"人社"};
    if (i % 6 == 5) {
      a.valid_from = absl::FromUnixSeconds(1000);
      a.valid_to = absl::FromUnixSeconds(2000);
    }
    Put(a);
    all.push_back(*store_->Get(a.id));
  }
  std::vector<SearchFilters> cases(8);
  cases[1].language = "en";
  cases[2].tags = {"urgent", "none"};
  cases[3].skills = {"insurance", "tax"};
  cases[4].queue = "vip";
  cases[5].department = "人社";
  cases[6].valid_at = absl::FromUnixSeconds(1500);
  cases[7].valid_at = absl::FromUnixSeconds(5000);
  cases[7].language = "zh";
  cases[7].tags = {"card"};
  for (size_t c = 0; c < cases.size(); ++c) {
    std::set<std::string> expected;
    for (const Article& a : all) {
      if (PassesFilters(cases[c], a)) expected.insert(a.id);
    }
    const std::vector<std::string> got = Ids(Find("社保卡", cases[c], 100));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected) << "case " << c;
    EXPECT_EQ(got.size(), expected.size()) << "case " << c;
  }
}

TEST_P(KnowledgeStoreConformance, QueryTextIsAlwaysData) {
  PutHotline();
  Put(Make("and", "and or not near", "title: body: * ^ \" ' ; DROP TABLE articles; --"));
  for (const char* q :
       {"\"噪音", "噪音\"", "NEAR(噪音 扰民)", "title:噪音", "噪音*", "^噪音", "噪音 AND",
        "OR", "NOT 噪音", "'; DROP TABLE articles; --", "{title body}: 噪音", "(((",
        "-噪音", "\"\"\"\"", "噪音 + 扰民", "col:*"}) {
    SearchRequest request;
    request.query = q;
    absl::StatusOr<std::vector<SearchHit>> hits = store_->Search(request);
    EXPECT_TRUE(hits.ok()) << q << ": " << hits.status();
  }
  EXPECT_THAT(Ids(Find("NOT")), ElementsAre("and"));
  EXPECT_THAT(Ids(Find("drop table")), ElementsAre("and"));
  EXPECT_EQ(Find("噪音*").front().id, "noise");
  EXPECT_EQ(*store_->Count(), 6u);
}

TEST_P(KnowledgeStoreConformance, BadRequestsAreClearErrors) {
  PutHotline();
  EXPECT_THAT(Find(""), IsEmpty());
  EXPECT_THAT(Find("   \t "), IsEmpty());
  EXPECT_THAT(Find("？！。,,"), IsEmpty());
  const auto code = [&](std::string query, size_t k = 10, SearchFilters filters = {}) {
    SearchRequest r;
    r.query = std::move(query);
    r.k = k;
    r.filters = std::move(filters);
    return store_->Search(r).status();
  };
  EXPECT_EQ(code(std::string(kMaxQueryBytes + 1, 'a')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code("噪\xE5").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code("噪音", 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code("噪音", kMaxSearchResults + 1).code(),
            absl::StatusCode::kInvalidArgument);
  SearchFilters bad_language;
  bad_language.language = "Chinese!";
  EXPECT_EQ(code("噪音", 10, bad_language).code(), absl::StatusCode::kInvalidArgument);
  SearchFilters empty_tag;
  empty_tag.tags = {""};
  EXPECT_EQ(code("噪音", 10, empty_tag).code(), absl::StatusCode::kInvalidArgument);
  const absl::Status long_query = code(std::string(kMaxQueryBytes + 1, 'a'));
  EXPECT_THAT(long_query.message(), HasSubstr("limit"));
}

TEST_P(KnowledgeStoreConformance, HitsCarryTitleVersionCoverageAndSnippet) {
  PutHotline();
  Put(Make("noise", "夜间施工噪音扰民投诉",
           "晚上十点以后工地还在施工，噪音很大，可以拨打12345投诉。"));
  const std::vector<SearchHit> hits = Find("施工噪音 火锅");
  ASSERT_FALSE(hits.empty());
  const SearchHit& h = hits.front();
  EXPECT_EQ(h.id, "noise");
  EXPECT_EQ(h.title, "夜间施工噪音扰民投诉");
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.language, "zh");
  EXPECT_GT(h.score, 0);
  // Places: 施工 工噪 噪音 火锅; the article has all but 工噪 (never adjacent
  // in the body, but in the title) and 火锅.
  EXPECT_DOUBLE_EQ(h.coverage, 0.75);
  EXPECT_THAT(h.snippet, HasSubstr("<mark>施工</mark>"));
  EXPECT_THAT(h.snippet, HasSubstr("<mark>噪音</mark>"));
}

TEST_P(KnowledgeStoreConformance, SnippetsUseTheStoresMarkersAndCutLongBodies) {
  KnowledgeStoreOptions options;
  options.mark_open = "[";
  options.mark_close = "]";
  options.snippet_chars = 20;
  Open(std::move(options));
  std::string body;
  for (int i = 0; i < 30; ++i) body += "无关的文字。";
  body += "这里讲医保报销的办法。";
  for (int i = 0; i < 30; ++i) body += "其他内容。";
  Put(Make("long", "说明", body));
  const std::vector<SearchHit> hits = Find("医保报销");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_THAT(hits[0].snippet, HasSubstr("[医保报销]"));
  EXPECT_EQ(hits[0].snippet.rfind("\xE2\x80\xA6", 0), 0u);  // starts with …
  EXPECT_LE(hits[0].snippet.size(), 20 * 3 + 2 + 2 * 3);
}

TEST_P(KnowledgeStoreConformance, UpdatesAndDeletesReachTheIndex) {
  Put(Make("a", "旧标题", "旧的内容：护照"));
  Put(Make("b", "别的", "别的内容"));
  EXPECT_THAT(Ids(Find("护照")), ElementsAre("a"));
  Put(Make("a", "新标题", "新的内容：签证"));
  EXPECT_THAT(Find("护照"), IsEmpty());
  EXPECT_THAT(Ids(Find("签证")), ElementsAre("a"));
  ASSERT_TRUE(store_->Delete("a").ok());
  EXPECT_THAT(Find("签证"), IsEmpty());
  EXPECT_THAT(Ids(Find("别的")), ElementsAre("b"));
}

TEST_P(KnowledgeStoreConformance, KLimitsAndTiesBreakById) {
  for (int i = 9; i >= 0; --i)
    Put(Make(absl::StrCat("t", i), "同样的标题", "同样的正文"));
  const std::vector<SearchHit> hits = Find("同样", {}, 4);
  EXPECT_THAT(Ids(hits), ElementsAre("t0", "t1", "t2", "t3"));
}

// Random upserts and deletes against a model; after every step each stored
// article is found first by its own marker word and Count agrees.
TEST_P(KnowledgeStoreConformance, RandomOperationsKeepTheIndexExact) {
  std::mt19937 rng(7);
  std::map<std::string, std::string> model;  // id -> marker word in the body
  for (int step = 0; step < 120; ++step) {
    const std::string id = absl::StrCat("id", rng() % 15);
    if (rng() % 4 == 0) {
      const absl::Status s = store_->Delete(id);
      EXPECT_EQ(s.ok(), model.erase(id) == 1) << s;
    } else {
      const std::string marker = absl::StrCat("marker", rng() % 1000, "x");
      Put(Make(id, absl::StrCat("文章 ", id), absl::StrCat("通用内容 ", marker)));
      model[id] = marker;
    }
    ASSERT_EQ(*store_->Count(), model.size());
    for (const auto& [mid, marker] : model) {
      const std::vector<SearchHit> hits = Find(marker);
      ASSERT_FALSE(hits.empty()) << marker;
      std::set<std::string> expected;
      for (const auto& [other, m] : model) {
        if (m == marker) expected.insert(other);
      }
      const std::vector<std::string> ids = Ids(hits);
      EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected) << marker;
    }
  }
}

TEST_P(KnowledgeStoreConformance, FeedbackIsTalliedPerArticleAndGoesWithIt) {
  PutHotline();
  const auto verdict = [&](const std::string& id, FeedbackKind kind) {
    Feedback f;
    f.article_id = id;
    f.contact = "c1";
    f.agent = "a7";
    f.kind = kind;
    f.at = absl::FromUnixSeconds(1'750'000'000);
    return store_->RecordFeedback(f);
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(verdict("noise", FeedbackKind::kHelpful).ok());
  ASSERT_TRUE(verdict("noise", FeedbackKind::kUsed).ok());
  ASSERT_TRUE(verdict("noise", FeedbackKind::kNotHelpful).ok());
  ASSERT_TRUE(verdict("tax", FeedbackKind::kNotHelpful).ok());
  EXPECT_EQ(verdict("nope", FeedbackKind::kUsed).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(verdict("noise", static_cast<FeedbackKind>(9)).code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<FeedbackTally>> t =
      store_->Tallies({"noise", "tax", "park", "nope"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)[0], (FeedbackTally{"noise", 1, 3, 1}));
  EXPECT_EQ((*t)[1], (FeedbackTally{"tax", 0, 0, 1}));
  EXPECT_EQ((*t)[2], (FeedbackTally{"park", 0, 0, 0}));
  EXPECT_EQ((*t)[3], (FeedbackTally{"nope", 0, 0, 0}));
  // Deleting the article deletes its verdicts; a new one of the id starts at 0.
  ASSERT_TRUE(store_->Delete("noise").ok());
  Put(Make("noise", "新的噪音条目", "正文"));
  t = store_->Tallies({"noise"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0], (FeedbackTally{"noise", 0, 0, 0}));
  EXPECT_EQ(store_->Tallies(std::vector<std::string>(kMaxSearchResults + 1, "x"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace

TEST_P(KnowledgeStoreConformance, AnonymizedFeedbackKeepsItsTallies) {
  PutHotline();
  const absl::Time t0 = absl::FromUnixSeconds(1'750'000'000);
  const auto verdict = [&](const std::string& id, const std::string& contact,
                           FeedbackKind kind, absl::Time at) {
    Feedback f;
    f.article_id = id;
    f.contact = contact;
    f.agent = "a7";
    f.kind = kind;
    f.at = at;
    ASSERT_TRUE(store_->RecordFeedback(f).ok());
  };
  verdict("noise", "call-1", FeedbackKind::kHelpful, t0);
  verdict("noise", "call-2", FeedbackKind::kUsed, t0 + absl::Hours(1));
  verdict("tax", "call-1", FeedbackKind::kNotHelpful, t0 + absl::Hours(2));
  verdict("tax", "call-3", FeedbackKind::kHelpful, t0 + absl::Hours(3));
  verdict("noise", "", FeedbackKind::kUsed, t0 + absl::Hours(4));  // agent only
  const auto tallies = [&] {
    absl::StatusOr<std::vector<FeedbackTally>> t = store_->Tallies({"noise", "tax"});
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : std::vector<FeedbackTally>{};
  };
  const std::vector<FeedbackTally> before = tallies();
  const auto anonymize = [&](const FeedbackAnonymization& r) -> size_t {
    absl::StatusOr<size_t> n = store_->AnonymizeFeedback(r);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : 0;
  };

  // An erasure request names the customer's contacts: both of call-1's
  // verdicts, once.
  FeedbackAnonymization erase;
  erase.contacts = {"call-1", "call-9"};
  EXPECT_EQ(anonymize(erase), 2u);
  EXPECT_EQ(anonymize(erase), 0u);
  // Retention: what is still linked and older than the cutoff.
  FeedbackAnonymization expire;
  expire.given_before = t0 + absl::Hours(3);
  EXPECT_EQ(anonymize(expire), 1u);  // call-2's
  expire.given_before = t0 + absl::Hours(5);
  EXPECT_EQ(anonymize(expire), 2u);  // call-3's and the agent-only one
  EXPECT_EQ(anonymize(expire), 0u);
  EXPECT_EQ(tallies(), before);

  std::vector<FeedbackAnonymization> bad(6);
  bad[1].given_before = t0;
  bad[1].contacts = {"call-1"};
  bad[2].given_before = absl::InfiniteFuture();
  bad[3].contacts = {""};
  bad[4].contacts = std::vector<std::string>(kMaxErasedContacts + 1, "c");
  bad[5].contacts = {std::string(kMaxLabelBytes + 1, 'c')};
  for (const FeedbackAnonymization& r : bad) {
    EXPECT_EQ(store_->AnonymizeFeedback(r).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace ccengine::knowledge::testing
