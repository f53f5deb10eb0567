#include "ccengine/knowledge/assistant.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/knowledge/query.h"
#include "fmt/format.h"

namespace ccengine::knowledge {
namespace {

// `text` cut to at most `limit` bytes at a UTF-8 character boundary.
std::string CutAtCharacter(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

std::string QueryOf(const ContactSnapshot& contact,
                    const std::vector<std::string>& keys) {
  std::string query;
  for (const std::string& key : keys) {
    for (const auto& [name, value] : contact.attributes) {
      if (name != key || value.empty()) continue;
      if (!query.empty()) query += ' ';
      query += value;
    }
  }
  return CutAtCharacter(std::move(query), kMaxQueryBytes);
}

}  // namespace

double FeedbackLift(const FeedbackTally& tally, size_t min_votes, double max_lift) {
  const int64_t votes = tally.helpful + tally.not_helpful;
  if (votes <= 0 || static_cast<size_t>(votes) < min_votes) return 1.0;
  return 1.0 + max_lift * static_cast<double>(tally.helpful - tally.not_helpful) /
                   static_cast<double>(votes);
}

absl::StatusOr<std::unique_ptr<KnowledgeAssistant>> KnowledgeAssistant::Create(
    KnowledgeStore* store, Callback callback, AssistantOptions options) {
  if (store == nullptr || !callback) {
    return absl::InvalidArgumentError("assistant: a store and a callback are required");
  }
  if (options.k < 1 || options.k > kMaxSearchResults || options.candidates < options.k ||
      options.candidates > kMaxSearchResults) {
    return absl::InvalidArgumentError(
        fmt::format("assistant: k is {} and candidates {}; 1 <= k <= candidates <= {}",
                    options.k, options.candidates, kMaxSearchResults));
  }
  if (options.queue_capacity < 1 || options.queue_capacity > 1'000'000) {
    return absl::InvalidArgumentError(fmt::format(
        "assistant: queue_capacity is {}; 1..1000000 allowed", options.queue_capacity));
  }
  if (!(options.max_lift >= 0 && options.max_lift <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("assistant: max_lift is {}; 0..1 allowed", options.max_lift));
  }
  if (options.text_attributes.empty()) {
    return absl::InvalidArgumentError(
        "assistant: no text_attributes to build a query from");
  }
  return std::unique_ptr<KnowledgeAssistant>(
      new KnowledgeAssistant(store, std::move(callback), std::move(options)));
}

KnowledgeAssistant::KnowledgeAssistant(KnowledgeStore* store, Callback callback,
                                       AssistantOptions options)
    : store_(store), callback_(std::move(callback)), options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

KnowledgeAssistant::~KnowledgeAssistant() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

EventCallback KnowledgeAssistant::EngineEventCallback(const Engine& engine) {
  return [this, &engine](const Event& event) {
    if (event.type != EventType::kOffered || !event.has_contact || !event.has_agent)
      return;
    absl::StatusOr<ContactSnapshot> contact = engine.GetContact(event.contact);
    if (!contact.ok()) return;
    Item item{event.contact,
              event.agent,
              event.queue,
              event.time,
              QueryOf(*contact, options_.text_attributes),
              SearchFilters{}};
    if (options_.filters) {
      item.filters = options_.filters(*contact, event.agent, event.time);
    } else {
      item.filters.valid_at = event.time;
    }
    Enqueue(std::move(item));
  };
}

absl::Status KnowledgeAssistant::Submit(ContactId contact, AgentId agent, QueueId queue,
                                        std::string query, SearchFilters filters,
                                        absl::Time offered_at) {
  if (!Enqueue(Item{contact, agent, queue, offered_at,
                    CutAtCharacter(std::move(query), kMaxQueryBytes),
                    std::move(filters)})) {
    return absl::ResourceExhaustedError(
        fmt::format("assistant: {} offers already queued; this one is dropped",
                    options_.queue_capacity));
  }
  return absl::OkStatus();
}

bool KnowledgeAssistant::Enqueue(Item item) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.offers;
  if (item.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    ++stats_.no_text;
    return true;
  }
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    ++stats_.dropped;
    return false;
  }
  queue_.push_back(std::move(item));
  wake_.notify_one();
  return true;
}

absl::Status KnowledgeAssistant::RecordFeedback(const Feedback& feedback) {
  return store_->RecordFeedback(feedback);
}

void KnowledgeAssistant::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [&] { return (queue_.empty() && !busy_) || stopping_; });
}

KnowledgeAssistant::Stats KnowledgeAssistant::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void KnowledgeAssistant::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const Suggestion suggestion = Serve(item);
    callback_(suggestion);
    lock.lock();
    busy_ = false;
    ++stats_.delivered;
    if (!suggestion.status.ok()) ++stats_.failed;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

Suggestion KnowledgeAssistant::Serve(const Item& item) {
  Suggestion s{item.contact, item.agent, item.queue, item.offered_at, item.query, {}, {}};
  SearchRequest request;
  request.query = item.query;
  request.filters = item.filters;
  request.k = options_.candidates;
  absl::StatusOr<std::vector<SearchHit>> hits = store_->Search(request);
  if (!hits.ok()) {
    s.status = hits.status();
    return s;
  }
  std::vector<std::string> ids;
  for (const SearchHit& h : *hits) ids.push_back(h.id);
  absl::StatusOr<std::vector<FeedbackTally>> tallies = store_->Tallies(ids);
  if (tallies.ok()) {
    for (size_t i = 0; i < hits->size(); ++i) {
      (*hits)[i].score *=
          FeedbackLift((*tallies)[i], options_.min_votes, options_.max_lift);
    }
    std::stable_sort(
        hits->begin(), hits->end(),
        [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
  } else if (tallies.status().code() != absl::StatusCode::kUnimplemented) {
    s.status = tallies.status();
    return s;
  }
  if (hits->size() > options_.k) hits->resize(options_.k);
  s.hits = *std::move(hits);
  return s;
}

}  // namespace ccengine::knowledge
