// The PostgreSQL ticket store's database: the schema (versions, another
// application's tables, the documented layout, the indexes queries use), the
// values a row holds, and the pieces that need no server (SQLSTATE mapping,
// connection strings, text arrays). The rest is postgres_ticket_store_test.cc.
//
// The tests run against a private server this binary starts (pg_cluster.h).
// Without the server binaries they fail when CI is set and skip otherwise.

#include "ccengine/postgres/ticket_store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "pg_conn.h"
#include "pg_fixture.h"
#include "pg_ticket_testing.h"
#include "text_array.h"
#include "ticket_schema.h"

namespace ccengine::postgres {
namespace {

using testing::Contains;
using testing::Entry;
using testing::FreshDatabaseTest;
using testing::kT0;
using testing::MustCreate;
using testing::MustOpen;
using testing::RawConnection;
using testing::Sample;
using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketQuery;
using tickets::TicketState;
using tickets::TicketStore;

// Tests that need the shared server, each on a fresh database.
class PostgresTicketStore : public FreshDatabaseTest {};

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
  EXPECT_TRUE(Contains(store.status(), "(version 2)")) << store.status();
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

TEST_F(PostgresTicketStore, AVersionOneDatabaseIsMigratedAndItsTicketsCanBeErased) {
  {
    std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
    ASSERT_NE(store, nullptr);
    Ticket closed = MustCreate(*store);
    closed.state = TicketState::kClosed;
    ASSERT_TRUE(store->Update(closed, Entry("close")).ok());
  }
  {
    // Back to the layout of version 1.
    RawConnection raw(dsn_);
    raw.Sql("DROP INDEX tickets_to_anonymize");
    raw.Sql("ALTER TABLE tickets DROP COLUMN anonymized");
    raw.Sql("UPDATE ticket_store_schema SET version = 1");
  }
  std::unique_ptr<TicketStore> store = MustOpen({.dsn = dsn_});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawConnection(dsn_).Sql("SELECT version FROM ticket_store_schema"), "2");
  absl::StatusOr<Ticket> read = store->Get(1);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->anonymized);
  tickets::AnonymizeRequest erase;
  erase.customer_id = read->customer_id;
  erase.entry = Entry("erase");
  absl::StatusOr<std::vector<TicketId>> done = store->Anonymize(erase);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, std::vector<TicketId>{1});
  EXPECT_TRUE(store->Get(1)->anonymized);
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
            "tickets_by_state\ntickets_pkey\ntickets_to_anonymize");
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
