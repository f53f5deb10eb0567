// The PostgreSQL ticket store: the store conformance suite, then what only a
// server does: stores sharing a database, the server going away and coming
// back, an unreachable server, a statement timeout. The schema, the values and
// the pieces that need no server are in postgres_ticket_schema_test.cc.
//
// The tests run against a private server this binary starts (pg_cluster.h).
// Without the server binaries they fail when CI is set and skip otherwise.

#include "ccengine/postgres/ticket_store.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
#include "pg_fixture.h"
#include "pg_ticket_testing.h"
#include "store_conformance.h"

namespace ccengine::postgres {
namespace {

using testing::Contains;
using testing::Entry;
using testing::FreshDatabaseTest;
using testing::MustCreate;
using testing::MustOpen;
using testing::PgCluster;
using testing::RawConnection;
using testing::Sample;
using testing::SharedCluster;
using testing::SkipWithoutServer;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketState;
using tickets::TicketStore;
using tickets::testing::StoreFactory;
using tickets::testing::StoreFactoryName;
using tickets::testing::TicketStoreConformance;

// --- the server ---------------------------------------------------------------

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
  absl::StatusOr<std::vector<tickets::HistoryEntry>> history = store.History(id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), n);
  for (size_t i = 0; i < n; ++i)
    EXPECT_EQ((*history)[i].seq, static_cast<int64_t>(i + 1));
}

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
class PostgresTicketStore : public FreshDatabaseTest {};

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
  absl::StatusOr<std::vector<Ticket>> all = b->Query(tickets::TicketQuery{});
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
  EXPECT_EQ(raw.Sql("SELECT version FROM ticket_store_schema"), "2");
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
  absl::StatusOr<std::vector<tickets::HistoryEntry>> history = (*desk)->History(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  tickets::TicketQuery all;
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

}  // namespace
}  // namespace ccengine::postgres
