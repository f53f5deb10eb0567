#include "ccengine/knowledge/article.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "knowledge/labels.h"

namespace ccengine::knowledge {
namespace {

bool IsBlank(std::string_view s) {
  // ASCII white space and the ideographic space U+3000 (E3 80 80).
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

bool HasControl(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlnum(char c) {
  return IsLower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

absl::Status ValidateLanguageTag(std::string_view tag) {
  size_t i = 0;
  while (i < tag.size() && IsLower(tag[i])) ++i;
  bool ok = i >= 2 && i <= 8 && tag.size() <= kMaxLanguageBytes;
  while (ok && i < tag.size()) {
    if (tag[i] != '-') {
      ok = false;
      break;
    }
    const size_t start = ++i;
    while (i < tag.size() && IsAlnum(tag[i])) ++i;
    ok = i > start && i - start <= 8;
  }
  if (!ok) {
    return absl::InvalidArgumentError(fmt::format(
        "language \"{}\" is not a language tag such as \"zh\", \"en\" or \"zh-hant\"",
        std::string(tag.substr(0, 32))));
  }
  return absl::OkStatus();
}

absl::Status ValidateLabels(std::string_view field,
                            const std::vector<std::string>& labels) {
  if (labels.size() > kMaxLabels) {
    return absl::InvalidArgumentError(
        fmt::format("{} has {} entries; at most {}", field, labels.size(), kMaxLabels));
  }
  for (const std::string& label : labels) {
    if (label.empty() || label.size() > kMaxLabelBytes) {
      return absl::InvalidArgumentError(
          fmt::format("{}: an entry is {} bytes; 1..{} allowed", field, label.size(),
                      kMaxLabelBytes));
    }
    if (absl::Status s = text::ValidateUtf8(label); !s.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: {}", field, std::string(s.message())));
    }
    if (HasControl(label)) {
      return absl::InvalidArgumentError(
          fmt::format("{}: an entry has a control character", field));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateArticle(const Article& article) {
  const std::string_view id = article.id;
  if (id.empty() || id.size() > kMaxArticleIdBytes) {
    return absl::InvalidArgumentError(fmt::format("article id is {} bytes; 1..{} allowed",
                                                  id.size(), kMaxArticleIdBytes));
  }
  if (absl::Status s = text::ValidateUtf8(id); !s.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("article id: {}", std::string(s.message())));
  }
  if (HasControl(id)) {
    return absl::InvalidArgumentError("article id has a control character");
  }
  const auto fail = [&](const std::string& what) {
    return absl::InvalidArgumentError(fmt::format("article {}: {}", article.id, what));
  };
  if (article.title.size() > kMaxTitleBytes) {
    return fail(fmt::format("title is {} bytes; at most {}", article.title.size(),
                            kMaxTitleBytes));
  }
  if (absl::Status s = text::ValidateUtf8(article.title); !s.ok()) {
    return fail(fmt::format("title: {}", std::string(s.message())));
  }
  if (IsBlank(article.title)) return fail("has no title");
  if (article.body.size() > kMaxBodyBytes) {
    return fail(
        fmt::format("body is {} bytes; at most {}", article.body.size(), kMaxBodyBytes));
  }
  if (absl::Status s = text::ValidateUtf8(article.body); !s.ok()) {
    return fail(fmt::format("body: {}", std::string(s.message())));
  }
  if (absl::Status s = ValidateLanguageTag(article.language); !s.ok()) {
    return fail(std::string(s.message()));
  }
  for (const auto& [name, labels] :
       {std::pair<std::string_view, const std::vector<std::string>*>{"tags",
                                                                     &article.tags},
        {"skills", &article.skills},
        {"queues", &article.queues},
        {"departments", &article.departments}}) {
    if (absl::Status s = ValidateLabels(name, *labels); !s.ok()) {
      return fail(std::string(s.message()));
    }
  }
  if (article.valid_to <= article.valid_from) {
    return fail("valid_to is not after valid_from");
  }
  if (article.version < 0) return fail("version is negative");
  return absl::OkStatus();
}

}  // namespace ccengine::knowledge
