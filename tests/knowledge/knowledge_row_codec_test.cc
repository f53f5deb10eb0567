// How articles and feedback map to rows (ccengine/knowledge/row_codec.h), the
// codec the SQLite and PostgreSQL knowledge stores share.

#include "ccengine/knowledge/row_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::knowledge::rows {
namespace {

using ::testing::HasSubstr;

TEST(KnowledgeRowCodec, LabelsJoinOnePerLineAndSplitBack) {
  const std::vector<std::vector<std::string>> cases = {
      {}, {"a"}, {"社保", "医保卡"}, {"a b", "c,d", "{e}"}};
  for (const std::vector<std::string>& labels : cases) {
    EXPECT_EQ(SplitLabels(JoinLabels(labels)), labels);
  }
  EXPECT_EQ(JoinLabels({}), "");
  EXPECT_EQ(JoinLabels({"社保", "医保卡"}), "社保\n医保卡");
  EXPECT_EQ(SplitLabels(""), std::vector<std::string>{});
}

TEST(KnowledgeRowCodec, TimesAreMicrosecondsWithSentinelsForInfinity) {
  EXPECT_EQ(TimeToMicros(absl::InfinitePast()), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(TimeToMicros(absl::InfiniteFuture()), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(TimeToMicros(absl::FromUnixMicros(42) + absl::Nanoseconds(999)), 42);
  EXPECT_EQ(TimeToMicros(absl::FromUnixMicros(-42) - absl::Nanoseconds(1)), -43);
  for (const absl::Time t :
       {absl::InfinitePast(), absl::FromUnixMicros(-5), absl::UnixEpoch(),
        absl::FromUnixMicros(1796000000123456), absl::InfiniteFuture()}) {
    EXPECT_EQ(MicrosToTime(TimeToMicros(t)), t);
  }
}

TEST(KnowledgeRowCodec, TalliesTakeEachKindsCount) {
  FeedbackTally tally{.article_id = "a1"};
  ASSERT_TRUE(SetTallyCount(static_cast<int64_t>(FeedbackKind::kUsed), 5, tally).ok());
  ASSERT_TRUE(SetTallyCount(static_cast<int64_t>(FeedbackKind::kHelpful), 3, tally).ok());
  ASSERT_TRUE(
      SetTallyCount(static_cast<int64_t>(FeedbackKind::kNotHelpful), 1, tally).ok());
  EXPECT_EQ(tally, (FeedbackTally{
                       .article_id = "a1", .used = 5, .helpful = 3, .not_helpful = 1}));
  const absl::Status unknown = SetTallyCount(7, 2, tally);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(unknown.message(), HasSubstr("article a1"));
  EXPECT_THAT(unknown.message(), HasSubstr("unknown kind 7"));
}

}  // namespace
}  // namespace ccengine::knowledge::rows
