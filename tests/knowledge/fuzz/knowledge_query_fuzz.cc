// -----------------------------------------------------------------------------
// File: tests/knowledge/fuzz/knowledge_query_fuzz.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the knowledge query builder and snippets
// (ccengine/knowledge/query.h, snippet.h), with a fixed synonym table (tools/
// fuzz.sh knowledge_query). The input is
//
//   byte 0    markers (bits 0-2, `kMarkers`), tags (bits 3-4, `Tags`), title
//             (bits 5-6: the body's first line, or `kFixedTitle` when 3),
//             BuildQuery's `characters` (bit 7 clear)
//   byte 1    snippet_chars: 16 + b below 128, else 144..1000
//   the rest  query 0xFF body; without a 0xFF byte the body is the query
//
// (missing bytes: option 0, snippet_chars 16, empty query and body). Checked:
//
//   - BuildQuery: a query over kMaxQueryBytes or of invalid UTF-8 is
//     InvalidArgument; any other is OK, or InvalidArgument naming "distinct
//     terms", only when the terms below could number more than kMaxQueryTerms
//     and always when the alternatives' terms alone do. An OK query's groups
//     are SynonymTable::Expand's; its terms are every alternative's terms in
//     order of first use, then (with `characters`) some of the query's other
//     CJK characters in order (BuildQuery leaves out common ones), distinct,
//     non-empty, each a query-mode term of itself; no groups exactly when no
//     terms.
//   - Fts5MatchExpression: empty exactly when there are no terms; read back by
//     a parser of its own (double-quoted strings with "" for a quote, separated
//     by " OR " and nothing else) it gives the terms, so no FTS5 syntax (NEAR,
//     *, ^, :, parentheses, column filters) can come from the query. The same
//     for a made-up query whose terms are the query text's lines (quotes, OR,
//     any bytes).
//   - MakeSnippet / DescribeHit: InvalidArgument for a body of invalid UTF-8;
//     otherwise both give the same snippet, valid UTF-8. Where the markers can
//     be told from the text (both empty, or both non-empty and the first code
//     point of neither occurs in the text), the snippet without its markers is
//     "…"? X "…"? with X a slice of the body (of the title when the body is
//     empty) of at most snippet_chars code points, "…" in front exactly when X
//     does not start the text and behind exactly when it does not end it; X is
//     the whole text when that fits, starts the text when nothing matches, and
//     meets a match when one exists. With non-empty markers the marked runs are
//     exactly the matches cut to X, merged where they overlap or touch; the
//     matches are the index tokens whose term is a term of the query's places
//     (alternatives), or, when none occurs in the text, any query term.
//   - coverage is in [0, 1], equals Coverage() over the index terms of title,
//     tags and body and a count of its own; 0 for an empty query. When the
//     body is the query itself, one alternative of every group is its own
//     text's query terms and coverage is 1.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh knowledge_query 60

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/snippet.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "fuzz_check.h"

namespace {

using ccengine::knowledge::KnowledgeQuery;
using ccengine::knowledge::KnowledgeStoreOptions;
using ccengine::knowledge::SearchHit;
using ccengine::text::QueryTermGroup;
using ccengine::text::SynonymTable;
using ccengine::text::Token;
using ccengine::text::TokenizeMode;
using ccengine::text::Tokenizer;

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
constexpr std::string_view kFixedTitle = "个税政策 FAQ: VAT invoices";

constexpr std::pair<std::string_view, std::string_view> kMarkers[8] = {
    {"[[", "]]"},
    {"<mark>", "</mark>"},
    {"", ""},
    {"\"", "\""},
    {"[[", ""},
    {"\xE3\x80\x90", "\xE3\x80\x91"},  // 【 】
    {"\xC2\xAB", "\xC2\xBB"},          // « »
    {"", "]]"},
};

const std::vector<std::string>& Tags(int choice) {
  static const std::vector<std::vector<std::string>>* tags =
      new std::vector<std::vector<std::string>>{
          {}, {"医保", "VAT"}, {"value added tax", "退款"}, {"社会保障卡", "invoices"}};
  return (*tags)[choice];
}

// Eight groups of the ordinary kind, CJK and English multiword terms, and four
// triggered by one character (甲 乙 丙 丁) with 20 terms of 16 distinct Han
// characters each (300 query bigrams): two triggers exceed kMaxQueryTerms.
const SynonymTable& Table() {
  static const SynonymTable* table = [] {
    std::string text =
        "个税 = 个人所得税\n医保, 医疗保险\nVAT, 增值税, value added tax\n"
        "社保, 社会保险\n社保卡 = 社会保障卡\n发票, fapiao, invoice\n"
        "refund, 退款, money back\nab, a b c\n";
    const char* triggers[4] = {"甲", "乙", "丙", "丁"};
    uint32_t cp = 0x9100;
    for (const char* trigger : triggers) {
      text += trigger;
      for (int term = 0; term < 20; ++term) {
        text += ", ";
        for (int c = 0; c < 16; ++c, ++cp) {
          text += static_cast<char>(0xE0 | (cp >> 12));
          text += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          text += static_cast<char>(0x80 | (cp & 0x3F));
        }
      }
      text += '\n';
    }
    auto t = SynonymTable::Parse(text);
    FUZZ_CHECK(t.ok(), "the fuzz synonym table parses");
    return new SynonymTable(*std::move(t));
  }();
  return *table;
}

const Tokenizer& TheTokenizer() {
  static const Tokenizer* tokenizer = new Tokenizer();
  return *tokenizer;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string_view FirstCodePoint(std::string_view s) {
  size_t n = 1;
  while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  return s.substr(0, n);
}

// The terms of an FTS5 expression `"t1" OR "t2" ...`, read independently of
// Fts5MatchExpression; false for anything else (an unterminated string, a
// character between strings other than the " OR " separator).
bool ParseMatchExpression(std::string_view e, std::vector<std::string>* terms) {
  terms->clear();
  size_t i = 0;
  while (i < e.size()) {
    if (!terms->empty()) {
      if (e.substr(i, 4) != " OR ") return false;
      i += 4;
    }
    if (i >= e.size() || e[i] != '"') return false;
    ++i;
    std::string term;
    bool closed = false;
    while (i < e.size()) {
      if (e[i] == '"') {
        if (i + 1 < e.size() && e[i + 1] == '"') {
          term += '"';
          i += 2;
          continue;
        }
        ++i;
        closed = true;
        break;
      }
      term += e[i++];
    }
    if (!closed) return false;
    terms->push_back(std::move(term));
  }
  return true;
}

void CheckMatchExpression(const KnowledgeQuery& query) {
  const std::string e = ccengine::knowledge::Fts5MatchExpression(query);
  FUZZ_CHECK(e.empty() == query.terms.empty(), "an expression exactly for terms");
  std::vector<std::string> parsed;
  FUZZ_CHECK(ParseMatchExpression(e, &parsed), "the expression is quoted strings and OR");
  FUZZ_CHECK(parsed == query.terms, "the expression's strings are the terms");
}

// The distinct terms of `groups` in order of first use.
std::vector<std::string> PlaceTerms(const std::vector<QueryTermGroup>& groups) {
  std::vector<std::string> out;
  absl::flat_hash_set<std::string> seen;
  for (const QueryTermGroup& g : groups) {
    for (const auto& alternative : g.alternatives) {
      for (const std::string& term : alternative) {
        if (seen.insert(term).second) out.push_back(term);
      }
    }
  }
  return out;
}

// The CJK characters of `text` not in `place_terms`, each once, in order.
std::vector<std::string> Characters(std::string_view text,
                                    const std::vector<std::string>& place_terms) {
  absl::flat_hash_set<std::string> seen(place_terms.begin(), place_terms.end());
  std::vector<std::string> out;
  auto tokens = TheTokenizer().Tokenize(text, TokenizeMode::kIndex);
  FUZZ_CHECK(tokens.ok(), "a valid query tokenizes");
  for (const Token& t : *tokens) {
    if (t.kind == ccengine::text::TokenKind::kCjkUnigram && seen.insert(t.term).second) {
      out.push_back(t.term);
    }
  }
  return out;
}

KnowledgeQuery CheckBuildQuery(std::string_view text, bool characters) {
  constexpr size_t kMax = ccengine::knowledge::kMaxQueryTerms;
  const bool valid = ccengine::text::ValidateUtf8(text).ok();
  const bool too_long = text.size() > ccengine::knowledge::kMaxQueryBytes;
  absl::StatusOr<KnowledgeQuery> query =
      ccengine::knowledge::BuildQuery(text, Table(), characters);
  if (too_long || !valid) {
    FUZZ_CHECK(query.status().code() == absl::StatusCode::kInvalidArgument,
               "a long or invalid query is InvalidArgument");
    return KnowledgeQuery{};
  }
  auto groups = Table().Expand(text);
  FUZZ_CHECK(groups.ok(), "a valid query expands");
  const std::vector<std::string> places = PlaceTerms(*groups);
  // The characters BuildQuery may add (it leaves out some common ones).
  const std::vector<std::string> chars =
      characters ? Characters(text, places) : std::vector<std::string>();
  if (!query.ok()) {
    FUZZ_CHECK(query.status().code() == absl::StatusCode::kInvalidArgument,
               "a query error is InvalidArgument");
    FUZZ_CHECK(query.status().message().find("distinct terms") != std::string_view::npos,
               "a valid query fails only for too many terms");
    FUZZ_CHECK(places.size() + chars.size() > kMax, "too many terms only when there are");
    return KnowledgeQuery{};
  }
  FUZZ_CHECK(places.size() <= kMax, "more than kMaxQueryTerms terms is an error");
  FUZZ_CHECK(query->terms.size() <= kMax, "at most kMaxQueryTerms terms");
  FUZZ_CHECK(query->groups == *groups, "the groups are the expansion");
  FUZZ_CHECK(query->terms.size() >= places.size() &&
                 std::equal(places.begin(), places.end(), query->terms.begin()),
             "the terms begin with the alternatives' terms");
  // The rest: some of the characters, in order.
  size_t c = 0;
  for (size_t i = places.size(); i < query->terms.size(); ++i) {
    while (c < chars.size() && chars[c] != query->terms[i]) ++c;
    FUZZ_CHECK(c < chars.size(), "then the query's characters, in order");
    ++c;
  }
  FUZZ_CHECK(query->groups.empty() == query->terms.empty(), "no groups iff no terms");
  FUZZ_CHECK(query->empty() == query->terms.empty(), "empty() means no terms");
  absl::flat_hash_set<std::string> seen;
  for (const std::string& term : query->terms) {
    FUZZ_CHECK(!term.empty(), "a term is not empty");
    FUZZ_CHECK(seen.insert(term).second, "terms are distinct");
    auto again = TheTokenizer().Terms(term, TokenizeMode::kQuery);
    FUZZ_CHECK(again.ok() && again->size() == 1 && again->front() == term,
               "a term is a query term of itself");
  }
  return *std::move(query);
}

// A marked run of the snippet, in bytes of the unmarked snippet.
struct Run {
  size_t begin = 0;
  size_t end = 0;
};

// `out` without the markers; false if they do not pair up (open, a non-empty
// run, close; runs separated by unmarked text). Only for markers whose first
// code point does not occur in the text.
bool StripMarkers(std::string_view out, std::string_view open, std::string_view close,
                  std::string* plain, std::vector<Run>* runs) {
  plain->clear();
  runs->clear();
  bool inside = false;
  size_t i = 0;
  while (i < out.size()) {
    if (!inside && out.substr(i, open.size()) == open) {
      if (!runs->empty() && runs->back().end == plain->size()) return false;
      runs->push_back(Run{plain->size(), plain->size()});
      inside = true;
      i += open.size();
    } else if (inside && out.substr(i, close.size()) == close) {
      if (runs->back().begin == plain->size()) return false;
      runs->back().end = plain->size();
      inside = false;
      i += close.size();
    } else {
      *plain += out[i++];
    }
  }
  return !inside;
}

// The matches of `index` merged where they overlap or touch, in byte offsets
// of the text: the tokens whose term is a term of the query's places, or when
// there is none, the tokens whose term is any query term (its characters).
std::vector<Run> MatchRuns(const std::vector<Token>& index, const KnowledgeQuery& query) {
  const std::vector<std::string> places = PlaceTerms(query.groups);
  absl::flat_hash_set<std::string> wanted(places.begin(), places.end());
  bool any = false;
  for (const Token& t : index) any |= wanted.contains(t.term);
  if (!any) wanted.insert(query.terms.begin(), query.terms.end());
  std::vector<Run> runs;
  for (const Token& t : index) {  // in order of their start
    if (!wanted.contains(t.term)) continue;
    if (!runs.empty() && t.start <= runs.back().end) {
      runs.back().end = std::max<size_t>(runs.back().end, t.end);
    } else {
      runs.push_back(Run{t.start, t.end});
    }
  }
  return runs;
}

// Whether `plain` (the unmarked snippet) is "…"? X "…"? for the slice X of
// `text` at `at`, as the header above says; `runs` (null: unknown), shifted
// by `run_shift`, are then `matches` (MatchRuns) cut to X. `fits`: the text
// has at most snippet_chars code points.
bool WindowAt(std::string_view text, std::string_view x, size_t at, bool lead, bool trail,
              bool fits, const std::vector<Run>& matches, const std::vector<Run>* runs,
              size_t run_shift) {
  const size_t x_end = at + x.size();
  if (lead != (at > 0) || trail != (x_end < text.size())) return false;
  if (fits && x.size() != text.size()) return false;
  if (matches.empty()) return at == 0 && (runs == nullptr || runs->empty());
  // Cutting merged runs to X is merging the cut matches: X is an interval.
  auto it = std::upper_bound(matches.begin(), matches.end(), at,
                             [](size_t a, const Run& r) { return a < r.end; });
  if (it == matches.end() || it->begin >= x_end) return false;  // X meets a match
  if (runs == nullptr) return true;
  for (const Run& r : *runs) {
    if (it == matches.end() || it->begin >= x_end) return false;
    if (r.begin - run_shift + at != std::max(it->begin, at) ||
        r.end - run_shift + at != std::min(it->end, x_end)) {
      return false;
    }
    ++it;
  }
  return it == matches.end() || it->begin >= x_end;
}

// `index`: the text's index tokens.
void CheckSnippet(const std::string& out, std::string_view text,
                  const std::vector<Token>& index, const KnowledgeQuery& query,
                  const KnowledgeStoreOptions& options) {
  FUZZ_CHECK(ccengine::text::ValidateUtf8(out).ok(), "the snippet is valid UTF-8");
  const std::string_view open = options.mark_open;
  const std::string_view close = options.mark_close;
  std::string plain;
  std::vector<Run> runs;
  const std::vector<Run>* known_runs = nullptr;
  if (open.empty() && close.empty()) {
    plain = out;
  } else if (!open.empty() && !close.empty() &&
             text.find(FirstCodePoint(open)) == std::string_view::npos &&
             text.find(FirstCodePoint(close)) == std::string_view::npos) {
    FUZZ_CHECK(StripMarkers(out, open, close, &plain, &runs),
               "markers pair up around non-empty runs");
    known_runs = &runs;
  } else {
    return;  // the markers cannot be told from the text
  }
  if (query.empty()) FUZZ_CHECK(runs.empty(), "nothing marked for an empty query");
  const std::vector<Run> matches = MatchRuns(index, query);

  const bool fits = CodePoints(text) <= options.snippet_chars;
  const std::string_view p = plain;
  const bool may_lead = p.substr(0, kEllipsis.size()) == kEllipsis;
  const bool may_trail =
      p.size() >= kEllipsis.size() && p.substr(p.size() - kEllipsis.size()) == kEllipsis;
  bool found = false;
  for (int lead = 0; lead <= (may_lead ? 1 : 0) && !found; ++lead) {
    for (int trail = 0; trail <= (may_trail ? 1 : 0) && !found; ++trail) {
      const size_t cut = (lead + trail) * kEllipsis.size();
      if (cut > p.size()) continue;
      const size_t shift = lead * kEllipsis.size();
      const std::string_view x = p.substr(shift, p.size() - cut);
      if (CodePoints(x) > options.snippet_chars) continue;
      bool inside = true;
      for (const Run& r : runs) inside &= r.begin >= shift && r.end <= shift + x.size();
      if (!inside) continue;
      // Without "…" in front X starts the text, without one behind it ends it.
      size_t at = lead == 0    ? 0
                  : trail == 0 ? text.size() - std::min(text.size(), x.size())
                               : text.find(x, 1);
      for (; at != std::string_view::npos && !found; at = text.find(x, at + 1)) {
        if (text.substr(at, x.size()) != x) break;
        found = WindowAt(text, x, at, lead == 1, trail == 1, fits, matches, known_runs,
                         shift);
        if (lead == 0 || trail == 0) break;
      }
    }
  }
  FUZZ_CHECK(found, "the snippet is a window of the text, marked at the matches");
}

// The share of `query`'s groups with an alternative all of whose terms are in
// `terms`, counted here.
double OwnCoverage(const KnowledgeQuery& query,
                   const absl::flat_hash_set<std::string>& terms) {
  if (query.groups.empty()) return 0;
  size_t covered = 0;
  for (const QueryTermGroup& g : query.groups) {
    bool any = false;
    for (const auto& alternative : g.alternatives) {
      bool all = true;
      for (const std::string& term : alternative) all &= terms.contains(term);
      any |= all;
    }
    covered += any;
  }
  return static_cast<double>(covered) / static_cast<double>(query.groups.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t option = size > 0 ? data[0] : 0;
  const uint8_t chars = size > 1 ? data[1] : 0;
  const std::string_view rest =
      size > 2 ? std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2)
               : std::string_view();
  const size_t separator = rest.find('\xFF');
  const std::string_view query_text = rest.substr(0, separator);
  const std::string_view body =
      separator == std::string_view::npos ? rest : rest.substr(separator + 1);
  const std::string_view title =
      ((option >> 5) & 3) == 3 ? kFixedTitle : body.substr(0, body.find('\n'));
  const std::vector<std::string>& tags = Tags((option >> 3) & 3);

  KnowledgeStoreOptions options;
  options.mark_open = std::string(kMarkers[option & 7].first);
  options.mark_close = std::string(kMarkers[option & 7].second);
  options.snippet_chars = chars < 128 ? 16 + chars : 144 + (chars - 128) * 856 / 127;
  FUZZ_CHECK(ccengine::knowledge::ValidateStoreOptions(options).ok(),
             "fuzz options valid");

  const KnowledgeQuery query = CheckBuildQuery(query_text, (option & 0x80) == 0);
  CheckMatchExpression(query);

  // A made-up query: the query text's lines as terms, quotes and all.
  KnowledgeQuery lines;
  for (size_t at = 0; at <= query_text.size() && lines.terms.size() < 64;) {
    const size_t nl = std::min(query_text.find('\n', at), query_text.size());
    if (nl > at) lines.terms.emplace_back(query_text.substr(at, nl - at));
    at = nl + 1;
  }
  CheckMatchExpression(lines);

  const bool valid = ccengine::text::ValidateUtf8(body).ok();
  auto snippet = ccengine::knowledge::MakeSnippet(query, title, body, options);
  SearchHit hit;
  const absl::Status described =
      ccengine::knowledge::DescribeHit(query, title, tags, body, options, &hit);
  if (!valid) {
    FUZZ_CHECK(snippet.status().code() == absl::StatusCode::kInvalidArgument,
               "MakeSnippet rejects invalid UTF-8");
    FUZZ_CHECK(described.code() == absl::StatusCode::kInvalidArgument,
               "DescribeHit rejects invalid UTF-8");
    return 0;
  }
  FUZZ_CHECK(snippet.ok() && described.ok(), "a valid body gives a snippet");
  FUZZ_CHECK(hit.snippet == *snippet, "DescribeHit's snippet is MakeSnippet's");
  const std::string_view text = body.empty() ? title : body;
  auto index = TheTokenizer().Tokenize(text, TokenizeMode::kIndex);
  FUZZ_CHECK(index.ok(), "the snippet's text tokenizes");
  CheckSnippet(*snippet, text, *index, query, options);

  absl::flat_hash_set<std::string> terms;
  for (const Token& t : *index) terms.insert(t.term);
  if (!body.empty()) {
    auto t = TheTokenizer().Terms(title, TokenizeMode::kIndex);
    FUZZ_CHECK(t.ok(), "a valid title tokenizes");
    terms.insert(t->begin(), t->end());
  }
  for (const std::string& tag : tags) {
    auto t = TheTokenizer().Terms(tag, TokenizeMode::kIndex);
    FUZZ_CHECK(t.ok(), "a tag tokenizes");
    terms.insert(t->begin(), t->end());
  }
  FUZZ_CHECK(hit.coverage >= 0 && hit.coverage <= 1, "coverage in [0, 1]");
  FUZZ_CHECK(hit.coverage == ccengine::knowledge::Coverage(query, terms),
             "coverage is Coverage() over title, tags and body");
  FUZZ_CHECK(hit.coverage == OwnCoverage(query, terms), "coverage counts the groups");
  if (query.empty()) FUZZ_CHECK(hit.coverage == 0, "no coverage for an empty query");
  if (separator == std::string_view::npos) {
    // The body is the query: one alternative of every group is the query
    // terms of the group's own text (a synonym never matches across a break
    // of a CJK run), so the article covers the query completely.
    for (const QueryTermGroup& g : query.groups) {
      auto own = TheTokenizer().Terms(query_text.substr(g.start, g.end - g.start),
                                      TokenizeMode::kQuery);
      FUZZ_CHECK(own.ok(), "a group's text tokenizes");
      bool literal = false;
      for (const auto& alternative : g.alternatives) literal |= alternative == *own;
      FUZZ_CHECK(literal, "a group's alternatives include its own text's terms");
      for (const std::string& term : *own) {
        FUZZ_CHECK(terms.contains(term), "an article of the query's text covers it");
      }
    }
    if (!query.empty()) {
      FUZZ_CHECK(hit.coverage == 1, "an article of the query's text covers it all");
    }
  }
  return 0;
}
