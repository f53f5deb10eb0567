#include "ccengine/sqlite/interval_store.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "sqlite_db.h"

namespace ccengine::sqlite {

namespace {

// `PRAGMA application_id` of an interval store file ("ccmi").
constexpr int32_t kApplicationId = 0x63636d69;

constexpr Migration kMigrations[] = {{1, R"sql(
CREATE TABLE queue_intervals (
  start_s INTEGER NOT NULL,
  queue TEXT NOT NULL,
  sl_definition TEXT NOT NULL,
  offered INTEGER NOT NULL, answered INTEGER NOT NULL, answered_within INTEGER NOT NULL,
  abandoned INTEGER NOT NULL, short_abandoned INTEGER NOT NULL,
  overflowed INTEGER NOT NULL, transferred INTEGER NOT NULL, withdrawn INTEGER NOT NULL,
  completed INTEGER NOT NULL, wait_answered_us INTEGER NOT NULL, handle_us INTEGER NOT NULL,
  surveys INTEGER NOT NULL, csat_sum INTEGER NOT NULL, outcomes INTEGER NOT NULL,
  resolved INTEGER NOT NULL,
  PRIMARY KEY (start_s, queue)
) WITHOUT ROWID;
CREATE TABLE agent_intervals (
  start_s INTEGER NOT NULL,
  agent INTEGER NOT NULL,
  grp TEXT NOT NULL,
  answered INTEGER NOT NULL, completed INTEGER NOT NULL, handle_us INTEGER NOT NULL,
  not_ready_us INTEGER NOT NULL, available_us INTEGER NOT NULL,
  reserved_us INTEGER NOT NULL, busy_us INTEGER NOT NULL, wrap_up_us INTEGER NOT NULL,
  surveys INTEGER NOT NULL, csat_sum INTEGER NOT NULL, outcomes INTEGER NOT NULL,
  resolved INTEGER NOT NULL,
  PRIMARY KEY (start_s, agent)
) WITHOUT ROWID;
CREATE TABLE agent_not_ready (
  start_s INTEGER NOT NULL,
  agent INTEGER NOT NULL,
  reason INTEGER NOT NULL,
  us INTEGER NOT NULL,
  PRIMARY KEY (start_s, agent, reason),
  FOREIGN KEY (start_s, agent) REFERENCES agent_intervals (start_s, agent) ON DELETE CASCADE
) WITHOUT ROWID;
)sql"}};

// The agent states kept in columns (logged-out time is not kept).
constexpr AgentState kStateColumns[] = {AgentState::kNotReady, AgentState::kAvailable,
                                        AgentState::kReserved, AgentState::kBusy,
                                        AgentState::kWrapUp};

int64_t Signed(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t Unsigned(int64_t v) { return static_cast<uint64_t>(v); }

// Rows with start in [from, to): start_s in [ceil(from), ceil(to)).
std::pair<int64_t, int64_t> SecondsRange(absl::Time from, absl::Time to) {
  return {absl::ToUnixSeconds(absl::Ceil(from - absl::UnixEpoch(), absl::Seconds(1)) +
                              absl::UnixEpoch()),
          absl::ToUnixSeconds(absl::Ceil(to - absl::UnixEpoch(), absl::Seconds(1)) +
                              absl::UnixEpoch())};
}

class SqliteIntervalStore final : public metrics::IntervalStore {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteIntervalStore>> Open(
      const SqliteIntervalStoreOptions& options) {
    absl::StatusOr<Database> db = OpenStoreDatabase(options);
    if (!db.ok()) return db.status();
    if (absl::Status s =
            Migrate(*db, kApplicationId, "ccengine metrics interval store", kMigrations);
        !s.ok()) {
      return s;
    }
    auto store =
        std::unique_ptr<SqliteIntervalStore>(new SqliteIntervalStore(*std::move(db)));
    if (absl::Status s = store->Prepare(); !s.ok()) return s;
    return store;
  }

  absl::Status Write(const metrics::IntervalBatch& batch) override {
    if (absl::Status st = metrics::CheckIntervalBatch(batch); !st.ok()) return st;
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, "write intervals");
    }
    for (const metrics::QueueInterval& q : batch.queues) {
      if (absl::Status s = PutQueue(q); !s.ok()) {
        return Annotate(s, fmt::format("write queue '{}' interval", q.queue));
      }
    }
    for (const metrics::AgentInterval& a : batch.agents) {
      if (absl::Status s = PutAgent(a); !s.ok()) {
        return Annotate(s, fmt::format("write agent {} interval", a.agent.value()));
      }
    }
    return Annotate(txn.Commit(), "write intervals");
  }

  absl::StatusOr<size_t> DropBefore(absl::Time before) override {
    if (absl::Status st = metrics::CheckDropBefore(before); !st.ok()) return st;
    // Rows start on whole seconds: those before `before` start before its ceiling.
    const int64_t end = SecondsRange(before, before).first;
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, "drop intervals");
    }
    int64_t dropped = 0;
    for (Statement* drop : {&drop_queues_, &drop_agents_}) {
      StatementUse use(*drop);
      drop->BindInt(1, end);
      if (absl::Status s = drop->Run(); !s.ok()) return Annotate(s, "drop intervals");
      dropped += db_.Changes();
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, "drop intervals");
    return static_cast<size_t>(dropped);
  }

  absl::StatusOr<metrics::IntervalBatch> Read(absl::Time from,
                                              absl::Time to) const override {
    if (absl::Status st = metrics::CheckIntervalRange(from, to); !st.ok()) return st;
    const auto [lo, hi] = SecondsRange(from, to);
    std::lock_guard<std::mutex> lock(mu_);
    Transaction txn(db_);  // one snapshot for the three tables
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, "read intervals");
    }
    metrics::IntervalBatch out;
    if (absl::Status s = ReadQueues(lo, hi, out); !s.ok())
      return Annotate(s, "read intervals");
    if (absl::Status s = ReadAgents(lo, hi, out); !s.ok())
      return Annotate(s, "read intervals");
    return out;
  }

 private:
  explicit SqliteIntervalStore(Database db) : db_(std::move(db)) {}

  absl::Status Prepare() {
    const std::pair<Statement*, std::string_view> statements[] = {
        {&put_queue_,
         "INSERT OR REPLACE INTO queue_intervals VALUES "
         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
         "?18)"},
        {&delete_agent_, "DELETE FROM agent_intervals WHERE start_s = ?1 AND agent = ?2"},
        {&put_agent_,
         "INSERT INTO agent_intervals VALUES "
         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
        {&put_reason_, "INSERT INTO agent_not_ready VALUES (?1, ?2, ?3, ?4)"},
        {&drop_queues_, "DELETE FROM queue_intervals WHERE start_s < ?1"},
        {&drop_agents_, "DELETE FROM agent_intervals WHERE start_s < ?1"},
        {&get_queues_,
         "SELECT * FROM queue_intervals WHERE start_s >= ?1 AND start_s < ?2 "
         "ORDER BY start_s, queue"},
        {&get_agents_,
         "SELECT * FROM agent_intervals WHERE start_s >= ?1 AND start_s < ?2 "
         "ORDER BY start_s, agent"},
        {&get_reasons_,
         "SELECT start_s, agent, reason, us FROM agent_not_ready "
         "WHERE start_s >= ?1 AND start_s < ?2"},
    };
    for (const auto& [statement, sql] : statements) {
      absl::StatusOr<Statement> prepared = db_.Prepare(sql);
      if (!prepared.ok()) return prepared.status();
      *statement = *std::move(prepared);
    }
    return absl::OkStatus();
  }

  absl::Status PutQueue(const metrics::QueueInterval& q) {
    StatementUse use(put_queue_);
    const metrics::QueueCounts& c = q.counts;
    put_queue_.BindInt(1, absl::ToUnixSeconds(q.start));
    put_queue_.BindText(2, q.queue);
    put_queue_.BindText(3, ServiceLevelDefinitionName(q.sl_definition));
    const uint64_t counts[] = {c.offered,     c.answered,        c.answered_within,
                               c.abandoned,   c.short_abandoned, c.overflowed,
                               c.transferred, c.withdrawn,       c.completed};
    int i = 4;
    for (uint64_t v : counts) put_queue_.BindInt(i++, Signed(v));
    put_queue_.BindInt(i++, c.wait_answered_us);
    put_queue_.BindInt(i++, c.handle_us);
    put_queue_.BindInt(i++, Signed(c.surveys));
    put_queue_.BindInt(i++, c.csat_sum);
    put_queue_.BindInt(i++, Signed(c.outcomes));
    put_queue_.BindInt(i++, Signed(c.resolved));
    return put_queue_.Run();
  }

  absl::Status PutAgent(const metrics::AgentInterval& a) {
    const int64_t start = absl::ToUnixSeconds(a.start);
    const int64_t agent = Signed(a.agent.value());
    {
      StatementUse use(delete_agent_);  // its not-ready rows go with it
      delete_agent_.BindInt(1, start);
      delete_agent_.BindInt(2, agent);
      if (absl::Status s = delete_agent_.Run(); !s.ok()) return s;
    }
    const metrics::AgentCounts& c = a.counts;
    {
      StatementUse use(put_agent_);
      put_agent_.BindInt(1, start);
      put_agent_.BindInt(2, agent);
      put_agent_.BindText(3, a.group);
      put_agent_.BindInt(4, Signed(c.answered));
      put_agent_.BindInt(5, Signed(c.completed));
      put_agent_.BindInt(6, c.handle_us);
      int i = 7;
      for (AgentState s : kStateColumns)
        put_agent_.BindInt(i++, c.state_us[static_cast<int>(s)]);
      put_agent_.BindInt(i++, Signed(c.surveys));
      put_agent_.BindInt(i++, c.csat_sum);
      put_agent_.BindInt(i++, Signed(c.outcomes));
      put_agent_.BindInt(i++, Signed(c.resolved));
      if (absl::Status s = put_agent_.Run(); !s.ok()) return s;
    }
    for (const auto& [reason, us] : c.not_ready_us) {
      StatementUse use(put_reason_);
      put_reason_.BindInt(1, start);
      put_reason_.BindInt(2, agent);
      put_reason_.BindInt(3, reason);
      put_reason_.BindInt(4, us);
      if (absl::Status s = put_reason_.Run(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status ReadQueues(int64_t lo, int64_t hi, metrics::IntervalBatch& out) const {
    StatementUse use(get_queues_);
    get_queues_.BindInt(1, lo);
    get_queues_.BindInt(2, hi);
    while (true) {
      absl::StatusOr<bool> row = get_queues_.Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      metrics::QueueInterval q;
      q.start = absl::FromUnixSeconds(get_queues_.ColumnInt(0));
      q.queue = get_queues_.ColumnText(1);
      absl::StatusOr<ServiceLevelDefinition> d =
          ParseServiceLevelDefinition(get_queues_.ColumnText(2));
      if (!d.ok()) {
        return absl::DataLossError(fmt::format("queue '{}' at {}: {}", q.queue,
                                               get_queues_.ColumnInt(0),
                                               std::string(d.status().message())));
      }
      q.sl_definition = *d;
      metrics::QueueCounts& c = q.counts;
      uint64_t* counts[] = {&c.offered,     &c.answered,        &c.answered_within,
                            &c.abandoned,   &c.short_abandoned, &c.overflowed,
                            &c.transferred, &c.withdrawn,       &c.completed};
      int i = 3;
      for (uint64_t* v : counts) *v = Unsigned(get_queues_.ColumnInt(i++));
      c.wait_answered_us = get_queues_.ColumnInt(i++);
      c.handle_us = get_queues_.ColumnInt(i++);
      c.surveys = Unsigned(get_queues_.ColumnInt(i++));
      c.csat_sum = get_queues_.ColumnInt(i++);
      c.outcomes = Unsigned(get_queues_.ColumnInt(i++));
      c.resolved = Unsigned(get_queues_.ColumnInt(i++));
      out.queues.push_back(std::move(q));
    }
  }

  absl::Status ReadAgents(int64_t lo, int64_t hi, metrics::IntervalBatch& out) const {
    std::map<std::pair<int64_t, int64_t>, size_t> at;  // (start_s, agent) -> index
    {
      StatementUse use(get_agents_);
      get_agents_.BindInt(1, lo);
      get_agents_.BindInt(2, hi);
      while (true) {
        absl::StatusOr<bool> row = get_agents_.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        metrics::AgentInterval a;
        const int64_t start = get_agents_.ColumnInt(0), agent = get_agents_.ColumnInt(1);
        a.start = absl::FromUnixSeconds(start);
        a.agent = AgentId(Unsigned(agent));
        a.group = get_agents_.ColumnText(2);
        metrics::AgentCounts& c = a.counts;
        c.answered = Unsigned(get_agents_.ColumnInt(3));
        c.completed = Unsigned(get_agents_.ColumnInt(4));
        c.handle_us = get_agents_.ColumnInt(5);
        int i = 6;
        for (AgentState s : kStateColumns) {
          c.state_us[static_cast<int>(s)] = get_agents_.ColumnInt(i++);
        }
        c.surveys = Unsigned(get_agents_.ColumnInt(i++));
        c.csat_sum = get_agents_.ColumnInt(i++);
        c.outcomes = Unsigned(get_agents_.ColumnInt(i++));
        c.resolved = Unsigned(get_agents_.ColumnInt(i++));
        at[{start, agent}] = out.agents.size();
        out.agents.push_back(std::move(a));
      }
    }
    StatementUse use(get_reasons_);
    get_reasons_.BindInt(1, lo);
    get_reasons_.BindInt(2, hi);
    while (true) {
      absl::StatusOr<bool> row = get_reasons_.Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      auto it = at.find({get_reasons_.ColumnInt(0), get_reasons_.ColumnInt(1)});
      if (it == at.end()) continue;  // the foreign key keeps this from happening
      out.agents[it->second]
          .counts.not_ready_us[static_cast<int32_t>(get_reasons_.ColumnInt(2))] =
          get_reasons_.ColumnInt(3);
    }
  }

  mutable std::mutex mu_;
  mutable Database db_;
  Statement put_queue_, delete_agent_, put_agent_, put_reason_, drop_queues_,
      drop_agents_;
  mutable Statement get_queues_, get_agents_, get_reasons_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<metrics::IntervalStore>> OpenSqliteIntervalStore(
    const SqliteIntervalStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteIntervalStore>> store =
      SqliteIntervalStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<metrics::IntervalStore>(*std::move(store));
}

}  // namespace ccengine::sqlite
