// -----------------------------------------------------------------------------
// File: ccengine/knowledge/row_codec.h
// -----------------------------------------------------------------------------
//
// For store implementers: how an `Article` and its feedback map to SQL-style
// rows, the part every store that keeps articles in rows shares
// (adapters/sqlite and adapters/postgres use it; so can another). What is
// particular to one database — its SQL, how values are bound and read, the
// strings it cannot hold — stays in its adapter.
//
//   JoinLabels / SplitLabels  a list of labels (tags, skills, queues,
//                             departments) as one text: one label per line
//                             (labels hold no control characters, so a
//                             newline never occurs in one). The tags so
//                             joined are also the text of the tags column
//                             that the index reads, in every store.
//   TimeToMicros /            times as int64 microseconds since the Unix
//   MicrosToTime              epoch, rounded down; InfinitePast and
//                             InfiniteFuture are INT64_MIN and INT64_MAX
//   SetTallyCount             a `FeedbackTally` built from per-kind counts
//                             (a row per `FeedbackKind` number and count)
//
// Thread safety: functions without state; thread-safe.

#ifndef CCENGINE_KNOWLEDGE_ROW_CODEC_H_
#define CCENGINE_KNOWLEDGE_ROW_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/store.h"

namespace ccengine::knowledge::rows {

// The labels one per line; "" for none. `SplitLabels` reads it back.
std::string JoinLabels(const std::vector<std::string>& labels);
std::vector<std::string> SplitLabels(std::string_view joined);

// The infinite times map to INT64_MIN / INT64_MAX, finite ones round down;
// `MicrosToTime` reads both back.
int64_t TimeToMicros(absl::Time t);
absl::Time MicrosToTime(int64_t micros);

// Sets the count of verdicts of the kind numbered `kind` (a `FeedbackKind`'s
// value, as rows hold it) in `tally` to `count`. Internal, naming the article,
// for a number that is no `FeedbackKind`.
absl::Status SetTallyCount(int64_t kind, int64_t count, FeedbackTally& tally);

}  // namespace ccengine::knowledge::rows

#endif  // CCENGINE_KNOWLEDGE_ROW_CODEC_H_
