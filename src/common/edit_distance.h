// -----------------------------------------------------------------------------
// File: src/common/edit_distance.h
// -----------------------------------------------------------------------------
//
// Levenshtein edit distance over bytes, for "did you mean" suggestions (the
// config compiler's unknown attributes, the Python bindings' unknown keys).
// Optionally ASCII letters compare without case.
//
// Thread safety: a pure function.
//
// Example:
//   EditDistance("customer.teir", "customer.tier") == 2
//   EditDistance("Time.Hour", "time.hour", /*fold_ascii_case=*/true) == 0

#ifndef CCENGINE_SRC_COMMON_EDIT_DISTANCE_H_
#define CCENGINE_SRC_COMMON_EDIT_DISTANCE_H_

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace ccengine::common {

inline size_t EditDistance(std::string_view a, std::string_view b,
                           bool fold_ascii_case = false) {
  const auto fold = [fold_ascii_case](char c) {
    return fold_ascii_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The same distance when it is at most `limit`, else limit + 1, computed in a
// band of 2 limit + 1 cells per row: about min(|a|, |b|) × (2 limit + 1)
// steps, and none at all when the lengths differ by more than `limit`.
// For suggestions over many candidates.
inline size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit,
                                  bool fold_ascii_case = false) {
  const auto fold = [fold_ascii_case](char c) {
    return fold_ascii_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  if (a.size() > b.size()) std::swap(a, b);
  const size_t over = limit + 1;
  if (b.size() - a.size() > limit) return over;
  const size_t m = b.size();
  std::vector<size_t> prev(m + 1, over), cur(m + 1, over);
  for (size_t j = 0; j <= std::min(m, limit); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    const size_t lo = i > limit ? i - limit : 1;
    const size_t hi = std::min(m, i + limit);
    if (lo > 1) cur[lo - 1] = over;  // left of the band
    cur[0] = i <= limit ? i : over;
    size_t row_min = cur[0];
    for (size_t j = lo; j <= hi; ++j) {
      const size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      const size_t v = std::min({prev[j - 1] + cost, prev[j] + 1, cur[j - 1] + 1});
      cur[j] = std::min(v, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi < m) cur[hi + 1] = over;  // right of the band
    if (row_min > limit) return over;
    std::swap(prev, cur);
  }
  return std::min(prev[m], over);
}

}  // namespace ccengine::common

#endif  // CCENGINE_SRC_COMMON_EDIT_DISTANCE_H_
