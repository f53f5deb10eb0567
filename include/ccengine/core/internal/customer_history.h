// -----------------------------------------------------------------------------
// File: ccengine/core/internal/customer_history.h
// -----------------------------------------------------------------------------
//
// `CustomerHistoryStore`: each customer's most recent contacts across
// channels (`Engine::CustomerHistory`, `Engine::LastAgent`, the
// prefer-last-agent option), bounded three ways: at most `per_customer`
// entries per customer, at most `max_entries` in all (the oldest recorded
// go first), and none older than `retention` (measured from the end of
// service).
//
// Every entry is also referenced from one engine-wide list in recording
// order; expiry and the global bound pop that list from the front. An entry
// pushed out of a full customer record leaves a stale reference behind,
// recognised by its sequence number and skipped when popped, so recording is
// O(1) amortised and expiry O(expired). A customer's record is erased with
// its last entry.
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   CustomerHistoryStore history({8, absl::Hours(24), 1 << 20});
//   history.Record("13800000000", contact, now);
//   history.Expire(later);
//   std::optional<AgentId> last = history.Last("13800000000");

#ifndef CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_
#define CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

class CustomerHistoryStore {
 public:
  struct Limits {
    size_t per_customer = 8;
    absl::Duration retention;  // zero or less: keep nothing
    size_t max_entries = 0;
  };

  explicit CustomerHistoryStore(Limits limits)
      : limits_(limits), retention_us_(ToMicros(limits.retention)) {}

  // False when the limits keep nothing: `Record` is then a no-op.
  bool enabled() const {
    return limits_.per_customer > 0 && limits_.retention > absl::ZeroDuration() &&
           limits_.max_entries > 0;
  }
  // Records a contact whose service ended at `now` (an empty customer id is
  // not recorded).
  void Record(const std::string& customer, const CustomerContact& contact, Micros now);
  // Forgets the entries whose service ended at or before `now - retention`.
  // Inline for the common case of an empty store: the engine calls it at
  // every clock step.
  void Expire(Micros now) {
    if (!refs_.empty()) ExpireSome(now);
  }
  // Nothing recorded that could still expire.
  bool empty() const { return refs_.empty(); }

  // The customer's entries, newest first (empty for an unknown customer).
  std::vector<CustomerContact> Get(std::string_view customer) const;
  // The agent of the customer's newest entry.
  std::optional<AgentId> Last(std::string_view customer) const;
  // Entries held, over all customers.
  size_t entries() const { return entries_; }
  size_t customers() const { return records_.size(); }

  // Every bound holds, records are ordered, the counts agree and no entry is
  // older than the retention at `now`. Internal, naming what broke.
  absl::Status Check(Micros now) const;

 private:
  struct Entry {
    CustomerContact contact;
    uint64_t seq = 0;  // recording order
  };
  struct Record_ {
    absl::InlinedVector<Entry, 2> entries;  // oldest first
  };
  // One recorded entry in recording order. The customer's record outlives
  // every reference to it: it is erased only when its newest entry goes.
  struct Ref {
    Micros at;
    uint64_t seq;
    const std::string* customer;  // the key of its node_hash_map node
  };

  void ExpireSome(Micros now);
  void PopOldest();

  Limits limits_;
  Micros retention_us_;
  absl::node_hash_map<std::string, Record_> records_;
  std::deque<Ref> refs_;
  uint64_t seq_ = 0;
  size_t entries_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_
