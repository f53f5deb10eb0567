// The SQLite ticket store: the store conformance suite, then what only a file
// does: survive a reopen, be shared by stores and processes, carry a schema
// version, refuse what is not its file, fill up, live in a directory that may
// not be writable.

#include "ccengine/sqlite/ticket_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "store_conformance.h"
#include "temp_dir.h"
#include "ticket_schema.h"
#include "ticket_store_testing.h"

namespace ccengine::sqlite {
namespace {

using tickets::AnonymizeRequest;
using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketQuery;
using tickets::TicketState;
using tickets::TicketStore;
using tickets::testing::StoreFactory;
using tickets::testing::StoreFactoryName;
using tickets::testing::TicketStoreConformance;

namespace fs = std::filesystem;

const absl::Time kT0 = absl::FromUnixMicros(1796000000123456);

// A fresh directory under the test temp directory, removed (with everything
// in it) when this goes out of scope.

// A store together with the directory of its file: the conformance suite's
// factory returns only the store, so the directory goes with it (removed
// after the store is closed).
class StoreInTempDir final : public TicketStore {
 public:
  static std::unique_ptr<TicketStore> Open() {
    auto owner = std::make_unique<StoreInTempDir>();
    absl::StatusOr<std::unique_ptr<TicketStore>> store =
        OpenSqliteTicketStore({.path = owner->dir_.File("tickets.db")});
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return nullptr;
    }
    owner->store_ = *std::move(store);
    return owner;
  }

  absl::StatusOr<Ticket> Create(const Ticket& t, const HistoryEntry& e) override {
    return store_->Create(t, e);
  }
  absl::StatusOr<Ticket> Get(TicketId id) override { return store_->Get(id); }
  absl::StatusOr<Ticket> Update(const Ticket& t, const HistoryEntry& e) override {
    return store_->Update(t, e);
  }
  absl::StatusOr<std::vector<Ticket>> UpdateMany(
      const std::vector<Ticket>& t, const std::vector<HistoryEntry>& e) override {
    return store_->UpdateMany(t, e);
  }
  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) override {
    return store_->History(id);
  }
  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& q) override {
    return store_->Query(q);
  }
  absl::StatusOr<std::vector<Ticket>> Children(TicketId parent) override {
    return store_->Children(parent);
  }
  absl::StatusOr<std::vector<TicketId>> Anonymize(const AnonymizeRequest& r) override {
    return store_->Anonymize(r);
  }

 private:
  TempDir dir_;  // destroyed after the store
  std::unique_ptr<TicketStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, TicketStoreConformance,
                         ::testing::Values(StoreFactory{"sqlite", StoreInTempDir::Open}),
                         StoreFactoryName);

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

std::unique_ptr<TicketStore> MustOpen(const SqliteTicketStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<TicketStore>> store = OpenSqliteTicketStore(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

Ticket MustCreate(TicketStore& store, const Ticket& t = Sample()) {
  absl::StatusOr<Ticket> made = store.Create(t, Entry("create"));
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : Ticket{};
}

// A connection of the test's own to a file, outside any store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close_v2(db_); }

  // Runs `sql`; returns what it returned: columns joined by '|', rows by
  // '\n' ("" when no row).
  std::string Sql(const std::string& sql) {
    std::string out;
    char* error = nullptr;
    const int rc = sqlite3_exec(
        db_, sql.c_str(),
        [](void* arg, int columns, char** values, char**) {
          auto& text = *static_cast<std::string*>(arg);
          if (!text.empty()) text += '\n';
          for (int c = 0; c < columns; ++c) {
            if (c > 0) text += '|';
            text += values[c] == nullptr ? "" : values[c];
          }
          return 0;
        },
        &out, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error == nullptr ? "" : error);
    sqlite3_free(error);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `PRAGMA name` on the store's connection, or the error as text.
std::string Pragma(TicketStore& store, std::string_view name) {
  absl::StatusOr<std::string> value = PragmaForTesting(store, name);
  return value.ok() ? *value : value.status().ToString();
}

// Adds 1 to the ticket's escalation level `n` times, re-reading on Aborted.
// Returns how many calls failed otherwise.
int Escalate(TicketStore& store, TicketId id, int n) {
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    for (;;) {
      absl::StatusOr<Ticket> read = store.Get(id);
      if (!read.ok()) return failures + 1;
      Ticket next = *read;
      ++next.escalation_level;
      absl::StatusOr<Ticket> written = store.Update(next, Entry("escalate"));
      if (written.ok()) break;
      if (written.status().code() != absl::StatusCode::kAborted) return failures + 1;
    }
  }
  return failures;
}

// The ticket's history is 1..n without gaps.
void ExpectHistoryWithoutGaps(TicketStore& store, TicketId id, size_t n) {
  absl::StatusOr<std::vector<HistoryEntry>> history = store.History(id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), n);
  for (size_t i = 0; i < n; ++i)
    EXPECT_EQ((*history)[i].seq, static_cast<int64_t>(i + 1));
}

// --- the file -----------------------------------------------------------------

TEST(SqliteTicketStore, TicketsHistoryAndIdsSurviveAReopen) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  Ticket first;
  Ticket second;
  {
    std::unique_ptr<TicketStore> store = MustOpen({.path = path});
    ASSERT_NE(store, nullptr);
    first = MustCreate(*store);
    second = MustCreate(*store);
    Ticket next = first;
    next.state = TicketState::kQueued;
    next.fields.emplace_back("extra", "1");
    absl::StatusOr<Ticket> updated =
        store->Update(next, Entry("dispatch", TicketState::kNew, TicketState::kQueued));
    ASSERT_TRUE(updated.ok()) << updated.status();
    first = *updated;
  }
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Get(first.id), first);
  EXPECT_EQ(*store->Get(second.id), second);
  absl::StatusOr<std::vector<HistoryEntry>> history = store->History(first.id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].action, "dispatch");
  EXPECT_EQ((*history)[1].to, TicketState::kQueued);
  // Ids continue where they stopped.
  EXPECT_EQ(MustCreate(*store).id, 3);
}

TEST(SqliteTicketStore, TwoStoresOnOneFileSeeEachOtherAndCheckVersions) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> a = MustOpen({.path = path});
  std::unique_ptr<TicketStore> b = MustOpen({.path = path});
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
  absl::StatusOr<Ticket> now = a->Get(made.id);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->assignee, "agent-7");
  EXPECT_EQ(now->state, TicketState::kNew);
  ExpectHistoryWithoutGaps(*a, made.id, 2);

  // Ids are assigned by the file, not by the store.
  EXPECT_EQ(MustCreate(*b).id, 2);
  EXPECT_EQ(MustCreate(*a).id, 3);
  absl::StatusOr<std::vector<Ticket>> all = b->Query(TicketQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 3u);

  // The schema version is checked by every store that opens the file,
  // whoever else has it open.
  RawDb raw(path);
  raw.Sql("PRAGMA user_version = 3");
  absl::StatusOr<std::unique_ptr<TicketStore>> c = OpenSqliteTicketStore({.path = path});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition) << c.status();
}

TEST(SqliteTicketStore, StoresOnOneFileSerializeConcurrentWriters) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::vector<std::unique_ptr<TicketStore>> stores;
  for (int i = 0; i < 2; ++i) {
    stores.push_back(MustOpen({.path = path}));
    ASSERT_NE(stores.back(), nullptr);
  }
  const TicketId id = MustCreate(*stores[0]).id;
  constexpr int kThreadsPerStore = 2;
  constexpr int kEach = 20;
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

TEST(SqliteTicketStore, ProcessesOnOneFileSerializeWriters) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  TicketId id = 0;
  {
    // Closed before forking: a child must not inherit an open connection.
    std::unique_ptr<TicketStore> store = MustOpen({.path = path});
    ASSERT_NE(store, nullptr);
    id = MustCreate(*store).id;
  }
  constexpr int kChildren = 3;
  constexpr int kEach = 15;
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      absl::StatusOr<std::unique_ptr<TicketStore>> store =
          OpenSqliteTicketStore({.path = path});
      const int failures = store.ok() ? Escalate(**store, id, kEach) : 1;
      if (store.ok()) store->reset();  // closed before leaving
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Escalate(*store, id, kEach), 0);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid;
  }
  const int total = (kChildren + 1) * kEach;
  absl::StatusOr<Ticket> final_ticket = store->Get(id);
  ASSERT_TRUE(final_ticket.ok()) << final_ticket.status();
  EXPECT_EQ(final_ticket->escalation_level, total);
  EXPECT_EQ(final_ticket->version, 1 + total);
  ExpectHistoryWithoutGaps(*store, id, static_cast<size_t>(total) + 1);
}

TEST(SqliteTicketStore, StoresOpeningAFreshFileAtOnceCreateItOnce) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  constexpr int kStores = 4;
  std::vector<absl::StatusOr<std::unique_ptr<TicketStore>>> stores;
  stores.reserve(kStores);
  for (int i = 0; i < kStores; ++i) stores.emplace_back(absl::UnknownError("not opened"));
  std::vector<std::thread> threads;
  threads.reserve(kStores);
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back(
        [&stores, &path, i] { stores[i] = OpenSqliteTicketStore({.path = path}); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kStores; ++i) {
    ASSERT_TRUE(stores[i].ok()) << stores[i].status();
    EXPECT_EQ(MustCreate(**stores[i]).id, i + 1);
  }
}

TEST(SqliteTicketStore, AVersionOneFileIsMigratedAndItsTicketsCanBeErased) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  {
    std::unique_ptr<TicketStore> store = MustOpen({.path = path});
    ASSERT_NE(store, nullptr);
    Ticket closed = MustCreate(*store);
    closed.state = TicketState::kClosed;
    ASSERT_TRUE(store->Update(closed, Entry("close")).ok());
  }
  {
    // Back to the layout of version 1.
    RawDb raw(path);
    raw.Sql("DROP INDEX tickets_to_anonymize");
    raw.Sql("ALTER TABLE tickets DROP COLUMN anonymized");
    raw.Sql("PRAGMA user_version = 1");
  }
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawDb(path).Sql("PRAGMA user_version"), "2");
  absl::StatusOr<Ticket> read = store->Get(1);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->anonymized);
  AnonymizeRequest erase;
  erase.customer_id = read->customer_id;
  erase.entry = Entry("erase");
  absl::StatusOr<std::vector<TicketId>> done = store->Anonymize(erase);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, std::vector<TicketId>{1});
  EXPECT_TRUE(store->Get(1)->anonymized);
}

TEST(SqliteTicketStore, TheFileHasTheDocumentedLayout) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  const TicketId id = MustCreate(*store).id;
  RawDb raw(path);
  EXPECT_EQ(raw.Sql("PRAGMA user_version"), "2");
  EXPECT_EQ(raw.Sql("PRAGMA application_id"), std::to_string(0x6363746b));
  EXPECT_EQ(raw.Sql("PRAGMA journal_mode"), "wal");  // kept in the file
  for (const char* name :
       {"tickets", "ticket_fields", "ticket_history", "tickets_by_state",
        "tickets_by_department", "tickets_by_category", "tickets_by_customer",
        "tickets_by_next_check", "tickets_by_created_at", "tickets_by_parent",
        "tickets_to_anonymize"}) {
    EXPECT_EQ(raw.Sql(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") +
                      name + "'"),
              "1")
        << name;
  }
  // Times are microseconds; an unset optional is NULL; InfiniteFuture is
  // INT64_MAX; states are names.
  const std::string row = " FROM tickets WHERE id = " + std::to_string(id);
  EXPECT_EQ(raw.Sql("SELECT created_at" + row), std::to_string(absl::ToUnixMicros(kT0)));
  EXPECT_EQ(raw.Sql("SELECT first_response_due IS NULL" + row), "1");
  EXPECT_EQ(raw.Sql("SELECT state" + row), "new");
  Ticket t = *store->Get(id);
  t.next_check = absl::InfiniteFuture();
  ASSERT_TRUE(store->Update(t, Entry("stop")).ok());
  EXPECT_EQ(raw.Sql("SELECT next_check" + row), "9223372036854775807");
  EXPECT_EQ(
      raw.Sql("SELECT count(*) FROM ticket_fields WHERE ticket = " + std::to_string(id)),
      "2");
  EXPECT_EQ(
      raw.Sql("SELECT max(seq) FROM ticket_history WHERE ticket = " + std::to_string(id)),
      "2");
  EXPECT_EQ(raw.Sql("PRAGMA foreign_key_check"), "");
}

TEST(SqliteTicketStore, QueriesUseTheirIndexes) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  RawDb raw(path);
  auto plan = [&raw](const std::string& sql) {
    return raw.Sql("EXPLAIN QUERY PLAN " + sql);  // parameters unbound: NULL
  };
  TicketQuery sweep;  // the desk's SLA sweep
  sweep.due_by = kT0;
  sweep.open_only = true;
  TicketQuery dedupe;  // the desk's duplicate check
  dedupe.category = "noise";
  dedupe.created_since = kT0;
  dedupe.open_only = true;
  TicketQuery by_customer;
  by_customer.customer_id = "c1";
  TicketQuery by_department;
  by_department.department = "城管";
  TicketQuery by_state;
  by_state.states = {TicketState::kQueued, TicketState::kReturned};
  // The query, and the indexes either of which serves it.
  const std::pair<TicketQuery, std::vector<std::string>> cases[] = {
      {sweep, {"tickets_by_next_check"}},
      {dedupe, {"tickets_by_category", "tickets_by_created_at"}},
      {by_customer, {"tickets_by_customer"}},
      {by_department, {"tickets_by_department"}},
      {by_state, {"tickets_by_state"}},
  };
  for (const auto& [query, indexes] : cases) {
    const std::string sql = ticket_schema::BuildQuery(query).sql;
    const std::string used = plan(sql);
    EXPECT_TRUE(std::any_of(indexes.begin(), indexes.end(),
                            [&used](const std::string& index) {
                              return used.find(index) != std::string::npos;
                            }))
        << sql << "\n"
        << used;
  }
  const std::string children =
      ticket_schema::SelectTicketsSql(ticket_schema::kChildrenWhere);
  EXPECT_NE(plan(children).find("tickets_by_parent"), std::string::npos)
      << plan(children);
}

TEST(SqliteTicketStore, AFileThatIsNotADatabaseIsAClearErrorAndIsLeftAlone) {
  TempDir dir;
  for (const std::string& bytes :
       {std::string("this is a text file, not a ticket store\n"),
        std::string(8192, '\x5a')}) {
    const std::string path = dir.File("notes.txt");
    WriteFile(path, bytes);
    absl::StatusOr<std::unique_ptr<TicketStore>> store =
        OpenSqliteTicketStore({.path = path});
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
        << store.status();
    EXPECT_NE(store.status().message().find("not an SQLite database"), std::string::npos)
        << store.status();
    EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status();
    EXPECT_EQ(ReadFile(path), bytes);
  }
}

TEST(SqliteTicketStore, AnotherApplicationsDatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  WriteFile(path, "");
  {
    RawDb raw(path);
    raw.Sql("CREATE TABLE contacts (name TEXT)");
  }
  absl::StatusOr<std::unique_ptr<TicketStore>> store =
      OpenSqliteTicketStore({.path = path});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
  EXPECT_NE(store.status().message().find("not a ccengine ticket store"),
            std::string::npos)
      << store.status();
  {
    RawDb raw(path);
    raw.Sql("PRAGMA application_id = 42; PRAGMA user_version = 1");
  }
  store = OpenSqliteTicketStore({.path = path});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
  // An empty file is a new store.
  const std::string empty = dir.File("empty.db");
  WriteFile(empty, "");
  std::unique_ptr<TicketStore> fresh = MustOpen({.path = empty});
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(MustCreate(*fresh).id, 1);
}

TEST(SqliteTicketStore, ASchemaFromTheFutureIsFailedPrecondition) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  {
    std::unique_ptr<TicketStore> store = MustOpen({.path = path});
    ASSERT_NE(store, nullptr);
    MustCreate(*store);
  }
  {
    RawDb raw(path);
    raw.Sql("PRAGMA user_version = 7");
  }
  absl::StatusOr<std::unique_ptr<TicketStore>> store =
      OpenSqliteTicketStore({.path = path});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
  EXPECT_NE(store.status().message().find("schema version 7"), std::string::npos)
      << store.status();
  EXPECT_NE(store.status().message().find("version 2"), std::string::npos)
      << store.status();
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Sql("PRAGMA user_version"), "7");  // left as it was
    EXPECT_EQ(raw.Sql("SELECT count(*) FROM tickets"), "1");
  }
}

TEST(SqliteTicketStore, AFullDatabaseIsResourceExhaustedAndWritesNothing) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> store =
      MustOpen({.path = path, .max_database_bytes = 256 * 1024});
  ASSERT_NE(store, nullptr);
  Ticket big = Sample();
  big.text.assign(60000, 'x');
  std::vector<Ticket> made;
  absl::Status full;
  for (int i = 0; i < 100 && full.ok(); ++i) {
    absl::StatusOr<Ticket> t = store->Create(big, Entry("create"));
    if (t.ok()) {
      made.push_back(*t);
    } else {
      full = t.status();
    }
  }
  ASSERT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_NE(full.message().find("create ticket"), std::string::npos) << full;
  ASSERT_FALSE(made.empty());
  // Exactly the tickets that were acknowledged, each with its one entry.
  absl::StatusOr<std::vector<Ticket>> all = store->Query(TicketQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, made);
  for (const Ticket& t : made) ExpectHistoryWithoutGaps(*store, t.id, 1);

  // A batch that does not fit changes none of its tickets.
  std::vector<Ticket> batch = made;
  for (Ticket& t : batch) {
    t.text.assign(tickets::kMaxTicketTextBytes, 'y');
    for (int f = 0; f < 60; ++f) {
      t.fields.emplace_back(fmt::format("field {}", f), std::string(1000, 'z'));
    }
  }
  std::vector<HistoryEntry> entries(batch.size(), Entry("grow"));
  absl::StatusOr<std::vector<Ticket>> grown = store->UpdateMany(batch, entries);
  EXPECT_EQ(grown.status().code(), absl::StatusCode::kResourceExhausted)
      << grown.status();
  EXPECT_NE(grown.status().message().find("update ticket"), std::string::npos)
      << grown.status();
  all = store->Query(TicketQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, made);
  for (const Ticket& t : made) ExpectHistoryWithoutGaps(*store, t.id, 1);
  store.reset();

  // The file is sound: without the limit it takes the ticket.
  store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(MustCreate(*store, big).id, static_cast<TicketId>(made.size() + 1));
  RawDb raw(path);
  EXPECT_EQ(raw.Sql("PRAGMA integrity_check"), "ok");
}

TEST(SqliteTicketStore, AnUnreachablePathIsUnavailable) {
  TempDir dir;
  const std::string file = dir.File("plain");
  WriteFile(file, "x");
  for (const std::string& path : {file + "/tickets.db", dir.File("missing/tickets.db")}) {
    absl::StatusOr<std::unique_ptr<TicketStore>> store =
        OpenSqliteTicketStore({.path = path});
    EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
    EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status();
  }
}

TEST(SqliteTicketStore, AReadOnlyDirectoryIsAnErrorNotACrash) {
  // For a new file and for an existing one. Root writes anyway: this test
  // needs another user.
  TempDir dir;
  const fs::path ro = dir.path() / "ro";
  fs::create_directory(ro);
  {
    std::unique_ptr<TicketStore> store = MustOpen({.path = (ro / "old.db").string()});
    ASSERT_NE(store, nullptr);
    MustCreate(*store);
  }
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  if (access(ro.c_str(), W_OK) == 0) {
    GTEST_SKIP() << "running as a user who may write to a read-only directory";
  }
  absl::StatusOr<std::unique_ptr<TicketStore>> fresh =
      OpenSqliteTicketStore({.path = (ro / "new.db").string()});
  EXPECT_EQ(fresh.status().code(), absl::StatusCode::kUnavailable) << fresh.status();
  // The existing file: SQLite cannot make its -shm and -wal files there.
  absl::StatusOr<std::unique_ptr<TicketStore>> old =
      OpenSqliteTicketStore({.path = (ro / "old.db").string()});
  if (old.ok()) {
    absl::StatusOr<Ticket> t = (*old)->Create(Sample(), Entry("create"));
    EXPECT_FALSE(t.ok());
  } else {
    EXPECT_EQ(old.status().code(), absl::StatusCode::kUnavailable) << old.status();
  }
}

TEST(SqliteTicketStore, LockedPastTheBusyTimeoutIsUnavailable) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> store =
      MustOpen({.path = path, .busy_timeout = absl::Milliseconds(50)});
  ASSERT_NE(store, nullptr);
  const Ticket made = MustCreate(*store);
  RawDb raw(path);
  raw.Sql("BEGIN IMMEDIATE");  // another writer holds the lock
  absl::StatusOr<Ticket> blocked = store->Create(Sample(), Entry("create"));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_NE(blocked.status().message().find("create ticket"), std::string::npos)
      << blocked.status();
  absl::StatusOr<Ticket> update = store->Update(made, Entry("x"));
  EXPECT_EQ(update.status().code(), absl::StatusCode::kUnavailable) << update.status();
  EXPECT_NE(update.status().message().find("update ticket 1"), std::string::npos)
      << update.status();
  // Readers do not wait for the writer.
  EXPECT_TRUE(store->Get(made.id).ok());
  raw.Sql("COMMIT");
  EXPECT_EQ(MustCreate(*store).id, 2);
}

TEST(SqliteTicketStore, SyncAndOtherOptions) {
  const std::pair<SqliteTicketStoreOptions::Sync, const char*> levels[] = {
      {SqliteTicketStoreOptions::Sync::kFull, "2"},
      {SqliteTicketStoreOptions::Sync::kNormal, "1"},
      {SqliteTicketStoreOptions::Sync::kOff, "0"},
  };
  for (const auto& [sync, expected] : levels) {
    TempDir dir;
    std::unique_ptr<TicketStore> store =
        MustOpen({.path = dir.File("tickets.db"), .sync = sync});
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Pragma(*store, "synchronous"), expected);
    EXPECT_EQ(Pragma(*store, "journal_mode"), "wal");
    EXPECT_EQ(Pragma(*store, "foreign_keys"), "1");
    EXPECT_EQ(Pragma(*store, "busy_timeout"), "5000");
    const Ticket made = MustCreate(*store);
    EXPECT_EQ(*store->Get(made.id), made);
  }

  TempDir dir;
  std::unique_ptr<TicketStore> store = MustOpen({.path = dir.File("tickets.db"),
                                                 .busy_timeout = absl::Milliseconds(250),
                                                 .max_database_bytes = 1 << 20});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Pragma(*store, "busy_timeout"), "250");
  const int64_t page = std::stoll(Pragma(*store, "page_size"));
  EXPECT_EQ(std::stoll(Pragma(*store, "max_page_count")), (1 << 20) / page);
  EXPECT_EQ(PragmaForTesting(*store, "user_version; DROP TABLE tickets").status().code(),
            absl::StatusCode::kInvalidArgument);

  const SqliteTicketStoreOptions bad[] = {
      {.path = ""},
      {.path = ":memory:"},
      {.path = dir.File("a.db"), .busy_timeout = absl::Seconds(-1)},
      {.path = dir.File("b.db"), .sync = static_cast<SqliteTicketStoreOptions::Sync>(9)},
      {.path = dir.File("c.db"), .max_database_bytes = -1},
  };
  for (const SqliteTicketStoreOptions& options : bad) {
    EXPECT_EQ(OpenSqliteTicketStore(options).status().code(),
              absl::StatusCode::kInvalidArgument)
        << options.path;
  }
}

// --- values -------------------------------------------------------------------

TEST(SqliteTicketStore, TimesRoundToMicrosecondsAndInfinitiesRoundTrip) {
  TempDir dir;
  std::unique_ptr<TicketStore> store = MustOpen({.path = dir.File("tickets.db")});
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

TEST(SqliteTicketStore, QueryBoundsAgreeWithMatchesAtTheEdges) {
  TempDir dir;
  std::unique_ptr<TicketStore> store = MustOpen({.path = dir.File("tickets.db")});
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

TEST(SqliteTicketStore, WhatTheFileCannotHoldIsInvalidArgument) {
  TempDir dir;
  std::unique_ptr<TicketStore> store = MustOpen({.path = dir.File("tickets.db")});
  ASSERT_NE(store, nullptr);
  Ticket far = Sample();
  far.updated_at = absl::FromUnixSeconds(int64_t{1} << 60);
  Ticket long_wait = Sample();
  long_wait.resolution.remaining = absl::Hours(int64_t{1} << 40);
  Ticket bad_state = Sample();
  bad_state.state = static_cast<TicketState>(42);
  for (const Ticket& t : {far, long_wait, bad_state}) {
    absl::StatusOr<Ticket> made = store->Create(t, Entry("create"));
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument) << made.status();
    EXPECT_NE(made.status().message().find("create ticket"), std::string::npos)
        << made.status();
  }
  HistoryEntry bad_entry = Entry("create");
  bad_entry.to = static_cast<TicketState>(42);
  EXPECT_EQ(store->Create(Sample(), bad_entry).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Query(TicketQuery{})->empty());
}

TEST(SqliteTicketStore, ARowThisCodeCannotReadIsInternalAndNamesTheTicket) {
  TempDir dir;
  const std::string path = dir.File("tickets.db");
  std::unique_ptr<TicketStore> store = MustOpen({.path = path});
  ASSERT_NE(store, nullptr);
  const TicketId id = MustCreate(*store).id;
  RawDb raw(path);
  raw.Sql("UPDATE tickets SET state = 'escalated' WHERE id = " + std::to_string(id));
  absl::StatusOr<Ticket> read = store->Get(id);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInternal) << read.status();
  EXPECT_NE(read.status().message().find("ticket 1"), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find("escalated"), std::string::npos)
      << read.status();
}

}  // namespace
}  // namespace ccengine::sqlite
