// -----------------------------------------------------------------------------
// File: ccengine/tickets/row_codec.h
// -----------------------------------------------------------------------------
//
// For store implementers: how a `Ticket` and a `HistoryEntry` map to
// SQL-style rows, the part every store that keeps tickets in rows shares
// (adapters/sqlite and adapters/postgres use it; so can another). What is
// particular to one database — its SQL, how values are bound and read, the
// strings it cannot hold — stays in its adapter.
//
// Values in a row:
//   times      int64 microseconds since the Unix epoch, rounded down;
//              InfiniteFuture / InfinitePast are INT64_MAX / INT64_MIN
//              (`kMaxMicros` / `kMinMicros`), so a finite time must fall
//              strictly between them (`TimeFits`)
//   durations  int64 microseconds, rounded toward zero; the infinite
//              durations are INT64_MAX / INT64_MIN (`DurationFits`)
//   optionals  NULL when unset (`OptionalTime`, `OptionalDuration`: nullopt)
//   states     by name (`TicketStateName`), so rows do not depend on the
//              enum's numbering
//
// A store rounds what it writes to microseconds (`AsStored` is the ticket as
// it will read back), refuses what a row cannot hold before writing
// (`CheckStorable`, after `ValidateTicket`; `CheckUpdateBatch` for the
// arguments of `UpdateMany`), and turns the time conditions of a
// `TicketQuery` into bounds on the stored microseconds (`DueByMicros`,
// `CreatedSinceMicros`) that agree with `Matches`.
//
// Thread safety: constants and functions without state; thread-safe.

#ifndef CCENGINE_TICKETS_ROW_CODEC_H_
#define CCENGINE_TICKETS_ROW_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::tickets::rows {

// The sentinels: InfiniteFuture and the infinite duration are kMaxMicros,
// InfinitePast and minus the infinite duration kMinMicros.
inline constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMinMicros = std::numeric_limits<int64_t>::min();

// Whether a row can hold the time (an infinite one, or a finite one strictly
// between the sentinels) or the duration.
bool TimeFits(absl::Time t);
bool DurationFits(absl::Duration d);

// Only for values that fit: the infinite ones map to the sentinels, finite
// times round down, finite durations toward zero.
int64_t TimeToMicros(absl::Time t);
int64_t DurationToMicros(absl::Duration d);
// The sentinels back to the infinite values; any other value as is.
absl::Time MicrosToTime(int64_t micros);
absl::Duration MicrosToDuration(int64_t micros);

// An optional value as a nullable column: nullopt when unset.
std::optional<int64_t> OptionalTime(const std::optional<absl::Time>& t);
std::optional<int64_t> OptionalDuration(const std::optional<absl::Duration>& d);

// The value as a row holds it (rounded to microseconds).
absl::Time RoundTime(absl::Time t);
absl::Duration RoundDuration(absl::Duration d);

// Whether `state` is one of the `TicketState`s (a row holds it by name).
bool StateKnown(TicketState state);

// InvalidArgument, naming the field as "ticket <name>.<field>", when a time
// or duration of the clock does not fit.
absl::Status CheckClock(std::string_view name, const SlaClock& clock);
// The clock's times and duration rounded to microseconds.
void RoundClock(SlaClock& clock);

// What a row store refuses beyond `ValidateTicket`: a time or duration that
// does not fit, a state that is not a `TicketState`. InvalidArgument naming
// the field. A store adds its own checks (e.g. strings it cannot hold).
absl::Status CheckStorable(const Ticket& ticket);
absl::Status CheckStorable(const HistoryEntry& entry);

// `ticket` as a row store keeps it: times and durations rounded to
// microseconds (what reading it back returns).
Ticket AsStored(Ticket ticket);

// "('closed', 'merged', 'cancelled')": the states that are not open, as an
// SQL list of the names the stores write.
std::string FinishedStatesSql();

// The bound of a query condition in stored microseconds, chosen so that the
// SQL comparison agrees with `Matches` for every time a row can hold:
// `next_check <= DueByMicros(t)` and `created_at >= CreatedSinceMicros(t)`.
int64_t DueByMicros(absl::Time t);
int64_t CreatedSinceMicros(absl::Time t);

// The argument checks of `TicketStore::UpdateMany`, before anything is
// written, in this order: as many entries as tickets; `check_write` for each
// pair (its error prefixed "update ticket <id>: "); no ticket named twice.
// Returns the indexes of `tickets` in id order: a store that writes in that
// order locks rows in the same order as any other batch.
absl::StatusOr<std::vector<size_t>> CheckUpdateBatch(
    absl::Span<const Ticket> tickets, absl::Span<const HistoryEntry> entries,
    absl::FunctionRef<absl::Status(const Ticket&, const HistoryEntry&)> check_write);

}  // namespace ccengine::tickets::rows

#endif  // CCENGINE_TICKETS_ROW_CODEC_H_
