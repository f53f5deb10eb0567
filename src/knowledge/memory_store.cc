// The in-memory knowledge store: an inverted index of the tokenizer's index
// terms with per-article weighted frequencies, ranked by ranking.h exactly as
// the FTS5 store ranks.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/ranking.h"
#include "ccengine/knowledge/row_codec.h"
#include "ccengine/knowledge/snippet.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"

namespace ccengine::knowledge {
namespace {

struct Entry {
  Article article;
  absl::flat_hash_map<std::string, double> frequency;  // weighted, all columns
  double length = 0;                                   // positions, all columns
};

class MemoryKnowledgeStore final : public KnowledgeStore {
 public:
  explicit MemoryKnowledgeStore(KnowledgeStoreOptions options)
      : options_(std::move(options)) {}

  absl::StatusOr<int64_t> Upsert(const Article& article) override {
    if (absl::Status s = ValidateArticle(article); !s.ok()) return s;
    auto entry = std::make_unique<Entry>();
    entry->article = article;
    const std::string tags_text = rows::JoinLabels(article.tags);
    for (const auto& [column_text, weight] :
         {std::pair<std::string_view, double>{article.title, options_.title_weight},
          {tags_text, options_.tags_weight},
          {article.body, options_.body_weight}}) {
      const double w = weight;
      absl::Status s = tokenizer_.ForEachToken(
          column_text, text::TokenizeMode::kIndex, [&](const text::TokenView& t) {
            entry->frequency[std::string(t.term)] += w;
            if (!t.colocated) entry->length += 1;
            return absl::OkStatus();
          });
      if (!s.ok()) return s;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(article.id);
    int64_t version = 1;
    if (it != entries_.end()) {
      if (article.version != 0 && article.version != it->second->article.version) {
        return absl::AbortedError(
            fmt::format("article {}: version {} expected, {} stored", article.id,
                        article.version, it->second->article.version));
      }
      version = it->second->article.version + 1;
      Unindex(*it->second);
    } else if (article.version != 0) {
      return absl::AbortedError(fmt::format(
          "article {}: version {} expected, none stored", article.id, article.version));
    }
    entry->article.version = version;
    Index(*entry);
    entries_[article.id] = std::move(entry);
    return version;
  }

  absl::Status Delete(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end()) {
      return absl::NotFoundError(fmt::format("no article {}", id));
    }
    Unindex(*it->second);
    entries_.erase(it);
    tallies_.erase(std::string(id));
    links_.erase(std::string(id));
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> AnonymizeFeedback(
      const FeedbackAnonymization& request) override {
    if (absl::Status s = ValidateFeedbackAnonymization(request); !s.ok()) return s;
    const absl::flat_hash_set<std::string> contacts(request.contacts.begin(),
                                                    request.contacts.end());
    std::lock_guard<std::mutex> lock(mu_);
    size_t done = 0;
    for (auto& [id, links] : links_) {
      for (Link& link : links) {
        if (link.contact.empty() && link.agent.empty()) continue;
        const bool selected = request.given_before.has_value()
                                  ? link.at < *request.given_before
                                  : contacts.contains(link.contact);
        if (!selected) continue;
        link.contact.clear();
        link.agent.clear();
        ++done;
      }
    }
    return done;
  }

  absl::Status RecordFeedback(const Feedback& feedback) override {
    if (absl::Status s = ValidateFeedback(feedback); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    if (!entries_.contains(feedback.article_id)) {
      return absl::NotFoundError(fmt::format("no article {}", feedback.article_id));
    }
    FeedbackTally& t = tallies_[feedback.article_id];
    t.article_id = feedback.article_id;
    links_[feedback.article_id].push_back(
        {feedback.contact, feedback.agent, feedback.at});
    switch (feedback.kind) {
      case FeedbackKind::kUsed: ++t.used; break;
      case FeedbackKind::kHelpful: ++t.helpful; break;
      case FeedbackKind::kNotHelpful: ++t.not_helpful; break;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<FeedbackTally>> Tallies(
      const std::vector<std::string>& article_ids) override {
    if (article_ids.size() > kMaxSearchResults) {
      return absl::InvalidArgumentError(fmt::format(
          "{} tallies asked for; at most {}", article_ids.size(), kMaxSearchResults));
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<FeedbackTally> out;
    for (const std::string& id : article_ids) {
      auto it = tallies_.find(id);
      out.push_back(it != tallies_.end() ? it->second : FeedbackTally{.article_id = id});
    }
    return out;
  }

  absl::StatusOr<Article> Get(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end()) {
      return absl::NotFoundError(fmt::format("no article {}", id));
    }
    return it->second->article;
  }

  absl::StatusOr<size_t> Count() override {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

  absl::StatusOr<std::vector<SearchHit>> Search(const SearchRequest& request) override {
    if (absl::Status s = ValidateSearchRequest(request); !s.ok()) return s;
    absl::StatusOr<KnowledgeQuery> query =
        BuildQuery(request.query, options_.synonyms, options_.query_characters);
    if (!query.ok()) return query.status();
    std::vector<SearchHit> hits;
    if (query->empty()) return hits;
    std::unique_lock<std::mutex> lock(mu_);
    if (entries_.empty()) return hits;
    const auto rows = static_cast<int64_t>(entries_.size());
    const double average = total_length_ / static_cast<double>(rows);
    struct Scored {
      double score;
      const Entry* entry;
    };
    absl::flat_hash_map<const Entry*, double> scores;
    for (const std::string& term : query->terms) {
      auto posting = postings_.find(term);
      if (posting == postings_.end()) continue;
      const double idf = Bm25Idf(rows, static_cast<int64_t>(posting->second.size()));
      for (const Entry* entry : posting->second) {
        scores[entry] += Bm25Term(idf, entry->frequency.at(term), entry->length, average);
      }
    }
    std::vector<Scored> ranked;
    for (const auto& [entry, score] : scores) {
      if (PassesFilters(request.filters, entry->article))
        ranked.push_back({score, entry});
    }
    const auto better = [](const Scored& a, const Scored& b) {
      return a.score != b.score ? a.score > b.score
                                : a.entry->article.id < b.entry->article.id;
    };
    const size_t k = std::min(request.k, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(k),
                      ranked.end(), better);
    // Copies of the best articles, described after the lock is released.
    std::vector<std::pair<double, Article>> best;
    for (size_t i = 0; i < k; ++i)
      best.emplace_back(ranked[i].score, ranked[i].entry->article);
    lock.unlock();
    for (const auto& [score, a] : best) {
      SearchHit hit;
      hit.id = a.id;
      hit.score = score;
      hit.version = a.version;
      hit.title = a.title;
      hit.language = a.language;
      hit.tags = a.tags;
      if (absl::Status s = DescribeHit(*query, a.title, a.tags, a.body, options_, &hit);
          !s.ok()) {
        return s;
      }
      hits.push_back(std::move(hit));
    }
    return hits;
  }

 private:
  void Index(const Entry& entry) {
    for (const auto& [term, f] : entry.frequency) postings_[term].insert(&entry);
    total_length_ += entry.length;
  }

  void Unindex(const Entry& entry) {
    for (const auto& [term, f] : entry.frequency) {
      auto it = postings_.find(term);
      it->second.erase(&entry);
      if (it->second.empty()) postings_.erase(it);
    }
    total_length_ -= entry.length;
  }

  const KnowledgeStoreOptions options_;
  const text::Tokenizer tokenizer_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> entries_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<const Entry*>> postings_;
  double total_length_ = 0;
  absl::flat_hash_map<std::string, FeedbackTally> tallies_;
  // Who gave each article's verdicts, on which contact, and when (what
  // AnonymizeFeedback erases; the tallies above are counted as they come).
  struct Link {
    std::string contact;
    std::string agent;
    absl::Time at;
  };
  absl::flat_hash_map<std::string, std::vector<Link>> links_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<KnowledgeStore>> NewMemoryKnowledgeStore(
    KnowledgeStoreOptions options) {
  if (absl::Status s = ValidateStoreOptions(options); !s.ok()) return s;
  return std::make_unique<MemoryKnowledgeStore>(std::move(options));
}

}  // namespace ccengine::knowledge
