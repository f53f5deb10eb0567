// -----------------------------------------------------------------------------
// File: ccengine/knowledge/article.h
// -----------------------------------------------------------------------------
//
// A knowledge article (知识库条目): a policy answer, an FAQ entry or a how-to
// that an agent reads out or a self-service channel returns. An article serves
// skills, queues and departments (empty: every one), and a policy is valid for
// a period: a search at a time outside it does not find the article.
//
// `ValidateArticle` states the limits every store enforces (InvalidArgument
// naming the field otherwise).
//
// Thread safety: plain values.

#ifndef CCENGINE_KNOWLEDGE_ARTICLE_H_
#define CCENGINE_KNOWLEDGE_ARTICLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ccengine::knowledge {

// Limits of an article.
inline constexpr size_t kMaxArticleIdBytes = 128;
inline constexpr size_t kMaxTitleBytes = 1024;
inline constexpr size_t kMaxBodyBytes = size_t{256} << 10;
inline constexpr size_t kMaxLanguageBytes = 16;
inline constexpr size_t kMaxLabels = 64;  // tags, skills, queues, departments: each
inline constexpr size_t kMaxLabelBytes = 128;

struct Article {
  // 1..128 bytes of UTF-8, no control characters; the store's key.
  std::string id;
  // Required: at least one character that is not white space.
  std::string title;
  std::string body;
  // A language tag: 2..8 lowercase ASCII letters, then optionally "-" and
  // letters or digits ("zh", "en", "zh-hant", "en-gb").
  std::string language = "zh";
  // Searched (between title and body in weight) and usable as a filter.
  std::vector<std::string> tags;
  // Whom the article serves; empty: everyone. Filters only.
  std::vector<std::string> skills;
  std::vector<std::string> queues;
  std::vector<std::string> departments;
  // The article is valid at t when valid_from <= t < valid_to.
  absl::Time valid_from = absl::InfinitePast();
  absl::Time valid_to = absl::InfiniteFuture();
  // Assigned by the store: 1 on the first upsert, +1 on each one after. On
  // `Upsert`, 0 writes unconditionally; a positive value writes only if the
  // stored version equals it (Aborted otherwise).
  int64_t version = 0;

  friend bool operator==(const Article&, const Article&) = default;
};

// OK, or InvalidArgument "article <id>: <field> ..." for the first violated
// limit: the id, an empty or blank title, sizes, invalid UTF-8 in any text, a
// malformed language tag, a label empty or with a control character, too many
// labels, valid_to not after valid_from, a negative version.
absl::Status ValidateArticle(const Article& article);

// Whether `article` is valid at `t` (valid_from <= t < valid_to).
inline bool ValidAt(const Article& article, absl::Time t) {
  return article.valid_from <= t && t < article.valid_to;
}

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_ARTICLE_H_
