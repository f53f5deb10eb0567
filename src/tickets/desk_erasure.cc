// The desk's part in personal data erasure and retention: requests to the
// store's Anonymize, a page at a time, each page retried like any write.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "desk_internal.h"
#include "fmt/format.h"

namespace ccengine::tickets {
namespace {

// Tickets per store transaction: a page of an erasure or a retention sweep.
constexpr size_t kPage = 1000;

// Anonymizes pages of what `request` selects until a page comes back short
// or `limit` tickets are done. The desk's lock is taken per page, so that a
// long sweep lets the desk's other calls in between pages.
absl::StatusOr<std::vector<TicketId>> AnonymizeAll(TicketDesk::State& s,
                                                   AnonymizeRequest request,
                                                   size_t limit = SIZE_MAX) {
  request.entry.at = s.Now();
  std::vector<TicketId> out;
  while (out.size() < limit) {
    request.limit = std::min(kPage, limit - out.size());
    absl::StatusOr<std::vector<TicketId>> page;
    absl::Status status;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      status = s.WithRetries([&]() -> absl::Status {
        page = s.store->Anonymize(request);
        return page.status();
      });
    }
    if (!status.ok()) return status;
    out.insert(out.end(), page->begin(), page->end());
    if (page->size() < request.limit) break;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<TicketId>> TicketDesk::EraseCustomer(
    const std::string& customer_id, const std::string& actor,
    const std::string& reference) {
  if (reference.empty()) {
    return absl::InvalidArgumentError(
        "erase: the request's reference is required (it stands in each ticket's "
        "history for the erased data)");
  }
  AnonymizeRequest request;
  request.customer_id = customer_id;
  request.entry.actor = actor;
  request.entry.action = "erase";
  request.entry.reason = reference;
  return AnonymizeAll(*s_, std::move(request));
}

absl::StatusOr<size_t> TicketDesk::ExpireFinished(absl::Duration keep,
                                                  const std::string& actor,
                                                  size_t limit) {
  if (keep <= absl::ZeroDuration() || keep == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("expire: the retention period {} is not a positive, finite duration",
                    absl::FormatDuration(keep)));
  }
  AnonymizeRequest request;
  request.finished_before = s_->Now() - keep;
  request.entry.actor = actor;
  request.entry.action = "expire";
  request.entry.reason =
      fmt::format("retention: finished more than {} ago", absl::FormatDuration(keep));
  if (limit == 0) return absl::InvalidArgumentError("expire: limit is 0");
  absl::StatusOr<std::vector<TicketId>> done =
      AnonymizeAll(*s_, std::move(request), limit);
  if (!done.ok()) return done.status();
  return done->size();
}

}  // namespace ccengine::tickets
