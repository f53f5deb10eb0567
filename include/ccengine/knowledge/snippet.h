// -----------------------------------------------------------------------------
// File: ccengine/knowledge/snippet.h
// -----------------------------------------------------------------------------
//
// What a hit shows besides its score, computed the same way by every store
// from the article's text and the query:
//
//   coverage  `Coverage` (query.h) over the terms of the title, tags and body
//   snippet   at most `snippet_chars` characters (code points) of the body:
//             the window that holds the most distinct query terms (the
//             earliest such window; the body's start when nothing matches),
//             beginning a little before its first match, less the part of a
//             Latin word or number cut at either edge, with "…" where the
//             body was cut. Marked between the store's markers: the terms of
//             the query's places (overlapping CJK pairs merge into one run),
//             or, when none of them occurs, its single characters. The text is
//             not escaped: a caller rendering HTML escapes it first, or picks
//             markers it can find again. An empty body gives the title.
//
// Thread safety: plain functions.

#ifndef CCENGINE_KNOWLEDGE_SNIPPET_H_
#define CCENGINE_KNOWLEDGE_SNIPPET_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/store.h"

namespace ccengine::knowledge {

// The snippet of `body` (or `title` when the body is empty) for `query`.
// InvalidArgument for text the tokenizer rejects (a store holds none).
absl::StatusOr<std::string> MakeSnippet(const KnowledgeQuery& query,
                                        std::string_view title, std::string_view body,
                                        const KnowledgeStoreOptions& options);

// Sets `hit->coverage` and `hit->snippet` from the article's text.
absl::Status DescribeHit(const KnowledgeQuery& query, std::string_view title,
                         const std::vector<std::string>& tags, std::string_view body,
                         const KnowledgeStoreOptions& options, SearchHit* hit);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_SNIPPET_H_
