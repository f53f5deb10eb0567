// -----------------------------------------------------------------------------
// File: bench/knowledge_assist.cc
// -----------------------------------------------------------------------------
//
// Agent assist (ccengine/knowledge/assistant.h), measured:
//
//   knowledge_assist feedback DATA_DIR
//       What agents' feedback does to suggestions, on the labelled evaluation
//       set (tests/data/knowledge): each article's questions alternate
//       between a training half and a test half. Suggestions (top 3) for the
//       test half are scored (Recall@1, Recall@3) before any feedback; then
//       every training question is asked and a simulated agent gives
//       verdicts — the right article helpful when it is suggested, the first
//       suggestion not helpful when it is wrong — and the test half is
//       scored again.
//
//   knowledge_assist latency DATA_DIR [OFFERS_PER_SECOND] [SECONDS]
//       Suggestion latency from the offer event (on the router thread) to the
//       suggestion callback, wall clock, with a real engine routing at the
//       given rate of offers (default 50/s for 20 s; 500 agents, every
//       offer's contact carrying one of the evaluation questions as its
//       subject, and ten contacts without text for each one with) against
//       the SQLite store of the evaluation set; and the router's time per
//       contact with and without the assistant subscribed.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench_util.h"
#include "ccengine/core/engine.h"
#include "ccengine/knowledge/assistant.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/sqlite/knowledge_store.h"
#include "ccengine/text/synonyms.h"
#include "fmt/format.h"
#include "knowledge_eval.h"

namespace {

using ccbench::Die;
using ccengine::bench::EvalQuery;
using ccengine::bench::EvalSet;
using ccengine::knowledge::AssistantOptions;
using ccengine::knowledge::FeedbackKind;
using ccengine::knowledge::KnowledgeAssistant;
using ccengine::knowledge::KnowledgeStore;
using ccengine::knowledge::Suggestion;

EvalSet Load(const std::string& dir) {
  absl::StatusOr<EvalSet> set = ccengine::bench::LoadEvalSet(dir);
  if (!set.ok()) Die(set.status());
  return *std::move(set);
}

std::unique_ptr<KnowledgeStore> MemoryStore(const EvalSet& set) {
  ccengine::knowledge::KnowledgeStoreOptions options;
  absl::StatusOr<ccengine::text::SynonymTable> synonyms =
      ccengine::text::SynonymTable::Parse(set.synonyms);
  if (!synonyms.ok()) Die(synonyms.status());
  options.synonyms = *std::move(synonyms);
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      ccengine::knowledge::NewMemoryKnowledgeStore(std::move(options));
  if (!store.ok()) Die(store.status());
  for (const auto& a : set.articles) {
    if (absl::StatusOr<int64_t> v = (*store)->Upsert(a); !v.ok()) Die(v.status());
  }
  return *std::move(store);
}

// Asks the assistant one question and waits for its suggestion.
class Asker {
 public:
  Asker(KnowledgeStore* store, size_t min_votes, double max_lift) {
    AssistantOptions options;
    options.k = 3;
    options.min_votes = min_votes;
    options.max_lift = max_lift;
    absl::StatusOr<std::unique_ptr<KnowledgeAssistant>> a = KnowledgeAssistant::Create(
        store,
        [this](const Suggestion& s) {
          std::lock_guard<std::mutex> lock(mu_);
          last_ = s;
        },
        options);
    if (!a.ok()) Die(a.status());
    assistant_ = *std::move(a);
  }
  std::vector<std::string> Ask(const std::string& question) {
    if (absl::Status s =
            assistant_->Submit(ccengine::ContactId{1}, ccengine::AgentId{1},
                               ccengine::QueueId{}, question, {}, absl::Now());
        !s.ok()) {
      Die(s);
    }
    assistant_->Flush();
    std::lock_guard<std::mutex> lock(mu_);
    if (!last_.status.ok()) Die(last_.status);
    std::vector<std::string> ids;
    for (const auto& h : last_.hits) ids.push_back(h.id);
    return ids;
  }
  KnowledgeAssistant& assistant() { return *assistant_; }

 private:
  std::mutex mu_;
  Suggestion last_;
  std::unique_ptr<KnowledgeAssistant> assistant_;
};

// Recall@1 and @3 of the test half before and after the training half's
// verdicts, for one setting of the lift.
struct FeedbackRun {
  double r1_before = 0, r3_before = 0, r1_after = 0, r3_after = 0;
  int helpful = 0, not_helpful = 0;
};

FeedbackRun RunFeedback(const EvalSet& set, const std::vector<const EvalQuery*>& train,
                        const std::vector<const EvalQuery*>& test, size_t min_votes,
                        double max_lift) {
  std::unique_ptr<KnowledgeStore> store = MemoryStore(set);
  Asker asker(store.get(), min_votes, max_lift);
  const auto score = [&](double* r1, double* r3) {
    for (const EvalQuery* q : test) {
      const std::vector<std::string> ids = asker.Ask(q->query);
      *r1 += !ids.empty() && ids[0] == q->article;
      *r3 += std::find(ids.begin(), ids.end(), q->article) != ids.end();
    }
    *r1 /= static_cast<double>(test.size());
    *r3 /= static_cast<double>(test.size());
  };
  FeedbackRun run;
  score(&run.r1_before, &run.r3_before);
  for (const EvalQuery* q : train) {
    const std::vector<std::string> ids = asker.Ask(q->query);
    const auto verdict = [&](const std::string& id, FeedbackKind kind) {
      if (absl::Status s =
              asker.assistant().RecordFeedback({id, "c", "a", kind, absl::Now()});
          !s.ok()) {
        Die(s);
      }
    };
    if (std::find(ids.begin(), ids.end(), q->article) != ids.end()) {
      verdict(q->article, FeedbackKind::kHelpful);
      ++run.helpful;
    }
    if (!ids.empty() && ids[0] != q->article) {
      verdict(ids[0], FeedbackKind::kNotHelpful);
      ++run.not_helpful;
    }
  }
  score(&run.r1_after, &run.r3_after);
  return run;
}

int FeedbackMode(const std::string& dir) {
  const EvalSet set = Load(dir);
  std::vector<const EvalQuery*> train, test;
  std::map<std::string, int> seen;
  for (const EvalQuery& q : set.queries)
    (seen[q.article]++ % 2 == 0 ? train : test).push_back(&q);
  const AssistantOptions defaults;
  const std::pair<size_t, double> settings[] = {
      {defaults.min_votes, defaults.max_lift}, {3, 0.5}, {1, 0.3}, {3, 1.0}};
  fmt::print("{} training questions, {} test questions\n\n", train.size(), test.size());
  fmt::print(
      "| min_votes | max_lift | verdicts (helpful / not) | Recall@1 before | after | "
      "Recall@3 "
      "before | after |\n|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [min_votes, max_lift] : settings) {
    const FeedbackRun r = RunFeedback(set, train, test, min_votes, max_lift);
    fmt::print("| {} | {:.1f} | {} / {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n",
               min_votes, max_lift, r.helpful, r.not_helpful, r.r1_before, r.r1_after,
               r.r3_before, r.r3_after);
  }
  return 0;
}

// Routes `seconds` of offers at `rate` per second; returns the router's
// microseconds per contact, and fills `latencies_us` when an assistant is on.
double Route(const EvalSet& set, KnowledgeStore* store, double rate, double seconds,
             std::vector<double>* latencies_us, KnowledgeAssistant::Stats* stats) {
  using Clock = std::chrono::steady_clock;
  ccengine::EngineOptions options;
  options.start = absl::FromUnixSeconds(1'760'000'000);
  std::unique_ptr<ccengine::Engine> engine = ccengine::Engine::Create(options).value();
  ccengine::QueueConfig q;
  q.name = "12345";
  const ccengine::QueueId queue = engine->AddQueue(q).value();
  constexpr int kAgents = 500;
  for (int i = 1; i <= kAgents; ++i) {
    ccengine::AgentConfig a;
    a.id = ccengine::AgentId{static_cast<uint64_t>(i)};
    if (!engine->AddAgent(a).ok() || !engine->Login(a.id).ok())
      Die(absl::InternalError("agent"));
  }
  std::mutex mu;
  absl::flat_hash_map<uint64_t, Clock::time_point> offered;
  std::vector<std::pair<ccengine::AgentId, ccengine::ContactId>> to_finish;
  engine->Subscribe(
      [&](const ccengine::Event& e) {
        if (e.type != ccengine::EventType::kOffered) return;
        to_finish.emplace_back(e.agent, e.contact);
        std::lock_guard<std::mutex> lock(mu);
        offered[e.contact.value()] = Clock::now();
      },
      ccengine::EventBit(ccengine::EventType::kOffered));
  std::unique_ptr<KnowledgeAssistant> assistant;
  if (latencies_us != nullptr) {
    absl::StatusOr<std::unique_ptr<KnowledgeAssistant>> a =
        KnowledgeAssistant::Create(store, [&](const Suggestion& s) {
          const auto now = Clock::now();
          std::lock_guard<std::mutex> lock(mu);
          latencies_us->push_back(
              std::chrono::duration<double, std::micro>(now - offered[s.contact.value()])
                  .count());
        });
    if (!a.ok()) Die(a.status());
    assistant = *std::move(a);
    engine->Subscribe(assistant->EngineEventCallback(*engine),
                      ccengine::EventBit(ccengine::EventType::kOffered));
  }
  const int offers = static_cast<int>(rate * seconds);
  const auto start = Clock::now();
  double router_us = 0;
  int contacts = 0;
  uint64_t next_id = 1;
  absl::Time now = options.start;
  for (int i = 0; i < offers; ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate)));
    const auto t0 = Clock::now();
    for (int j = 0; j < 11; ++j) {
      ccengine::ContactSpec c;
      c.id = ccengine::ContactId{next_id++};
      c.queue = queue;
      if (j == 0)
        c.attributes = {
            {"subject", set.queries[static_cast<size_t>(i) % set.queries.size()].query}};
      if (!engine->AddContact(c).ok()) Die(absl::InternalError("contact"));
      ++contacts;
    }
    now += absl::Milliseconds(100);
    if (!engine->Poll(now).ok()) Die(absl::InternalError("poll"));
    for (const auto& [agent, contact] : to_finish) {
      (void)engine->AcceptOffer(agent, contact);
      (void)engine->CompleteContact(agent, contact);
    }
    to_finish.clear();
    router_us += std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }
  if (assistant != nullptr) {
    assistant->Flush();
    *stats = assistant->stats();
  }
  return router_us / contacts;
}

int LatencyMode(const std::string& dir, double rate, double seconds) {
  const EvalSet set = Load(dir);
  const ccbench::TempDir tmp("ccassist_");
  ccengine::sqlite::SqliteKnowledgeStoreOptions options;
  options.path = tmp.File("kb.db");
  absl::StatusOr<ccengine::text::SynonymTable> synonyms =
      ccengine::text::SynonymTable::Parse(set.synonyms);
  if (!synonyms.ok()) Die(synonyms.status());
  options.store.synonyms = *std::move(synonyms);
  absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
      ccengine::sqlite::OpenSqliteKnowledgeStore(options);
  if (!store.ok()) Die(store.status());
  for (const auto& a : set.articles) {
    if (absl::StatusOr<int64_t> v = (*store)->Upsert(a); !v.ok()) Die(v.status());
  }
  const double bare = Route(set, store->get(), rate, seconds, nullptr, nullptr);
  std::vector<double> latencies;
  KnowledgeAssistant::Stats stats;
  const double with = Route(set, store->get(), rate, seconds, &latencies, &stats);
  fmt::print(
      "| offers with text per s | offers (with text) | suggested | dropped | latency p50 "
      "ms | p99 ms | max ms | "
      "router µs "
      "per contact, without | with the assistant "
      "|\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  fmt::print(
      "| {:.0f} | {} ({}) | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.1f} | {:.1f} |\n",
      rate, stats.offers, stats.offers - stats.no_text, stats.delivered, stats.dropped,
      ccbench::Percentile(latencies, 0.5) / 1000,
      ccbench::Percentile(latencies, 0.99) / 1000,
      ccbench::Percentile(latencies, 1.0) / 1000, bare, with);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc >= 2 ? argv[1] : "";
  if (mode == "feedback" && argc == 3) return FeedbackMode(argv[2]);
  if (mode == "latency" && argc >= 3) {
    return LatencyMode(argv[2], argc >= 4 ? std::atof(argv[3]) : 50,
                       argc >= 5 ? std::atof(argv[4]) : 20);
  }
  std::fprintf(
      stderr,
      "usage: knowledge_assist feedback DATA_DIR\n"
      "       knowledge_assist latency DATA_DIR [OFFERS_PER_SECOND] [SECONDS]\n");
  return 2;
}
