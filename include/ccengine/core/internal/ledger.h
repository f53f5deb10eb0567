// -----------------------------------------------------------------------------
// File: ccengine/core/internal/ledger.h
// -----------------------------------------------------------------------------
//
// `Ledger`: the engine's books (`Accounting`), kept by the only two things
// that move a contact: it enters (`Enter`, counted as waiting) and it changes
// state (`Move`, one counter down and one up). Nothing else writes the
// totals, so they balance after every step by construction;
// `Engine::CheckInvariants` also recounts the live states from the records
// (`Check`).
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   ledger.Enter();
//   ledger.Move(ContactState::kWaiting, ContactState::kOffered);

#ifndef CCENGINE_CORE_INTERNAL_LEDGER_H_
#define CCENGINE_CORE_INTERNAL_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "absl/status/status.h"
#include "ccengine/core/accounting.h"
#include "ccengine/core/contact.h"

namespace ccengine::internal {

class Ledger {
 public:
  void Enter() {
    ++totals_.entered;
    ++totals_.waiting;
  }
  // Inline, through a table indexed by state (not a switch): a contact moves
  // three times or more.
  void Move(ContactState from, ContactState to) {
    totals_.*kCounter[static_cast<size_t>(from)] -= 1;
    totals_.*kCounter[static_cast<size_t>(to)] += 1;
  }
  const Accounting& totals() const { return totals_; }
  // Snapshots restore the books as they were.
  void Restore(const Accounting& totals) { totals_ = totals; }

  // The live counts recounted from the records agree and the books balance;
  // Internal naming the difference otherwise.
  absl::Status Check(uint64_t waiting, uint64_t offered, uint64_t in_service) const;

 private:
  // The counter of each state, in ContactState's order.
  static constexpr uint64_t Accounting::*kCounter[] = {
      &Accounting::waiting,   &Accounting::offered,   &Accounting::in_service,
      &Accounting::completed, &Accounting::abandoned, &Accounting::overflowed,
      &Accounting::withdrawn};
  static_assert(std::size(kCounter) == static_cast<size_t>(ContactState::kWithdrawn) + 1);

  Accounting totals_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_LEDGER_H_
