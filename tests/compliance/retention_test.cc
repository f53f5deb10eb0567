// The retention policy's checks: every period positive and bounded, the audit
// trail kept at least six months and longer than everything it describes.

#include "ccengine/compliance/retention.h"

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::compliance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Duration Days(double d) { return absl::Seconds(d * 86400); }

TEST(RetentionTest, TheDefaultsHoldAndNameEveryKindInOrder) {
  const RetentionPolicy policy;
  EXPECT_TRUE(ValidateRetention(policy).ok());
  EXPECT_THAT(RetentionKindNames(),
              ElementsAre("customer_history", "tickets", "knowledge_feedback", "reports",
                          "audit"));
  EXPECT_THAT(RetentionPeriods(policy),
              ElementsAre(Days(30), Days(1095), Days(365), Days(365), Days(2190)));
}

TEST(RetentionTest, EachKindsIndexIsItsField) {
  RetentionPolicy p;
  EXPECT_EQ(&RetentionPeriod(p, 0), &p.customer_history);
  EXPECT_EQ(&RetentionPeriod(p, 1), &p.tickets);
  EXPECT_EQ(&RetentionPeriod(p, 2), &p.knowledge_feedback);
  EXPECT_EQ(&RetentionPeriod(p, 3), &p.reports);
  EXPECT_EQ(&RetentionPeriod(p, 4), &p.audit);
}

TEST(RetentionTest, EachPeriodMustBePositiveAndAtMostACentury) {
  for (size_t kind = 0; kind < kRetentionKinds; ++kind) {
    for (absl::Duration bad :
         {absl::ZeroDuration(), -Days(1), Days(36526), absl::InfiniteDuration()}) {
      RetentionPolicy policy;
      RetentionPeriod(policy, kind) = bad;
      const absl::Status s = ValidateRetention(policy);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << kind << " " << bad;
      EXPECT_THAT(std::string(s.message()),
                  HasSubstr(std::string(RetentionKindNames()[kind])));
    }
  }
}

TEST(RetentionTest, TheAuditTrailOutlivesWhatItDescribes) {
  RetentionPolicy policy;
  policy.audit = Days(179.9);
  policy.customer_history = Days(1);
  policy.tickets = policy.knowledge_feedback = policy.reports = Days(1);
  absl::Status s = ValidateRetention(policy);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("six months"));
  policy.audit = Days(180);
  EXPECT_TRUE(ValidateRetention(policy).ok());

  for (size_t kind = 0; kind + 1 < kRetentionKinds; ++kind) {
    RetentionPolicy longer;
    longer.audit = Days(400);
    for (size_t k = 0; k < kRetentionKinds; ++k) RetentionPeriod(longer, k) = Days(400);
    EXPECT_TRUE(ValidateRetention(longer).ok()) << "equal periods are allowed";
    RetentionPeriod(longer, kind) = Days(400) + absl::Seconds(1);
    s = ValidateRetention(longer);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << kind;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("that of " + std::string(RetentionKindNames()[kind])));
  }
}

}  // namespace
}  // namespace ccengine::compliance
