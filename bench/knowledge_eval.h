// -----------------------------------------------------------------------------
// File: bench/knowledge_eval.h
// -----------------------------------------------------------------------------
//
// The knowledge evaluation set (tests/data/knowledge/) and the retrieval
// measures over it, shared by `knowledge_base quality` and its ctest gate:
//
//   articles.jsonl      {id, title, body, language, tags, department,
//                        valid_from, valid_to ("YYYY-MM-DD", the last valid
//                        day, or null)}
//   queries.jsonl       {query, article, kind}: kind paraphrase, keyword2,
//                        mixed, long, typo
//   unanswerable.jsonl  {query, kind}: off_topic, near_domain, chitchat, vague
//   synonyms.txt        text::SynonymTable::Parse format
//
// Thread safety: plain data and functions.

#ifndef CCENGINE_BENCH_KNOWLEDGE_EVAL_H_
#define CCENGINE_BENCH_KNOWLEDGE_EVAL_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/knowledge/article.h"

namespace ccengine::bench {

struct EvalQuery {
  std::string query;
  std::string article;  // empty for an unanswerable query
  std::string kind;
};

struct EvalSet {
  std::vector<knowledge::Article> articles;
  std::vector<EvalQuery> queries;
  std::vector<EvalQuery> unanswerable;
  std::string synonyms;  // the table's text
};

// Reads the four files from `dir`; InvalidArgument naming file and line.
absl::StatusOr<EvalSet> LoadEvalSet(const std::string& dir);

// Recall@1, Recall@5 and MRR@10 of one system over some queries.
struct Retrieval {
  size_t queries = 0;
  double recall1 = 0;
  double recall5 = 0;
  double mrr10 = 0;
};

// A system under test: the ids it ranks for a query, best first (at most 10).
using Ranker =
    std::function<absl::StatusOr<std::vector<std::string>>(const std::string&)>;

// The measures per query kind, and over all queries under "all".
absl::StatusOr<std::map<std::string, Retrieval>> Measure(
    const std::vector<EvalQuery>& queries, const Ranker& ranker);

}  // namespace ccengine::bench

#endif  // CCENGINE_BENCH_KNOWLEDGE_EVAL_H_
