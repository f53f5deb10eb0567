// -----------------------------------------------------------------------------
// File: ccengine/knowledge/assistant.h
// -----------------------------------------------------------------------------
//
// Agent assist: the moment a contact is offered to an agent, the best
// articles for what the customer said, delivered to that agent's desktop.
//
//   engine ──kOffered──▶ EngineEventCallback (router thread: reads the
//                         contact's text attributes, queues, returns)
//                                  │ bounded queue
//                                  ▼
//                        the assistant's thread: Search, feedback lift,
//                        then the suggestion callback
//
// The router thread never searches, never waits and never allocates more
// than the queued item: a full queue drops the offer (counted in `Stats`),
// it never delays a routing decision.
//
// The query is the contact's attributes named in `text_attributes`, in that
// order, joined by spaces (subject, IVR choice or intent, a transcript
// snippet), cut to kMaxQueryBytes at a character boundary. A contact without
// any of them gets no suggestion (counted as `no_text`).
//
// Feedback: `RecordFeedback` stores an agent's verdict on a suggested
// article in the store (used, helpful, not helpful). Once an article has
// `min_votes` helpful-or-not verdicts, its BM25 score in suggestions is
// multiplied by
//     1 + max_lift × (helpful − not_helpful) / (helpful + not_helpful)
// so articles that resolve contacts rise and ones that do not sink among the
// `candidates` best hits. `knowledge_assist feedback` (bench/) measures what
// this does on the labelled evaluation set: within noise at the defaults, and
// worse with a large lift — an article's verdicts come from other questions
// than the one asked (bench/README.md, docs/knowledge.md). The verdicts are
// kept either way, for supervisors' reports and the knowledge team.
//
// Thread safety: `EngineEventCallback`'s callable runs on the router thread;
// `Submit`, `RecordFeedback`, `Flush` and `stats` may be called from any
// thread. The suggestion callback runs on the assistant's own thread, one
// call at a time; it must not destroy the assistant. Destruction stops the
// thread after the suggestion in progress; queued offers are dropped. The
// store must outlive the assistant; unsubscribe from the engine before
// destroying it.

#ifndef CCENGINE_KNOWLEDGE_ASSISTANT_H_
#define CCENGINE_KNOWLEDGE_ASSISTANT_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "ccengine/knowledge/store.h"

namespace ccengine::knowledge {

struct Suggestion {
  ContactId contact;
  AgentId agent;
  QueueId queue;
  absl::Time offered_at;  // the offer event's (engine) time
  std::string query;
  std::vector<SearchHit> hits;  // best first, at most `k`; may be empty
  absl::Status status;          // the search's error, if it failed
};

struct AssistantOptions {
  // Contact attributes whose values make the query, in this order.
  std::vector<std::string> text_attributes = {"subject", "intent", "ivr_choice",
                                              "transcript"};
  size_t k = 3;            // suggestions per offer, 1..kMaxSearchResults
  size_t candidates = 10;  // hits re-ranked by feedback, k..kMaxSearchResults
  size_t queue_capacity = 1024;
  // Filters for an offer; default: articles valid at the offer's time.
  std::function<SearchFilters(const ContactSnapshot& contact, AgentId agent,
                              absl::Time offered_at)>
      filters;
  size_t min_votes = 5;
  double max_lift = 0.2;  // 0..1
};

class KnowledgeAssistant {
 public:
  using Callback = std::function<void(const Suggestion&)>;

  struct Stats {
    uint64_t offers = 0;     // offers taken in (engine or Submit)
    uint64_t no_text = 0;    // offers without text attributes
    uint64_t dropped = 0;    // offers refused by a full queue
    uint64_t delivered = 0;  // callbacks made (hits or not)
    uint64_t failed = 0;     // searches that failed (delivered with a status)
  };

  // Starts the assistant's thread. InvalidArgument for bad options or a null
  // store or callback.
  static absl::StatusOr<std::unique_ptr<KnowledgeAssistant>> Create(
      KnowledgeStore* store, Callback callback, AssistantOptions options = {});
  ~KnowledgeAssistant();
  KnowledgeAssistant(const KnowledgeAssistant&) = delete;
  KnowledgeAssistant& operator=(const KnowledgeAssistant&) = delete;

  // The engine subscriber: `engine.Subscribe(assistant->EngineEventCallback(engine),
  // EventBit(EventType::kOffered))`. It reads the offered contact from
  // `engine` (on the router thread, where the callback runs).
  EventCallback EngineEventCallback(const Engine& engine);

  // Queues a suggestion for an offer from elsewhere (another router, a
  // test). ResourceExhausted when the queue is full (counted as dropped).
  absl::Status Submit(ContactId contact, AgentId agent, QueueId queue, std::string query,
                      SearchFilters filters, absl::Time offered_at);

  // Stores an agent's verdict (KnowledgeStore::RecordFeedback).
  absl::Status RecordFeedback(const Feedback& feedback);

  // Waits until every queued offer has been delivered.
  void Flush();

  Stats stats() const;

 private:
  struct Item {
    ContactId contact;
    AgentId agent;
    QueueId queue;
    absl::Time offered_at;
    std::string query;
    SearchFilters filters;
  };

  KnowledgeAssistant(KnowledgeStore* store, Callback callback, AssistantOptions options);
  bool Enqueue(Item item);
  void Run();
  Suggestion Serve(const Item& item);

  KnowledgeStore* const store_;
  const Callback callback_;
  const AssistantOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Item> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

// The factor by which feedback multiplies an article's score (see above).
double FeedbackLift(const FeedbackTally& tally, size_t min_votes, double max_lift);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_ASSISTANT_H_
