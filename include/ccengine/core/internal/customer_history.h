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
// its last entry, or at once with every reference to it by `Erase` (an
// erasure request).
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   CustomerHistoryStore history({8, absl::Hours(24), 1 << 20});
//   history.Record("13800000000", contact, now);
//   history.Expire(later);
//   history.Erase("13800000000");  // the customer asked to be forgotten
//   std::optional<AgentId> last = history.Last("13800000000");

#ifndef CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_
#define CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  // Forgets every entry of the customer and the references to them, stale
  // ones included (they point at the record's key). Returns how many
  // entries went. O(references held): for erasure requests, not routing.
  size_t Erase(std::string_view customer);
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

  // Snapshots: the records by customer name, then the references in
  // recording order (stale ones included: they count against max_entries),
  // then the counter.
  template <typename Writer>
  void Save(Writer& w) const {
    std::vector<const std::pair<const std::string, Record_>*> sorted;
    sorted.reserve(records_.size());
    for (const auto& kv : records_) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    w.Count(sorted.size());
    for (const auto* kv : sorted) {
      w.String(kv->first);
      w.Count(kv->second.entries.size());
      for (const Entry& e : kv->second.entries) EntryFields(w, e);
    }
    w.Count(refs_.size());
    for (const Ref& ref : refs_) {
      w.Signed(ref.at);
      w.Unsigned(ref.seq);
      w.String(*ref.customer);
    }
    w.Unsigned(seq_);
  }
  // Replaces the store's contents. False (the store then partly loaded, for
  // the caller to discard) when a reference names a customer with no record
  // or a customer is listed twice; reader errors are the reader's.
  template <typename Reader>
  bool Load(Reader& r) {
    records_.clear();
    refs_.clear();
    entries_ = 0;
    const uint64_t customers = r.Count();
    for (uint64_t i = 0; i < customers && r.ok(); ++i) {
      std::string name;
      r.String(name);
      Record_ rec;
      const uint64_t n = r.Count();
      for (uint64_t j = 0; j < n && r.ok(); ++j) {
        EntryFields(r, rec.entries.emplace_back());
      }
      entries_ += rec.entries.size();
      if (!records_.emplace(std::move(name), std::move(rec)).second) return false;
    }
    const uint64_t refs = r.Count();
    for (uint64_t i = 0; i < refs && r.ok(); ++i) {
      Ref ref{};
      std::string name;
      r.Signed(ref.at);
      r.Unsigned(ref.seq);
      r.String(name);
      auto it = records_.find(name);
      if (it == records_.end()) return false;
      ref.customer = &it->first;
      refs_.push_back(ref);
    }
    r.Unsigned(seq_);
    return true;
  }

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
  // An entry's fields, for Save and Load.
  template <typename Io, typename E>
  static void EntryFields(Io& io, E& e) {
    io.Id(e.contact.contact);
    io.Id(e.contact.agent);
    io.Enum(e.contact.channel, kChannelCount);
    io.Id(e.contact.queue);
    io.Time(e.contact.ended_at);
    io.Unsigned(e.seq);
  }

  Limits limits_;
  Micros retention_us_;
  absl::node_hash_map<std::string, Record_> records_;
  std::deque<Ref> refs_;
  uint64_t seq_ = 0;
  size_t entries_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_CUSTOMER_HISTORY_H_
