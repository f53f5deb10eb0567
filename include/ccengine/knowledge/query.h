// -----------------------------------------------------------------------------
// File: ccengine/knowledge/query.h
// -----------------------------------------------------------------------------
//
// What every knowledge store does with a query before its engine sees it:
//
//   BuildQuery            query text -> the places of the query, each with its
//                         synonym alternatives (text::SynonymTable::Expand),
//                         and the distinct terms an article may match: the
//                         alternatives' terms, then (with `characters`) the
//                         query's CJK characters on their own, so that a
//                         paraphrase sharing characters but not pairs still
//                         scores; 84 characters too common to tell articles
//                         apart (的 了 是 我 怎 么 ...) are left out on their
//                         own, never inside a pair ("怎么" stays a term)
//   Fts5MatchExpression   the terms as an SQLite FTS5 MATCH string: every term
//                         a double-quoted string, joined by OR. Terms come from
//                         the tokenizer, so the caller's quotes, NEAR, *, ^,
//                         column filters or SQL never reach FTS5's syntax.
//   Coverage              the share of the query's places an article covers
//
// Thread safety: plain functions of their arguments.

#ifndef CCENGINE_KNOWLEDGE_QUERY_H_
#define CCENGINE_KNOWLEDGE_QUERY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "ccengine/text/synonyms.h"

namespace ccengine::knowledge {

// Longest query accepted (bytes); longer is InvalidArgument.
inline constexpr size_t kMaxQueryBytes = 1024;
// Most distinct terms after synonym expansion; more is InvalidArgument.
inline constexpr size_t kMaxQueryTerms = 512;

struct KnowledgeQuery {
  // One entry per place in the query (text::QueryTermGroup).
  std::vector<text::QueryTermGroup> groups;
  // Every term of every alternative, then the query's CJK characters other
  // than the common ones (with `characters`), each once, in the order of
  // first use.
  std::vector<std::string> terms;

  bool empty() const { return terms.empty(); }
};

// The query of `text`. Errors (InvalidArgument): more than kMaxQueryBytes,
// invalid UTF-8 (naming the byte offset), more than kMaxQueryTerms terms. A
// query of white space or punctuation only is an empty query (no terms).
absl::StatusOr<KnowledgeQuery> BuildQuery(std::string_view text,
                                          const text::SynonymTable& synonyms,
                                          bool characters = true);

// `"t1" OR "t2" OR ...` ("" inside a term doubled, as FTS5 wants); empty for
// an empty query.
std::string Fts5MatchExpression(const KnowledgeQuery& query);

// The share (0..1) of `query.groups` for which `article_terms` (an article's
// index-mode terms) holds every term of at least one alternative; 0 for an
// empty query.
double Coverage(const KnowledgeQuery& query,
                const absl::flat_hash_set<std::string>& article_terms);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_QUERY_H_
