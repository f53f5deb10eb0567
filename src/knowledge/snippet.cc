#include "ccengine/knowledge/snippet.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/text/tokenizer.h"

namespace ccengine::knowledge {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …

struct Match {
  size_t first = 0;  // code point index
  size_t last = 0;   // one past
  size_t term = 0;   // index into the query's terms
};

// Tokenizes `text` once: the matches of the query's terms (by code point) and,
// when `terms` is not null, every index term.
absl::Status Scan(const KnowledgeQuery& query, std::string_view text, bool fallback,
                  std::vector<size_t>* char_starts, std::vector<Match>* matches,
                  absl::flat_hash_set<std::string>* terms) {
  // The terms of the query's places; the single characters `BuildQuery` adds
  // only when none of those occurs (marking every 医 and 保 of a text would
  // hide the 医保).
  absl::flat_hash_map<std::string_view, size_t> wanted;
  for (const text::QueryTermGroup& group : query.groups) {
    for (const std::vector<std::string>& alternative : group.alternatives) {
      for (const std::string& term : alternative) wanted.emplace(term, wanted.size());
    }
  }
  if (fallback) {
    for (const std::string& term : query.terms) wanted.emplace(term, wanted.size());
  }
  char_starts->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) char_starts->push_back(i);
  }
  const auto char_index = [&](size_t byte) {
    return static_cast<size_t>(
        std::lower_bound(char_starts->begin(), char_starts->end(), byte) -
        char_starts->begin());
  };
  static const text::Tokenizer tokenizer;
  return tokenizer.ForEachToken(
      text, text::TokenizeMode::kIndex, [&](const text::TokenView& t) {
        if (terms != nullptr) terms->emplace(t.term);
        if (auto it = wanted.find(t.term); it != wanted.end()) {
          matches->push_back(Match{char_index(t.start), char_index(t.end), it->second});
        }
        return absl::OkStatus();
      });
}

std::string Render(std::string_view text, const std::vector<size_t>& char_starts,
                   std::vector<Match> matches, const KnowledgeStoreOptions& options) {
  const size_t n = char_starts.size();
  const size_t width = options.snippet_chars;
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.first != b.first ? a.first < b.first : a.last < b.last;
  });
  // The window: slide over the matches (by their first character) keeping a
  // count of each term inside [start, start + width).
  size_t start = 0;
  if (n > width && !matches.empty()) {
    const size_t lead = width / 5;
    std::vector<size_t> count(std::max_element(
                                  matches.begin(), matches.end(),
                                  [](const Match& a, const Match& b) {
                                    return a.term < b.term;
                                  })->term +
                                  1,
                              0);
    size_t distinct = 0;
    size_t best = 0;
    size_t lo = 0;
    size_t hi = 0;
    for (const Match& anchor : matches) {
      const size_t s = std::min(anchor.first > lead ? anchor.first - lead : 0, n - width);
      while (hi < matches.size() && matches[hi].first < s + width) {
        if (count[matches[hi++].term]++ == 0) ++distinct;
      }
      while (lo < hi && matches[lo].first < s) {
        if (--count[matches[lo++].term] == 0) --distinct;
      }
      if (distinct > best) {
        best = distinct;
        start = s;
      }
    }
  }
  size_t end = std::min(n, start + width);
  // Do not cut a Latin word or number in two: leave out the part of it at an
  // edge (unless the word is too long for that to help).
  const auto alnum_at = [&](size_t c) {
    const auto b = static_cast<unsigned char>(text[char_starts[c]]);
    return b < 0x80 && std::isalnum(b) != 0;
  };
  const auto inside_word = [&](size_t c) {
    return c > 0 && c < n && alnum_at(c - 1) && alnum_at(c);
  };
  for (size_t s = start, i = 0; i < 16 && s < end; ++i) {
    if (!inside_word(s)) {
      start = s;
      break;
    }
    ++s;
  }
  // Never past the first match that starts in the window, though: a short
  // window on a long word would lose the match it was chosen for.
  size_t limit = start;
  for (const Match& m : matches) {
    if (m.first >= start && m.first < end) {
      limit = m.first;
      break;
    }
  }
  for (size_t e = end, i = 0; i < 16 && e > limit; ++i) {
    if (!inside_word(e)) {
      end = e;
      break;
    }
    --e;
  }
  // Marked runs inside the window, merged where they overlap or touch.
  std::vector<std::pair<size_t, size_t>> runs;
  for (const Match& m : matches) {
    const size_t a = std::max(m.first, start);
    const size_t b = std::min(m.last, end);
    if (a >= b) continue;
    if (!runs.empty() && a <= runs.back().second) {
      runs.back().second = std::max(runs.back().second, b);
    } else {
      runs.emplace_back(a, b);
    }
  }
  const auto byte_of = [&](size_t c) { return c < n ? char_starts[c] : text.size(); };
  std::string out;
  if (start > 0) out += kEllipsis;
  size_t at = start;
  for (const auto& [a, b] : runs) {
    out.append(text.substr(byte_of(at), byte_of(a) - byte_of(at)));
    out += options.mark_open;
    out.append(text.substr(byte_of(a), byte_of(b) - byte_of(a)));
    out += options.mark_close;
    at = b;
  }
  out.append(text.substr(byte_of(at), byte_of(end) - byte_of(at)));
  if (end < n) out += kEllipsis;
  return out;
}

}  // namespace

// The matches of `text` for the snippet: the places' terms, else the
// characters; `terms` (when not null) collects every index term.
absl::Status ScanForSnippet(const KnowledgeQuery& query, std::string_view text,
                            std::vector<size_t>* char_starts, std::vector<Match>* matches,
                            absl::flat_hash_set<std::string>* terms) {
  if (absl::Status s = Scan(query, text, false, char_starts, matches, terms); !s.ok())
    return s;
  if (!matches->empty() || query.terms.empty()) return absl::OkStatus();
  return Scan(query, text, true, char_starts, matches, nullptr);
}

absl::StatusOr<std::string> MakeSnippet(const KnowledgeQuery& query,
                                        std::string_view title, std::string_view body,
                                        const KnowledgeStoreOptions& options) {
  const std::string_view text = body.empty() ? title : body;
  std::vector<size_t> char_starts;
  std::vector<Match> matches;
  if (absl::Status s = ScanForSnippet(query, text, &char_starts, &matches, nullptr);
      !s.ok()) {
    return s;
  }
  return Render(text, char_starts, std::move(matches), options);
}

absl::Status DescribeHit(const KnowledgeQuery& query, std::string_view title,
                         const std::vector<std::string>& tags, std::string_view body,
                         const KnowledgeStoreOptions& options, SearchHit* hit) {
  absl::flat_hash_set<std::string> terms;
  std::vector<size_t> char_starts;
  std::vector<Match> matches;
  std::vector<std::string_view> others(tags.begin(), tags.end());
  if (!body.empty()) others.push_back(title);
  for (const std::string_view other : others) {
    if (absl::Status s = Scan(query, other, false, &char_starts, &matches, &terms);
        !s.ok()) {
      return s;
    }
  }
  matches.clear();
  const std::string_view text = body.empty() ? title : body;
  if (absl::Status s = ScanForSnippet(query, text, &char_starts, &matches, &terms);
      !s.ok()) {
    return s;
  }
  hit->coverage = Coverage(query, terms);
  hit->snippet = Render(text, char_starts, std::move(matches), options);
  return absl::OkStatus();
}

}  // namespace ccengine::knowledge
