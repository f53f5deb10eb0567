// What the PostgreSQL ticket store's test binaries share besides the server
// (pg_fixture.h): a sample ticket and history entry, opening a store and
// creating a ticket that must succeed, and a connection of the test's own
// for looking at the database from outside the store.
//
// Thread safety: the functions are thread-safe; a `RawConnection` is used by
// one thread at a time.

#ifndef CCENGINE_TESTS_POSTGRES_PG_TICKET_TESTING_H_
#define CCENGINE_TESTS_POSTGRES_PG_TICKET_TESTING_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/postgres/ticket_store.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "pg_conn.h"

namespace ccengine::postgres::testing {

using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketState;
using tickets::TicketStore;

// The time of the sample ticket and entry.
inline const absl::Time kT0 = absl::FromUnixMicros(1796000000123456);

inline HistoryEntry Entry(std::string action, TicketState from = TicketState::kNew,
                          TicketState to = TicketState::kNew) {
  HistoryEntry e;
  e.at = kT0;
  e.actor = "desk";
  e.action = std::move(action);
  e.from = from;
  e.to = to;
  return e;
}

inline Ticket Sample() {
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

inline std::unique_ptr<TicketStore> MustOpen(const PostgresTicketStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<TicketStore>> store = OpenPostgresTicketStore(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

inline Ticket MustCreate(TicketStore& store, const Ticket& t = Sample()) {
  absl::StatusOr<Ticket> made = store.Create(t, Entry("create"));
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : Ticket{};
}

// Whether the status's message holds `text`.
inline bool Contains(const absl::Status& status, std::string_view text) {
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

}  // namespace ccengine::postgres::testing

#endif  // CCENGINE_TESTS_POSTGRES_PG_TICKET_TESTING_H_
