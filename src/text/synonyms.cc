#include "ccengine/text/synonyms.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"

namespace ccengine::text {
namespace {

// Units joined into a key: CJK characters with anything between them (a space,
// punctuation) are joined by the break separator, so that, as the tokenizer
// forms no bigram across a break, a synonym never matches across one ("社。保"
// is not 社保).
constexpr char kUnitSeparator = '\x1f';
constexpr char kBreakSeparator = '\x1e';
constexpr std::string_view kKeySeparators = "\x1e\x1f";

// A word, a number or one CJK character of a text.
struct Unit {
  std::string term;
  uint32_t start = 0;
  uint32_t end = 0;
  bool cjk = false;
};

absl::StatusOr<std::vector<Unit>> UnitsOf(const Tokenizer& tokenizer,
                                          std::string_view text) {
  std::vector<Unit> units;
  absl::Status s =
      tokenizer.ForEachToken(text, TokenizeMode::kIndex, [&](const TokenView& t) {
        if (t.kind != TokenKind::kCjkBigram) {
          units.push_back(Unit{std::string(t.term), t.start, t.end,
                               t.kind == TokenKind::kCjkUnigram});
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return units;
}

char SeparatorBetween(const Unit& before, const Unit& after) {
  return before.cjk && after.cjk && after.start != before.end ? kBreakSeparator
                                                              : kUnitSeparator;
}

std::string Key(const std::vector<Unit>& units) {
  std::string key;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i > 0) key.push_back(SeparatorBetween(units[i - 1], units[i]));
    key += units[i].term;
  }
  return key;
}

// Trims ASCII whitespace and the ideographic space.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  while (true) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    } else if (s.substr(0, kIdeographicSpace.size()) == kIdeographicSpace) {
      s.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
      s.remove_suffix(1);
    } else if (s.size() >= kIdeographicSpace.size() &&
               s.substr(s.size() - kIdeographicSpace.size()) == kIdeographicSpace) {
      s.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return s;
}

// Splits a line (comment removed) at the term separators.
std::vector<std::string_view> SplitTerms(std::string_view line) {
  static constexpr std::string_view kSeparators[] = {",", "=", "\uFF0C", "\uFF1D",
                                                     "\u3001"};
  std::vector<std::string_view> terms;
  size_t begin = 0, i = 0;
  while (i < line.size()) {
    size_t matched = 0;
    for (std::string_view sep : kSeparators) {
      if (line.substr(i, sep.size()) == sep) {
        matched = sep.size();
        break;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    terms.push_back(Trim(line.substr(begin, i - begin)));
    i += matched;
    begin = i;
  }
  terms.push_back(Trim(line.substr(begin)));
  return terms;
}

}  // namespace

absl::Status SynonymTable::AddGroup(const std::vector<std::string_view>& terms) {
  if (groups_.size() >= kMaxSynonymGroups) {
    return absl::InvalidArgumentError(
        fmt::format("more than {} groups", kMaxSynonymGroups));
  }
  if (terms.size() > kMaxSynonymTermsPerGroup) {
    return absl::InvalidArgumentError(fmt::format(
        "{} terms, more than the limit of {}", terms.size(), kMaxSynonymTermsPerGroup));
  }
  const int index = static_cast<int>(groups_.size());
  Group group;
  std::vector<std::string> keys;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::string_view term = terms[t];
    if (term.empty()) {
      return absl::InvalidArgumentError(fmt::format("term {} is empty", t + 1));
    }
    if (term.size() > kMaxSynonymTermBytes) {
      return absl::InvalidArgumentError(
          fmt::format("term {} is {} bytes, more than the limit of {}", t + 1,
                      term.size(), kMaxSynonymTermBytes));
    }
    absl::StatusOr<std::vector<Unit>> units = UnitsOf(tokenizer_, term);
    if (!units.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("term {}: {}", t + 1, std::string(units.status().message())));
    }
    if (units->empty()) {
      return absl::InvalidArgumentError(
          fmt::format("term {} (\"{}\") has no word, number or CJK character", t + 1,
                      std::string(term)));
    }
    if (units->size() > kMaxSynonymTermUnits) {
      return absl::InvalidArgumentError(fmt::format(
          "term {} has {} words and CJK characters, more than the limit of {}", t + 1,
          units->size(), kMaxSynonymTermUnits));
    }
    std::string key = Key(*units);
    bool seen = false;
    for (const std::string& k : keys) seen = seen || k == key;
    if (seen) continue;  // the same term again, e.g. "VAT" and "vat"
    if (auto it = keys_.find(key); it != keys_.end() && it->second >= 0) {
      return absl::InvalidArgumentError(fmt::format(
          "term {} (\"{}\") is already in group {} ({})", t + 1, std::string(term),
          it->second + 1, groups_[it->second].terms.front()));
    }
    absl::StatusOr<std::vector<std::string>> query_terms =
        tokenizer_.Terms(term, TokenizeMode::kQuery);
    if (!query_terms.ok()) return query_terms.status();
    keys.push_back(std::move(key));
    group.terms.emplace_back(term);
    group.alternatives.push_back(*std::move(query_terms));
  }
  if (keys.size() < 2) {
    return absl::InvalidArgumentError("a group needs at least two distinct terms");
  }
  for (const std::string& key : keys) {
    keys_[key] = index;
    for (size_t i = key.find_first_of(kKeySeparators); i != std::string::npos;
         i = key.find_first_of(kKeySeparators, i + 1)) {
      keys_.try_emplace(key.substr(0, i), -1);
    }
  }
  groups_.push_back(std::move(group));
  return absl::OkStatus();
}

absl::StatusOr<SynonymTable> SynonymTable::Create(
    const std::vector<std::vector<std::string>>& groups, const Tokenizer& tokenizer) {
  SynonymTable table;
  table.tokenizer_ = tokenizer;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string_view> terms(groups[g].begin(), groups[g].end());
    if (absl::Status s = table.AddGroup(terms); !s.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("synonyms group {}: {}", g + 1, std::string(s.message())));
    }
  }
  return table;
}

absl::StatusOr<SynonymTable> SynonymTable::Parse(std::string_view text,
                                                 const Tokenizer& tokenizer) {
  if (text.size() > kMaxSynonymTextBytes) {
    return absl::InvalidArgumentError(
        fmt::format("synonyms: {} bytes, more than the limit of {}", text.size(),
                    kMaxSynonymTextBytes));
  }
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    text.remove_prefix(kByteOrderMark.size());
  }
  SynonymTable table;
  table.tokenizer_ = tokenizer;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const auto fail = [&](std::string_view why) {
      return absl::InvalidArgumentError(
          fmt::format("synonyms line {}: {}", line_number, std::string(why)));
    };
    if (absl::Status s = ValidateUtf8(line); !s.ok())
      return fail(std::string(s.message()));
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    if (absl::Status s = table.AddGroup(SplitTerms(line)); !s.ok()) {
      return fail(std::string(s.message()));
    }
  }
  return table;
}

absl::StatusOr<std::vector<QueryTermGroup>> SynonymTable::Expand(
    std::string_view query) const {
  absl::StatusOr<std::vector<Unit>> units_or = UnitsOf(tokenizer_, query);
  if (!units_or.ok()) return units_or.status();
  const std::vector<Unit>& units = *units_or;
  std::vector<QueryTermGroup> out;

  // Units [from, to) that no synonym matched: their query tokens, one group
  // each, with CJK bigrams formed only inside the stretch.
  const auto flush = [&](size_t from, size_t to) {
    size_t i = from;
    while (i < to) {
      if (!units[i].cjk) {
        out.push_back(QueryTermGroup{{{units[i].term}}, units[i].start, units[i].end});
        ++i;
        continue;
      }
      size_t j = i + 1;  // the CJK run [i, j)
      while (j < to && units[j].cjk && units[j].start == units[j - 1].end) ++j;
      if (j - i == 1) {
        out.push_back(QueryTermGroup{{{units[i].term}}, units[i].start, units[i].end});
      }
      for (size_t k = i; k + 1 < j; ++k) {
        const uint32_t start = units[k].start, end = units[k + 1].end;
        out.push_back(QueryTermGroup{
            {{std::string(query.substr(start, end - start))}}, start, end});
      }
      i = j;
    }
  };

  size_t pending = 0;  // first unit not yet in `out`
  size_t i = 0;
  std::string key;
  while (i < units.size()) {
    int best_group = -1;
    size_t best_end = i;
    key = units[i].term;
    for (size_t j = i; j < units.size() && j - i < kMaxSynonymTermUnits;) {
      const auto it = keys_.find(key);
      if (it == keys_.end()) break;
      if (it->second >= 0) {
        best_group = it->second;
        best_end = j + 1;
      }
      if (++j < units.size()) {
        key.push_back(SeparatorBetween(units[j - 1], units[j]));
        key += units[j].term;
      }
    }
    if (best_group < 0) {
      ++i;
      continue;
    }
    flush(pending, i);
    const Group& group = groups_[best_group];
    QueryTermGroup matched{group.alternatives, units[i].start, units[best_end - 1].end,
                           best_group};
    out.push_back(std::move(matched));
    i = pending = best_end;
  }
  flush(pending, units.size());
  return out;
}

}  // namespace ccengine::text
