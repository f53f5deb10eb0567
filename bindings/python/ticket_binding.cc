// ccengine.TicketDesk's Python object and the ticket conversions
// (ticket_binding.h).

#include "ticket_binding.h"

#include "absl/strings/match.h"

#ifdef CCENGINE_PY_HAVE_SQLITE
#include "ccengine/sqlite/ticket_store.h"
#endif
#ifdef CCENGINE_PY_HAVE_POSTGRES
#include "ccengine/postgres/ticket_store.h"
#endif

namespace ccengine::python {

using namespace pybind11::literals;

namespace {

class EngineClock final : public Clock {
 public:
  explicit EngineClock(const Engine* engine) : engine_(engine) {}
  absl::Time Now() const override { return engine_->Now(); }

 private:
  const Engine* engine_;
};

py::object TimeOrNone(const std::optional<absl::Time>& t) {
  if (!t.has_value() || *t == absl::InfiniteFuture()) return py::none();
  return py::float_(SecondsSinceEpoch(*t));
}

py::dict ClockToDict(const tickets::SlaClock& c) {
  return py::dict("due"_a = TimeOrNone(c.due), "warn_at"_a = TimeOrNone(c.warn_at),
                  "remaining_s"_a = Seconds(c.remaining), "paused"_a = c.paused,
                  "warned"_a = c.warned, "breached"_a = c.breached,
                  "stopped"_a = c.stopped, "stopped_at"_a = TimeOrNone(c.stopped_at));
}

std::vector<std::pair<std::string, std::string>> ToFields(py::handle value,
                                                          const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  if (value.is_none()) return out;
  if (!PyDict_Check(value.ptr())) {
    RaiseInvalid(fmt::format("{}: expected a dict, got {}", path, TypeName(value)));
  }
  for (auto item : py::reinterpret_borrow<py::dict>(value)) {
    const std::string key = ToString(item.first, path);
    out.emplace_back(key, ToString(item.second, Child(path, key)));
  }
  return out;
}

}  // namespace

std::unique_ptr<Clock> EngineClockOf(const Engine* engine) {
  return std::make_unique<EngineClock>(engine);
}

std::unique_ptr<tickets::TicketStore> OpenStore(const std::string& where,
                                                const std::string& sync) {
  if (sync != "full" && sync != "normal" && sync != "off") {
    RaiseInvalid(fmt::format("sync: '{}' is not one of 'full', 'normal', 'off'", sync));
  }
  if (where == ":memory:") return tickets::NewMemoryTicketStore();
  if (absl::StartsWith(where, "postgresql://") ||
      absl::StartsWith(where, "postgres://")) {
#ifdef CCENGINE_PY_HAVE_POSTGRES
    postgres::PostgresTicketStoreOptions options;
    options.dsn = where;
    return Unwrap(postgres::OpenPostgresTicketStore(options));
#else
    RaiseStatus(absl::UnimplementedError(
        "this ccengine module was built without the PostgreSQL ticket store"));
#endif
  }
#ifdef CCENGINE_PY_HAVE_SQLITE
  sqlite::SqliteTicketStoreOptions options;
  options.path = where;
  options.sync = sync == "full"     ? sqlite::SqliteTicketStoreOptions::Sync::kFull
                 : sync == "normal" ? sqlite::SqliteTicketStoreOptions::Sync::kNormal
                                    : sqlite::SqliteTicketStoreOptions::Sync::kOff;
  return Unwrap(sqlite::OpenSqliteTicketStore(options));
#else
  RaiseStatus(absl::UnimplementedError(
      "this ccengine module was built without the SQLite ticket store"));
#endif
}

py::dict TicketToDict(const tickets::Ticket& t, const compliance::Masker* mask) {
  py::dict fields;
  for (const auto& [k, v] : t.fields) {
    fields[py::str(k)] = py::str(mask != nullptr ? mask->Mask(k, v) : v);
  }
  return py::dict(
      "id"_a = t.id, "version"_a = t.version, "category"_a = t.category,
      "department"_a = t.department, "state"_a = std::string(TicketStateName(t.state)),
      "priority"_a = t.priority,
      "text"_a = mask != nullptr ? compliance::MaskPii(t.text) : t.text,
      "customer_id"_a =
          mask != nullptr ? mask->Mask("customer_id", t.customer_id) : t.customer_id,
      "address"_a = mask != nullptr ? compliance::MaskWhole(t.address) : t.address,
      "fields"_a = fields, "created_at"_a = SecondsSinceEpoch(t.created_at),
      "updated_at"_a = SecondsSinceEpoch(t.updated_at),
      "queued_since"_a = SecondsSinceEpoch(t.queued_since), "assignee"_a = t.assignee,
      "duplicate_of"_a =
          t.duplicate_of == 0 ? py::object(py::none()) : py::int_(t.duplicate_of),
      "parent"_a = t.parent == 0 ? py::object(py::none()) : py::int_(t.parent),
      "is_master"_a = t.is_master, "escalation_level"_a = t.escalation_level,
      "reopen_count"_a = t.reopen_count,
      "first_response"_a = ClockToDict(t.first_response),
      "resolution"_a = ClockToDict(t.resolution),
      "extension_requested_s"_a =
          t.extension_requested.has_value()
              ? py::object(py::float_(Seconds(*t.extension_requested)))
              : py::object(py::none()),
      "next_check"_a = TimeOrNone(t.next_check), "anonymized"_a = t.anonymized);
}

tickets::CreateRequest ToRequest(const std::string& category, const std::string& text,
                                 py::handle customer_id, py::handle address,
                                 py::handle fields, const std::string& actor,
                                 py::handle received_at, bool dedupe) {
  tickets::CreateRequest r;
  r.category = category;
  r.text = text;
  if (!customer_id.is_none()) r.customer_id = ToString(customer_id, "customer_id");
  if (!address.is_none()) r.address = ToString(address, "address");
  r.fields = ToFields(fields, "fields");
  r.actor = actor;
  if (!received_at.is_none()) {
    r.received_at = ToTime(ToDouble(received_at, "received_at"), "received_at");
  }
  r.dedupe = dedupe;
  return r;
}

py::list PyTicketDesk::DrainEvents() {
  py::list out;
  for (const tickets::TicketEvent& e : events_) {
    out.append(py::dict(
        "type"_a = std::string(tickets::TicketEventTypeName(e.type)),
        "ticket"_a = e.ticket,
        "master"_a = e.master == 0 ? py::object(py::none()) : py::int_(e.master),
        "category"_a = e.category, "department"_a = e.department,
        "from"_a = std::string(TicketStateName(e.from)),
        "to"_a = std::string(TicketStateName(e.to)), "time"_a = SecondsSinceEpoch(e.at),
        "actor"_a = e.actor, "detail"_a = compliance::MaskPii(e.detail)));
  }
  events_.clear();
  return out;
}

}  // namespace ccengine::python
