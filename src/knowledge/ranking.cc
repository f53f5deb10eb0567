#include "ccengine/knowledge/ranking.h"

#include <cmath>
#include <cstdint>

namespace ccengine::knowledge {

double Bm25Idf(int64_t rows, int64_t rows_with_term) {
  const double idf = std::log((static_cast<double>(rows - rows_with_term) + 0.5) /
                              (static_cast<double>(rows_with_term) + 0.5));
  return idf <= 0.0 ? 1e-6 : idf;
}

double Bm25Term(double idf, double frequency, double length, double average_length) {
  return idf * (frequency * (kBm25K1 + 1.0)) /
         (frequency + kBm25K1 * (1 - kBm25B + kBm25B * length / average_length));
}

}  // namespace ccengine::knowledge
