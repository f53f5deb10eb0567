// How tickets map to SQL-style rows (see row_codec.h).

#include "ccengine/tickets/row_codec.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"

namespace ccengine::tickets::rows {

bool TimeFits(absl::Time t) {
  return t == absl::InfiniteFuture() || t == absl::InfinitePast() ||
         (t >= absl::FromUnixMicros(kMinMicros + 1) &&
          t < absl::FromUnixMicros(kMaxMicros));
}

bool DurationFits(absl::Duration d) {
  return d == absl::InfiniteDuration() || d == -absl::InfiniteDuration() ||
         (d > absl::Microseconds(kMinMicros) && d < absl::Microseconds(kMaxMicros));
}

// absl saturates: the infinite values map to the sentinels.
int64_t TimeToMicros(absl::Time t) { return absl::ToUnixMicros(t); }

int64_t DurationToMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

absl::Time MicrosToTime(int64_t micros) {
  if (micros == kMaxMicros) return absl::InfiniteFuture();
  if (micros == kMinMicros) return absl::InfinitePast();
  return absl::FromUnixMicros(micros);
}

absl::Duration MicrosToDuration(int64_t micros) {
  if (micros == kMaxMicros) return absl::InfiniteDuration();
  if (micros == kMinMicros) return -absl::InfiniteDuration();
  return absl::Microseconds(micros);
}

std::optional<int64_t> OptionalTime(const std::optional<absl::Time>& t) {
  if (!t.has_value()) return std::nullopt;
  return TimeToMicros(*t);
}

std::optional<int64_t> OptionalDuration(const std::optional<absl::Duration>& d) {
  if (!d.has_value()) return std::nullopt;
  return DurationToMicros(*d);
}

absl::Time RoundTime(absl::Time t) { return MicrosToTime(TimeToMicros(t)); }

absl::Duration RoundDuration(absl::Duration d) {
  return MicrosToDuration(DurationToMicros(d));
}

// The enum is unsigned: only the upper end needs a check.
bool StateKnown(TicketState state) { return static_cast<int>(state) < kTicketStateCount; }

absl::Status CheckClock(std::string_view name, const SlaClock& clock) {
  const std::pair<std::string_view, std::optional<absl::Time>> times[] = {
      {"due", clock.due}, {"warn_at", clock.warn_at}, {"stopped_at", clock.stopped_at}};
  for (const auto& [field, t] : times) {
    if (t.has_value() && !TimeFits(*t)) {
      return absl::InvalidArgumentError(
          fmt::format("ticket {}.{}: {} is outside the times the store holds", name,
                      field, absl::FormatTime(*t)));
    }
  }
  if (!DurationFits(clock.remaining)) {
    return absl::InvalidArgumentError(
        fmt::format("ticket {}.remaining: {} is outside the durations the store holds",
                    name, absl::FormatDuration(clock.remaining)));
  }
  return absl::OkStatus();
}

void RoundClock(SlaClock& clock) {
  for (std::optional<absl::Time>* t : {&clock.due, &clock.warn_at, &clock.stopped_at}) {
    if (t->has_value()) **t = RoundTime(**t);
  }
  clock.remaining = RoundDuration(clock.remaining);
}

absl::Status CheckStorable(const Ticket& ticket) {
  if (!StateKnown(ticket.state)) {
    return absl::InvalidArgumentError(fmt::format(
        "ticket state: {} is not a ticket state", static_cast<int>(ticket.state)));
  }
  const std::pair<std::string_view, absl::Time> times[] = {
      {"created_at", ticket.created_at},
      {"updated_at", ticket.updated_at},
      {"queued_since", ticket.queued_since},
      {"next_check", ticket.next_check},
  };
  for (const auto& [field, t] : times) {
    if (!TimeFits(t)) {
      return absl::InvalidArgumentError(
          fmt::format("ticket {}: {} is outside the times the store holds", field,
                      absl::FormatTime(t)));
    }
  }
  if (absl::Status s = CheckClock("first_response", ticket.first_response); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckClock("resolution", ticket.resolution); !s.ok()) return s;
  if (ticket.extension_requested.has_value() &&
      !DurationFits(*ticket.extension_requested)) {
    return absl::InvalidArgumentError(
        fmt::format("ticket extension_requested: {} is outside the durations the store "
                    "holds",
                    absl::FormatDuration(*ticket.extension_requested)));
  }
  return absl::OkStatus();
}

absl::Status CheckStorable(const HistoryEntry& entry) {
  if (!StateKnown(entry.from) || !StateKnown(entry.to)) {
    return absl::InvalidArgumentError(
        fmt::format("history entry: state {} -> {} is not a ticket state",
                    static_cast<int>(entry.from), static_cast<int>(entry.to)));
  }
  if (!TimeFits(entry.at)) {
    return absl::InvalidArgumentError(
        fmt::format("history entry at: {} is outside the times the store holds",
                    absl::FormatTime(entry.at)));
  }
  return absl::OkStatus();
}

Ticket AsStored(Ticket ticket) {
  for (absl::Time* t : {&ticket.created_at, &ticket.updated_at, &ticket.queued_since,
                        &ticket.next_check}) {
    *t = RoundTime(*t);
  }
  RoundClock(ticket.first_response);
  RoundClock(ticket.resolution);
  if (ticket.extension_requested.has_value()) {
    ticket.extension_requested = RoundDuration(*ticket.extension_requested);
  }
  return ticket;
}

std::string FinishedStatesSql() {
  return fmt::format("('{}', '{}', '{}')", TicketStateName(TicketState::kClosed),
                     TicketStateName(TicketState::kMerged),
                     TicketStateName(TicketState::kCancelled));
}

int64_t DueByMicros(absl::Time t) {
  // next_check <= t. Above every finite time a row holds: all of them, not
  // InfiniteFuture; below: InfinitePast only.
  if (t == absl::InfiniteFuture()) return kMaxMicros;
  if (t == absl::InfinitePast()) return kMinMicros;
  if (t >= absl::FromUnixMicros(kMaxMicros)) return kMaxMicros - 1;
  if (t < absl::FromUnixMicros(kMinMicros + 1)) return kMinMicros;
  return absl::ToUnixMicros(t);  // rounded down: stored times are whole micros
}

int64_t CreatedSinceMicros(absl::Time t) {
  // created_at >= t. Above every finite time a row holds: InfiniteFuture
  // only; below: all of them, not InfinitePast.
  if (t == absl::InfiniteFuture()) return kMaxMicros;
  if (t == absl::InfinitePast()) return kMinMicros;
  if (t >= absl::FromUnixMicros(kMaxMicros)) return kMaxMicros;
  if (t < absl::FromUnixMicros(kMinMicros + 1)) return kMinMicros + 1;
  const int64_t down = absl::ToUnixMicros(t);
  return absl::FromUnixMicros(down) == t ? down : down + 1;  // rounded up
}

absl::StatusOr<std::vector<size_t>> CheckUpdateBatch(
    absl::Span<const Ticket> tickets, absl::Span<const HistoryEntry> entries,
    absl::FunctionRef<absl::Status(const Ticket&, const HistoryEntry&)> check_write) {
  if (tickets.size() != entries.size()) {
    return absl::InvalidArgumentError(
        fmt::format("update tickets: {} tickets but {} history entries", tickets.size(),
                    entries.size()));
  }
  for (size_t i = 0; i < tickets.size(); ++i) {
    if (absl::Status s = check_write(tickets[i], entries[i]); !s.ok()) {
      return absl::Status(s.code(), fmt::format("update ticket {}: {}", tickets[i].id,
                                                std::string(s.message())));
    }
  }
  std::vector<size_t> order(tickets.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&tickets](size_t a, size_t b) { return tickets[a].id < tickets[b].id; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (tickets[order[i]].id == tickets[order[i - 1]].id) {
      return absl::InvalidArgumentError(
          fmt::format("update tickets: ticket {} named twice", tickets[order[i]].id));
    }
  }
  return order;
}

}  // namespace ccengine::tickets::rows
