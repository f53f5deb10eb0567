// -----------------------------------------------------------------------------
// File: ccengine/knowledge/ranking.h
// -----------------------------------------------------------------------------
//
// BM25 as SQLite FTS5's bm25() computes it, so a store that scores articles
// itself ranks them as the FTS5 store does:
//
//   idf(t)   = ln((N - n(t) + 0.5) / (n(t) + 0.5)), or 1e-6 where that is <= 0
//   f(t, d)  = sum over columns c of weight(c) * (occurrences of t in c)
//   score(d) = sum over query terms t with f(t, d) > 0 of
//              idf(t) * f(t, d) * (k1 + 1) / (f(t, d) + k1 * (1 - b + b * |d| / avg))
//
// with k1 = 1.2, b = 0.75, N the number of stored articles, n(t) the number
// containing t in any column, |d| the article's token positions (colocated
// tokens do not count; text::Token::colocated) over all columns, and avg the
// mean of |d| over all articles. FTS5 returns the negated sum; ccengine's
// scores are positive.
//
// Thread safety: plain functions.

#ifndef CCENGINE_KNOWLEDGE_RANKING_H_
#define CCENGINE_KNOWLEDGE_RANKING_H_

#include <cstdint>

namespace ccengine::knowledge {

inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;

// idf(t) for `rows` articles of which `rows_with_term` contain the term.
double Bm25Idf(int64_t rows, int64_t rows_with_term);

// One term's share of an article's score: `idf` from Bm25Idf, `frequency` the
// weighted occurrences f(t, d), `length` the article's positions |d`|,
// `average_length` the mean over all articles (> 0).
double Bm25Term(double idf, double frequency, double length, double average_length);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_RANKING_H_
