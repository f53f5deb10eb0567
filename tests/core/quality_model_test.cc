// QualityModel: shrinkage toward the skill's mean (and the mean toward the
// default), decay by half-life, cells kept sorted, the mean over skills, and
// outcomes that carry nothing recording nothing. Expected values are worked
// from the formulas in quality.h, not read back from the code.

#include "ccengine/core/internal/quality_model.h"

#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

QualityOptions Options(absl::Duration half_life = absl::InfiniteDuration()) {
  QualityOptions o;
  o.half_life = half_life;
  o.prior_weight = 10;
  o.default_csat = 3.5;
  o.default_fcr = 0.7;
  return o;
}

TEST(QualityModelTest, UnknownAgentScoresTheDefaults) {
  QualityModel m(Options());
  m.AddSkill();
  std::vector<QualityCell> cells;
  QualityEstimate e = m.Estimate(cells, SkillId{0}, 0);
  EXPECT_DOUBLE_EQ(e.csat, 3.5);
  EXPECT_DOUBLE_EQ(e.fcr, 0.7);
  EXPECT_EQ(e.csat_weight, 0);
}

TEST(QualityModelTest, ShrinksTheAgentTowardTheSkillMean) {
  QualityModel m(Options());
  m.AddSkill();
  std::vector<QualityCell> good, other;
  // Agent `good`: five 5s; agent `other`: five 1s.
  for (int i = 0; i < 5; ++i) {
    m.Record(good, SkillId{0}, {5, true}, 0);
    m.Record(other, SkillId{0}, {1, false}, 0);
  }
  // Skill mean: (30 + 10 * 3.5) / (10 + 10) = 3.25; FCR (5 + 7) / 20 = 0.6.
  // good: (25 + 10 * 3.25) / 15 = 3.8333…; FCR (5 + 6) / 15.
  QualityEstimate e = m.Estimate(good, SkillId{0}, 0);
  EXPECT_DOUBLE_EQ(e.csat, (25 + 10 * 3.25) / 15);
  EXPECT_DOUBLE_EQ(e.fcr, (5 + 10 * 0.6) / 15);
  EXPECT_DOUBLE_EQ(e.csat_weight, 5);
  QualityEstimate o = m.Estimate(other, SkillId{0}, 0);
  EXPECT_DOUBLE_EQ(o.csat, (5 + 10 * 3.25) / 15);
}

TEST(QualityModelTest, SamplesLoseHalfTheirWeightPerHalfLife) {
  QualityModel m(Options(absl::Hours(1)));
  m.AddSkill();
  std::vector<QualityCell> cells;
  m.Record(cells, SkillId{0}, {5, std::nullopt}, 0);
  const Micros hour = ToMicros(absl::Hours(1));
  QualityEstimate e = m.Estimate(cells, SkillId{0}, 2 * hour);
  EXPECT_DOUBLE_EQ(e.csat_weight, 0.25);
  EXPECT_EQ(e.fcr_weight, 0);  // no resolution was recorded
  // Mean: (0.25 * 5 + 10 * 3.5) / 10.25; agent shrunk toward it.
  const double mean = (0.25 * 5 + 10 * 3.5) / 10.25;
  EXPECT_DOUBLE_EQ(e.csat, (0.25 * 5 + 10 * mean) / 10.25);
}

TEST(QualityModelTest, CellsStaySortedAndEmptyOutcomesRecordNothing) {
  QualityModel m(Options());
  for (int i = 0; i < 4; ++i) m.AddSkill();
  std::vector<QualityCell> cells;
  m.Record(cells, SkillId{3}, {4, std::nullopt}, 0);
  m.Record(cells, SkillId{1}, {std::nullopt, true}, 0);
  m.Record(cells, SkillId{2}, {}, 0);  // nothing to learn
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].skill, SkillId{1});
  EXPECT_EQ(cells[1].skill, SkillId{3});
}

TEST(QualityModelTest, MeanOverSkills) {
  QualityModel m(Options());
  m.AddSkill();
  m.AddSkill();
  std::vector<QualityCell> cells;
  m.Record(cells, SkillId{0}, {5, true}, 0);
  std::vector<SkillRequirement> skills = {{SkillId{0}, 1}, {SkillId{1}, 1}};
  auto [csat, fcr] = m.Mean(cells, skills, 0);
  QualityEstimate a = m.Estimate(cells, SkillId{0}, 0);
  QualityEstimate b = m.Estimate(cells, SkillId{1}, 0);
  EXPECT_DOUBLE_EQ(csat, (a.csat + b.csat) / 2);
  EXPECT_DOUBLE_EQ(fcr, (a.fcr + b.fcr) / 2);
  auto [dc, df] = m.Mean(cells, {}, 0);
  EXPECT_DOUBLE_EQ(dc, 3.5);
  EXPECT_DOUBLE_EQ(df, 0.7);
}

}  // namespace
}  // namespace ccengine::internal
