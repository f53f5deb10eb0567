// The in-memory ticket store: a map of tickets and their histories under one
// mutex, with the same checks and errors as the durable stores.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/tickets/store.h"
#include "fmt/format.h"

namespace ccengine::tickets {
namespace {

class MemoryTicketStore final : public TicketStore {
 public:
  absl::StatusOr<Ticket> Create(const Ticket& ticket,
                                const HistoryEntry& entry) override {
    if (ticket.id != 0 || ticket.version != 0) {
      return absl::InvalidArgumentError(
          fmt::format("create: a new ticket has id 0 and version 0, not id {} version {}",
                      ticket.id, ticket.version));
    }
    if (absl::Status s = ValidateTicket(ticket); !s.ok()) return s;
    if (absl::Status s = CheckWritable(ticket, /*create=*/true); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    Record& record = tickets_[next_id_];
    record.ticket = ticket;
    record.ticket.id = next_id_++;
    record.ticket.version = 1;
    AppendLocked(record, entry);
    return record.ticket;
  }

  absl::StatusOr<Ticket> Get(TicketId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(id);
    if (it == tickets_.end()) return NotFound(id);
    return it->second.ticket;
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
    if (tickets.size() != entries.size()) {
      return absl::InvalidArgumentError(fmt::format(
          "update: {} tickets but {} history entries", tickets.size(), entries.size()));
    }
    for (const Ticket& t : tickets) {
      if (absl::Status s = ValidateTicket(t); !s.ok()) return s;
      if (absl::Status s = CheckWritable(t, /*create=*/false); !s.ok()) return s;
    }
    std::lock_guard<std::mutex> lock(mu_);
    // Check everything before writing anything.
    for (size_t i = 0; i < tickets.size(); ++i) {
      auto it = tickets_.find(tickets[i].id);
      if (it == tickets_.end()) return NotFound(tickets[i].id);
      if (it->second.ticket.version != tickets[i].version) {
        return absl::AbortedError(
            fmt::format("ticket {} changed since it was read: version {} read, {} stored",
                        tickets[i].id, tickets[i].version, it->second.ticket.version));
      }
      for (size_t j = 0; j < i; ++j) {
        if (tickets[j].id == tickets[i].id) {
          return absl::InvalidArgumentError(
              fmt::format("update: ticket {} named twice", tickets[i].id));
        }
      }
    }
    std::vector<Ticket> out;
    out.reserve(tickets.size());
    for (size_t i = 0; i < tickets.size(); ++i) {
      Record& record = tickets_[tickets[i].id];
      const int64_t version = record.ticket.version + 1;
      record.ticket = tickets[i];
      record.ticket.version = version;
      AppendLocked(record, entries[i]);
      out.push_back(record.ticket);
    }
    return out;
  }

  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(id);
    if (it == tickets_.end()) return NotFound(id);
    return it->second.history;
  }

  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& query) override {
    if (absl::Status s = ValidateQuery(query); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Ticket> out;
    for (auto it = tickets_.upper_bound(query.after_id);
         it != tickets_.end() && out.size() < query.limit; ++it) {
      if (Matches(query, it->second.ticket)) out.push_back(it->second.ticket);
    }
    return out;
  }

  absl::StatusOr<std::vector<Ticket>> Children(TicketId parent) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Ticket> out;
    for (const auto& [id, record] : tickets_) {
      if (record.ticket.parent == parent && parent != 0) out.push_back(record.ticket);
    }
    return out;
  }

  absl::StatusOr<std::vector<TicketId>> Anonymize(
      const AnonymizeRequest& request) override {
    if (absl::Status s = ValidateAnonymizeRequest(request); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    if (request.customer_id.has_value()) {
      std::vector<TicketId> open;
      for (const auto& [id, record] : tickets_) {
        if (record.ticket.customer_id == *request.customer_id &&
            IsOpen(record.ticket.state)) {
          open.push_back(id);
        }
      }
      if (!open.empty()) return OpenTicketsOfCustomer(open);
    }
    std::vector<TicketId> out;
    for (auto& [id, record] : tickets_) {
      if (out.size() >= request.limit) break;
      Ticket& t = record.ticket;
      if (t.anonymized) continue;
      const bool selected =
          request.customer_id.has_value()
              ? t.customer_id == *request.customer_id
              : !IsOpen(t.state) && t.updated_at < *request.finished_before;
      if (!selected) continue;
      t.text.clear();
      t.customer_id.clear();
      t.address.clear();
      t.fields.clear();
      t.anonymized = true;
      ++t.version;
      for (HistoryEntry& e : record.history) e.reason.clear();
      HistoryEntry entry = request.entry;
      entry.from = entry.to = t.state;
      AppendLocked(record, entry);
      out.push_back(id);
    }
    return out;
  }

 private:
  struct Record {
    Ticket ticket;
    std::vector<HistoryEntry> history;
  };

  static absl::Status NotFound(TicketId id) {
    return absl::NotFoundError(fmt::format("no ticket {}", id));
  }

  static void AppendLocked(Record& record, const HistoryEntry& entry) {
    HistoryEntry& e = record.history.emplace_back(entry);
    e.ticket = record.ticket.id;
    e.seq = static_cast<int64_t>(record.history.size());
  }

  std::mutex mu_;  // guards the two below; std::mutex so ThreadSanitizer sees it
  std::map<TicketId, Record> tickets_;
  TicketId next_id_ = 1;
};

}  // namespace

std::unique_ptr<TicketStore> NewMemoryTicketStore() {
  return std::make_unique<MemoryTicketStore>();
}

}  // namespace ccengine::tickets
