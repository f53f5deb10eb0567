#include "ccengine/knowledge/store.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"
#include "knowledge/labels.h"

namespace ccengine::knowledge {
namespace {

bool Contains(const std::vector<std::string>& labels, const std::string& label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  return std::any_of(wanted.begin(), wanted.end(),
                     [&](const std::string& w) { return Contains(have, w); });
}

absl::Status ValidateOptionalLabel(std::string_view field,
                                   const std::optional<std::string>& label) {
  if (!label.has_value()) return absl::OkStatus();
  return ValidateLabels(field, {*label});
}

}  // namespace

absl::Status ValidateSearchRequest(const SearchRequest& request) {
  if (request.k < 1 || request.k > kMaxSearchResults) {
    return absl::InvalidArgumentError(
        fmt::format("k is {}; 1..{} allowed", request.k, kMaxSearchResults));
  }
  const SearchFilters& f = request.filters;
  if (f.language.has_value()) {
    if (absl::Status s = ValidateLanguageTag(*f.language); !s.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("filter {}", std::string(s.message())));
    }
  }
  for (const auto& status :
       {ValidateLabels("filter tags", f.tags), ValidateLabels("filter skills", f.skills),
        ValidateOptionalLabel("filter queue", f.queue),
        ValidateOptionalLabel("filter department", f.department)}) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

bool PassesFilters(const SearchFilters& filters, const Article& article) {
  if (filters.language.has_value() && article.language != *filters.language) return false;
  if (!filters.tags.empty() && !AnyOf(filters.tags, article.tags)) return false;
  if (!filters.skills.empty() && !article.skills.empty() &&
      !AnyOf(filters.skills, article.skills)) {
    return false;
  }
  if (filters.queue.has_value() && !article.queues.empty() &&
      !Contains(article.queues, *filters.queue)) {
    return false;
  }
  if (filters.department.has_value() && !article.departments.empty() &&
      !Contains(article.departments, *filters.department)) {
    return false;
  }
  if (filters.valid_at.has_value() && !ValidAt(article, *filters.valid_at)) return false;
  return true;
}

absl::Status ValidateFeedbackAnonymization(const FeedbackAnonymization& request) {
  if (request.given_before.has_value() == !request.contacts.empty()) {
    return absl::InvalidArgumentError(
        "anonymize feedback: set exactly one of given_before (retention) and contacts "
        "(an erasure request)");
  }
  if (request.given_before.has_value() &&
      (*request.given_before == absl::InfiniteFuture() ||
       *request.given_before == absl::InfinitePast())) {
    return absl::InvalidArgumentError(
        "anonymize feedback: given_before is not a finite time");
  }
  if (request.contacts.size() > kMaxErasedContacts) {
    return absl::InvalidArgumentError(
        fmt::format("anonymize feedback: {} contacts; at most {}",
                    request.contacts.size(), kMaxErasedContacts));
  }
  for (const std::string& contact : request.contacts) {
    if (contact.empty()) {
      return absl::InvalidArgumentError("anonymize feedback: an empty contact id");
    }
  }
  return ValidateLabels("anonymize feedback contact", request.contacts);
}

absl::Status ValidateFeedback(const Feedback& feedback) {
  if (absl::Status s = ValidateLabels("feedback article", {feedback.article_id});
      !s.ok()) {
    return s;
  }
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"feedback contact", &feedback.contact},
        {"feedback agent", &feedback.agent}}) {
    if (value->empty()) continue;
    if (absl::Status s = ValidateLabels(field, {*value}); !s.ok()) return s;
  }
  const auto kind = static_cast<int>(feedback.kind);
  if (kind < 0 || kind > static_cast<int>(FeedbackKind::kNotHelpful)) {
    return absl::InvalidArgumentError(fmt::format("feedback kind {} is unknown", kind));
  }
  return absl::OkStatus();
}

absl::Status ValidateStoreOptions(const KnowledgeStoreOptions& options) {
  for (const double w :
       {options.title_weight, options.tags_weight, options.body_weight}) {
    if (!(w > 0) || w > 1e6) {
      return absl::InvalidArgumentError(
          fmt::format("a column weight is {}; it must be in (0, 1e6]", w));
    }
  }
  for (const std::string* mark : {&options.mark_open, &options.mark_close}) {
    if (mark->size() > 32 || !text::ValidateUtf8(*mark).ok()) {
      return absl::InvalidArgumentError(
          "a highlight marker must be valid UTF-8 of at most 32 bytes");
    }
  }
  if (options.snippet_chars < 16 || options.snippet_chars > 1000) {
    return absl::InvalidArgumentError(
        fmt::format("snippet_chars is {}; 16..1000 allowed", options.snippet_chars));
  }
  return absl::OkStatus();
}

}  // namespace ccengine::knowledge
