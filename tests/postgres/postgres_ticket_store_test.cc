// The PostgreSQL ticket store: the store conformance suite, then what only a
// server does: stores sharing a database, the server going away and coming
// back, schema versions, an unreachable server, a statement timeout; and the
// pieces that need no server (SQLSTATE mapping, text arrays).
//
// The tests run against a private server this binary starts (pg_cluster.h).
// Without the server binaries they fail when CI is set and skip otherwise.

#include "ccengine/postgres/ticket_store.h"

#include <libpq-fe.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "pg_cluster.h"
#include "pg_conn.h"
#include "store_conformance.h"
#include "text_array.h"
#include "ticket_schema.h"

namespace ccengine::postgres {
namespace {

using testing::PgCluster;
using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketQuery;
using tickets::TicketState;
using tickets::TicketStore;
using tickets::testing::StoreFactory;
using tickets::testing::StoreFactoryName;
using tickets::testing::TicketStoreConformance;

const absl::Time kT0 = absl::FromUnixMicros(1796000000123456);

// --- the server ---------------------------------------------------------------

// The binary's server: started on first use, stopped when the tests end.
struct SharedServer {
  absl::Mutex mu;
  bool tried ABSL_GUARDED_BY(mu) = false;
  absl::Status status ABSL_GUARDED_BY(mu);
  std::unique_ptr<PgCluster> cluster ABSL_GUARDED_BY(mu);
};

SharedServer& Shared() {
  static auto* const shared = new SharedServer;
  return *shared;
}

// The shared server, or null with the reason in `why`.
PgCluster* SharedCluster(absl::Status* why) {
  SharedServer& shared = Shared();
  absl::MutexLock lock(&shared.mu);
  if (!shared.tried) {
    shared.tried = true;
    absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
    if (cluster.ok()) {
      shared.cluster = *std::move(cluster);
    } else {
      shared.status = cluster.status();
    }
  }
  *why = shared.status;
  return shared.cluster.get();
}

class ServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    SharedServer& shared = Shared();
    absl::MutexLock lock(&shared.mu);
    shared.cluster.reset();
  }
};
[[maybe_unused]] ::testing::Environment* const kServerEnvironment =
    ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

// No server binaries, and not in CI: the tests skip (in CI they fail).
bool SkipWithoutServer() {
  return !testing::FindServerBinaries().ok() && !testing::InCi();
}

std::unique_ptr<TicketStore> OpenFreshStore(int pool_size) {
  absl::Status why;
  PgCluster* cluster = SharedCluster(&why);
  if (cluster == nullptr) {
    ADD_FAILURE() << why;
    return nullptr;
  }
  absl::StatusOr<std::string> database = cluster->CreateDatabase();
  if (!database.ok()) {
    ADD_FAILURE() << database.status();
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<TicketStore>> store =
      OpenPostgresTicketStore({.dsn = cluster->Dsn(*database), .pool_size = pool_size});
  if (!store.ok()) {
    ADD_FAILURE() << store.status();
    return nullptr;
  }
  return *std::move(store);
}

// Each instance a fresh database; with a pool, and with one connection.
// Without a server to test against (and not in CI) there are none: the
// PostgresTicketStore tests say why.
std::vector<StoreFactory> ConformanceStores() {
  if (SkipWithoutServer()) return {};
  return {
      StoreFactory{"postgres", [] { return OpenFreshStore(4); }},
      StoreFactory{"postgres_one_connection", [] { return OpenFreshStore(1); }},
  };
}

INSTANTIATE_TEST_SUITE_P(Postgres, TicketStoreConformance,
                         ::testing::ValuesIn(ConformanceStores()), StoreFactoryName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TicketStoreConformance);

// --- helpers ------------------------------------------------------------------

HistoryEntry Entry(std::string action, TicketState from = TicketState::kNew,
                   TicketState to = TicketState::kNew) {
  HistoryEntry e;
  e.at = kT0;
  e.actor = "desk";
  e.action = std::move(action);
  e.from = from;
  e.to = to;
  return e;
}

Ticket Sample() {
  Ticket t;
  t.category = "noise";
  t.department = "城管";
  t.priority = 2;
  t.text = "楼下烧烤店每晚噪音扰民";
  t.customer_id = "c1042";
  t.fields = {{"channel", "voice"}, {"来源", "12345"}};
  t.created_at = kT0;
  t.updated_at = kT0;
  t.queued_since = kT0;
  t.resolution.due = kT0 + absl::Hours(72);
  t.next_check = kT0 + absl::Hours(60);
  return t;
}

std::unique_ptr<TicketStore> MustOpen(const PostgresTicketStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<TicketStore>> store = OpenPostgresTicketStore(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

Ticket MustCreate(TicketStore& store, const Ticket& t = Sample()) {
  absl::StatusOr<Ticket> made = store.Create(t, Entry("create"));
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : Ticket{};
}

// Adds 1 to the ticket's escalation level `n` times, re-reading on Aborted.
// Returns how many calls failed otherwise.
int Escalate(TicketStore& store, TicketId id, int n) {
  for (int i = 0; i < n; ++i) {
    for (;;) {
      absl::StatusOr<Ticket> read = store.Get(id);
      if (!read.ok()) return 1;
      Ticket next = *read;
      ++next.escalation_level;
      absl::StatusOr<Ticket> written = store.Update(next, Entry("escalate"));
      if (written.ok()) break;
      if (written.status().code() != absl::StatusCode::kAborted) {
        ADD_FAILURE() << written.status();
        return 1;
      }
    }
  }
  return 0;
}

// The ticket's history is 1..n without gaps.
void ExpectHistoryWithoutGaps(TicketStore& store, TicketId id, size_t n) {
  absl::StatusOr<std::vector<HistoryEntry>> history = store.History(id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), n);
  for (size_t i = 0; i < n; ++i)
    EXPECT_EQ((*history)[i].seq, static_cast<int64_t>(i + 1));
}

bool Contains(const absl::Status& status, std::string_view text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

// A connection of the test's own, outside any store (blocking libpq).
class RawConnection {
 public:
  explicit RawConnection(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { PQfinish(conn_); }

  // Runs `sql` (with `params` when given); returns what it returned: columns
  // joined by '|', rows by '\n'; "ERROR <sqlstate>" on an error (which also
  // fails the test unless `expect_error`).
  std::string Sql(const std::string& sql, const Params* params = nullptr,
                  bool expect_error = false) {
    std::vector<const char*> values;
    if (params != nullptr) values = params->Pointers();
    PgResult result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
      if (!expect_error) ADD_FAILURE() << sql << ": " << PQerrorMessage(conn_);
      return fmt::format("ERROR {}", state != nullptr ? state : "");
    }
    std::string out;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
      if (row > 0) out += '\n';
      for (int column = 0; column < PQnfields(result.get()); ++column) {
        if (column > 0) out += '|';
        out += PQgetvalue(result.get(), row, column);
      }
    }
    return out;
  }

 private:
  PGconn* conn_;
};

// A Unix socket that takes connections into its backlog and never answers:
// a server that hangs.
class SilentServer {
 public:
  explicit SilentServer(const std::string& dir) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = dir + "/.s.PGSQL.5432";
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
        << std::strerror(errno);
    EXPECT_EQ(listen(fd_, 8), 0) << std::strerror(errno);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  ~SilentServer() { close(fd_); }

 private:
  int fd_ = -1;
};

// Tests that need the shared server, each on a fresh database.
class PostgresTicketStore : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status why;
    cluster_ = SharedCluster(&why);
    if (cluster_ == nullptr) {
      if (SkipWithoutServer()) GTEST_SKIP() << why;
      FAIL() << why;
    }
    absl::StatusOr<std::string> database = cluster_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    dsn_ = cluster_->Dsn(*database);
  }

  PgCluster* cluster_ = nullptr;
  std::string dsn_;  // the test's own database
};

// --- sharing a database -------------------------------------------------------

TEST_F(PostgresTicketStore, TwoStoresOnOneDatabaseSerializeThroughTheVersionCheck) {
  std::unique_ptr<TicketStore> a = MustOpen({.dsn = dsn_});
  std::unique_ptr<TicketStore> b = MustOpen({.dsn = dsn_});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  const Ticket made = MustCreate(*a);
  absl::StatusOr<Ticket> seen = b->Get(made.id);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(*seen, made);

  // b updates; a still holds version 1 and loses.
  Ticket by_b = *seen;
  by_b.assignee = "agent-7";
  ASSERT_TRUE(b->Update(by_b, Entry("sign_for")).ok());
  Ticket by_a = made;
  by_a.state = TicketState::kCancelled;
  absl::StatusOr<Ticket> lost = a->Update(by_a, Entry("cancel"));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted) << lost.status();
  EXPECT_TRUE(Contains(lost.status(), "version 1 read, 2 stored")) << lost.status();
  absl::StatusOr<Ticket> now = a->Get(made.id);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->assignee, "agent-7");
  EXPECT_EQ(now->state, TicketState::kNew);
  ExpectHistoryWithoutGaps(*a, made.id, 2);

  // Ids are assigned by the database, not by the store.
  EXPECT_EQ(MustCreate(*b).id, 2);
  EXPECT_EQ(MustCreate(*a).id, 3);
  absl::StatusOr<std::vector<Ticket>> all = b->Query(TicketQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(PostgresTicketStore, StoresOnOneDatabaseSerializeConcurrentWriters) {
  std::vector<std::unique_ptr<TicketStore>> stores;
  for (int i = 0; i < 2; ++i) {
    stores.push_back(MustOpen({.dsn = dsn_, .pool_size = 3}));
    ASSERT_NE(stores.back(), nullptr);
  }
  const TicketId id = MustCreate(*stores[0]).id;
  constexpr int kThreadsPerStore = 3;
  constexpr int kEach = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (auto& store : stores) {
    for (int t = 0; t < kThreadsPerStore; ++t) {
      threads.emplace_back(
          [&failures, &store, id] { failures += Escalate(*store, id, kEach); });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const int total = static_cast<int>(stores.size()) * kThreadsPerStore * kEach;
  absl::StatusOr<Ticket> final_ticket = stores[1]->Get(id);
  ASSERT_TRUE(final_ticket.ok()) << final_ticket.status();
  EXPECT_EQ(final_ticket->escalation_level, total);
  EXPECT_EQ(final_ticket->version, 1 + total);
  ExpectHistoryWithoutGaps(*stores[0], id, static_cast<size_t>(total) + 1);
}

TEST_F(PostgresTicketStore, OverlappingBatchesInEitherOrderOnlyEverAbort) {
  // Batches name the same two tickets in opposite orders: written in id
  // order, they never deadlock; a loser gets Aborted and retries.
  std::unique_ptr<TicketStore> a = MustOpen({.dsn = dsn_});
  std::unique_ptr<TicketStore> b = MustOpen({.dsn = dsn_});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const TicketId first = MustCreate(*a).id;
  const TicketId second = MustCreate(*a).id;
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  auto run = [&failures](TicketStore* store, TicketId x, TicketId y) {
    for (int i = 0; i < kEach; ++i) {
      for (;;) {
        absl::StatusOr<Ticket> tx = store->Get(x);
        absl::StatusOr<Ticket> ty = store->Get(y);
        if (!tx.ok() || !ty.ok()) {
          ++failures;
          return;
        }
        ++tx->escalation_level;
        ++ty->escalation_level;
        absl::StatusOr<std::vector<Ticket>> done =
            store->UpdateMany({*tx, *ty}, {Entry("escalate"), Entry("escalate")});
        if (done.ok()) break;
        if (done.status().code() != absl::StatusCode::kAborted) {
          ADD_FAILURE() << done.status();
          ++failures;
          return;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back(run, a.get(), first, second);
    threads.emplace_back(run, b.get(), second, first);
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (TicketId id : {first, second}) {
    absl::StatusOr<Ticket> t = a->Get(id);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->escalation_level, 4 * kEach);
    ExpectHistoryWithoutGaps(*b, id, 1 + 4 * kEach);
  }
}

TEST_F(PostgresTicketStore, StoresOpeningAFreshDatabaseAtOnceCreateItOnce) {
  constexpr int kStores = 4;
  std::vector<absl::StatusOr<std::unique_ptr<TicketStore>>> stores;
  stores.reserve(kStores);
  for (int i = 0; i < kStores; ++i) stores.emplace_back(absl::UnknownError("not opened"));
  std::vector<std::thread> threads;
  threads.reserve(kStores);
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back(
        [&stores, this, i] { stores[i] = OpenPostgresTicketStore({.dsn = dsn_}); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kStores; ++i) {
    ASSERT_TRUE(stores[i].ok()) << stores[i].status();
    EXPECT_EQ(MustCreate(**stores[i]).id, i + 1);
  }
  RawConnection raw(dsn_);
  EXPECT_EQ(raw.Sql("SELECT version FROM ticket_store_schema"), "1");
}

// --- the server going away ----------------------------------------------------

TEST_F(PostgresTicketStore, TheServerStoppedAndStartedAgain) {
  // A server of its own: this test stops it.
  absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = (*cluster)->Dsn("tickets"),
                                                 .connect_timeout = absl::Seconds(2),
                                                 .pool_size = 3});
  ASSERT_NE(store, nullptr);
  const Ticket before = MustCreate(*store);

  // Writers create tickets and update them, noting what was acknowledged.
  absl::Mutex mu;
  std::map<TicketId, Ticket> acknowledged;  // each ticket at its last acked version
  std::atomic<bool> done{false};
  std::atomic<int> unavailable{0};
  std::atomic<int> other_errors{0};
  std::atomic<int> writes{0};
  auto writer = [&] {
    while (!done.load()) {
      // A ticket, then three updates of it.
      absl::StatusOr<Ticket> t = store->Create(Sample(), Entry("create"));
      for (int i = 0; t.ok(); ++i) {
        ++writes;
        {
          absl::MutexLock lock(&mu);
          acknowledged[t->id] = *t;
        }
        if (i == 3) break;
        Ticket next = *t;
        ++next.escalation_level;
        t = store->Update(next, Entry("escalate"));
      }
      if (!t.ok()) {
        if (t.status().code() == absl::StatusCode::kUnavailable) {
          ++unavailable;
          absl::SleepFor(absl::Milliseconds(5));
        } else {
          ADD_FAILURE() << t.status();
          ++other_errors;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(2);
  for (int i = 0; i < 2; ++i) threads.emplace_back(writer);
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE((*cluster)->Stop("fast").ok());
  const int writes_before = writes.load();
  EXPECT_GT(writes_before, 0);

  // Every call now fails with Unavailable, and says why.
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Ticket> got = store->Get(before.id);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
    EXPECT_TRUE(Contains(got.status(), "get ticket 1")) << got.status();
  }
  absl::StatusOr<Ticket> refused = store->Create(Sample(), Entry("create"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_GT(unavailable.load(), 0);

  // Started again: the same store works at once, without reopening.
  ASSERT_TRUE((*cluster)->StartAgain().ok());
  absl::StatusOr<Ticket> again = store->Get(before.id);
  EXPECT_TRUE(again.ok()) << again.status();
  const absl::Time until = absl::Now() + absl::Seconds(20);
  while (writes.load() < writes_before + 20 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  done = true;
  for (std::thread& t : threads) t.join();
  EXPECT_GE(writes.load(), writes_before + 20);
  EXPECT_EQ(other_errors.load(), 0);

  // Nothing acknowledged was lost: every ticket is there, at its
  // acknowledged version or (an update whose reply the outage cut off) one
  // later, with a history entry per version.
  absl::MutexLock lock(&mu);
  for (const auto& [id, acked] : acknowledged) {
    absl::StatusOr<Ticket> stored = store->Get(id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_GE(stored->version, acked.version);
    EXPECT_LE(stored->version, acked.version + 1);
    if (stored->version == acked.version) {
      EXPECT_EQ(*stored, acked);
    }
    ExpectHistoryWithoutGaps(*store, id, static_cast<size_t>(stored->version));
  }
}

// The desk on a server that goes away: its operations retry with backoff,
// then report Unavailable having changed nothing; once the server is back the
// same desk carries on from where the store is, and nothing is lost.
TEST_F(PostgresTicketStore, ADeskReportsAnOutageAndCarriesOnAfterIt) {
  absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = (*cluster)->Dsn("tickets"),
                                                 .connect_timeout = absl::Seconds(2),
                                                 .pool_size = 2});
  ASSERT_NE(store, nullptr);
  tickets::TicketDeskOptions options;
  options.retry_backoff = absl::Milliseconds(20);
  auto desk = tickets::TicketDesk::Open(std::move(store), options);
  ASSERT_TRUE(desk.ok()) << desk.status();
  tickets::TicketCategory noise;
  noise.name = "noise";
  noise.department = "城管";
  noise.resolution = absl::Hours(24);
  ASSERT_TRUE((*desk)->AddCategory(noise).ok());
  tickets::CreateRequest r;
  r.category = "noise";
  r.text = "楼下烧烤店噪音扰民";
  r.address = "建国路88号";
  absl::StatusOr<tickets::CreateResult> first = (*desk)->Create(r);
  ASSERT_TRUE(first.ok()) << first.status();
  const TicketId id = first->ticket.id;

  ASSERT_TRUE((*cluster)->Stop("fast").ok());
  absl::StatusOr<Ticket> refused = (*desk)->Dispatch(id, "dispatcher");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  r.text = "小区垃圾没人清运";
  EXPECT_EQ((*desk)->Create(r).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*desk)->Tick().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE((*cluster)->StartAgain().ok());
  absl::StatusOr<Ticket> read = (*desk)->Get(id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, TicketState::kNew);  // the refused dispatch wrote nothing
  EXPECT_EQ(read->version, 1);
  absl::StatusOr<Ticket> dispatched = (*desk)->Dispatch(id, "dispatcher");
  ASSERT_TRUE(dispatched.ok()) << dispatched.status();
  EXPECT_EQ(dispatched->state, TicketState::kQueued);
  absl::StatusOr<tickets::CreateResult> second = (*desk)->Create(r);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<std::vector<HistoryEntry>> history = (*desk)->History(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  TicketQuery all;
  absl::StatusOr<std::vector<Ticket>> stored = (*desk)->Query(all);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 2u);
}

TEST_F(PostgresTicketStore, AnUnreachableServerIsUnavailableWithinTheConnectTimeout) {
  // No server at all: the socket is not there.
  const std::string nowhere = cluster_->directory() + "/nowhere";
  absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<TicketStore>> store = OpenPostgresTicketStore(
      {.dsn =
           fmt::format("host={} user=postgres dbname=tickets password=hunter2", nowhere),
       .connect_timeout = absl::Seconds(2)});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_TRUE(Contains(store.status(), "cannot connect")) << store.status();
  EXPECT_TRUE(Contains(store.status(), nowhere)) << store.status();
  EXPECT_FALSE(Contains(store.status(), "hunter2")) << store.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  // A server that takes the connection and never answers: the timeout.
  const std::string silent_dir = cluster_->directory() + "/silent";
  ASSERT_EQ(mkdir(silent_dir.c_str(), 0700), 0);
  SilentServer silent(silent_dir);
  start = absl::Now();
  store = OpenPostgresTicketStore(
      {.dsn = fmt::format("postgresql:///tickets?host={}&user=postgres", silent_dir),
       .connect_timeout = absl::Milliseconds(300)});
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_TRUE(Contains(store.status(), "no connection within 300ms")) << store.status();
  EXPECT_GE(waited, absl::Milliseconds(290));
  EXPECT_LT(waited, absl::Seconds(3));

  // The server answers, and says no: a database that does not exist.
  store = OpenPostgresTicketStore({.dsn = cluster_->Dsn("no_such_db")});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_TRUE(Contains(store.status(), "\"no_such_db\" does not exist"))
      << store.status();
}

TEST_F(PostgresTicketStore, BadOptionsAreInvalidArgument) {
  const PostgresTicketStoreOptions bad[] = {
      {.dsn = ""},
      {.dsn = "host=/tmp port"},  // no value
      {.dsn = "nonsense=1"},
      {.dsn = "postgresql://[::1"},
      {.dsn = dsn_, .connect_timeout = absl::ZeroDuration()},
      {.dsn = dsn_, .connect_timeout = absl::InfiniteDuration()},
      {.dsn = dsn_, .statement_timeout = absl::Seconds(-1)},
      {.dsn = dsn_, .pool_size = 0},
      {.dsn = dsn_, .pool_size = 65},
  };
  for (const PostgresTicketStoreOptions& options : bad) {
    absl::StatusOr<std::unique_ptr<TicketStore>> store = OpenPostgresTicketStore(options);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument)
        << options.dsn << ": " << store.status();
  }
  // The same dsn, well formed, opens; a statement timeout of zero is none.
  EXPECT_NE(MustOpen({.dsn = dsn_, .statement_timeout = absl::ZeroDuration()}), nullptr);
}

TEST_F(PostgresTicketStore, ALockHeldPastTheStatementTimeoutIsUnavailable) {
  std::unique_ptr<TicketStore> store =
      MustOpen({.dsn = dsn_, .statement_timeout = absl::Milliseconds(300)});
  ASSERT_NE(store, nullptr);
  const Ticket made = MustCreate(*store);
  RawConnection raw(dsn_);
  raw.Sql("BEGIN");
  EXPECT_EQ(raw.Sql("SELECT id FROM tickets WHERE id = 1 FOR UPDATE"), "1");
  const absl::Time start = absl::Now();
  Ticket next = made;
  next.assignee = "agent-7";
  absl::StatusOr<Ticket> blocked = store->Update(next, Entry("sign_for"));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_TRUE(Contains(blocked.status(), "update ticket 1")) << blocked.status();
  EXPECT_TRUE(Contains(blocked.status(), "57014")) << blocked.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // Readers do not wait for the lock.
  EXPECT_EQ(store->Get(made.id)->version, 1);
  raw.Sql("COMMIT");
  absl::StatusOr<Ticket> updated = store->Update(next, Entry("sign_for"));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version, 2);
  ExpectHistoryWithoutGaps(*store, made.id, 2);
}

// --- the schema ---------------------------------------------------------------

TEST_F(PostgresTicketStore, ASchemaFromTheFutureIsFailedPrecondition) {
  {
    std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
    ASSERT_NE(store, nullptr);
    MustCreate(*store);
  }
  RawConnection raw(dsn_);
  raw.Sql("UPDATE ticket_store_schema SET version = 7");
  absl::StatusOr<std::unique_ptr<TicketStore>> store =
      OpenPostgresTicketStore({.dsn = dsn_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
  EXPECT_TRUE(Contains(store.status(), "schema version 7")) << store.status();
  EXPECT_TRUE(Contains(store.status(), "(version 1)")) << store.status();
  EXPECT_EQ(raw.Sql("SELECT version FROM ticket_store_schema"), "7");  // left alone
  EXPECT_EQ(raw.Sql("SELECT count(*) FROM tickets"), "1");
}

TEST_F(PostgresTicketStore, AnotherApplicationsTicketsTableIsRefused) {
  RawConnection raw(dsn_);
  raw.Sql("CREATE TABLE tickets (number INTEGER)");
  absl::StatusOr<std::unique_ptr<TicketStore>> store =
      OpenPostgresTicketStore({.dsn = dsn_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
  EXPECT_TRUE(Contains(store.status(), "not a ccengine ticket store")) << store.status();
  EXPECT_EQ(raw.Sql("SELECT to_regclass('ticket_store_schema') IS NULL"), "t");
}

TEST_F(PostgresTicketStore, TheDatabaseHasTheDocumentedLayout) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  const TicketId id = MustCreate(*store).id;
  RawConnection raw(dsn_);
  EXPECT_EQ(raw.Sql("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets' "
                    "ORDER BY indexname"),
            "tickets_by_category\ntickets_by_created_at\ntickets_by_customer\n"
            "tickets_by_department\ntickets_by_next_check\ntickets_by_parent\n"
            "tickets_by_state\ntickets_pkey");
  EXPECT_EQ(raw.Sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE "
                    "conrelid = 'ticket_history'::regclass ORDER BY contype"),
            "FOREIGN KEY (ticket) REFERENCES tickets(id)\nPRIMARY KEY (ticket, seq)");
  // Times are microseconds; an unset optional is NULL; InfiniteFuture is
  // INT64_MAX; states are names; the free fields two arrays.
  const std::string row = fmt::format(" FROM tickets WHERE id = {}", id);
  EXPECT_EQ(raw.Sql("SELECT created_at" + row), std::to_string(absl::ToUnixMicros(kT0)));
  EXPECT_EQ(raw.Sql("SELECT first_response_due IS NULL" + row), "t");
  EXPECT_EQ(raw.Sql("SELECT state" + row), "new");
  EXPECT_EQ(raw.Sql("SELECT field_names, field_values" + row),
            "{channel,来源}|{voice,12345}");
  Ticket t = *store->Get(id);
  t.next_check = absl::InfiniteFuture();
  ASSERT_TRUE(store->Update(t, Entry("stop")).ok());
  EXPECT_EQ(raw.Sql("SELECT next_check, version, history_seq" + row),
            "9223372036854775807|2|2");
  EXPECT_EQ(
      raw.Sql(fmt::format("SELECT max(seq) FROM ticket_history WHERE ticket = {}", id)),
      "2");
}

TEST_F(PostgresTicketStore, QueriesUseTheirIndexes) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  Ticket rare = Sample();
  rare.customer_id = "c1";
  rare.parent = 1;
  MustCreate(*store, rare);
  // Many closed tickets unlike it, copied from one in SQL.
  Ticket common = Sample();
  common.state = TicketState::kClosed;
  common.category = "other";
  common.department = "other";
  common.customer_id = "c-other";
  common.created_at = kT0 - absl::Hours(24 * 365);
  common.next_check = absl::InfiniteFuture();
  const TicketId template_id = MustCreate(*store, common).id;
  RawConnection raw(dsn_);
  raw.Sql(fmt::format(
      "INSERT INTO tickets OVERRIDING SYSTEM VALUE SELECT (jsonb_populate_record(t, "
      "jsonb_build_object('id', t.id + 10 * g))).* FROM tickets t, "
      "generate_series(1, 5000) g WHERE t.id = {}",
      template_id));
  raw.Sql("ANALYZE tickets");

  TicketQuery sweep;  // the desk's SLA sweep
  sweep.due_by = kT0 + absl::Hours(61);
  sweep.open_only = true;
  TicketQuery dedupe;  // the desk's duplicate check
  dedupe.category = "noise";
  dedupe.created_since = kT0 - absl::Hours(24);
  dedupe.open_only = true;
  TicketQuery by_customer;
  by_customer.customer_id = "c1";
  TicketQuery by_department;
  by_department.department = "城管";
  TicketQuery by_state;
  by_state.states = {TicketState::kNew, TicketState::kReturned};
  // The query, and the indexes either of which serves it.
  const std::pair<TicketQuery, std::vector<std::string>> cases[] = {
      {sweep, {"tickets_by_next_check"}},
      {dedupe, {"tickets_by_category", "tickets_by_created_at"}},
      {by_customer, {"tickets_by_customer"}},
      {by_department, {"tickets_by_department"}},
      {by_state, {"tickets_by_state"}},
  };
  for (const auto& [query, indexes] : cases) {
    const ticket_schema::QuerySql sql = ticket_schema::BuildQuery(query);
    const std::string plan = raw.Sql("EXPLAIN " + sql.sql, &sql.params);
    EXPECT_TRUE(std::any_of(indexes.begin(), indexes.end(),
                            [&plan](const std::string& index) {
                              return plan.find(index) != std::string::npos;
                            }))
        << sql.sql << "\n"
        << plan;
    absl::StatusOr<std::vector<Ticket>> found = store->Query(query);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->size(), 1u) << sql.sql;
  }
  Params parent;
  parent.Int(1);
  const std::string plan = raw.Sql("EXPLAIN " + ticket_schema::ChildrenSql(), &parent);
  EXPECT_NE(plan.find("tickets_by_parent"), std::string::npos) << plan;
}

// --- values -------------------------------------------------------------------

TEST_F(PostgresTicketStore, TimesRoundToMicrosecondsAndInfinitiesRoundTrip) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  Ticket t = Sample();
  t.created_at = absl::InfinitePast();
  t.queued_since = kT0 + absl::Nanoseconds(1999);  // rounds down to 1 µs
  t.next_check = absl::InfiniteFuture();
  t.first_response.remaining = absl::InfiniteDuration();
  t.resolution.remaining = -absl::InfiniteDuration();
  t.extension_requested = -absl::Microseconds(5);
  absl::StatusOr<Ticket> made = store->Create(t, Entry("create"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->queued_since, kT0 + absl::Microseconds(1));
  EXPECT_EQ(*store->Get(made->id), *made);
  EXPECT_EQ(made->created_at, absl::InfinitePast());
  EXPECT_EQ(made->next_check, absl::InfiniteFuture());
  EXPECT_EQ(made->first_response.remaining, absl::InfiniteDuration());
  EXPECT_EQ(made->resolution.remaining, -absl::InfiniteDuration());
}

TEST_F(PostgresTicketStore, QueryBoundsAgreeWithMatchesAtTheEdges) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  // Past what int64 microseconds hold, both ways.
  const absl::Duration huge = absl::Seconds(int64_t{1} << 60);
  std::vector<Ticket> all;
  for (absl::Time at :
       {absl::InfinitePast(), kT0, kT0 + absl::Microseconds(1), absl::InfiniteFuture()}) {
    Ticket t = Sample();
    t.created_at = at;
    t.next_check = at;
    all.push_back(MustCreate(*store, t));
  }
  for (absl::Time bound :
       {absl::InfinitePast(), absl::UnixEpoch() - huge, kT0, kT0 + absl::Nanoseconds(500),
        kT0 + absl::Microseconds(1), absl::UnixEpoch() + huge, absl::InfiniteFuture()}) {
    for (bool due : {false, true}) {
      TicketQuery query;
      if (due) {
        query.due_by = bound;
      } else {
        query.created_since = bound;
      }
      std::vector<Ticket> expected;
      for (const Ticket& t : all) {
        if (tickets::Matches(query, t)) expected.push_back(t);
      }
      absl::StatusOr<std::vector<Ticket>> got = store->Query(query);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(*got, expected)
          << (due ? "due_by " : "created_since ") << absl::FormatTime(bound);
    }
  }
}

TEST_F(PostgresTicketStore, FieldsAndTextsOfAnyShapeRoundTrip) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  Ticket t = Sample();
  t.fields = {{"quote\"", "back\\slash"},
              {"{braces}", "a,b"},
              {"NULL", "null"},
              {" spaced ", ""},
              {"tab\tnl\n", "'; --"},
              {"来源", "{\"x\":1}"},
              {"NULL", "NULL"}};
  t.text = "it's \"quoted\" \\ {and} 'more' $1 ;";
  t.address = "'); DROP TABLE tickets; --";
  absl::StatusOr<Ticket> made = store->Create(t, Entry("create"));
  ASSERT_TRUE(made.ok()) << made.status();
  absl::StatusOr<Ticket> read = store->Get(made->id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, *made);
  EXPECT_EQ(read->fields, t.fields);
  TicketQuery query;
  query.customer_id = "x' OR '1'='1";
  EXPECT_TRUE(store->Query(query)->empty());
}

TEST_F(PostgresTicketStore,
       WhatTheDatabaseCannotHoldIsInvalidArgumentAndNothingIsWritten) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  Ticket nul_text = Sample();
  nul_text.text = std::string("before\0after", 12);
  Ticket nul_field = Sample();
  nul_field.fields.emplace_back("x", std::string("a\0b", 3));
  Ticket far = Sample();
  far.updated_at = absl::FromUnixSeconds(int64_t{1} << 60);
  Ticket long_wait = Sample();
  long_wait.resolution.remaining = absl::Hours(int64_t{1} << 40);
  Ticket bad_state = Sample();
  bad_state.state = static_cast<TicketState>(42);
  for (const Ticket& t : {nul_text, nul_field, far, long_wait, bad_state}) {
    absl::StatusOr<Ticket> made = store->Create(t, Entry("create"));
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument) << made.status();
    EXPECT_TRUE(Contains(made.status(), "create ticket")) << made.status();
  }
  HistoryEntry bad_entry = Entry("create");
  bad_entry.to = static_cast<TicketState>(42);
  HistoryEntry bad_reason = Entry("create");
  bad_reason.reason = "\xff";
  HistoryEntry nul_actor = Entry("create");
  nul_actor.actor = std::string("a\0", 2);
  for (const HistoryEntry& e : {bad_entry, bad_reason, nul_actor}) {
    absl::StatusOr<Ticket> made = store->Create(Sample(), e);
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument) << made.status();
  }
  EXPECT_TRUE(store->Query(TicketQuery{})->empty());
  // A query for what no ticket can hold matches nothing.
  TicketQuery query;
  query.department = std::string("城\0管", 7);
  absl::StatusOr<std::vector<Ticket>> none = store->Query(query);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  query.department = "\xc0\xaf";
  none = store->Query(query);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(MustCreate(*store).id, 1);
}

TEST_F(PostgresTicketStore, ARowThisCodeCannotReadIsInternalAndNamesTheTicket) {
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  const TicketId id = MustCreate(*store).id;
  RawConnection raw(dsn_);
  raw.Sql(fmt::format("UPDATE tickets SET state = 'escalated' WHERE id = {}", id));
  absl::StatusOr<Ticket> read = store->Get(id);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInternal) << read.status();
  EXPECT_TRUE(Contains(read.status(), "ticket 1")) << read.status();
  EXPECT_TRUE(Contains(read.status(), "escalated")) << read.status();
}

// --- without a server ---------------------------------------------------------

TEST(PostgresStatus, SqlStatesMapToThePortsCodes) {
  const std::pair<std::string_view, absl::StatusCode> cases[] = {
      {"08006", absl::StatusCode::kUnavailable},        // connection failure
      {"08003", absl::StatusCode::kUnavailable},        // connection does not exist
      {"57P01", absl::StatusCode::kUnavailable},        // admin shutdown
      {"57P02", absl::StatusCode::kUnavailable},        // crash shutdown
      {"57P03", absl::StatusCode::kUnavailable},        // cannot connect now
      {"57014", absl::StatusCode::kUnavailable},        // statement timeout
      {"55P03", absl::StatusCode::kUnavailable},        // lock not available
      {"25006", absl::StatusCode::kUnavailable},        // read-only (a standby)
      {"40001", absl::StatusCode::kAborted},            // serialization failure
      {"40P01", absl::StatusCode::kAborted},            // deadlock
      {"53100", absl::StatusCode::kResourceExhausted},  // disk full
      {"53200", absl::StatusCode::kResourceExhausted},  // out of memory
      {"53300", absl::StatusCode::kResourceExhausted},  // too many connections
      {"22021", absl::StatusCode::kInvalidArgument},    // bad byte sequence
      {"23505", absl::StatusCode::kInternal},           // unique violation
      {"42P01", absl::StatusCode::kInternal},           // undefined table
      {"", absl::StatusCode::kInternal},
  };
  for (const auto& [sqlstate, code] : cases) {
    const absl::Status status = PgStatus(sqlstate, /*lost=*/false, "it failed");
    EXPECT_EQ(status.code(), code) << sqlstate;
    if (!sqlstate.empty()) {
      EXPECT_TRUE(Contains(status, fmt::format("(SQLSTATE {})", sqlstate))) << status;
    }
  }
  EXPECT_EQ(PgStatus("", /*lost=*/true, "gone").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(PgStatus("23505", /*lost=*/true, "gone").code(),
            absl::StatusCode::kUnavailable);
}

TEST(PostgresDsn, DescriptionsNameTheDatabaseNeverThePassword) {
  absl::StatusOr<std::string> described =
      DescribeDsn("host=db.internal port=5433 dbname=tickets user=desk password=hunter2");
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(*described, "postgres dbname=tickets host=db.internal port=5433 user=desk");
  described = DescribeDsn("postgresql://desk:hunter2@db.internal/tickets");
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(*described, "postgres dbname=tickets host=db.internal user=desk");
  EXPECT_EQ(DescribeDsn("dbname").status().code(), absl::StatusCode::kInvalidArgument);
  // libpq quotes a URI it cannot parse: not in our message.
  absl::Status bad = DescribeDsn("postgresql://desk:hunter2@[::1/tickets").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Contains(bad, "hunter2")) << bad;
}

TEST(PostgresTextArray, AnyTextRoundTrips) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {""},
      {"a"},
      {"a", "b"},
      {"NULL", "null", " x ", "a,b", "{c}", "\"q\"", "back\\slash", "\\"},
      {"来源", "tab\there", "new\nline", "", ""},
  };
  for (const std::vector<std::string>& elements : cases) {
    const std::string literal = TextArrayLiteral(elements);
    absl::StatusOr<std::vector<std::string>> parsed = ParseTextArray(literal);
    ASSERT_TRUE(parsed.ok()) << literal << ": " << parsed.status();
    EXPECT_EQ(*parsed, elements) << literal;
  }
  // As the server writes them: unquoted where it can.
  EXPECT_EQ(*ParseTextArray("{a,\"b c\",\"NULL\",\"\",\"x\\\"y\"}"),
            (std::vector<std::string>{"a", "b c", "NULL", "", "x\"y"}));
  for (std::string_view bad : {"", "{", "a,b", "{a,NULL}", "{{a},{b}}", "{\"a}", "{a,}",
                               "[0:1]={a,b}", "{\"a\"b}"}) {
    EXPECT_FALSE(ParseTextArray(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace ccengine::postgres
