// The Prometheus exposition of a metrics snapshot: every family announced
// once by HELP and TYPE before its samples, label values escaped, NaN for
// figures with nothing to measure, histogram buckets cumulative with +Inf
// equal to the count, and every sample line of the form `name{labels} value`.
// (The e2e test checks the output with promtool and a real Prometheus.)

#include "ccengine/metrics/prometheus.h"

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ccengine/compliance/pii.h"
#include "ccengine/metrics/counts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::metrics {
namespace {

using ::testing::HasSubstr;

Snapshot Sample() {
  Snapshot s;
  s.at = absl::FromUnixSeconds(1'800'000'000);
  s.windows = {absl::Minutes(5), absl::Minutes(90)};
  QueueSnapshot q;
  q.queue = "sales \"east\"\\\n";
  q.waiting = 3;
  q.longest_wait = absl::Milliseconds(12500);
  q.sl_target = 0.8;
  q.sl_threshold = absl::Seconds(20);
  q.total.offered = 10;
  q.total.answered = 7;
  q.total.handle_us = 1'500'000;
  for (double w : {0.5, 3.0, 20.0, 20.5, 4000.0}) q.answer_wait.Observe(w);
  q.today = FiguresOf(q.total, ServiceLevelDefinition::kWithinOverOffered);
  q.windows = {FiguresOf({}, ServiceLevelDefinition::kWithinOverOffered), q.today};
  s.queues.push_back(q);
  s.agents.by_state[static_cast<int>(AgentState::kBusy)] = 4;
  s.agents.not_ready_by_reason[-1] = 2;
  s.groups["team A"].by_state[static_cast<int>(AgentState::kAvailable)] = 1;
  s.agent_state_seconds[static_cast<int>(AgentState::kBusy)] = 36.25;
  return s;
}

TEST(PrometheusTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd 政策"), "a\\\"b\\\\c\\nd 政策");
}

TEST(PrometheusTest, WindowLabels) {
  EXPECT_EQ(WindowLabel(absl::Minutes(5)), "5m");
  EXPECT_EQ(WindowLabel(absl::Minutes(15)), "15m");
  EXPECT_EQ(WindowLabel(absl::Minutes(60)), "1h");
  EXPECT_EQ(WindowLabel(absl::Minutes(90)), "90m");
  EXPECT_EQ(WindowLabel(absl::Hours(24)), "24h");
}

TEST(PrometheusTest, FamiliesAreWellFormed) {
  const std::string text = RenderPrometheus(Sample());
  std::istringstream in(text);
  std::string line;
  const std::regex sample(R"(^([a-z_]+)(\{[^\n]*\})? (NaN|[+-]Inf|-?[0-9.e+-]+)$)");
  std::string family, type;
  std::set<std::string> seen;
  size_t samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(seen.insert(family).second) << "family twice: " << family;
      ASSERT_TRUE(std::getline(in, line));
      EXPECT_EQ(line.rfind("# TYPE " + family + " ", 0), 0u) << line;
      type = line.substr(8 + family.size());
      if (type == "counter") {
        EXPECT_EQ(family.substr(family.size() - 6), "_total") << family;
      }
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    const std::string name = m[1];
    if (type == "histogram") {
      EXPECT_THAT(
          name, ::testing::AnyOf(family + "_bucket", family + "_sum", family + "_count"));
    } else {
      EXPECT_EQ(name, family) << line;
    }
    ++samples;
  }
  EXPECT_GT(samples, 50u);
}

TEST(PrometheusTest, ValuesAndLabels) {
  const std::string text = RenderPrometheus(Sample());
  const std::string q = R"(queue="sales \"east\"\\\n")";
  EXPECT_THAT(text, HasSubstr("ccengine_queue_waiting{" + q + "} 3\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_queue_longest_wait_seconds{" + q + "} 12.5\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_queue_offered_total{" + q + "} 10\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_queue_handle_seconds_total{" + q + "} 1.5\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_snapshot_time_seconds 1800000000\n"));
  // Nothing offered in the 5-minute window: NaN, not 0 or 1.
  EXPECT_THAT(text, HasSubstr("ccengine_queue_service_level_ratio{" + q +
                              ",period=\"5m\"} NaN\n"));
  EXPECT_THAT(text,
              HasSubstr("ccengine_queue_abandon_ratio{" + q + ",period=\"90m\"} 0\n"));
  EXPECT_THAT(
      text, HasSubstr("ccengine_queue_period_offered{" + q + ",period=\"today\"} 10\n"));
  // Cumulative buckets: 0.5 (<=1), 3 (<=5), 20 (<=20), 20.5 (<=30), 4000 (+Inf).
  const std::string b = "ccengine_queue_answer_wait_seconds_bucket{" + q;
  EXPECT_THAT(text, HasSubstr(b + ",le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"15\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"20\"} 3\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"30\"} 4\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"1800\"} 4\n"));
  EXPECT_THAT(text, HasSubstr(b + ",le=\"+Inf\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_queue_answer_wait_seconds_count{" + q + "} 5\n"));
  EXPECT_THAT(text,
              HasSubstr("ccengine_queue_answer_wait_seconds_sum{" + q + "} 4044\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_agents{state=\"busy\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_agents{state=\"not_ready\"} 0\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("state=\"logged_out\"")));
  EXPECT_THAT(text, HasSubstr("ccengine_agents_not_ready{reason=\"-1\"} 2\n"));
  EXPECT_THAT(
      text, HasSubstr("ccengine_group_agents{group=\"team A\",state=\"available\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("ccengine_agent_state_seconds_total{state=\"busy\"} 36.25\n"));
}

// Names are the operator's; one that holds personal data (a callback queue
// named after a caller's number, a group after a person's identity card)
// leaves masked, as every output of the engine does.
TEST(PrometheusTest, PersonalDataInANameIsMasked) {
  Snapshot s = Sample();
  s.queues[0].queue = "回拨 13812345678";
  s.groups["组 110105199003071239"].by_state[static_cast<int>(AgentState::kBusy)] = 1;
  const std::string text = RenderPrometheus(s);
  EXPECT_THAT(text, HasSubstr(R"(ccengine_queue_waiting{queue="回拨 138****5678"} 3)"));
  EXPECT_THAT(text, HasSubstr(R"(group="组 110***********1239",state="busy"} 1)"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("13812345678")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("110105199003071239")));
  EXPECT_TRUE(compliance::FindPii(text).empty());
}

TEST(PrometheusTest, AnEmptyCenterStillAnnouncesItsFamilies) {
  const std::string text = RenderPrometheus(Snapshot{});
  EXPECT_THAT(text, HasSubstr("# TYPE ccengine_queue_offered_total counter\n"));
  EXPECT_THAT(text, HasSubstr("ccengine_agents{state=\"available\"} 0\n"));
}

}  // namespace
}  // namespace ccengine::metrics
