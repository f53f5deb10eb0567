// The PostgreSQL ticket store: a pool of connections, each call one
// transaction on one of them, every statement prepared (see ticket_store.h).

#include "ccengine/postgres/ticket_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ccengine/tickets/row_codec.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "pg_conn.h"
#include "pg_pool.h"
#include "ticket_schema.h"

namespace ccengine::postgres {
namespace {

using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketQuery;

namespace schema = ticket_schema;

constexpr int kMaxPoolSize = 64;

absl::Status NotFound(TicketId id) {
  return absl::NotFoundError(fmt::format("no ticket {}", id));
}

// The checks of every write, before anything is sent.
absl::Status CheckWrite(const Ticket& ticket, const HistoryEntry& entry, bool create) {
  if (absl::Status s = tickets::ValidateTicket(ticket); !s.ok()) return s;
  if (absl::Status s = tickets::CheckWritable(ticket, create); !s.ok()) return s;
  if (absl::Status s = schema::CheckStorable(ticket); !s.ok()) return s;
  return schema::CheckStorable(entry);
}

absl::Status CheckCreate(const Ticket& ticket, const HistoryEntry& entry) {
  return CheckWrite(ticket, entry, /*create=*/true);
}

absl::Status CheckUpdate(const Ticket& ticket, const HistoryEntry& entry) {
  return CheckWrite(ticket, entry, /*create=*/false);
}

// What every connection is checked for and set up with before its first
// call: a server the schema works on, and the statement timeout.
SessionOptions Session(absl::Duration statement_timeout) {
  return {.store = "ticket store",
          .min_server_version = 100000,
          .statement_timeout = statement_timeout,
          .settings = {}};
}

class PostgresTicketStore final : public tickets::TicketStore {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresTicketStore>> Open(
      const PostgresTicketStoreOptions& options) {
    if (options.dsn.empty()) {
      return absl::InvalidArgumentError("postgres ticket store: an empty dsn");
    }
    if (options.connect_timeout <= absl::ZeroDuration() ||
        options.connect_timeout == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          fmt::format("postgres ticket store: connect_timeout {} is not a positive, "
                      "finite duration",
                      absl::FormatDuration(options.connect_timeout)));
    }
    if (options.statement_timeout < absl::ZeroDuration() ||
        options.statement_timeout >= absl::Hours(24 * 24)) {
      return absl::InvalidArgumentError(
          fmt::format("postgres ticket store: statement_timeout {} is outside 0..24 days",
                      absl::FormatDuration(options.statement_timeout)));
    }
    if (options.pool_size < 1 || options.pool_size > kMaxPoolSize) {
      return absl::InvalidArgumentError(
          fmt::format("postgres ticket store: pool_size {} is outside 1..{}",
                      options.pool_size, kMaxPoolSize));
    }
    ConnectOptions connect;
    connect.dsn = options.dsn;
    connect.connect_timeout = options.connect_timeout;
    if (options.statement_timeout > absl::ZeroDuration()) {
      connect.reply_timeout = options.statement_timeout + options.connect_timeout;
    }
    absl::StatusOr<std::unique_ptr<Connection>> first = Connection::Connect(connect);
    if (!first.ok()) return Annotate(first.status(), "open ticket store");
    if (absl::Status s = SetUpSession(**first, Session(options.statement_timeout));
        !s.ok()) {
      return Annotate(s, "open ticket store");
    }
    if (absl::Status s = Migrate(**first, schema::Schema()); !s.ok()) {
      return Annotate(s, "open ticket store");
    }
    auto store = std::unique_ptr<PostgresTicketStore>(
        new PostgresTicketStore(connect, options.pool_size, options.statement_timeout));
    store->pool_.Adopt(*std::move(first));
    return store;
  }

  absl::StatusOr<Ticket> Create(const Ticket& ticket,
                                const HistoryEntry& entry) override {
    if (ticket.id != 0 || ticket.version != 0) {
      return absl::InvalidArgumentError(
          fmt::format("create ticket: a new ticket has id 0 and version 0, not id {} "
                      "version {}",
                      ticket.id, ticket.version));
    }
    if (absl::Status s = CheckCreate(ticket, entry); !s.ok()) {
      return Annotate(s, "create ticket");
    }
    Params params;
    schema::AddTicket(params, ticket);
    schema::AddHistoryEntry(params, entry);
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), "create ticket");
    // One statement: the ticket and its first entry commit together.
    absl::StatusOr<PgResult> created =
        (*connection)->Prepared("ccengine_create_ticket", create_sql_, params);
    if (!created.ok()) return Annotate(created.status(), "create ticket");
    if (PQntuples(created->get()) != 1) {
      return absl::InternalError(fmt::format("create ticket: {} rows came back, not one",
                                             PQntuples(created->get())));
    }
    absl::StatusOr<int64_t> id = schema::ReadInt(created->get(), 0, 0);
    if (!id.ok()) return Annotate(id.status(), "create ticket");
    Ticket stored = tickets::rows::AsStored(ticket);
    stored.id = *id;
    stored.version = 1;
    return stored;
  }

  absl::StatusOr<Ticket> Get(TicketId id) override {
    const std::string what = fmt::format("get ticket {}", id);
    absl::StatusOr<std::vector<Ticket>> found = ReadTickets(
        what, "ccengine_get_ticket", get_sql_, [id](Params& params) { params.Int(id); });
    if (!found.ok()) return found.status();
    if (found->empty()) return NotFound(id);
    return std::move(found->front());
  }

  absl::StatusOr<Ticket> Update(const Ticket& ticket,
                                const HistoryEntry& entry) override {
    absl::StatusOr<std::vector<Ticket>> updated = UpdateMany({ticket}, {entry});
    if (!updated.ok()) return updated.status();
    return std::move(updated->front());
  }

  absl::StatusOr<std::vector<Ticket>> UpdateMany(
      const std::vector<Ticket>& tickets,
      const std::vector<HistoryEntry>& entries) override {
    // Written in id order: two batches that share tickets lock their rows in
    // the same order, and never deadlock.
    absl::StatusOr<std::vector<size_t>> order =
        tickets::rows::CheckUpdateBatch(tickets, entries, CheckUpdate);
    if (!order.ok()) return order.status();
    if (tickets.empty()) return std::vector<Ticket>();
    const std::string what = fmt::format("update ticket {}", tickets.front().id);

    if (tickets.size() == 1) {
      // One statement: its own transaction.
      absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
      if (!connection.ok()) return Annotate(connection.status(), what);
      absl::StatusOr<Ticket> updated = UpdateOne(**connection, tickets[0], entries[0]);
      if (!updated.ok()) return updated.status();
      return std::vector<Ticket>{*std::move(updated)};
    }
    // Tried once: a ticket changed meanwhile is the caller's to re-read
    // (Aborted), and the id order keeps batches from deadlocking.
    return pool_.WithTransaction<std::vector<Ticket>>(
        what, 1, [&](Connection& connection) -> Attempt<std::vector<Ticket>> {
          std::vector<Ticket> out(tickets.size());
          for (size_t i : *order) {
            absl::StatusOr<Ticket> updated =
                UpdateOne(connection, tickets[i], entries[i]);
            if (!updated.ok()) return {updated.status()};  // rolled back
            out[i] = *std::move(updated);
          }
          return {std::move(out)};
        });
  }

  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) override {
    const std::string what = fmt::format("history of ticket {}", id);
    Params params;
    params.Int(id);
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    absl::StatusOr<PgResult> rows =
        (*connection)->Prepared("ccengine_ticket_history", history_sql_, params);
    if (!rows.ok()) return Annotate(rows.status(), what);
    const PGresult* result = rows->get();
    if (PQntuples(result) == 0) return NotFound(id);
    std::vector<HistoryEntry> out;
    out.reserve(static_cast<size_t>(PQntuples(result)));
    for (int row = 0; row < PQntuples(result); ++row) {
      if (PQgetisnull(result, row, 1) != 0) continue;  // a ticket without history
      absl::StatusOr<HistoryEntry> entry = schema::ReadHistoryEntry(result, row);
      if (!entry.ok()) return Annotate(entry.status(), what);
      out.push_back(*std::move(entry));
    }
    return out;
  }

  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& query) override {
    if (absl::Status s = tickets::ValidateQuery(query); !s.ok()) return s;
    schema::QuerySql sql = schema::BuildQuery(query);
    if (sql.matches_nothing) return std::vector<Ticket>();
    return ReadTickets("query tickets", QueryStatementName(sql.sql), sql.sql,
                       [&sql](Params& params) { params = std::move(sql.params); });
  }

  absl::StatusOr<std::vector<Ticket>> Children(TicketId parent) override {
    if (parent == 0) return std::vector<Ticket>();  // 0 means "no parent"
    return ReadTickets(fmt::format("children of ticket {}", parent),
                       "ccengine_ticket_children", children_sql_,
                       [parent](Params& params) { params.Int(parent); });
  }

  absl::StatusOr<std::vector<TicketId>> Anonymize(
      const tickets::AnonymizeRequest& request) override {
    if (absl::Status s = tickets::ValidateAnonymizeRequest(request); !s.ok()) return s;
    if (absl::Status s = schema::CheckStorable(request.entry); !s.ok()) return s;
    const bool erase = request.customer_id.has_value();
    if (!erase && !tickets::rows::TimeFits(*request.finished_before)) {
      return absl::InvalidArgumentError(
          "anonymize: finished_before is outside the times the store holds");
    }
    // No ticket holds a NUL byte (the server's text cannot).
    if (erase && request.customer_id->find('\0') != std::string::npos) {
      return std::vector<TicketId>();
    }
    const std::string what =
        erase ? "erase a customer's tickets" : "anonymize expired tickets";
    Params params;
    if (erase) {
      params.Text(*request.customer_id);
    } else {
      params.Int(tickets::rows::TimeToMicros(*request.finished_before));
    }
    params.Int(static_cast<int64_t>(request.limit));
    params.Int(tickets::rows::TimeToMicros(request.entry.at));
    params.Text(request.entry.actor);
    params.Text(request.entry.action);
    params.Text(request.entry.reason);
    // Rows are locked in id order, so two sweeps never deadlock each other; a
    // deadlock with a desk's batch is retried.
    return pool_.WithTransaction<std::vector<TicketId>>(
        what, 3, [&](Connection& connection) -> Attempt<std::vector<TicketId>> {
          if (erase) {
            Params customer;
            customer.Text(*request.customer_id);
            absl::StatusOr<PgResult> open = connection.Prepared(
                "ccengine_open_of_customer", open_of_customer_sql_, customer);
            if (!open.ok()) return Retry(Annotate(open.status(), what));
            absl::StatusOr<std::vector<TicketId>> ids = ReadIds(open->get(), what);
            if (!ids.ok() || !ids->empty()) {
              return {ids.ok() ? tickets::OpenTicketsOfCustomer(*ids) : ids.status()};
            }
          }
          absl::StatusOr<PgResult> done =
              erase ? connection.Prepared("ccengine_erase", erase_sql_, params)
                    : connection.Prepared("ccengine_expire", expire_sql_, params);
          if (!done.ok()) return Retry(Annotate(done.status(), what));
          absl::StatusOr<std::vector<TicketId>> ids = ReadIds(done->get(), what);
          if (ids.ok()) std::sort(ids->begin(), ids->end());
          return {std::move(ids)};
        });
  }

 private:
  // A failed statement's attempt, retried when the server gave the
  // transaction up.
  static Attempt<std::vector<TicketId>> Retry(absl::Status status) {
    const bool retry = status.code() == absl::StatusCode::kAborted;
    return {std::move(status), retry};
  }

  // Column 0 of every row of `result`, a ticket id.
  static absl::StatusOr<std::vector<TicketId>> ReadIds(const PGresult* result,
                                                       const std::string& what) {
    std::vector<TicketId> out;
    out.reserve(static_cast<size_t>(PQntuples(result)));
    for (int row = 0; row < PQntuples(result); ++row) {
      absl::StatusOr<int64_t> id = schema::ReadInt(result, row, 0);
      if (!id.ok()) return Annotate(id.status(), what);
      out.push_back(*id);
    }
    return out;
  }

  PostgresTicketStore(const ConnectOptions& connect, int pool_size,
                      absl::Duration statement_timeout)
      : pool_(connect, pool_size,
              [session = Session(statement_timeout)](Connection& connection) {
                if (absl::Status s = SetUpSession(connection, session); !s.ok()) {
                  return s;
                }
                // The schema may have moved on while the store was cut off.
                return CheckSchemaVersion(connection, schema::Schema());
              }) {}

  // Writes one ticket of an update on `connection` (alone, or inside the
  // caller's transaction) and returns it as stored.
  absl::StatusOr<Ticket> UpdateOne(Connection& connection, const Ticket& ticket,
                                   const HistoryEntry& entry) {
    const std::string what = fmt::format("update ticket {}", ticket.id);
    Params params;
    params.Int(ticket.id);
    params.Int(ticket.version);
    schema::AddTicket(params, ticket);
    schema::AddHistoryEntry(params, entry);
    absl::StatusOr<PgResult> updated =
        connection.Prepared("ccengine_update_ticket", update_sql_, params);
    if (!updated.ok()) return Annotate(updated.status(), what);
    if (PQntuples(updated->get()) == 1) {
      Ticket stored = tickets::rows::AsStored(ticket);
      stored.version = ticket.version + 1;
      return stored;
    }
    // No row changed: no such ticket, or another version.
    Params id;
    id.Int(ticket.id);
    absl::StatusOr<PgResult> version = connection.Prepared(
        "ccengine_ticket_version", std::string(schema::kVersionSql), id);
    if (!version.ok()) return Annotate(version.status(), what);
    if (PQntuples(version->get()) == 0) return NotFound(ticket.id);
    absl::StatusOr<int64_t> stored = schema::ReadInt(version->get(), 0, 0);
    if (!stored.ok()) return Annotate(stored.status(), what);
    return absl::AbortedError(
        fmt::format("ticket {} changed since it was read: version {} read, {} stored",
                    ticket.id, ticket.version, *stored));
  }

  // Runs a ticket statement with the parameters `bind` sets and returns its
  // tickets.
  template <typename Bind>
  absl::StatusOr<std::vector<Ticket>> ReadTickets(const std::string& what,
                                                  const std::string& name,
                                                  const std::string& sql,
                                                  const Bind& bind) {
    Params params;
    bind(params);
    absl::StatusOr<ConnectionPool::Lease> connection = pool_.Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    absl::StatusOr<PgResult> rows = (*connection)->Prepared(name, sql, params);
    if (!rows.ok()) return Annotate(rows.status(), what);
    std::vector<Ticket> out;
    out.reserve(static_cast<size_t>(PQntuples(rows->get())));
    for (int row = 0; row < PQntuples(rows->get()); ++row) {
      absl::StatusOr<Ticket> ticket = schema::ReadTicket(rows->get(), row);
      if (!ticket.ok()) return Annotate(ticket.status(), what);
      out.push_back(*std::move(ticket));
    }
    return out;
  }

  // The prepared statement's name for a query's SQL: one per shape, the same
  // on every connection.
  std::string QueryStatementName(const std::string& sql) {
    absl::MutexLock lock(&names_mu_);
    auto [it, added] = query_names_.try_emplace(
        sql, fmt::format("ccengine_query_{}", query_names_.size() + 1));
    return it->second;
  }

  const std::string create_sql_ = schema::CreateSql();
  const std::string update_sql_ = schema::UpdateSql();
  const std::string get_sql_ = schema::GetSql();
  const std::string children_sql_ = schema::ChildrenSql();
  const std::string history_sql_ = schema::HistorySql();
  const std::string open_of_customer_sql_ = schema::OpenTicketsOfCustomerSql();
  const std::string erase_sql_ = schema::AnonymizeSql(/*erase=*/true);
  const std::string expire_sql_ = schema::AnonymizeSql(/*erase=*/false);
  ConnectionPool pool_;
  absl::Mutex names_mu_;
  std::map<std::string, std::string, std::less<>> query_names_ ABSL_GUARDED_BY(names_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<tickets::TicketStore>> OpenPostgresTicketStore(
    const PostgresTicketStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<PostgresTicketStore>> store =
      PostgresTicketStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<tickets::TicketStore>(*std::move(store));
}

}  // namespace ccengine::postgres
