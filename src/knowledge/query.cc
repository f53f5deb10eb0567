#include "ccengine/knowledge/query.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"

namespace ccengine::knowledge {

absl::StatusOr<KnowledgeQuery> BuildQuery(std::string_view text,
                                          const text::SynonymTable& synonyms,
                                          bool characters) {
  if (text.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        fmt::format("query is {} bytes; the limit is {}", text.size(), kMaxQueryBytes));
  }
  absl::StatusOr<std::vector<text::QueryTermGroup>> groups = synonyms.Expand(text);
  if (!groups.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("query: {}", std::string(groups.status().message())));
  }
  KnowledgeQuery query;
  absl::flat_hash_set<std::string> seen;
  const auto add = [&](std::string_view term) {
    if (!seen.emplace(term).second) return absl::OkStatus();
    if (query.terms.size() == kMaxQueryTerms) {
      return absl::InvalidArgumentError(fmt::format(
          "query has more than {} distinct terms (with synonyms)", kMaxQueryTerms));
    }
    query.terms.emplace_back(term);
    return absl::OkStatus();
  };
  for (const text::QueryTermGroup& group : *groups) {
    for (const std::vector<std::string>& alternative : group.alternatives) {
      for (const std::string& term : alternative) {
        if (absl::Status s = add(term); !s.ok()) return s;
      }
    }
  }
  if (characters) {
    static const text::Tokenizer tokenizer;
    absl::Status s = tokenizer.ForEachToken(
        text, text::TokenizeMode::kIndex, [&](const text::TokenView& t) {
          return t.kind == text::TokenKind::kCjkUnigram ? add(t.term) : absl::OkStatus();
        });
    if (!s.ok()) return s;
  }
  query.groups = *std::move(groups);
  return query;
}

std::string Fts5MatchExpression(const KnowledgeQuery& query) {
  std::string out;
  for (const std::string& term : query.terms) {
    if (!out.empty()) out += " OR ";
    out += '"';
    for (const char c : term) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

double Coverage(const KnowledgeQuery& query,
                const absl::flat_hash_set<std::string>& article_terms) {
  if (query.groups.empty()) return 0;
  size_t covered = 0;
  for (const text::QueryTermGroup& group : query.groups) {
    for (const std::vector<std::string>& alternative : group.alternatives) {
      bool all = !alternative.empty();
      for (const std::string& term : alternative) {
        if (!article_terms.contains(term)) {
          all = false;
          break;
        }
      }
      if (all) {
        ++covered;
        break;
      }
    }
  }
  return static_cast<double>(covered) / static_cast<double>(query.groups.size());
}

}  // namespace ccengine::knowledge
