// The SQLite interval store (ccengine/sqlite/interval_store.h): every field
// of queue and agent rows back as written, a row written again replacing the
// old one (its not-ready reasons too), the rows still there after the file
// is reopened, a restart of a randomized day through the file (the restored
// collector shows the same rows), retention (DropBefore, on this store and
// the memory one, and `ccengine-report --drop-before`), and bad input refused
// with nothing written: rows off the 15-minute grid, a bad range,
// ":memory:", a file of another kind.

#include "ccengine/sqlite/interval_store.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/sqlite/knowledge_store.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "gtest/gtest.h"
#include "temp_dir.h"
#include "testing/engine_day.h"

namespace ccengine::sqlite {
namespace {

using metrics::AgentInterval;
using metrics::IntervalBatch;
using metrics::QueueInterval;

std::string Text(const IntervalBatch& b) {
  std::string out;
  for (const QueueInterval& q : b.queues) {
    const metrics::QueueCounts& c = q.counts;
    out += fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}\n",
                       absl::ToUnixSeconds(q.start), q.queue,
                       ServiceLevelDefinitionName(q.sl_definition), c.offered, c.answered,
                       c.answered_within, c.abandoned, c.short_abandoned, c.overflowed,
                       c.transferred, c.withdrawn, c.completed, c.wait_answered_us,
                       c.handle_us, c.surveys, c.csat_sum, c.outcomes, c.resolved);
  }
  for (const AgentInterval& a : b.agents) {
    const metrics::AgentCounts& c = a.counts;
    out += fmt::format("{} agent {} [{}] {} {} {} {}", absl::ToUnixSeconds(a.start),
                       a.agent.value(), a.group, c.answered, c.completed, c.handle_us,
                       fmt::join(c.state_us, " "));
    for (const auto& [reason, us] : c.not_ready_us)
      out += fmt::format(" r{}={}", reason, us);
    out += fmt::format(" {} {} {} {}\n", c.surveys, c.csat_sum, c.outcomes, c.resolved);
  }
  return out;
}

IntervalBatch Sample(absl::Time t) {
  IntervalBatch b;
  QueueInterval q{t,
                  "policy \"政策\"",
                  ServiceLevelDefinition::kWithinOverOfferedLessShortAbandons,
                  {}};
  q.counts = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  b.queues.push_back(q);
  q.queue = "billing";
  q.start = t + absl::Minutes(15);
  q.sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  b.queues.push_back(q);
  AgentInterval a{t, AgentId(42), "team, A", {}};
  a.counts.answered = 3;
  a.counts.completed = 2;
  a.counts.handle_us = 123'456;
  a.counts.state_us = {0, 5, 6, 7, 8, 9};  // logged-out time is never kept
  a.counts.not_ready_us = {{-1, 2}, {3, 3}};
  a.counts.surveys = 1;
  a.counts.csat_sum = 4;
  a.counts.outcomes = 1;
  a.counts.resolved = 1;
  b.agents.push_back(a);
  return b;
}

TEST(SqliteIntervalStoreTest, RowsComeBackReplacedByKeyAndAfterReopening) {
  TempDir dir;
  const std::string path = dir.File("metrics.db");
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  const IntervalBatch sample = Sample(t);
  {
    auto store = OpenSqliteIntervalStore({path}).value();
    ASSERT_TRUE(store->Write(sample).ok());
    EXPECT_EQ(Text(store->Read(t, t + absl::Hours(1)).value()),
              // By start, then queue name.
              Text(sample));
    // The agent's row again, with other reasons: replaced, not added.
    IntervalBatch again;
    again.agents.push_back(sample.agents[0]);
    again.agents[0].counts.not_ready_us = {{7, 70}};
    again.agents[0].counts.answered = 9;
    ASSERT_TRUE(store->Write(again).ok());
    const IntervalBatch back = store->Read(t, t + absl::Hours(1)).value();
    ASSERT_EQ(back.agents.size(), 1u);
    EXPECT_EQ(back.agents[0].counts.answered, 9u);
    EXPECT_EQ(back.agents[0].counts.not_ready_us, (std::map<int32_t, int64_t>{{7, 70}}));
  }
  auto reopened = OpenSqliteIntervalStore({path}).value();
  const IntervalBatch later =
      reopened->Read(t + absl::Seconds(1), t + absl::Hours(1)).value();
  ASSERT_EQ(later.queues.size(), 1u);  // the row at t is before the range
  EXPECT_EQ(later.queues[0].queue, "billing");
  EXPECT_TRUE(later.agents.empty());
  EXPECT_EQ(reopened->Read(t, t + absl::Hours(1))->agents.size(), 1u);
}

TEST(SqliteIntervalStoreTest, ARestartThroughTheFileKeepsTheDay) {
  TempDir dir;
  auto store = OpenSqliteIntervalStore({dir.File("day.db")}).value();
  std::unique_ptr<Engine> first = test::NewDayCenter();
  const absl::Time day = first->Now() - absl::Hours(8);
  auto collector = metrics::Collector::Attach(*first, {}).value();
  test::DayDriver driver(5);
  for (int step = 1; step <= 500; ++step) {
    ASSERT_NO_FATAL_FAILURE(driver.Step({first.get()}));
    if (step % 100 == 0) {
      ASSERT_TRUE(store->Write(collector->TakeChangedIntervals()).ok());
    }
  }
  ASSERT_TRUE(store->Write(collector->TakeChangedIntervals()).ok());
  const auto rows =
      collector->QueueRows(metrics::Granularity::kHour, day, day + absl::Hours(24));
  const auto agents =
      collector->AgentRows(metrics::Granularity::kHour, day, day + absl::Hours(24));

  std::unique_ptr<Engine> second = test::NewDayCenter();
  ASSERT_TRUE(second->AdvanceTo(first->Now()).ok());
  auto restored = metrics::Collector::Attach(*second, {}).value();
  ASSERT_TRUE(
      restored->RestoreIntervals(store->Read(day, day + absl::Hours(24)).value()).ok());
  const auto rows2 =
      restored->QueueRows(metrics::Granularity::kHour, day, day + absl::Hours(24));
  const auto agents2 =
      restored->AgentRows(metrics::Granularity::kHour, day, day + absl::Hours(24));
  ASSERT_EQ(rows->size(), rows2->size());
  ASSERT_FALSE(rows->empty());
  for (size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].queue, (*rows2)[i].queue);
    EXPECT_EQ((*rows)[i].figures.counts.offered, (*rows2)[i].figures.counts.offered);
    EXPECT_EQ((*rows)[i].figures.counts.answered_within,
              (*rows2)[i].figures.counts.answered_within);
    EXPECT_EQ((*rows)[i].figures.counts.handle_us, (*rows2)[i].figures.counts.handle_us);
  }
  ASSERT_EQ(agents->size(), agents2->size());
  for (size_t i = 0; i < agents->size(); ++i) {
    EXPECT_EQ((*agents)[i].figures.counts.state_us,
              (*agents2)[i].figures.counts.state_us);
    EXPECT_EQ((*agents)[i].figures.counts.not_ready_us,
              (*agents2)[i].figures.counts.not_ready_us);
  }
}

// Retention: the rows that start before the time go, the rest stay; the
// same on the memory store; and through ccengine-report --drop-before.
TEST(SqliteIntervalStoreTest, DropBeforeRemovesTheOlderRowsOnly) {
  TempDir dir;
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);  // a quarter hour
  const IntervalBatch old = Sample(t), recent = Sample(t + absl::Hours(24));
  auto sqlite_store = OpenSqliteIntervalStore({dir.File("metrics.db")}).value();
  metrics::MemoryIntervalStore memory_store;
  for (metrics::IntervalStore* store :
       std::vector<metrics::IntervalStore*>{sqlite_store.get(), &memory_store}) {
    ASSERT_TRUE(store->Write(old).ok());
    ASSERT_TRUE(store->Write(recent).ok());
    for (const absl::Time bad : {absl::InfinitePast(), absl::InfiniteFuture()}) {
      EXPECT_EQ(store->DropBefore(bad).status().code(),
                absl::StatusCode::kInvalidArgument);
    }
    EXPECT_EQ(store->DropBefore(t).value(), 0u);  // nothing starts before t
    // A second past t: the rows at t (a queue's and the agent's) go, the
    // queue row at t + 15 min stays.
    EXPECT_EQ(store->DropBefore(t + absl::Seconds(1)).value(), 2u);
    const IntervalBatch left = store->Read(t, t + absl::Hours(48)).value();
    ASSERT_EQ(left.queues.size(), 3u);
    EXPECT_EQ(left.queues[0].queue, "billing");
    EXPECT_EQ(left.queues[0].start, t + absl::Minutes(15));
    ASSERT_EQ(left.agents.size(), 1u);
    EXPECT_EQ(left.agents[0].start, t + absl::Hours(24));
    EXPECT_EQ(store->DropBefore(t + absl::Hours(24)).value(), 1u);
    EXPECT_EQ(Text(store->Read(t, t + absl::Hours(48)).value()), Text(recent));
  }
  sqlite_store.reset();

  // The command line: rows before a local date's midnight.
  auto written = OpenSqliteIntervalStore({dir.File("cli.db")}).value();
  ASSERT_TRUE(written->Write(old).ok());
  ASSERT_TRUE(written->Write(recent).ok());
  written.reset();
  const std::string day_after =
      absl::FormatTime("%Y-%m-%d", t + absl::Hours(24), absl::UTCTimeZone());
  const std::string out = dir.File("out.txt");
  const std::string command =
      fmt::format("'{}' --db '{}' --drop-before {} --tz UTC > '{}'", CCENGINE_REPORT_BIN,
                  dir.File("cli.db"), day_after, out);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(out);
  const std::string said((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(said, fmt::format("dropped 3 rows of intervals before {}T00:00:00+00:00\n",
                              day_after));
  auto reopened = OpenSqliteIntervalStore({dir.File("cli.db")}).value();
  EXPECT_EQ(Text(reopened->Read(t, t + absl::Hours(48)).value()), Text(recent));
  const std::string bad =
      fmt::format("'{}' --db '{}' --drop-before yesterday 2>/dev/null",
                  CCENGINE_REPORT_BIN, dir.File("cli.db"));
  EXPECT_EQ(WEXITSTATUS(std::system(bad.c_str())), 2);
}

TEST(SqliteIntervalStoreTest, BadInputIsRefusedAndNothingWritten) {
  TempDir dir;
  auto store = OpenSqliteIntervalStore({dir.File("m.db")}).value();
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  IntervalBatch batch = Sample(t);
  batch.agents[0].start = t + absl::Seconds(1);
  absl::Status st = store->Write(batch);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_NE(std::string(st.message()).find("agent 42 row"), std::string::npos) << st;
  EXPECT_TRUE(store->Read(t, t + absl::Hours(1))->queues.empty());
  EXPECT_EQ(store->Read(t, t - absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteIntervalStore({":memory:"}).status().code(),
            absl::StatusCode::kInvalidArgument);

  const std::string other = dir.File("knowledge.db");
  SqliteKnowledgeStoreOptions k;
  k.path = other;
  ASSERT_TRUE(OpenSqliteKnowledgeStore(k).ok());
  st = OpenSqliteIntervalStore({other}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(std::string(st.message()).find(other), std::string::npos) << st;
}

}  // namespace
}  // namespace ccengine::sqlite
