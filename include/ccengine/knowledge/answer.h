// -----------------------------------------------------------------------------
// File: ccengine/knowledge/answer.h
// -----------------------------------------------------------------------------
//
// Self-service answers: the best article for a caller's question, but only
// when the match is confident; otherwise the contact goes to an agent. A
// wrong answer costs more than a hand-over, so the policy trades answered
// questions for precision. The best hit must pass all three thresholds:
//
//   coverage  the share of the question's places the article covers
//             (SearchHit::coverage): an article that matches only "how do I"
//             is no answer
//   score     its BM25 score
//   lead      its score over the second hit's: near-duplicate articles
//             (医保报销 vs 医保异地备案) that the question cannot tell apart
//             are no answer
//
// The default policy is calibrated on the evaluation set in
// tests/data/knowledge (716 answerable and 160 unanswerable questions) for a
// precision of about 0.9; `knowledge_base answers` (bench/) repeats the
// calibration with held-out halves, and recalibrates for another knowledge
// base: BM25 scores depend on the collection (docs/knowledge.md).
//
// Thread safety: `Answer` is as thread-safe as the store it is given.

#ifndef CCENGINE_KNOWLEDGE_ANSWER_H_
#define CCENGINE_KNOWLEDGE_ANSWER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/knowledge/store.h"

namespace ccengine::knowledge {

struct AnswerPolicy {
  double min_coverage = 0.3;
  double min_score = 16.0;
  double min_lead = 1.2;  // best score / second score; no second hit passes
};

struct AnswerResult {
  // The article to answer with, or none: hand over to an agent.
  std::optional<SearchHit> article;
  // Why not, when there is no article ("no article matches", "coverage 0.20
  // is below 0.30", ...); empty otherwise.
  std::string reason;
};

// Searches `store` (the best two hits under `filters`) and applies `policy`.
// Errors: those of `Search` (an over-long query, invalid UTF-8, bad filters).
// An empty question is no article ("empty question").
absl::StatusOr<AnswerResult> Answer(KnowledgeStore& store, std::string_view question,
                                    const SearchFilters& filters = {},
                                    const AnswerPolicy& policy = {});

// Whether the hits (best first) pass the policy; `reason` says why not.
bool Confident(const std::vector<SearchHit>& hits, const AnswerPolicy& policy,
               std::string* reason);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_ANSWER_H_
