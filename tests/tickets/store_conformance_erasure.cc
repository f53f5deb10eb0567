// The TicketStore conformance suite, personal data erasure and retention
// (`TicketStore::Anonymize`; see store_conformance.h).

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "gtest/gtest.h"
#include "store_conformance.h"

namespace ccengine::tickets::testing {
namespace {

const absl::Time kStart = absl::FromUnixMicros(1797000000654321);

HistoryEntry Step(std::string action, TicketState from, TicketState to, absl::Time at) {
  HistoryEntry e;
  e.at = at;
  e.actor = "agent-3";
  e.action = std::move(action);
  e.from = from;
  e.to = to;
  e.reason = "王芳来电, 手机13912345678, 住和平里7号";
  return e;
}

AnonymizeRequest Erase(std::string customer) {
  AnonymizeRequest r;
  r.customer_id = std::move(customer);
  r.entry.at = kStart + absl::Hours(100);
  r.entry.actor = "dpo-1";
  r.entry.action = "erase";
  r.entry.reason = "erasure request 2026-0042";
  return r;
}

AnonymizeRequest Expire(absl::Time before) {
  AnonymizeRequest r;
  r.finished_before = before;
  r.entry.at = kStart + absl::Hours(200);
  r.entry.actor = "retention";
  r.entry.action = "expire";
  r.entry.reason = "tickets: 3 years after the last update";
  return r;
}

// Creates tickets in a given final state, last updated at a given time, each
// with two history entries carrying personal data, and reads them back.
class Tickets {
 public:
  explicit Tickets(TicketStore& store) : store_(&store) {}

  Ticket Make(std::string customer, TicketState final_state, absl::Time updated_at) {
    Ticket t;
    t.category = "noise";
    t.department = "城管";
    t.priority = 3;
    t.text = "王芳反映楼下烧烤店噪音, 回电13912345678";
    t.customer_id = std::move(customer);
    t.address = "和平里7号";
    t.fields = {{"customer.name", "王芳"}, {"channel", "voice"}};
    t.created_at = kStart;
    t.updated_at = kStart;
    t.queued_since = kStart;
    t.assignee = "agent-3";
    t.resolution.due = kStart + absl::Hours(72);
    absl::StatusOr<Ticket> created =
        store_->Create(t, Step("create", TicketState::kNew, TicketState::kNew, kStart));
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return t;
    Ticket next = *created;
    next.state = final_state;
    next.updated_at = updated_at;
    absl::StatusOr<Ticket> updated =
        store_->Update(next, Step("finish", TicketState::kNew, final_state, updated_at));
    EXPECT_TRUE(updated.ok()) << updated.status();
    return updated.ok() ? *updated : next;
  }

  Ticket Read(TicketId id) {
    absl::StatusOr<Ticket> t = store_->Get(id);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : Ticket{};
  }

  std::vector<HistoryEntry> HistoryOf(TicketId id) {
    absl::StatusOr<std::vector<HistoryEntry>> h = store_->History(id);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? *h : std::vector<HistoryEntry>{};
  }

  // `before` with its personal data gone, as Anonymize leaves it, and its
  // history: every reason empty, then `entry` appended.
  void ExpectAnonymized(const Ticket& before,
                        const std::vector<HistoryEntry>& history_before,
                        const HistoryEntry& entry) {
    Ticket expected = before;
    expected.text.clear();
    expected.customer_id.clear();
    expected.address.clear();
    expected.fields.clear();
    expected.anonymized = true;
    expected.version = before.version + 1;
    EXPECT_EQ(Read(before.id), expected);
    std::vector<HistoryEntry> history = HistoryOf(before.id);
    ASSERT_EQ(history.size(), history_before.size() + 1);
    for (size_t i = 0; i < history_before.size(); ++i) {
      HistoryEntry e = history_before[i];
      e.reason.clear();
      EXPECT_EQ(history[i], e);
    }
    HistoryEntry last = entry;
    last.ticket = before.id;
    last.seq = static_cast<int64_t>(history_before.size()) + 1;
    last.from = last.to = before.state;
    EXPECT_EQ(history.back(), last);
  }

 private:
  TicketStore* store_;
};

TEST_P(TicketStoreConformance, AnErasureRequestAnonymizesEveryTicketOfTheCustomer) {
  Tickets h(*store_);
  const Ticket closed = h.Make("c1042", TicketState::kClosed, kStart + absl::Hours(1));
  const Ticket other = h.Make("c2000", TicketState::kClosed, kStart + absl::Hours(1));
  const Ticket merged = h.Make("c1042", TicketState::kMerged, kStart + absl::Hours(2));
  const Ticket anonymous = h.Make("", TicketState::kCancelled, kStart + absl::Hours(2));
  const Ticket cancelled =
      h.Make("c1042", TicketState::kCancelled, kStart + absl::Hours(3));
  const std::vector<Ticket> mine = {closed, merged, cancelled};
  std::vector<std::vector<HistoryEntry>> histories;
  for (const Ticket& t : mine) histories.push_back(h.HistoryOf(t.id));
  const std::vector<HistoryEntry> other_history = h.HistoryOf(other.id);

  const AnonymizeRequest request = Erase("c1042");
  absl::StatusOr<std::vector<TicketId>> done = store_->Anonymize(request);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, (std::vector<TicketId>{closed.id, merged.id, cancelled.id}));
  for (size_t i = 0; i < mine.size(); ++i) {
    h.ExpectAnonymized(mine[i], histories[i], request.entry);
  }
  // Nobody else's tickets change.
  EXPECT_EQ(h.Read(other.id), other);
  EXPECT_EQ(h.HistoryOf(other.id), other_history);
  EXPECT_EQ(h.Read(anonymous.id), anonymous);

  // The customer is gone: nothing is found under the id, and asking again
  // anonymizes nothing.
  TicketQuery by_customer;
  by_customer.customer_id = "c1042";
  absl::StatusOr<std::vector<Ticket>> found = store_->Query(by_customer);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty());
  done = store_->Anonymize(request);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(done->empty());
  EXPECT_EQ(h.HistoryOf(closed.id).size(), histories[0].size() + 1);
}

TEST_P(TicketStoreConformance, AnErasureRequestWaitsForTheCustomersOpenTickets) {
  Tickets h(*store_);
  const Ticket closed = h.Make("c1042", TicketState::kClosed, kStart + absl::Hours(1));
  const Ticket open = h.Make("c1042", TicketState::kInProgress, kStart + absl::Hours(2));
  const Ticket resolved =
      h.Make("c1042", TicketState::kResolved, kStart + absl::Hours(2));
  absl::StatusOr<std::vector<TicketId>> done = store_->Anonymize(Erase("c1042"));
  EXPECT_EQ(done.status().code(), absl::StatusCode::kFailedPrecondition) << done.status();
  EXPECT_NE(done.status().message().find(std::to_string(open.id) + ", " +
                                         std::to_string(resolved.id)),
            absl::string_view::npos)
      << done.status();
  // Nothing was written.
  for (const Ticket& t : {closed, open, resolved}) {
    EXPECT_EQ(h.Read(t.id), t);
    EXPECT_EQ(h.HistoryOf(t.id).size(), 2u);
  }
}

TEST_P(TicketStoreConformance,
       RetentionAnonymizesFinishedTicketsLastUpdatedBeforeTheCutoff) {
  Tickets h(*store_);
  const absl::Time cutoff = kStart + absl::Hours(10);
  const Ticket old_closed = h.Make("c1", TicketState::kClosed, kStart + absl::Hours(1));
  const Ticket old_open = h.Make("c2", TicketState::kPending, kStart + absl::Hours(1));
  const Ticket at_cutoff = h.Make("c3", TicketState::kClosed, cutoff);
  const Ticket old_merged = h.Make("c4", TicketState::kMerged, kStart + absl::Hours(2));
  const Ticket recent = h.Make("c5", TicketState::kCancelled, cutoff + absl::Hours(1));
  const Ticket old_cancelled =
      h.Make("c6", TicketState::kCancelled, cutoff - absl::Microseconds(1));
  const std::vector<Ticket> expiring = {old_closed, old_merged, old_cancelled};
  std::vector<std::vector<HistoryEntry>> histories;
  for (const Ticket& t : expiring) histories.push_back(h.HistoryOf(t.id));

  // A page at a time, in id order, until none is left.
  AnonymizeRequest request = Expire(cutoff);
  request.limit = 2;
  absl::StatusOr<std::vector<TicketId>> first = store_->Anonymize(request);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, (std::vector<TicketId>{old_closed.id, old_merged.id}));
  absl::StatusOr<std::vector<TicketId>> second = store_->Anonymize(request);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, (std::vector<TicketId>{old_cancelled.id}));
  absl::StatusOr<std::vector<TicketId>> third = store_->Anonymize(request);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_TRUE(third->empty());

  for (size_t i = 0; i < expiring.size(); ++i) {
    h.ExpectAnonymized(expiring[i], histories[i], request.entry);
  }
  for (const Ticket& kept : {old_open, at_cutoff, recent})
    EXPECT_EQ(h.Read(kept.id), kept);
}

TEST_P(TicketStoreConformance, AnAnonymizedTicketIsNeverWrittenAgain) {
  Tickets h(*store_);
  const Ticket closed = h.Make("c1042", TicketState::kClosed, kStart + absl::Hours(1));
  ASSERT_TRUE(store_->Anonymize(Erase("c1042")).ok());
  const Ticket read = h.Read(closed.id);
  ASSERT_TRUE(read.anonymized);

  // Reopened from what was read: refused, since its data is gone.
  Ticket reopened = read;
  reopened.state = TicketState::kInProgress;
  reopened.text = "王芳又来电";
  absl::StatusOr<Ticket> updated = store_->Update(
      reopened, Step("reopen", TicketState::kClosed, TicketState::kInProgress, kStart));
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition)
      << updated.status();
  // From a copy read before the erasure: that copy is stale.
  Ticket stale = closed;
  stale.state = TicketState::kInProgress;
  updated = store_->Update(
      stale, Step("reopen", TicketState::kClosed, TicketState::kInProgress, kStart));
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kAborted) << updated.status();
  EXPECT_EQ(h.Read(closed.id), read);

  Ticket born_anonymized = closed;
  born_anonymized.id = 0;
  born_anonymized.version = 0;
  born_anonymized.anonymized = true;
  EXPECT_EQ(store_
                ->Create(born_anonymized,
                         Step("create", TicketState::kNew, TicketState::kNew, kStart))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(TicketStoreConformance, BadRequestsAreRefusedAndChangeNothing) {
  Tickets h(*store_);
  const Ticket closed = h.Make("c1042", TicketState::kClosed, kStart + absl::Hours(1));
  std::vector<AnonymizeRequest> bad;
  AnonymizeRequest neither = Erase("c1042");
  neither.customer_id.reset();
  bad.push_back(neither);
  AnonymizeRequest both = Erase("c1042");
  both.finished_before = kStart + absl::Hours(5);
  bad.push_back(both);
  bad.push_back(Erase(""));
  bad.push_back(Erase("c\xff"));
  bad.push_back(Erase(std::string(kMaxTicketFieldBytes + 1, 'c')));
  bad.push_back(Expire(absl::InfiniteFuture()));
  AnonymizeRequest no_limit = Erase("c1042");
  no_limit.limit = 0;
  bad.push_back(no_limit);
  AnonymizeRequest huge_limit = Erase("c1042");
  huge_limit.limit = 100001;
  bad.push_back(huge_limit);
  AnonymizeRequest no_actor = Erase("c1042");
  no_actor.entry.actor.clear();
  bad.push_back(no_actor);
  AnonymizeRequest bad_reason = Erase("c1042");
  bad_reason.entry.reason = "\xc0\xaf";
  bad.push_back(bad_reason);
  for (const AnonymizeRequest& r : bad) {
    absl::StatusOr<std::vector<TicketId>> done = store_->Anonymize(r);
    EXPECT_EQ(done.status().code(), absl::StatusCode::kInvalidArgument) << done.status();
  }
  EXPECT_EQ(h.Read(closed.id), closed);
  EXPECT_EQ(h.HistoryOf(closed.id).size(), 2u);
}

}  // namespace
}  // namespace ccengine::tickets::testing
