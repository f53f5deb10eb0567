// The TicketStore conformance suite (see store_conformance.h).

#include "store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "gtest/gtest.h"

namespace ccengine::tickets::testing {
namespace {

const absl::Time kT0 = absl::FromUnixMicros(1796000000123456);  // microseconds on purpose

HistoryEntry Entry(std::string action, TicketState from, TicketState to) {
  HistoryEntry e;
  e.at = kT0;
  e.actor = "desk";
  e.action = std::move(action);
  e.from = from;
  e.to = to;
  e.reason = "原因: test";
  return e;
}

Ticket Sample() {
  Ticket t;
  t.category = "noise";
  t.department = "城管";
  t.state = TicketState::kNew;
  t.priority = 2;
  t.text = "建国路88号楼下烧烤店每晚噪音扰民, 凌晨两点还在营业";
  t.customer_id = "c1042";
  t.address = "朝阳区建国路88号";
  t.fields = {{"channel", "voice"}, {"来源", "12345"}, {"empty", ""}};
  t.created_at = kT0;
  t.updated_at = kT0 + absl::Microseconds(7);
  t.queued_since = kT0 - absl::Seconds(90);
  t.first_response.due = kT0 + absl::Hours(2);
  t.first_response.warn_at = kT0 + absl::Minutes(96);
  t.resolution.due = kT0 + absl::Hours(72);
  t.resolution.remaining = absl::Microseconds(123456789);
  t.resolution.paused = false;
  t.resolution.warned = true;
  t.first_response.stopped = true;
  t.first_response.stopped_at = kT0 + absl::Minutes(5);
  t.extension_requested = absl::Hours(24);
  t.next_check = kT0 + absl::Minutes(96);
  t.escalation_level = 1;
  t.reopen_count = 2;
  return t;
}

TEST_P(TicketStoreConformance, CreateAssignsIdsAndTheFirstVersion) {
  for (int64_t expected = 1; expected <= 3; ++expected) {
    absl::StatusOr<Ticket> t =
        store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->id, expected);
    EXPECT_EQ(t->version, 1);
  }
}

TEST_P(TicketStoreConformance, EveryFieldRoundTrips) {
  Ticket sample = Sample();
  absl::StatusOr<Ticket> created =
      store_->Create(sample, Entry("create", TicketState::kNew, TicketState::kNew));
  ASSERT_TRUE(created.ok()) << created.status();
  sample.id = created->id;
  sample.version = 1;
  EXPECT_EQ(*created, sample);
  absl::StatusOr<Ticket> read = store_->Get(created->id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, sample);

  // The other shape of every optional: unset, zero, InfiniteFuture.
  Ticket other = *read;
  other.first_response = SlaClock{};
  other.resolution = SlaClock{};
  other.resolution.paused = true;
  other.resolution.remaining = absl::Hours(5);
  other.extension_requested.reset();
  other.next_check = absl::InfiniteFuture();
  other.fields.clear();
  other.customer_id.clear();
  other.address.clear();
  other.duplicate_of = 1;
  other.parent = 1;
  other.is_master = true;
  other.state = TicketState::kPending;
  other.assignee = "agent-7";
  absl::StatusOr<Ticket> updated = store_->Update(
      other, Entry("pend", TicketState::kInProgress, TicketState::kPending));
  ASSERT_TRUE(updated.ok()) << updated.status();
  other.version = 2;
  EXPECT_EQ(*updated, other);
  read = store_->Get(created->id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, other);
}

TEST_P(TicketStoreConformance, CreateRefusesWhatItCannotHoldAndWritesNothing) {
  Ticket with_id = Sample();
  with_id.id = 5;
  Ticket too_long = Sample();
  too_long.text.assign(kMaxTicketTextBytes + 1, 'a');
  Ticket bad_utf8 = Sample();
  bad_utf8.address =
      "建国路\xff"
      "88号";
  Ticket bad_priority = Sample();
  bad_priority.priority = 10;
  Ticket long_name = Sample();
  long_name.department.assign(kMaxTicketFieldBytes + 1, 'd');
  for (const Ticket& t : {with_id, too_long, bad_utf8, bad_priority, long_name}) {
    absl::StatusOr<Ticket> created =
        store_->Create(t, Entry("create", TicketState::kNew, TicketState::kNew));
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument)
        << created.status();
  }
  absl::StatusOr<std::vector<Ticket>> all = store_->Query(TicketQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
  absl::StatusOr<Ticket> first =
      store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->id, 1);
}

TEST_P(TicketStoreConformance, UnknownTicketsAreNotFound) {
  EXPECT_EQ(store_->Get(42).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->History(42).status().code(), absl::StatusCode::kNotFound);
  Ticket t = Sample();
  t.id = 42;
  t.version = 1;
  EXPECT_EQ(store_->Update(t, Entry("x", TicketState::kNew, TicketState::kQueued))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(TicketStoreConformance, UpdateChecksTheVersionAndAppendsHistory) {
  absl::StatusOr<Ticket> t =
      store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
  ASSERT_TRUE(t.ok()) << t.status();
  Ticket next = *t;
  next.state = TicketState::kQueued;
  absl::StatusOr<Ticket> v2 =
      store_->Update(next, Entry("dispatch", TicketState::kNew, TicketState::kQueued));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version, 2);

  // A writer that read version 1 loses, and changes nothing.
  Ticket stale = *t;
  stale.state = TicketState::kCancelled;
  absl::StatusOr<Ticket> lost =
      store_->Update(stale, Entry("cancel", TicketState::kNew, TicketState::kCancelled));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted) << lost.status();
  absl::StatusOr<Ticket> read = store_->Get(t->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state, TicketState::kQueued);
  EXPECT_EQ(read->version, 2);

  absl::StatusOr<std::vector<HistoryEntry>> history = store_->History(t->id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].seq, 1);
  EXPECT_EQ((*history)[0].action, "create");
  EXPECT_EQ((*history)[1].seq, 2);
  EXPECT_EQ((*history)[1].ticket, t->id);
  HistoryEntry expected = Entry("dispatch", TicketState::kNew, TicketState::kQueued);
  expected.ticket = t->id;
  expected.seq = 2;
  EXPECT_EQ((*history)[1], expected);

  Ticket invalid = *read;
  invalid.text = "\xc0\xaf";
  EXPECT_EQ(
      store_->Update(invalid, Entry("x", TicketState::kQueued, TicketState::kQueued))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->History(t->id)->size(), 2u);
}

TEST_P(TicketStoreConformance, UpdateManyIsAllOrNothing) {
  std::vector<Ticket> made;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Ticket> t =
        store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
    ASSERT_TRUE(t.ok()) << t.status();
    made.push_back(*t);
  }
  // Bump ticket 3 behind the batch's back: the batch's copy is stale.
  Ticket bumped = made[2];
  bumped.priority = 5;
  ASSERT_TRUE(
      store_->Update(bumped, Entry("raise", TicketState::kNew, TicketState::kNew)).ok());

  std::vector<Ticket> batch = made;
  for (Ticket& t : batch) t.state = TicketState::kMerged;
  std::vector<HistoryEntry> entries(
      3, Entry("merge", TicketState::kNew, TicketState::kMerged));
  EXPECT_EQ(store_->UpdateMany(batch, entries).status().code(),
            absl::StatusCode::kAborted);
  for (const Ticket& t : made) {
    EXPECT_EQ(store_->Get(t.id)->state, TicketState::kNew);
    EXPECT_EQ(store_->History(t.id)->size(), t.id == made[2].id ? 2u : 1u);
  }

  batch[2].version = 2;
  EXPECT_EQ(store_->UpdateMany(batch, {entries[0]}).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Ticket> twice = {batch[0], batch[0]};
  EXPECT_EQ(store_->UpdateMany(twice, {entries[0], entries[1]}).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Ticket> unknown = {batch[0], batch[1]};
  unknown[1].id = 99;
  EXPECT_EQ(store_->UpdateMany(unknown, {entries[0], entries[1]}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Get(batch[0].id)->version, 1);

  absl::StatusOr<std::vector<Ticket>> done = store_->UpdateMany(batch, entries);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->size(), 3u);
  EXPECT_EQ((*done)[0].version, 2);
  EXPECT_EQ((*done)[2].version, 3);
  for (const Ticket& t : made) EXPECT_EQ(store_->Get(t.id)->state, TicketState::kMerged);
}

TEST_P(TicketStoreConformance, ChildrenOfAMaster) {
  absl::StatusOr<Ticket> master =
      store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
  ASSERT_TRUE(master.ok());
  for (int i = 0; i < 3; ++i) {
    Ticket child = Sample();
    child.parent = i < 2 ? master->id : 0;
    ASSERT_TRUE(
        store_->Create(child, Entry("create", TicketState::kNew, TicketState::kNew))
            .ok());
  }
  absl::StatusOr<std::vector<Ticket>> children = store_->Children(master->id);
  ASSERT_TRUE(children.ok()) << children.status();
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[0].id, 2);
  EXPECT_EQ((*children)[1].id, 3);
  EXPECT_TRUE(store_->Children(99)->empty());
}

TEST_P(TicketStoreConformance, QueriesAgreeWithTheReferenceSemantics) {
  std::mt19937_64 rng(7);
  const char* departments[] = {"城管", "交通", "住建", "公安"};
  const char* categories[] = {"noise", "traffic", "garbage"};
  const char* customers[] = {"", "c1", "c2", "c3"};
  std::vector<Ticket> all;
  for (int i = 0; i < 240; ++i) {
    Ticket t = Sample();
    t.department = departments[rng() % 4];
    t.category = categories[rng() % 3];
    t.customer_id = customers[rng() % 4];
    t.state = static_cast<TicketState>(rng() % kTicketStateCount);
    t.created_at = kT0 + absl::Minutes(static_cast<int64_t>(rng() % 1000));
    t.next_check = rng() % 3 == 0
                       ? absl::InfiniteFuture()
                       : kT0 + absl::Minutes(static_cast<int64_t>(rng() % 1000));
    absl::StatusOr<Ticket> made =
        store_->Create(t, Entry("create", TicketState::kNew, t.state));
    ASSERT_TRUE(made.ok()) << made.status();
    all.push_back(*made);
  }
  for (int q = 0; q < 300; ++q) {
    TicketQuery query;
    if (rng() % 2)
      query.states.push_back(static_cast<TicketState>(rng() % kTicketStateCount));
    if (rng() % 3 == 0)
      query.states.push_back(static_cast<TicketState>(rng() % kTicketStateCount));
    if (rng() % 3 == 0) query.department = departments[rng() % 4];
    if (rng() % 3 == 0) query.category = categories[rng() % 3];
    if (rng() % 4 == 0) query.customer_id = customers[rng() % 4];
    if (rng() % 3 == 0)
      query.due_by = kT0 + absl::Minutes(static_cast<int64_t>(rng() % 1000));
    if (rng() % 3 == 0) {
      query.created_since = kT0 + absl::Minutes(static_cast<int64_t>(rng() % 1000));
    }
    query.open_only = rng() % 3 == 0;
    query.after_id = static_cast<TicketId>(rng() % 120);
    query.limit = 1 + rng() % 60;
    std::vector<Ticket> expected;
    for (const Ticket& t : all) {
      if (t.id > query.after_id && Matches(query, t) && expected.size() < query.limit) {
        expected.push_back(t);
      }
    }
    absl::StatusOr<std::vector<Ticket>> got = store_->Query(query);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), expected.size()) << "query " << q;
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ((*got)[i], expected[i]);
  }
  TicketQuery bad;
  bad.limit = 0;
  EXPECT_EQ(store_->Query(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.limit = 100001;
  EXPECT_EQ(store_->Query(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(TicketStoreConformance, ConcurrentWritersSerializeOnTheVersion) {
  absl::StatusOr<Ticket> t =
      store_->Create(Sample(), Entry("create", TicketState::kNew, TicketState::kNew));
  ASSERT_TRUE(t.ok());
  const TicketId id = t->id;
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        for (;;) {
          absl::StatusOr<Ticket> read = store_->Get(id);
          if (!read.ok()) {
            ++failures;
            return;
          }
          Ticket next = *read;
          ++next.escalation_level;
          absl::StatusOr<Ticket> written = store_->Update(
              next, Entry("escalate", TicketState::kNew, TicketState::kNew));
          if (written.ok()) break;
          if (written.status().code() != absl::StatusCode::kAborted) {
            ++failures;
            return;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<Ticket> final_ticket = store_->Get(id);
  ASSERT_TRUE(final_ticket.ok());
  EXPECT_EQ(final_ticket->escalation_level, Sample().escalation_level + kThreads * kEach);
  EXPECT_EQ(final_ticket->version, 1 + kThreads * kEach);
  absl::StatusOr<std::vector<HistoryEntry>> history = store_->History(id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), static_cast<size_t>(1 + kThreads * kEach));
  for (size_t i = 0; i < history->size(); ++i)
    EXPECT_EQ((*history)[i].seq, int64_t(i + 1));
}

}  // namespace
}  // namespace ccengine::tickets::testing
