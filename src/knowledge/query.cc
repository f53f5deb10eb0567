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
namespace {

// Characters too common in Chinese text to be worth matching on their own
// (particles, pronouns, question words, the commonest verbs): each would
// match most articles, costing time and adding nothing to the ranking.
// They still count inside pairs ("怎么" stays a term).
constexpr std::string_view kStopCharacters[] = {
    "的", "了", "是", "我", "你", "他", "她", "它", "们", "在", "有", "和", "与", "或",
    "吗", "呢", "吧", "啊", "呀", "么", "怎", "什", "这", "那", "个", "一", "不", "也",
    "就", "都", "要", "会", "能", "可", "以", "到", "给", "把", "被", "让", "对", "请",
    "问", "想", "下", "上", "中", "为", "之", "其", "及", "等", "还", "又", "很", "该",
    "哪", "里", "些", "多", "少", "时", "候", "如", "何", "自", "己", "大", "人", "去",
    "来", "过", "着", "得", "地", "所", "后", "前", "好", "没", "用", "说", "做", "办",
};

bool IsStopCharacter(std::string_view c) {
  for (const std::string_view s : kStopCharacters) {
    if (s == c) return true;
  }
  return false;
}

}  // namespace

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
          return t.kind == text::TokenKind::kCjkUnigram && !IsStopCharacter(t.term)
                     ? add(t.term)
                     : absl::OkStatus();
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
