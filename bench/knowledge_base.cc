// -----------------------------------------------------------------------------
// File: bench/knowledge_base.cc
// -----------------------------------------------------------------------------
//
// The knowledge store's quality and costs, printed as the tables of
// bench/README.md ("knowledge"):
//
//   knowledge_base quality DATA_DIR [MIN_RECALL5]
//       Recall@1, Recall@5 and MRR@10 on the evaluation set (DATA_DIR is
//       tests/data/knowledge) for the SQLite FTS5 store (as configured by
//       default; without query characters; without the synonym table) and, in
//       the same run, for raw FTS5 tables with the
//       unicode61 and trigram tokenizers: the query tokenized by that
//       tokenizer, its tokens OR'd, bm25() with the same column weights. Per
//       query kind. With MIN_RECALL5, exits 1 when the store's overall
//       Recall@5 is below it (the ctest gate knowledge_quality).
//
//   knowledge_base answers DATA_DIR
//       Calibrates the self-service answer policy (knowledge/answer.h): over a
//       grid of thresholds, the one that answers the most answerable
//       questions correctly while at least 90% of all answers given (to
//       answerable and unanswerable questions) are right. Chosen on one half
//       of the questions and reported on the other, both ways, then on all.
//
//   knowledge_base search DATA_DIR [N...]
//       Search latency (p50, p99, max) of the SQLite store with N articles
//       (default 10 000 and 100 000, grown from the set's articles by
//       templating), the evaluation questions as the query stream, against a
//       raw FTS5 query of the same MATCH string (bm25() with the same
//       weights, LIMIT 10) on the same file in the same run, interleaved;
//       also indexing throughput (one upsert per transaction, synchronous
//       NORMAL) and the file's bytes per article.
//
// Databases go to a fresh directory under $TMPDIR (removed at the end).

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench_util.h"
#include "ccengine/knowledge/answer.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/sqlite/knowledge_store.h"
#include "ccengine/text/synonyms.h"
#include "fmt/format.h"
#include "knowledge_eval.h"

namespace {

using ccbench::Die;
using ccengine::bench::EvalSet;
using ccengine::bench::Measure;
using ccengine::bench::Ranker;
using ccengine::bench::Retrieval;
using ccengine::knowledge::KnowledgeStore;
using ccengine::knowledge::SearchHit;
using ccengine::knowledge::SearchRequest;

constexpr const char* kKinds[] = {"paraphrase", "keyword2", "mixed", "long", "typo"};

absl::StatusOr<std::unique_ptr<KnowledgeStore>> OpenStore(const std::string& path,
                                                          const std::string& synonyms,
                                                          bool characters = true) {
  ccengine::sqlite::SqliteKnowledgeStoreOptions options;
  options.path = path;
  options.sync = ccengine::sqlite::SqliteKnowledgeStoreOptions::Sync::kOff;
  absl::StatusOr<ccengine::text::SynonymTable> table =
      ccengine::text::SynonymTable::Parse(synonyms);
  if (!table.ok()) return table.status();
  options.store.synonyms = *std::move(table);
  options.store.query_characters = characters;
  return ccengine::sqlite::OpenSqliteKnowledgeStore(options);
}

Ranker StoreRanker(KnowledgeStore& store) {
  return [&store](const std::string& query) -> absl::StatusOr<std::vector<std::string>> {
    SearchRequest request;
    request.query = query;
    request.k = 10;
    absl::StatusOr<std::vector<SearchHit>> hits = store.Search(request);
    if (!hits.ok()) return hits.status();
    std::vector<std::string> ids;
    for (const SearchHit& h : *hits) ids.push_back(h.id);
    return ids;
  };
}

// A raw FTS5 table with one of SQLite's own tokenizers, for the baselines.
class RawFts5 {
 public:
  RawFts5(const std::string& path, const std::string& tokenizer, const EvalSet& set)
      : tokenizer_(tokenizer), set_(set) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) Die(absl::InternalError("open"));
    Exec(fmt::format(
        "CREATE VIRTUAL TABLE kb USING fts5(title, tags, body, tokenize='{}')",
        tokenizer));
    Exec("BEGIN");
    sqlite3_stmt* insert =
        Prepare("INSERT INTO kb(rowid, title, tags, body) VALUES(?,?,?,?)");
    for (size_t i = 0; i < set.articles.size(); ++i) {
      const auto& a = set.articles[i];
      std::string tags;
      for (const std::string& t : a.tags) tags += (tags.empty() ? "" : "\n") + t;
      sqlite3_bind_int64(insert, 1, static_cast<int64_t>(i));
      sqlite3_bind_text(insert, 2, a.title.data(), static_cast<int>(a.title.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 3, tags.data(), static_cast<int>(tags.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 4, a.body.data(), static_cast<int>(a.body.size()),
                        SQLITE_TRANSIENT);
      if (sqlite3_step(insert) != SQLITE_DONE)
        Die(absl::InternalError(sqlite3_errmsg(db_)));
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    Exec("COMMIT");
    search_ = Prepare(
        "SELECT rowid FROM kb WHERE kb MATCH ?1 ORDER BY bm25(kb, 4.0, 2.0, 1.0), rowid "
        "LIMIT 10");
  }
  ~RawFts5() {
    sqlite3_finalize(search_);
    sqlite3_close(db_);
  }

  // The query's tokens by this table's tokenizer, quoted and OR'd.
  std::string MatchOf(const std::string& query) {
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = Prepare("SELECT fts5(?1)");
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    void* context = nullptr;
    fts5_tokenizer methods;
    if (api == nullptr ||
        api->xFindTokenizer(api, tokenizer_.c_str(), &context, &methods) != SQLITE_OK) {
      Die(absl::InternalError("no tokenizer " + tokenizer_));
    }
    Fts5Tokenizer* instance = nullptr;
    methods.xCreate(context, nullptr, 0, &instance);
    std::vector<std::string> tokens;
    methods.xTokenize(instance, &tokens, FTS5_TOKENIZE_QUERY, query.data(),
                      static_cast<int>(query.size()),
                      [](void* out, int, const char* token, int length, int, int) {
                        static_cast<std::vector<std::string>*>(out)->emplace_back(
                            token, static_cast<size_t>(length));
                        return SQLITE_OK;
                      });
    methods.xDelete(instance);
    std::string match;
    for (const std::string& t : tokens) {
      if (!match.empty()) match += " OR ";
      match += '"';
      for (const char c : t) {
        if (c == '"') match += '"';
        match += c;
      }
      match += '"';
    }
    return match;
  }

  Ranker ranker() {
    return [this](const std::string& query) -> absl::StatusOr<std::vector<std::string>> {
      std::vector<std::string> ids;
      const std::string match = MatchOf(query);
      if (match.empty()) return ids;
      sqlite3_bind_text(search_, 1, match.data(), static_cast<int>(match.size()),
                        SQLITE_TRANSIENT);
      int rc;
      while ((rc = sqlite3_step(search_)) == SQLITE_ROW) {
        ids.push_back(
            set_.articles[static_cast<size_t>(sqlite3_column_int64(search_, 0))].id);
      }
      sqlite3_reset(search_);
      if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db_));
      return ids;
    };
  }

 private:
  void Exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      Die(absl::InternalError(sqlite3_errmsg(db_)));
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      Die(absl::InternalError(sqlite3_errmsg(db_)));
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* search_ = nullptr;
  std::string tokenizer_;
  const EvalSet& set_;
};

int Quality(const std::string& dir, double min_recall5) {
  absl::StatusOr<EvalSet> set = ccengine::bench::LoadEvalSet(dir);
  if (!set.ok()) Die(set.status());
  ccbench::TempDir tmp("ccknowledge_");
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      OpenStore(tmp.File("kb.db"), set->synonyms);
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> pairs =
      OpenStore(tmp.File("pairs.db"), set->synonyms, false);
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> bare =
      OpenStore(tmp.File("bare.db"), "");
  for (auto* s : {&store, &pairs, &bare}) {
    if (!s->ok()) Die(s->status());
    for (const auto& a : set->articles) {
      if (absl::StatusOr<int64_t> v = (**s)->Upsert(a); !v.ok()) Die(v.status());
    }
  }
  RawFts5 unicode61(tmp.File("unicode61.db"), "unicode61", *set);
  RawFts5 trigram(tmp.File("trigram.db"), "trigram", *set);
  const std::pair<std::string, Ranker> systems[] = {
      {"ccengine (FTS5 + ccengine tokenizer, synonyms)", StoreRanker(**store)},
      {"ccengine, CJK pairs only (query_characters off)", StoreRanker(**pairs)},
      {"ccengine without the synonym table", StoreRanker(**bare)},
      {"FTS5 unicode61", unicode61.ranker()},
      {"FTS5 trigram", trigram.ranker()},
  };
  std::vector<std::map<std::string, Retrieval>> results;
  for (const auto& [name, ranker] : systems) {
    absl::StatusOr<std::map<std::string, Retrieval>> r = Measure(set->queries, ranker);
    if (!r.ok()) Die(r.status());
    results.push_back(*std::move(r));
  }
  fmt::print("{} articles, {} queries\n\n", set->articles.size(), set->queries.size());
  fmt::print("| system | Recall@1 | Recall@5 | MRR@10 |\n|---|---:|---:|---:|\n");
  for (size_t i = 0; i < results.size(); ++i) {
    const Retrieval& r = results[i].at("all");
    fmt::print("| {} | {:.3f} | {:.3f} | {:.3f} |\n", systems[i].first, r.recall1,
               r.recall5, r.mrr10);
  }
  fmt::print("\nRecall@5 by query kind:\n\n| system |");
  for (const char* kind : kKinds) {
    fmt::print(" {} ({}) |", kind,
               results[0].count(kind) ? results[0].at(kind).queries : 0);
  }
  fmt::print("\n|---|");
  for (size_t i = 0; i < std::size(kKinds); ++i) fmt::print("---:|");
  fmt::print("\n");
  for (size_t i = 0; i < results.size(); ++i) {
    fmt::print("| {} |", systems[i].first);
    for (const char* kind : kKinds) {
      fmt::print(" {:.3f} |", results[i].count(kind) ? results[i].at(kind).recall5 : 0.0);
    }
    fmt::print("\n");
  }
  const double recall5 = results[0].at("all").recall5;
  if (min_recall5 > 0 && recall5 < min_recall5) {
    fmt::print(stderr, "knowledge_base: Recall@5 {:.3f} is below {:.3f}\n", recall5,
               min_recall5);
    return 1;
  }
  return 0;
}

// The best two hits of every question, and whether the best is the right one.
struct Asked {
  std::vector<SearchHit> hits;
  bool answerable = false;
  bool right = false;
};

struct AnswerFigures {
  double answered_right = 0;  // share of answerable questions answered right
  double answered_wrong = 0;  // share of answerable questions answered wrong
  double unanswerable_answered = 0;
  double precision = 1;  // right answers / all answers
};

AnswerFigures Score(const std::vector<const Asked*>& asked,
                    const ccengine::knowledge::AnswerPolicy& policy) {
  double answerable = 0, unanswerable = 0, right = 0, wrong = 0, stray = 0;
  std::string reason;
  for (const Asked* a : asked) {
    (a->answerable ? answerable : unanswerable) += 1;
    if (!ccengine::knowledge::Confident(a->hits, policy, &reason)) continue;
    if (!a->answerable) {
      stray += 1;
    } else if (a->right) {
      right += 1;
    } else {
      wrong += 1;
    }
  }
  AnswerFigures f;
  f.answered_right = right / answerable;
  f.answered_wrong = wrong / answerable;
  f.unanswerable_answered = stray / unanswerable;
  f.precision = right + wrong + stray > 0 ? right / (right + wrong + stray) : 1;
  return f;
}

ccengine::knowledge::AnswerPolicy Calibrate(const std::vector<const Asked*>& asked) {
  ccengine::knowledge::AnswerPolicy best{
      .min_coverage = 1, .min_score = 1e9, .min_lead = 10};
  double best_right = -1;
  for (int c = 0; c <= 20; ++c) {
    for (const double score : {0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0,
                               20.0, 25.0, 30.0, 40.0}) {
      for (const double lead : {1.0, 1.05, 1.1, 1.2, 1.3, 1.5, 2.0}) {
        const ccengine::knowledge::AnswerPolicy p{
            .min_coverage = c / 20.0, .min_score = score, .min_lead = lead};
        const AnswerFigures f = Score(asked, p);
        if (f.precision >= 0.9 && f.answered_right > best_right) {
          best_right = f.answered_right;
          best = p;
        }
      }
    }
  }
  return best;
}

int Answers(const std::string& dir) {
  absl::StatusOr<EvalSet> set = ccengine::bench::LoadEvalSet(dir);
  if (!set.ok()) Die(set.status());
  ccbench::TempDir tmp("ccknowledge_");
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      OpenStore(tmp.File("kb.db"), set->synonyms);
  if (!store.ok()) Die(store.status());
  for (const auto& a : set->articles) {
    if (absl::StatusOr<int64_t> v = (*store)->Upsert(a); !v.ok()) Die(v.status());
  }
  std::vector<Asked> asked;
  for (const auto* questions : {&set->queries, &set->unanswerable}) {
    for (const auto& q : *questions) {
      SearchRequest request;
      request.query = q.query;
      request.k = 2;
      absl::StatusOr<std::vector<SearchHit>> hits = (*store)->Search(request);
      if (!hits.ok()) Die(hits.status());
      const bool right = !hits->empty() && hits->front().id == q.article;
      asked.push_back(Asked{*std::move(hits), !q.article.empty(), right});
    }
  }
  std::vector<const Asked*> halves[2], all;
  for (size_t i = 0; i < asked.size(); ++i) {
    halves[i % 2].push_back(&asked[i]);
    all.push_back(&asked[i]);
  }
  fmt::print("{} answerable and {} unanswerable questions\n\n", set->queries.size(),
             set->unanswerable.size());
  fmt::print(
      "| calibrated on | reported on | min coverage | min score | min lead | answerable "
      "answered right | answerable answered wrong | unanswerable answered | precision "
      "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  const auto row = [](const char* on, const char* report,
                      const ccengine::knowledge::AnswerPolicy& p,
                      const AnswerFigures& f) {
    fmt::print(
        "| {} | {} | {:.2f} | {:.0f} | {:.2f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n",
        on, report, p.min_coverage, p.min_score, p.min_lead, f.answered_right,
        f.answered_wrong, f.unanswerable_answered, f.precision);
  };
  const char* names[2] = {"even lines", "odd lines"};
  for (int h = 0; h < 2; ++h) {
    const ccengine::knowledge::AnswerPolicy p = Calibrate(halves[h]);
    row(names[h], names[1 - h], p, Score(halves[1 - h], p));
  }
  const ccengine::knowledge::AnswerPolicy p = Calibrate(all);
  row("all", "all", p, Score(all, p));
  const ccengine::knowledge::AnswerPolicy d;
  row("(the default policy)", "all", d, Score(all, d));
  return 0;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Article `i` of a grown set: a base article with a district and a service
// line of its own, and a sentence of another article, so copies differ.
ccengine::knowledge::Article Grown(const EvalSet& set, size_t i) {
  static const char* const kDistricts[] = {
      "东城区",   "西城区",  "朝阳区",     "海淀区",   "丰台区",    "石景山区",
      "通州区",   "顺义区",  "昌平区",     "大兴区",   "Northside", "Harbour",
      "Old Town", "Airport", "University", "Riverside"};
  const size_t n = set.articles.size();
  ccengine::knowledge::Article a = set.articles[i % n];
  const std::string district = kDistricts[(i / n) % std::size(kDistricts)];
  a.id = fmt::format("{}-{}", a.id, i / n);
  a.title = fmt::format("{}（{}）", a.title, district);
  const std::string& other = set.articles[(i * 7919 + 13) % n].body;
  const size_t cut = other.find("。");
  a.body = fmt::format("{} {}服务专线 {}。{}", a.body, district, 80000000 + i,
                       cut == std::string::npos ? other : other.substr(0, cut + 3));
  return a;
}

int Search(const std::string& dir, std::vector<size_t> sizes) {
  absl::StatusOr<EvalSet> set = ccengine::bench::LoadEvalSet(dir);
  if (!set.ok()) Die(set.status());
  absl::StatusOr<ccengine::text::SynonymTable> synonyms =
      ccengine::text::SynonymTable::Parse(set->synonyms);
  if (!synonyms.ok()) Die(synonyms.status());
  if (sizes.empty()) sizes = {10'000, 100'000};
  fmt::print(
      "| articles | indexing articles/s | bytes per article | store p50 µs | p99 µs | "
      "max µs "
      "| raw MATCH p50 µs | p99 µs | max µs | p50 ratio | p99 ratio |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const size_t n : sizes) {
    ccbench::TempDir tmp("ccknowledge_");
    const std::string path = tmp.File("kb.db");
    ccengine::sqlite::SqliteKnowledgeStoreOptions options;
    options.path = path;
    options.store.synonyms = *synonyms;
    absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
        ccengine::sqlite::OpenSqliteKnowledgeStore(options);
    if (!store.ok()) Die(store.status());
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) {
      if (absl::StatusOr<int64_t> v = (*store)->Upsert(Grown(*set, i)); !v.ok())
        Die(v.status());
    }
    const double rate = static_cast<double>(n) / Seconds(start);
    sqlite3* raw = nullptr;
    if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) Die(absl::InternalError("open"));
    if (absl::Status s = ccengine::sqlite::RegisterFts5Tokenizer(raw); !s.ok()) Die(s);
    sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    const double bytes = static_cast<double>(std::filesystem::file_size(path));
    sqlite3_stmt* match = nullptr;
    sqlite3_prepare_v2(raw,
                       "SELECT rowid, bm25(kb_fts, 4.0, 2.0, 1.0) AS score FROM kb_fts "
                       "WHERE kb_fts MATCH ?1 ORDER BY score LIMIT 10",
                       -1, &match, nullptr);
    std::vector<double> ours, theirs;
    for (int round = 0; round < 3; ++round) {
      for (size_t q = 0; q < set->queries.size(); ++q) {
        const std::string& text = set->queries[q].query;
        absl::StatusOr<ccengine::knowledge::KnowledgeQuery> built =
            ccengine::knowledge::BuildQuery(text, *synonyms);
        if (!built.ok()) Die(built.status());
        const std::string expression = ccengine::knowledge::Fts5MatchExpression(*built);
        const auto run_ours = [&] {
          SearchRequest request;
          request.query = text;
          const auto t0 = std::chrono::steady_clock::now();
          absl::StatusOr<std::vector<SearchHit>> hits = (*store)->Search(request);
          const double us = Seconds(t0) * 1e6;
          if (!hits.ok()) Die(hits.status());
          if (round > 0) ours.push_back(us);
        };
        const auto run_raw = [&] {
          const auto t0 = std::chrono::steady_clock::now();
          sqlite3_bind_text(match, 1, expression.data(),
                            static_cast<int>(expression.size()), SQLITE_TRANSIENT);
          int rows = 0;
          while (sqlite3_step(match) == SQLITE_ROW) ++rows;
          sqlite3_reset(match);
          const double us = Seconds(t0) * 1e6;
          if (round > 0) theirs.push_back(us);
        };
        if (q % 2 == 0) {
          run_ours();
          run_raw();
        } else {
          run_raw();
          run_ours();
        }
      }
    }
    sqlite3_finalize(match);
    sqlite3_close(raw);
    const double p50 = ccbench::Percentile(ours, 0.5),
                 p99 = ccbench::Percentile(ours, 0.99);
    const double r50 = ccbench::Percentile(theirs, 0.5),
                 r99 = ccbench::Percentile(theirs, 0.99);
    fmt::print(
        "| {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | "
        "{:.2f} | {:.2f} |\n",
        n, rate, bytes / static_cast<double>(n), p50, p99, ccbench::Percentile(ours, 1.0),
        r50, r99, ccbench::Percentile(theirs, 1.0), p50 / r50, p99 / r99);
    std::fflush(stdout);
  }
  return 0;
}

void Usage() {
  std::fprintf(stderr,
               "usage: knowledge_base quality DATA_DIR [MIN_RECALL5]\n"
               "       knowledge_base answers DATA_DIR\n"
               "       knowledge_base search DATA_DIR [N...]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Usage();
  const std::string mode = argv[1];
  if (mode == "quality" && argc >= 3) {
    return Quality(argv[2], argc >= 4 ? std::atof(argv[3]) : 0.0);
  }
  if (mode == "answers" && argc == 3) return Answers(argv[2]);
  if (mode == "search" && argc >= 3) {
    std::vector<size_t> sizes;
    for (int i = 3; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
    return Search(argv[2], sizes);
  }
  Usage();
}
