// CustomerHistoryStore (see ccengine/core/internal/customer_history.h).

#include "ccengine/core/internal/customer_history.h"

#include "fmt/format.h"

namespace ccengine::internal {

void CustomerHistoryStore::Record(const std::string& customer,
                                  const CustomerContact& contact, Micros now) {
  if (customer.empty() || !enabled()) return;
  auto [it, inserted] = records_.try_emplace(customer);
  Record_& rec = it->second;
  Entry entry;
  entry.contact = contact;
  entry.seq = ++seq_;
  rec.entries.push_back(entry);
  ++entries_;
  if (rec.entries.size() > limits_.per_customer) {
    // Its reference goes stale and is skipped when popped.
    rec.entries.erase(rec.entries.begin());
    --entries_;
  }
  refs_.push_back(Ref{now, entry.seq, &it->first});
  while (refs_.size() > limits_.max_entries) PopOldest();
}

void CustomerHistoryStore::PopOldest() {
  const Ref ref = refs_.front();
  auto it = records_.find(*ref.customer);
  if (it != records_.end()) {
    auto& entries = it->second.entries;
    if (!entries.empty() && entries.front().seq == ref.seq) {
      entries.erase(entries.begin());
      --entries_;
      // This was the customer's newest entry: no other reference points here.
      if (entries.empty()) records_.erase(it);
    }
  }
  refs_.pop_front();
}

void CustomerHistoryStore::ExpireSome(Micros now) {
  while (!refs_.empty() && refs_.front().at + retention_us_ <= now) PopOldest();
}

size_t CustomerHistoryStore::Erase(std::string_view customer) {
  auto it = records_.find(std::string(customer));
  if (it == records_.end()) return 0;
  const std::string* key = &it->first;
  std::erase_if(refs_, [key](const Ref& ref) { return ref.customer == key; });
  const size_t erased = it->second.entries.size();
  entries_ -= erased;
  records_.erase(it);
  return erased;
}

std::vector<CustomerContact> CustomerHistoryStore::Get(std::string_view customer) const {
  std::vector<CustomerContact> out;
  auto it = records_.find(std::string(customer));
  if (it == records_.end()) return out;
  const auto& entries = it->second.entries;
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) out.push_back(e->contact);
  return out;
}

std::optional<AgentId> CustomerHistoryStore::Last(std::string_view customer) const {
  auto it = records_.find(std::string(customer));
  if (it == records_.end() || it->second.entries.empty()) return std::nullopt;
  return it->second.entries.back().contact.agent;
}

absl::Status CustomerHistoryStore::Check(Micros now) const {
  auto broken = [](const std::string& what) {
    return absl::InternalError("customer history: " + what);
  };
  size_t entries = 0;
  for (const auto& [customer, rec] : records_) {
    if (rec.entries.empty() || rec.entries.size() > limits_.per_customer) {
      return broken(
          fmt::format("customer '{}' holds {} entries", customer, rec.entries.size()));
    }
    for (size_t i = 0; i < rec.entries.size(); ++i) {
      const Entry& e = rec.entries[i];
      if (i > 0 && rec.entries[i - 1].seq >= e.seq) {
        return broken(fmt::format("customer '{}' out of order", customer));
      }
      if (ToMicros(e.contact.ended_at) + retention_us_ <= now) {
        return broken(fmt::format("customer '{}' holds an expired entry", customer));
      }
    }
    entries += rec.entries.size();
  }
  if (entries != entries_ || entries > refs_.size() ||
      refs_.size() > limits_.max_entries) {
    return broken(fmt::format("{} entries held, {} counted, {} references", entries,
                              entries_, refs_.size()));
  }
  return absl::OkStatus();
}

}  // namespace ccengine::internal
