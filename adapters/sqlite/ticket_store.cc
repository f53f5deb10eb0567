// The SQLite ticket store: one connection behind a mutex, its statements
// prepared once, every method one transaction (see ticket_store.h).

#include "ccengine/sqlite/ticket_store.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ccengine/tickets/row_codec.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "sqlite_db.h"
#include "ticket_schema.h"
#include "ticket_store_testing.h"

namespace ccengine::sqlite {
namespace {

using tickets::HistoryEntry;
using tickets::Ticket;
using tickets::TicketId;
using tickets::TicketQuery;

namespace schema = ticket_schema;

absl::Status NotFound(TicketId id) {
  return absl::NotFoundError(fmt::format("no ticket {}", id));
}

// "update ticket 7", or "update tickets 7, 8, 9" for a batch.
std::string UpdateWhat(const std::vector<Ticket>& tickets) {
  std::vector<TicketId> ids;
  ids.reserve(tickets.size());
  for (const Ticket& t : tickets) ids.push_back(t.id);
  return fmt::format("update ticket{} {}", ids.size() == 1 ? "" : "s",
                     fmt::join(ids, ", "));
}

// The checks of every write, before any lock is taken.
absl::Status CheckWrite(const Ticket& ticket, const HistoryEntry& entry, bool create) {
  if (absl::Status s = tickets::ValidateTicket(ticket); !s.ok()) return s;
  if (absl::Status s = tickets::CheckWritable(ticket, create); !s.ok()) return s;
  if (absl::Status s = tickets::rows::CheckStorable(ticket); !s.ok()) return s;
  return tickets::rows::CheckStorable(entry);
}

absl::Status CheckCreate(const Ticket& ticket, const HistoryEntry& entry) {
  return CheckWrite(ticket, entry, /*create=*/true);
}

absl::Status CheckUpdate(const Ticket& ticket, const HistoryEntry& entry) {
  return CheckWrite(ticket, entry, /*create=*/false);
}

class SqliteTicketStore final : public tickets::TicketStore {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteTicketStore>> Open(
      const SqliteTicketStoreOptions& options) {
    absl::StatusOr<Database> db = OpenStoreDatabase(options);
    if (!db.ok()) return db.status();
    if (absl::Status s = Migrate(*db, schema::kApplicationId, "ccengine ticket store",
                                 schema::Migrations());
        !s.ok()) {
      return s;
    }
    auto store =
        std::unique_ptr<SqliteTicketStore>(new SqliteTicketStore(*std::move(db)));
    if (absl::Status s = store->Prepare(); !s.ok()) return s;
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
    Ticket stored = tickets::rows::AsStored(ticket);
    stored.version = 1;
    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, "create ticket");
    }
    schema::BindTicket(insert_ticket_, stored);
    insert_ticket_.BindNull(schema::kId + 1);  // SQLite assigns it
    if (absl::Status s = insert_ticket_.Run(); !s.ok()) {
      return Annotate(s, "create ticket");
    }
    stored.id = db_.LastInsertRowid();
    const std::string what = fmt::format("create ticket {}", stored.id);
    if (absl::Status s = WriteFieldsLocked(stored, /*replace=*/false); !s.ok()) {
      return Annotate(s, what);
    }
    if (absl::Status s = AppendHistoryLocked(stored.id, entry); !s.ok()) {
      return Annotate(s, what);
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return stored;
  }

  absl::StatusOr<Ticket> Get(TicketId id) override {
    const std::string what = fmt::format("get ticket {}", id);
    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, what);
    }
    absl::StatusOr<std::vector<Ticket>> found = ReadTicketsLocked(
        get_ticket_, [id](Statement& statement) { statement.BindInt(1, id); });
    if (!found.ok()) return Annotate(found.status(), what);
    if (found->empty()) return NotFound(id);
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
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
    if (absl::StatusOr<std::vector<size_t>> order =
            tickets::rows::CheckUpdateBatch(tickets, entries, CheckUpdate);
        !order.ok()) {
      return order.status();
    }
    if (tickets.empty()) return std::vector<Ticket>();

    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, UpdateWhat(tickets));
    }
    std::vector<Ticket> out;
    out.reserve(tickets.size());
    for (size_t i = 0; i < tickets.size(); ++i) {
      absl::StatusOr<Ticket> updated = UpdateLocked(tickets[i], entries[i]);
      if (!updated.ok()) return updated.status();
      out.push_back(*std::move(updated));
    }
    if (absl::Status s = txn.Commit(); !s.ok()) {
      return Annotate(s, UpdateWhat(tickets));
    }
    return out;
  }

  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) override {
    const std::string what = fmt::format("history of ticket {}", id);
    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, what);
    }
    absl::StatusOr<std::optional<int64_t>> version = StoredVersionLocked(id);
    if (!version.ok()) return Annotate(version.status(), what);
    if (!version->has_value()) return NotFound(id);
    std::vector<HistoryEntry> out;
    {
      StatementUse use(get_history_);
      get_history_.BindInt(1, id);
      for (;;) {
        absl::StatusOr<bool> row = get_history_.Step();
        if (!row.ok()) return Annotate(row.status(), what);
        if (!*row) break;
        absl::StatusOr<HistoryEntry> entry = schema::ReadHistoryEntry(get_history_);
        if (!entry.ok()) return Annotate(entry.status(), what);
        out.push_back(*std::move(entry));
      }
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return out;
  }

  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& query) override {
    if (absl::Status s = tickets::ValidateQuery(query); !s.ok()) return s;
    const schema::QuerySql sql = schema::BuildQuery(query);

    absl::MutexLock lock(&mu_);
    auto it = queries_.find(sql.sql);
    if (it == queries_.end()) {
      absl::StatusOr<Statement> prepared = db_.Prepare(sql.sql);
      if (!prepared.ok()) return Annotate(prepared.status(), "query tickets");
      it = queries_.emplace(sql.sql, *std::move(prepared)).first;
    }
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, "query tickets");
    }
    absl::StatusOr<std::vector<Ticket>> found = ReadTicketsLocked(
        it->second, [&sql](Statement& statement) { schema::BindQuery(statement, sql); });
    if (!found.ok()) return Annotate(found.status(), "query tickets");
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, "query tickets");
    return found;
  }

  absl::StatusOr<std::vector<Ticket>> Children(TicketId parent) override {
    if (parent == 0) return std::vector<Ticket>();  // 0 means "no parent"
    const std::string what = fmt::format("children of ticket {}", parent);
    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, what);
    }
    absl::StatusOr<std::vector<Ticket>> found = ReadTicketsLocked(
        get_children_, [parent](Statement& statement) { statement.BindInt(1, parent); });
    if (!found.ok()) return Annotate(found.status(), what);
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return found;
  }

  absl::StatusOr<std::vector<TicketId>> Anonymize(
      const tickets::AnonymizeRequest& request) override {
    if (absl::Status s = tickets::ValidateAnonymizeRequest(request); !s.ok()) return s;
    if (absl::Status s = tickets::rows::CheckStorable(request.entry); !s.ok()) return s;
    const bool erase = request.customer_id.has_value();
    if (!erase && !tickets::rows::TimeFits(*request.finished_before)) {
      return absl::InvalidArgumentError(
          "anonymize: finished_before is outside the times the store holds");
    }
    const std::string what =
        erase ? "erase a customer's tickets" : "anonymize expired tickets";

    absl::MutexLock lock(&mu_);
    Transaction txn(db_);
    if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
      return Annotate(s, what);
    }
    if (erase) {
      absl::StatusOr<std::vector<TicketId>> open =
          ReadIdsLocked(open_of_customer_,
                        [&](Statement& st) { st.BindText(1, *request.customer_id); });
      if (!open.ok()) return Annotate(open.status(), what);
      if (!open->empty()) return tickets::OpenTicketsOfCustomer(*open);
    }
    // The selected tickets and their states.
    std::vector<std::pair<TicketId, tickets::TicketState>> selected;
    {
      Statement& select = erase ? to_erase_ : to_expire_;
      StatementUse use(select);
      if (erase) {
        select.BindText(1, *request.customer_id);
      } else {
        select.BindInt(1, tickets::rows::TimeToMicros(*request.finished_before));
      }
      select.BindInt(2, static_cast<int64_t>(request.limit));
      for (;;) {
        absl::StatusOr<bool> row = select.Step();
        if (!row.ok()) return Annotate(row.status(), what);
        if (!*row) break;
        const TicketId id = select.ColumnInt(0);
        absl::StatusOr<tickets::TicketState> state =
            schema::ReadState(select, 1, fmt::format("ticket {}", id));
        if (!state.ok()) return state.status();
        selected.emplace_back(id, *state);
      }
    }
    std::vector<TicketId> out;
    out.reserve(selected.size());
    for (const auto& [id, state] : selected) {
      for (Statement* statement :
           {&anonymize_ticket_, &delete_fields_, &erase_reasons_}) {
        statement->BindInt(1, id);
        if (absl::Status s = statement->Run(); !s.ok()) return Annotate(s, what);
      }
      HistoryEntry entry = request.entry;
      entry.from = entry.to = state;
      if (absl::Status s = AppendHistoryLocked(id, entry); !s.ok()) {
        return Annotate(s, what);
      }
      out.push_back(id);
    }
    if (absl::Status s = txn.Commit(); !s.ok()) return Annotate(s, what);
    return out;
  }

  absl::StatusOr<std::string> Pragma(std::string_view name) {
    absl::MutexLock lock(&mu_);
    return db_.QueryText(fmt::format("PRAGMA {}", name));
  }

 private:
  explicit SqliteTicketStore(Database db) : db_(std::move(db)) {}

  absl::Status Prepare() {
    absl::MutexLock lock(&mu_);
    const std::pair<Statement*, std::string> statements[] = {
        {&insert_ticket_, schema::InsertTicketSql()},
        {&update_ticket_, schema::UpdateTicketSql()},
        {&get_ticket_, schema::SelectTicketsSql("WHERE id = ?1")},
        {&get_version_, "SELECT version FROM tickets WHERE id = ?1"},
        {&get_children_, schema::SelectTicketsSql(schema::kChildrenWhere)},
        {&insert_field_, std::string(schema::kInsertFieldSql)},
        {&delete_fields_, std::string(schema::kDeleteFieldsSql)},
        {&get_fields_, std::string(schema::kSelectFieldsSql)},
        {&insert_history_, std::string(schema::kInsertHistorySql)},
        {&get_history_, std::string(schema::kSelectHistorySql)},
        {&open_of_customer_, schema::OpenTicketsOfCustomerSql()},
        {&to_erase_, schema::ToEraseSql()},
        {&to_expire_, schema::ToExpireSql()},
        {&anonymize_ticket_, std::string(schema::kAnonymizeTicketSql)},
        {&erase_reasons_, std::string(schema::kEraseReasonsSql)},
    };
    for (const auto& [statement, sql] : statements) {
      absl::StatusOr<Statement> prepared = db_.Prepare(sql);
      if (!prepared.ok()) {
        return Annotate(prepared.status(), fmt::format("open {}", db_.path()));
      }
      *statement = *std::move(prepared);
    }
    return absl::OkStatus();
  }

  // The stored version of ticket `id`; unset when there is no such ticket.
  absl::StatusOr<std::optional<int64_t>> StoredVersionLocked(TicketId id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    StatementUse use(get_version_);
    get_version_.BindInt(1, id);
    absl::StatusOr<bool> row = get_version_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::nullopt;
    return get_version_.ColumnInt(0);
  }

  // Writes one ticket of an update (inside the caller's transaction) and
  // returns it as stored.
  absl::StatusOr<Ticket> UpdateLocked(const Ticket& ticket, const HistoryEntry& entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string what = fmt::format("update ticket {}", ticket.id);
    Ticket stored = tickets::rows::AsStored(ticket);
    stored.version = ticket.version + 1;
    schema::BindTicket(update_ticket_, stored);
    update_ticket_.BindInt(schema::kExpectedVersionParameter, ticket.version);
    if (absl::Status s = update_ticket_.Run(); !s.ok()) return Annotate(s, what);
    if (db_.Changes() == 0) {
      absl::StatusOr<std::optional<int64_t>> version = StoredVersionLocked(ticket.id);
      if (!version.ok()) return Annotate(version.status(), what);
      if (!version->has_value()) return NotFound(ticket.id);
      return absl::AbortedError(
          fmt::format("ticket {} changed since it was read: version {} read, {} stored",
                      ticket.id, ticket.version, **version));
    }
    if (absl::Status s = WriteFieldsLocked(stored, /*replace=*/true); !s.ok()) {
      return Annotate(s, what);
    }
    if (absl::Status s = AppendHistoryLocked(stored.id, entry); !s.ok()) {
      return Annotate(s, what);
    }
    return stored;
  }

  absl::Status WriteFieldsLocked(const Ticket& ticket, bool replace)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (replace) {
      delete_fields_.BindInt(1, ticket.id);
      if (absl::Status s = delete_fields_.Run(); !s.ok()) return s;
    }
    for (size_t i = 0; i < ticket.fields.size(); ++i) {
      insert_field_.BindInt(1, ticket.id);
      insert_field_.BindInt(2, static_cast<int64_t>(i));
      insert_field_.BindText(3, ticket.fields[i].first);
      insert_field_.BindText(4, ticket.fields[i].second);
      if (absl::Status s = insert_field_.Run(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status AppendHistoryLocked(TicketId id, const HistoryEntry& entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    insert_history_.BindInt(1, id);
    schema::BindHistoryEntry(insert_history_, entry);
    return insert_history_.Run();
  }

  // Runs `statement`, whose column 0 is a ticket id, with the parameters
  // `bind` sets.
  template <typename Bind>
  absl::StatusOr<std::vector<TicketId>> ReadIdsLocked(Statement& statement,
                                                      const Bind& bind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<TicketId> out;
    StatementUse use(statement);
    bind(statement);
    for (;;) {
      absl::StatusOr<bool> row = statement.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(statement.ColumnInt(0));
    }
    return out;
  }

  // Runs `statement` (a `SelectTicketsSql`) with the parameters `bind` sets
  // and returns its tickets with their free fields.
  template <typename Bind>
  absl::StatusOr<std::vector<Ticket>> ReadTicketsLocked(Statement& statement,
                                                        const Bind& bind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<Ticket> out;
    {
      StatementUse use(statement);
      bind(statement);
      for (;;) {
        absl::StatusOr<bool> row = statement.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        absl::StatusOr<Ticket> ticket = schema::ReadTicket(statement);
        if (!ticket.ok()) return ticket.status();
        out.push_back(*std::move(ticket));
      }
    }
    for (Ticket& ticket : out) {
      StatementUse use(get_fields_);
      get_fields_.BindInt(1, ticket.id);
      for (;;) {
        absl::StatusOr<bool> row = get_fields_.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        ticket.fields.emplace_back(get_fields_.ColumnText(0), get_fields_.ColumnText(1));
      }
    }
    return out;
  }

  absl::Mutex mu_;
  // Declared first: destroyed after the statements, which it must outlive.
  Database db_ ABSL_GUARDED_BY(mu_);
  Statement insert_ticket_ ABSL_GUARDED_BY(mu_);
  Statement update_ticket_ ABSL_GUARDED_BY(mu_);
  Statement get_ticket_ ABSL_GUARDED_BY(mu_);
  Statement get_version_ ABSL_GUARDED_BY(mu_);
  Statement get_children_ ABSL_GUARDED_BY(mu_);
  Statement insert_field_ ABSL_GUARDED_BY(mu_);
  Statement delete_fields_ ABSL_GUARDED_BY(mu_);
  Statement get_fields_ ABSL_GUARDED_BY(mu_);
  Statement insert_history_ ABSL_GUARDED_BY(mu_);
  Statement get_history_ ABSL_GUARDED_BY(mu_);
  Statement open_of_customer_ ABSL_GUARDED_BY(mu_);
  Statement to_erase_ ABSL_GUARDED_BY(mu_);
  Statement to_expire_ ABSL_GUARDED_BY(mu_);
  Statement anonymize_ticket_ ABSL_GUARDED_BY(mu_);
  Statement erase_reasons_ ABSL_GUARDED_BY(mu_);
  // The query statements by their SQL: one per shape of query.
  std::map<std::string, Statement, std::less<>> queries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<tickets::TicketStore>> OpenSqliteTicketStore(
    const SqliteTicketStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteTicketStore>> store =
      SqliteTicketStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<tickets::TicketStore>(*std::move(store));
}

absl::StatusOr<std::string> PragmaForTesting(tickets::TicketStore& store,
                                             std::string_view name) {
  auto* sqlite_store = dynamic_cast<SqliteTicketStore*>(&store);
  if (sqlite_store == nullptr) {
    return absl::InvalidArgumentError("PragmaForTesting: not an SQLite ticket store");
  }
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_';
      })) {
    return absl::InvalidArgumentError(
        fmt::format("PragmaForTesting: \"{}\" is not a pragma name", name));
  }
  return sqlite_store->Pragma(name);
}

}  // namespace ccengine::sqlite
