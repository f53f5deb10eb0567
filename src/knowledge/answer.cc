#include "ccengine/knowledge/answer.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/knowledge/store.h"
#include "fmt/format.h"

namespace ccengine::knowledge {

bool Confident(const std::vector<SearchHit>& hits, const AnswerPolicy& policy,
               std::string* reason) {
  if (hits.empty()) {
    *reason = "no article matches";
    return false;
  }
  const SearchHit& best = hits.front();
  if (best.coverage < policy.min_coverage) {
    *reason = fmt::format("coverage {:.2f} is below {:.2f}", best.coverage,
                          policy.min_coverage);
    return false;
  }
  if (best.score < policy.min_score) {
    *reason = fmt::format("score {:.1f} is below {:.1f}", best.score, policy.min_score);
    return false;
  }
  if (hits.size() > 1 && hits[1].score > 0 &&
      best.score < policy.min_lead * hits[1].score) {
    *reason = fmt::format("{} scores {:.1f}, too close to {} at {:.1f}", best.id,
                          best.score, hits[1].id, hits[1].score);
    return false;
  }
  reason->clear();
  return true;
}

absl::StatusOr<AnswerResult> Answer(KnowledgeStore& store, std::string_view question,
                                    const SearchFilters& filters,
                                    const AnswerPolicy& policy) {
  SearchRequest request;
  request.query = std::string(question);
  request.filters = filters;
  request.k = 2;
  absl::StatusOr<std::vector<SearchHit>> hits = store.Search(request);
  if (!hits.ok()) return hits.status();
  AnswerResult result;
  if (hits->empty() && request.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    result.reason = "empty question";
    return result;
  }
  if (Confident(*hits, policy, &result.reason)) result.article = hits->front();
  return result;
}

}  // namespace ccengine::knowledge
