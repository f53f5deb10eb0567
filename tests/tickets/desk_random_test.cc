// Random operations on a desk, with the books checked after every step: every
// acknowledged ticket is stored, its history is gapless and agrees with its
// state, a refused operation changed nothing, the duplicate index holds
// exactly the open tickets, and the counters add up.

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"
#include "ticket_test_util.h"

namespace ccengine::tickets {
namespace {

const char* const kTexts[] = {
    "楼下烧烤店噪音扰民",
    "路灯不亮",
    "垃圾没人清运",
    "Pothole on Maple Avenue",
    "The bins were not emptied",
    "暖气不热",
    "小区门口积水很深",
    "Street light is off",
};
const char* const kPlaces[] = {"建国路88号", "建国路86号", "12 Elm St", "", "锦华苑7栋"};

void CheckBooks(TicketDesk& desk, const std::map<TicketId, int>& writes, int64_t created,
                int64_t duplicates) {
  TicketQuery all;
  all.limit = 100000;
  const std::vector<Ticket> tickets = desk.Query(all).value();
  ASSERT_EQ(static_cast<int64_t>(tickets.size()), created);
  size_t open_roots = 0;
  for (const Ticket& t : tickets) {
    const std::vector<HistoryEntry> h = desk.History(t.id).value();
    ASSERT_EQ(static_cast<int>(h.size()), writes.at(t.id)) << "ticket " << t.id;
    ASSERT_EQ(t.version, static_cast<int64_t>(h.size()));
    for (size_t i = 0; i < h.size(); ++i) {
      ASSERT_EQ(h[i].seq, static_cast<int64_t>(i + 1));
      if (i > 0) {
        ASSERT_EQ(h[i].from, h[i - 1].to) << "ticket " << t.id << " entry " << i;
      }
    }
    ASSERT_EQ(h.back().to, t.state) << "ticket " << t.id;
    if (IsOpen(t.state) && t.parent == 0) ++open_roots;
    if (t.state == TicketState::kPending) {
      ASSERT_EQ(t.next_check, absl::InfiniteFuture());
    }
  }
  ASSERT_EQ(desk.OpenTickets(), open_roots);
  int64_t counted = 0, dups = 0;
  for (const auto& [dept, c] : desk.Counters()) {
    counted += c.created;
    dups += c.duplicates;
  }
  ASSERT_EQ(counted, created);
  ASSERT_EQ(dups, duplicates);
}

TEST(DeskRandomTest, TheBooksBalanceAfterEveryStep) {
  for (uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    ManualClock clock(testing::Local(2026, 12, 7, 8, 0));
    TicketDeskOptions options;
    options.clock = &clock;
    std::unique_ptr<TicketDesk> desk =
        TicketDesk::Open(NewMemoryTicketStore(), options).value();
    for (const char* name : {"noise", "road", "garbage"}) {
      TicketCategory c;
      c.name = name;
      c.department = std::string("dept-") + name;
      c.first_response = absl::Hours(1);
      c.resolution = absl::Hours(8);
      if (rng() % 2) c.hours = testing::OfficeHours();
      ASSERT_TRUE(desk->AddCategory(c).ok());
    }
    std::map<TicketId, int> writes;
    int64_t created = 0, duplicates = 0;
    std::vector<TicketId> ids;
    std::map<int, int>
        succeeded;  // per operation, so the walk is known to reach every one
    for (int step = 0; step < 1500; ++step) {
      clock.Advance(absl::Minutes(static_cast<int64_t>(rng() % 50)));
      const TicketId id = ids.empty() ? 1 : ids[rng() % ids.size()];
      const Ticket before = desk->Get(id).value_or(Ticket{});
      // Mostly a move the ticket's state allows, so walks reach deep states;
      // otherwise any operation, to check refusals.
      static const std::map<TicketState, std::vector<int>> kLikely = {
          {TicketState::kNew, {3, 13, 15}},
          {TicketState::kQueued, {4, 10, 13}},
          {TicketState::kAssigned, {5, 6, 8, 10}},
          {TicketState::kInProgress, {6, 8, 10, 14}},
          {TicketState::kPending, {7, 13, 14}},
          {TicketState::kResolved, {9, 11}},
          {TicketState::kClosed, {11}},
          {TicketState::kReturned, {3, 12, 13}}};
      int op = static_cast<int>(rng() % 16);
      if (auto it = kLikely.find(before.state); it != kLikely.end() && rng() % 10 < 7) {
        op = it->second[rng() % it->second.size()];
      }
      absl::StatusOr<Ticket> r = absl::UnknownError("no op");
      const char* cats[] = {"noise", "road", "garbage", "nope"};
      if (op <= 2 || ids.empty()) {
        CreateRequest c;
        c.category = cats[rng() % 4];
        c.text = kTexts[rng() % 8];
        c.address = kPlaces[rng() % 5];
        c.customer_id = "c" + std::to_string(rng() % 5);
        absl::StatusOr<CreateResult> made = desk->Create(c);
        if (made.ok()) {
          ids.push_back(made->ticket.id);
          writes[made->ticket.id] = 1;
          ++created;
          duplicates += made->duplicate_of != 0;
        } else {
          ASSERT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
        }
        ASSERT_NO_FATAL_FAILURE(CheckBooks(*desk, writes, created, duplicates));
        continue;
      }
      switch (op) {
        case 3:
          r = desk->Dispatch(id, "d",
                             rng() % 4 == 0 ? std::optional<std::string>("road")
                                            : std::nullopt);
          break;
        case 4: r = desk->SignFor(id, "agent-" + std::to_string(rng() % 3)); break;
        case 5: r = desk->Start(id, "a"); break;
        case 6: r = desk->Pend(id, "a", "waiting"); break;
        case 7: r = desk->Resume(id, "a"); break;
        case 8: r = desk->Resolve(id, "a", "done"); break;
        case 9: r = desk->Close(id, "a", "confirmed"); break;
        case 10: r = desk->Return(id, "a", "wrong department"); break;
        case 11: r = desk->Reopen(id, "a", "not fixed"); break;
        case 12: r = desk->Merge(id, ids[rng() % ids.size()], "a", ""); break;
        case 13: r = desk->Cancel(id, "a", "withdrawn"); break;
        case 14:
          r = rng() % 2 ? desk->RequestExtension(id, "a", absl::Hours(2), "more time")
                        : desk->DecideExtension(id, "s", rng() % 2 == 0, "");
          break;
        default: {
          CreateRequest c;
          c.category = cats[rng() % 3];
          c.text = "child";
          absl::StatusOr<Ticket> child = desk->AddChild(id, c);
          if (child.ok()) {
            ids.push_back(child->id);
            writes[child->id] = 1;
            ++created;
            ++writes[id];  // the master's entry
          }
          ASSERT_NO_FATAL_FAILURE(CheckBooks(*desk, writes, created, duplicates));
          ASSERT_TRUE(desk->Tick().ok());
          for (auto& [tid, n] : writes) n = static_cast<int>(desk->History(tid)->size());
          continue;
        }
      }
      if (r.ok()) {
        ++succeeded[op];
        ++writes[id];
        // A child's resolve may resolve its master in the same transaction.
        if (op == 8 && before.parent != 0 &&
            desk->History(before.parent)->size() >
                static_cast<size_t>(writes[before.parent])) {
          ++writes[before.parent];
        }
      } else {
        ASSERT_TRUE(r.status().code() == absl::StatusCode::kFailedPrecondition ||
                    r.status().code() == absl::StatusCode::kInvalidArgument ||
                    r.status().code() == absl::StatusCode::kNotFound)
            << r.status();
        const Ticket after = desk->Get(id).value_or(Ticket{});
        ASSERT_EQ(after, before) << r.status();
      }
      // The SLA sweep writes entries too: count them from the history.
      ASSERT_TRUE(desk->Tick().ok());
      for (auto& [tid, n] : writes) n = static_cast<int>(desk->History(tid)->size());
      ASSERT_NO_FATAL_FAILURE(CheckBooks(*desk, writes, created, duplicates));
    }
    for (int op = 3; op <= 14; ++op) EXPECT_GT(succeeded[op], 0) << "operation " << op;
    EXPECT_GT(duplicates, 0);
  }
}

}  // namespace
}  // namespace ccengine::tickets
