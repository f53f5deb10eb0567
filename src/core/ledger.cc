// Ledger (see ccengine/core/internal/ledger.h).

#include "ccengine/core/internal/ledger.h"

#include "fmt/format.h"

namespace ccengine::internal {

absl::Status Ledger::Check(uint64_t waiting, uint64_t offered,
                           uint64_t in_service) const {
  if (waiting != totals_.waiting || offered != totals_.offered ||
      in_service != totals_.in_service) {
    return absl::InternalError(fmt::format(
        "the books count {} waiting, {} offered, {} in service; the records {}, {}, {}",
        totals_.waiting, totals_.offered, totals_.in_service, waiting, offered,
        in_service));
  }
  if (!totals_.Balanced()) return absl::InternalError("the books do not balance");
  return absl::OkStatus();
}

}  // namespace ccengine::internal
