// Names of ticket states, the checks every store applies, and the reference
// semantics of a ticket query.

#include "ccengine/tickets/ticket.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/contact.h"
#include "ccengine/text/tokenizer.h"
#include "ccengine/tickets/store.h"
#include "fmt/format.h"

namespace ccengine::tickets {
namespace {

inline constexpr size_t kMaxFreeFields = 64;

absl::Status CheckString(std::string_view field, std::string_view value, size_t limit) {
  if (value.size() > limit) {
    return absl::InvalidArgumentError(fmt::format(
        "ticket {}: {} bytes, more than the limit of {}", field, value.size(), limit));
  }
  absl::Status utf8 = text::ValidateUtf8(value);
  if (!utf8.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("ticket {}: {}", field, std::string(utf8.message())));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view TicketStateName(TicketState state) {
  switch (state) {
    case TicketState::kNew: return "new";
    case TicketState::kQueued: return "queued";
    case TicketState::kAssigned: return "assigned";
    case TicketState::kInProgress: return "in_progress";
    case TicketState::kPending: return "pending";
    case TicketState::kResolved: return "resolved";
    case TicketState::kClosed: return "closed";
    case TicketState::kReturned: return "returned";
    case TicketState::kMerged: return "merged";
    case TicketState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<TicketState> ParseTicketState(std::string_view name) {
  for (int i = 0; i < kTicketStateCount; ++i) {
    const auto state = static_cast<TicketState>(i);
    if (TicketStateName(state) == name) return state;
  }
  return std::nullopt;
}

bool IsOpen(TicketState state) {
  return state != TicketState::kClosed && state != TicketState::kMerged &&
         state != TicketState::kCancelled;
}

absl::Status ValidateTicket(const Ticket& ticket) {
  if (absl::Status s = CheckString("text", ticket.text, kMaxTicketTextBytes); !s.ok())
    return s;
  const std::pair<std::string_view, const std::string*> names[] = {
      {"category", &ticket.category},       {"department", &ticket.department},
      {"customer_id", &ticket.customer_id}, {"address", &ticket.address},
      {"assignee", &ticket.assignee},
  };
  for (const auto& [field, value] : names) {
    if (absl::Status s = CheckString(field, *value, kMaxTicketFieldBytes); !s.ok())
      return s;
  }
  if (ticket.fields.size() > kMaxFreeFields) {
    return absl::InvalidArgumentError(fmt::format(
        "ticket fields: {} of them, more than {}", ticket.fields.size(), kMaxFreeFields));
  }
  for (const auto& [key, value] : ticket.fields) {
    if (absl::Status s = CheckString("field name", key, kMaxTicketFieldBytes); !s.ok())
      return s;
    if (key.empty()) return absl::InvalidArgumentError("ticket field name: empty");
    if (absl::Status s =
            CheckString(fmt::format("field {}", key), value, kMaxTicketFieldBytes);
        !s.ok()) {
      return s;
    }
  }
  if (static_cast<int>(ticket.state) >= kTicketStateCount) {
    return absl::InvalidArgumentError(
        fmt::format("ticket state: {} is not a state", static_cast<int>(ticket.state)));
  }
  if (ticket.priority < kMinPriority || ticket.priority > kMaxPriority) {
    return absl::InvalidArgumentError(fmt::format("ticket priority: {} is outside {}..{}",
                                                  ticket.priority, kMinPriority,
                                                  kMaxPriority));
  }
  return absl::OkStatus();
}

absl::Status ValidateQuery(const TicketQuery& query) {
  if (query.limit < 1 || query.limit > 100000) {
    return absl::InvalidArgumentError(
        fmt::format("ticket query limit: {} is outside 1..100000", query.limit));
  }
  if (query.after_id < 0) {
    return absl::InvalidArgumentError(
        fmt::format("ticket query after_id: {} is negative", query.after_id));
  }
  return absl::OkStatus();
}

absl::Status ValidateAnonymizeRequest(const AnonymizeRequest& request) {
  if (request.customer_id.has_value() == request.finished_before.has_value()) {
    return absl::InvalidArgumentError(
        "anonymize: set exactly one of customer_id (an erasure request) and "
        "finished_before (retention)");
  }
  if (request.customer_id.has_value()) {
    if (request.customer_id->empty()) {
      return absl::InvalidArgumentError(
          "anonymize: customer_id is empty (anonymous tickets have no customer to "
          "erase)");
    }
    if (absl::Status s =
            CheckString("customer_id", *request.customer_id, kMaxTicketFieldBytes);
        !s.ok()) {
      return s;
    }
  }
  if (request.finished_before.has_value() &&
      (*request.finished_before == absl::InfiniteFuture() ||
       *request.finished_before == absl::InfinitePast())) {
    return absl::InvalidArgumentError("anonymize: finished_before is not a finite time");
  }
  if (request.limit < 1 || request.limit > 100000) {
    return absl::InvalidArgumentError(
        fmt::format("anonymize: limit {} is outside 1..100000", request.limit));
  }
  const HistoryEntry& e = request.entry;
  if (e.actor.empty() || e.action.empty()) {
    return absl::InvalidArgumentError(
        "anonymize: the history entry needs an actor and an action");
  }
  const std::pair<std::string_view, const std::string*> texts[] = {
      {"history actor", &e.actor}, {"history action", &e.action}};
  for (const auto& [field, value] : texts) {
    if (absl::Status s = CheckString(field, *value, kMaxTicketFieldBytes); !s.ok())
      return s;
  }
  return CheckString("history reason", e.reason, kMaxTicketTextBytes);
}

absl::Status OpenTicketsOfCustomer(const std::vector<TicketId>& open) {
  const size_t named = std::min<size_t>(open.size(), 10);
  return absl::FailedPreconditionError(fmt::format(
      "anonymize: the customer has {} open ticket{} ({}{}); close or cancel them first",
      open.size(), open.size() == 1 ? "" : "s",
      fmt::join(open.begin(), open.begin() + static_cast<std::ptrdiff_t>(named), ", "),
      open.size() > named ? ", …" : ""));
}

absl::Status CheckWritable(const Ticket& ticket, bool create) {
  if (!ticket.anonymized) return absl::OkStatus();
  if (create) {
    return absl::InvalidArgumentError(
        "create: a new ticket is not anonymized (only TicketStore::Anonymize marks one)");
  }
  return absl::FailedPreconditionError(
      fmt::format("ticket {} was anonymized (its personal data erased): it can no "
                  "longer change",
                  ticket.id));
}

bool Matches(const TicketQuery& query, const Ticket& ticket) {
  if (!query.states.empty() && std::find(query.states.begin(), query.states.end(),
                                         ticket.state) == query.states.end()) {
    return false;
  }
  if (query.open_only && !IsOpen(ticket.state)) return false;
  if (query.department && *query.department != ticket.department) return false;
  if (query.category && *query.category != ticket.category) return false;
  if (query.customer_id && *query.customer_id != ticket.customer_id) return false;
  if (query.due_by && ticket.next_check > *query.due_by) return false;
  if (query.created_since && ticket.created_at < *query.created_since) return false;
  return true;
}

}  // namespace ccengine::tickets
