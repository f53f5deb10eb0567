// Helpers for the ticket desk's tests: local times at UTC+8, an office
// calendar, a store that forwards to a shared one (so a desk can be opened
// again on what the last one left), and one that fails on demand.

#ifndef CCENGINE_TESTS_TICKETS_TICKET_TEST_UTIL_H_
#define CCENGINE_TESTS_TICKETS_TICKET_TEST_UTIL_H_

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/calendar.h"
#include "ccengine/tickets/store.h"

namespace ccengine::tickets::testing {

inline constexpr int kUtcOffset = 8 * 3600;

inline absl::Time Local(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm),
                         absl::FixedTimeZone(kUtcOffset));
}

// Monday to Friday, 09:00–12:00 and 13:00–18:00, UTC+8.
inline HoursOfOperation OfficeHours() {
  HoursOfOperation h;
  h.utc_offset_s = kUtcOffset;
  for (int d = 0; d < 5; ++d) {
    h.weekly[d] = {{TimeOfDay(9, 0), TimeOfDay(12, 0)},
                   {TimeOfDay(13, 0), TimeOfDay(18, 0)}};
  }
  return h;
}

// Forwards every call to a store it shares.
class Forwarding : public TicketStore {
 public:
  explicit Forwarding(std::shared_ptr<TicketStore> store) : store_(std::move(store)) {}
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

 protected:
  std::shared_ptr<TicketStore> store_;
};

// Fails the next `fail_next` calls with Unavailable (a server that is down),
// and the next `conflict_next` updates with Aborted (another writer won).
class Flaky : public Forwarding {
 public:
  using Forwarding::Forwarding;
  std::atomic<int> fail_next{0};
  std::atomic<int> conflict_next{0};

  absl::StatusOr<Ticket> Create(const Ticket& t, const HistoryEntry& e) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    return store_->Create(t, e);
  }
  absl::StatusOr<Ticket> Get(TicketId id) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    return store_->Get(id);
  }
  absl::StatusOr<Ticket> Update(const Ticket& t, const HistoryEntry& e) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    if (conflict_next > 0) {
      --conflict_next;
      return absl::AbortedError("another writer won");
    }
    return store_->Update(t, e);
  }
  absl::StatusOr<std::vector<Ticket>> UpdateMany(
      const std::vector<Ticket>& t, const std::vector<HistoryEntry>& e) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    return store_->UpdateMany(t, e);
  }
  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    return store_->History(id);
  }
  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& q) override {
    if (absl::Status s = Fail(); !s.ok()) return s;
    return store_->Query(q);
  }

 private:
  absl::Status Fail() {
    if (fail_next <= 0) return absl::OkStatus();
    --fail_next;
    return absl::UnavailableError("server closed the connection");
  }
};

}  // namespace ccengine::tickets::testing

#endif  // CCENGINE_TESTS_TICKETS_TICKET_TEST_UTIL_H_
