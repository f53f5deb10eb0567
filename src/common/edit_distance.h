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

}  // namespace ccengine::common

#endif  // CCENGINE_SRC_COMMON_EDIT_DISTANCE_H_
