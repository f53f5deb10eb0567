// Ledger: every sequence of entries and moves keeps the books balanced, and
// Check compares the live counts.

#include "ccengine/core/internal/ledger.h"

#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

TEST(LedgerTest, EnterCountsAWaitingContact) {
  Ledger ledger;
  ledger.Enter();
  EXPECT_EQ(ledger.totals().entered, 1u);
  EXPECT_EQ(ledger.totals().waiting, 1u);
  EXPECT_TRUE(ledger.totals().Balanced());
  EXPECT_TRUE(ledger.Check(1, 0, 0).ok());
}

TEST(LedgerTest, CheckNamesTheDifference) {
  Ledger ledger;
  ledger.Enter();
  ledger.Move(ContactState::kWaiting, ContactState::kOffered);
  absl::Status st = ledger.Check(1, 0, 0);
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_NE(st.message().find("0 waiting, 1 offered"), std::string::npos) << st;
}

TEST(LedgerTest, RandomLifecyclesStayBalancedAndMatchAModel) {
  std::mt19937_64 rng(11);
  Ledger ledger;
  std::vector<ContactState> contacts;
  const std::vector<ContactState> live = {ContactState::kWaiting, ContactState::kOffered,
                                          ContactState::kInService};
  const std::vector<ContactState> terminal = {
      ContactState::kCompleted, ContactState::kAbandoned, ContactState::kOverflowed,
      ContactState::kWithdrawn};
  for (int step = 0; step < 20000; ++step) {
    if (contacts.empty() || rng() % 3 == 0) {
      ledger.Enter();
      contacts.push_back(ContactState::kWaiting);
    } else {
      ContactState& c = contacts[rng() % contacts.size()];
      bool is_live = c == ContactState::kWaiting || c == ContactState::kOffered ||
                     c == ContactState::kInService;
      if (!is_live) continue;
      ContactState to =
          rng() % 4 == 0 ? terminal[rng() % terminal.size()] : live[rng() % 3];
      ledger.Move(c, to);
      c = to;
    }
    std::map<ContactState, uint64_t> count;
    for (ContactState s : contacts) ++count[s];
    const Accounting& a = ledger.totals();
    ASSERT_TRUE(a.Balanced());
    ASSERT_EQ(a.entered, contacts.size());
    ASSERT_EQ(a.waiting, count[ContactState::kWaiting]);
    ASSERT_EQ(a.offered, count[ContactState::kOffered]);
    ASSERT_EQ(a.in_service, count[ContactState::kInService]);
    ASSERT_EQ(a.completed, count[ContactState::kCompleted]);
    ASSERT_EQ(a.abandoned, count[ContactState::kAbandoned]);
    ASSERT_EQ(a.overflowed, count[ContactState::kOverflowed]);
    ASSERT_EQ(a.withdrawn, count[ContactState::kWithdrawn]);
  }
}

}  // namespace
}  // namespace ccengine::internal
