// The desk from several threads at once (run under TSan by the tsan preset):
// clerks creating and working tickets, a supervisor escalating, the SLA sweep,
// and a router thread delivering engine events through the desk's callback
// while the desk submits commands to that engine. Afterwards every ticket's
// history is gapless and agrees with its state, and the counters add up.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/router_loop.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"

namespace ccengine::tickets {
namespace {

TEST(DeskConcurrencyTest, ClerksSweepsAndTheRouterThreadShareOneDesk) {
  auto engine = Engine::Create().value();
  QueueConfig q;
  q.name = "城管";
  const QueueId queue = engine->AddQueue(q).value();
  for (uint64_t a = 1; a <= 4; ++a) {
    AgentConfig agent;
    agent.id = AgentId{a};
    ASSERT_TRUE(engine->AddAgent(agent).ok());
    ASSERT_TRUE(engine->Login(AgentId{a}).ok());
  }
  TicketDeskOptions options;
  options.engine = engine.get();
  auto desk = TicketDesk::Open(NewMemoryTicketStore(), options).value();
  TicketCategory c;
  c.name = "noise";
  c.department = "城管";
  c.queue = queue;
  c.first_response = absl::Milliseconds(30);
  c.resolution = absl::Milliseconds(300);
  ASSERT_TRUE(desk->AddCategory(c).ok());
  std::atomic<int> events_seen{0};
  desk->Subscribe([&](const TicketEvent&) { events_seen.fetch_add(1); });

  // The router thread: the engine is its own from here on; agents accept
  // every offer at once (the event callback runs on this thread).
  engine->Subscribe(desk->EngineEventCallback(), TicketDesk::kEngineEvents);
  Engine* e = engine.get();
  engine->Subscribe(
      [e](const Event& ev) {
        if (ev.type == EventType::kOffered) {
          (void)e->Submit(cmd::AcceptOffer{ev.agent, ev.contact});
        }
      },
      EventBit(EventType::kOffered));
  RealClock clock;
  RouterLoop loop(engine.get(), &clock);
  ASSERT_TRUE(loop.Start().ok());

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int clerk = 0; clerk < 3; ++clerk) {
    threads.emplace_back([&, clerk] {
      std::mt19937_64 rng(static_cast<uint64_t>(clerk) + 1);
      for (int i = 0; i < 60; ++i) {
        CreateRequest r;
        r.category = "noise";
        r.text = "噪音扰民 " + std::to_string(clerk) + "-" + std::to_string(i);
        r.address = "建国路" + std::to_string(rng() % 50) + "号";
        r.customer_id = "c" + std::to_string(rng() % 20);
        auto made = desk->Create(r);
        ASSERT_TRUE(made.ok()) << made.status();
        const TicketId id = made->ticket.id;
        // Work it if an agent signed for it (the engine's accept), else
        // cancel it; either may lose to another thread: refusals are fine.
        for (int tries = 0; tries < 5000; ++tries) {  // up to about a second
          (void)desk->ProcessEngineEvents();
          absl::StatusOr<Ticket> t = desk->Get(id);
          ASSERT_TRUE(t.ok());
          if (t->state == TicketState::kAssigned) {
            (void)desk->Start(id, t->assignee);
            (void)desk->Resolve(id, t->assignee, "已处理");
            break;
          }
          if (t->state != TicketState::kQueued) break;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (rng() % 4 == 0) (void)desk->Cancel(id, "clerk", "撤回");
      }
    });
  }
  threads.emplace_back([&] {  // the supervisor
    std::mt19937_64 rng(99);
    while (!stop.load()) {
      (void)desk->Escalate(static_cast<TicketId>(1 + rng() % 180), "supervisor", "督办");
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  threads.emplace_back([&] {  // the SLA sweep
    while (!stop.load()) {
      (void)desk->Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  for (int i = 0; i < 3; ++i) threads[static_cast<size_t>(i)].join();
  stop.store(true);
  for (size_t i = 3; i < threads.size(); ++i) threads[i].join();
  loop.Stop();

  TicketQuery all;
  all.limit = 100000;
  const std::vector<Ticket> tickets = desk->Query(all).value();
  ASSERT_EQ(tickets.size(), 180u);
  int64_t created = 0;
  for (const auto& [dept, counters] : desk->Counters()) created += counters.created;
  EXPECT_EQ(created, 180);
  size_t open_roots = 0, resolved = 0;
  for (const Ticket& t : tickets) {
    resolved += t.state == TicketState::kResolved;
    const std::vector<HistoryEntry> h = desk->History(t.id).value();
    ASSERT_EQ(static_cast<int64_t>(h.size()), t.version) << "ticket " << t.id;
    for (size_t i = 0; i < h.size(); ++i) {
      ASSERT_EQ(h[i].seq, static_cast<int64_t>(i + 1));
      if (i > 0) {
        ASSERT_EQ(h[i].from, h[i - 1].to) << "ticket " << t.id;
      }
    }
    EXPECT_EQ(h.back().to, t.state);
    if (IsOpen(t.state)) ++open_roots;
  }
  EXPECT_EQ(desk->OpenTickets(), open_roots);
  EXPECT_GT(resolved, 60u)
      << "the router thread signed for too few tickets to test anything";
  EXPECT_GT(events_seen.load(), 180);
}

}  // namespace
}  // namespace ccengine::tickets
