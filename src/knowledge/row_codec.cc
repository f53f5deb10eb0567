// How articles and feedback map to SQL-style rows (see row_codec.h).

#include "ccengine/knowledge/row_codec.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/store.h"
#include "fmt/format.h"

namespace ccengine::knowledge::rows {

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (const std::string& label : labels) {
    if (!out.empty()) out += '\n';
    out += label;
  }
  return out;
}

std::vector<std::string> SplitLabels(std::string_view joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t end = joined.find('\n', start);
    out.emplace_back(joined.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

int64_t TimeToMicros(absl::Time t) {
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  return absl::ToUnixMicros(t);
}

absl::Time MicrosToTime(int64_t micros) {
  if (micros == std::numeric_limits<int64_t>::min()) return absl::InfinitePast();
  if (micros == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
  return absl::FromUnixMicros(micros);
}

absl::Status SetTallyCount(int64_t kind, int64_t count, FeedbackTally& tally) {
  switch (kind) {
    case static_cast<int64_t>(FeedbackKind::kUsed): tally.used = count; break;
    case static_cast<int64_t>(FeedbackKind::kHelpful): tally.helpful = count; break;
    case static_cast<int64_t>(FeedbackKind::kNotHelpful):
      tally.not_helpful = count;
      break;
    default:
      return absl::InternalError(
          fmt::format("feedback tallies: article {} has a verdict of unknown kind {}",
                      tally.article_id, kind));
  }
  return absl::OkStatus();
}

}  // namespace ccengine::knowledge::rows
