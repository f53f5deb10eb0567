// Self-service answers (ccengine/knowledge/answer.h) on the in-memory store.

#include "ccengine/knowledge/answer.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/knowledge/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::knowledge {
namespace {

using ::testing::HasSubstr;

class AnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *NewMemoryKnowledgeStore();
    Put("passport", "护照办理流程",
        "首次申请护照需要本人到出入境接待大厅，携带身份证，现场拍照采集指纹，十个工作日取"
        "证。");
    Put("reimburse", "医保门诊报销",
        "门诊费用在定点医院直接结算，个人支付部分按比例报销。");
    Put("reimburse2", "医保住院报销",
        "住院费用在定点医院直接结算，个人支付部分按比例报销。");
    for (int i = 0; i < 20; ++i) {
      Put("filler" + std::to_string(i), "其他事项" + std::to_string(i),
          "这是一条与问题无关的说明，编号" + std::to_string(i) + "。");
    }
  }

  void Put(const std::string& id, const std::string& title, const std::string& body) {
    Article a;
    a.id = id;
    a.title = title;
    a.body = body;
    ASSERT_TRUE(store_->Upsert(a).ok());
  }

  AnswerResult Ask(const std::string& question, AnswerPolicy policy = {}) {
    absl::StatusOr<AnswerResult> r = Answer(*store_, question, {}, policy);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AnswerResult{};
  }

  std::unique_ptr<KnowledgeStore> store_;
};

TEST_F(AnswerTest, AConfidentMatchIsAnswered) {
  const AnswerResult r = Ask("第一次办护照要带什么，需要本人去出入境大厅吗");
  ASSERT_TRUE(r.article.has_value()) << r.reason;
  EXPECT_EQ(r.article->id, "passport");
  EXPECT_TRUE(r.reason.empty());
}

TEST_F(AnswerTest, NearDuplicatesTheQuestionCannotTellApartAreHandedOver) {
  const AnswerResult r = Ask("医保报销怎么结算");
  EXPECT_FALSE(r.article.has_value());
  EXPECT_THAT(r.reason, HasSubstr("too close"));
}

TEST_F(AnswerTest, WeakOrMissingMatchesAreHandedOver) {
  AnswerResult r = Ask("周末去哪里吃火锅");
  EXPECT_FALSE(r.article.has_value());
  EXPECT_FALSE(r.reason.empty());
  r = Ask("hello?");
  EXPECT_FALSE(r.article.has_value());
  EXPECT_EQ(r.reason, "no article matches");
  r = Ask("   ");
  EXPECT_FALSE(r.article.has_value());
  EXPECT_EQ(r.reason, "empty question");
  // A strict policy hands over what the default answers.
  r = Ask("第一次办护照要带什么，需要本人去出入境大厅吗",
          AnswerPolicy{.min_coverage = 1.0});
  EXPECT_FALSE(r.article.has_value());
  EXPECT_THAT(r.reason, HasSubstr("coverage"));
}

TEST_F(AnswerTest, BadQuestionsAreErrors) {
  EXPECT_EQ(Answer(*store_, std::string(2000, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Answer(*store_, "护照\xFF").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ccengine::knowledge
