// -----------------------------------------------------------------------------
// File: tests/core/router_loop_test.cc
// -----------------------------------------------------------------------------
//
// `ccengine::RouterLoop` on a real clock: start and stop (twice, restart,
// destructor), commands from several threads routed by the loop's thread,
// commands submitted before `Stop` applied by it, and timers that fire while
// no command arrives (the loop wakes for its next timer, not only for
// submissions).
//
// Subscribers run on the loop's thread, so while the loop runs the test only
// talks to it through `Engine::Submit` and atomics; it reads the engine again
// after `Stop` has joined the thread. Every wait is bounded.
//
// Runs under TSan (label `concurrency`).

#include "ccengine/core/router_loop.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

constexpr auto kDeadline = std::chrono::seconds(10);

// Polls `done` every millisecond until it holds or the deadline passes.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::steady_clock::duration limit = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

ContactSpec Spec(uint64_t id, QueueId queue, Channel channel = Channel::kChat) {
  ContactSpec spec;
  spec.id = ContactId(id);
  spec.queue = queue;
  spec.channel = channel;
  return spec;
}

// Submits, retrying while the intake is full; false on any other error.
bool SubmitRetrying(Engine& engine, const Command& command) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (true) {
    absl::Status st = engine.Submit(command);
    if (st.ok()) return true;
    if (st.code() != absl::StatusCode::kResourceExhausted ||
        std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::yield();
  }
}

struct Center {
  std::unique_ptr<Engine> engine;
  QueueId queue;
};

// One queue anyone may serve, `agents` chat agents logged in and ready.
Center MakeCenter(int agents, absl::Duration offer_timeout = absl::Seconds(20),
                  EngineOptions options = {}) {
  Center c;
  c.engine = Engine::Create(options).value();
  QueueConfig q;
  q.name = "chat";
  q.offer_timeout = offer_timeout;
  c.queue = c.engine->AddQueue(q).value();
  for (int i = 0; i < agents; ++i) {
    AgentConfig a;
    a.id = AgentId(static_cast<uint64_t>(i + 1));
    EXPECT_TRUE(c.engine->AddAgent(a).ok());
    EXPECT_TRUE(c.engine->Login(a.id).ok());
  }
  return c;
}

TEST(RouterLoopTest, StartTwiceIsRefusedAndStopIsIdempotent) {
  Center c = MakeCenter(1);
  RealClock clock;
  RouterLoop loop(c.engine.get(), &clock);
  EXPECT_FALSE(loop.running());
  loop.Stop();  // never started: a no-op
  ASSERT_TRUE(loop.Start().ok());
  EXPECT_TRUE(loop.running());
  absl::Status again = loop.Start();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_TRUE(loop.running());
  EXPECT_TRUE(WaitFor([&] { return loop.polls() > 0; }));
  loop.Stop();
  EXPECT_FALSE(loop.running());
  loop.Stop();  // twice: still fine
  EXPECT_FALSE(loop.running());

  // A stopped loop starts again and serves new commands.
  ASSERT_TRUE(loop.Start().ok());
  ASSERT_TRUE(c.engine->Submit(cmd::AddContact{Spec(1, c.queue)}).ok());
  loop.Stop();
  EXPECT_EQ(c.engine->GetAccounting().entered, 1u);
  EXPECT_TRUE(c.engine->CheckInvariants().ok());
}

TEST(RouterLoopTest, RoutesCommandsFromTwoThreads) {
  constexpr int kPerThread = 200;
  Center c = MakeCenter(8);
  Engine* engine = c.engine.get();
  std::atomic<int> offers{0}, completed{0}, submit_failures{0};
  std::atomic<std::thread::id> subscriber_thread{};
  std::atomic<bool> wrong_thread{false};
  // Runs on the loop's thread: answer every offer, complete every call.
  engine->Subscribe([&](const Event& e) {
    std::thread::id expected{};
    if (!subscriber_thread.compare_exchange_strong(expected,
                                                   std::this_thread::get_id()) &&
        expected != std::this_thread::get_id()) {
      wrong_thread = true;
    }
    if (e.type == EventType::kOffered) {
      offers.fetch_add(1);
      if (!engine->Submit(cmd::AcceptOffer{e.agent, e.contact}).ok()) {
        submit_failures.fetch_add(1);
      }
    } else if (e.type == EventType::kAccepted) {
      if (!engine->Submit(cmd::CompleteContact{e.agent, e.contact}).ok()) {
        submit_failures.fetch_add(1);
      }
    } else if (e.type == EventType::kCompleted) {
      completed.fetch_add(1);
    }
  });

  RealClock clock;
  RouterLoop loop(engine, &clock);
  ASSERT_TRUE(loop.Start().ok());
  std::atomic<int> producer_failures{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < 2; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t id = static_cast<uint64_t>(t * 100'000 + i + 1);
        if (!SubmitRetrying(*engine, cmd::AddContact{Spec(id, c.queue)})) {
          producer_failures.fetch_add(1);
        }
        if (i % 50 == 0) std::this_thread::yield();
      }
    });
  }
  for (std::thread& p : producers) p.join();
  const bool all_done = WaitFor([&] { return completed.load() == 2 * kPerThread; });
  loop.Stop();

  EXPECT_TRUE(all_done) << "completed " << completed.load() << " of " << 2 * kPerThread
                        << " within the deadline";
  EXPECT_EQ(producer_failures.load(), 0);
  EXPECT_EQ(submit_failures.load(), 0);
  EXPECT_FALSE(wrong_thread.load()) << "subscribers ran on two threads";
  EXPECT_NE(subscriber_thread.load(), std::this_thread::get_id())
      << "subscribers must run on the loop's thread";
  EXPECT_GE(offers.load(), 2 * kPerThread);
  // Every contact, accept and completion went through the intake once.
  EXPECT_EQ(loop.commands_applied(), uint64_t{3} * 2 * kPerThread);
  Accounting acc = engine->GetAccounting();
  EXPECT_EQ(acc.entered, uint64_t{2} * kPerThread);
  EXPECT_EQ(acc.completed, uint64_t{2} * kPerThread);
  EXPECT_TRUE(acc.Balanced());
  absl::Status inv = engine->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv;
}

TEST(RouterLoopTest, StopAppliesCommandsSubmittedBeforeStop) {
  Center c = MakeCenter(0);
  RealClock clock;
  // A long park: only Submit's wake-up or Stop's brings the loop back.
  RouterLoopOptions options;
  options.max_park = absl::Seconds(30);
  options.spin_iterations = 10;
  RouterLoop loop(c.engine.get(), &clock, options);
  ASSERT_TRUE(loop.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return loop.polls() > 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it park

  // From another thread, finished before Stop.
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(SubmitRetrying(*c.engine, cmd::AddContact{Spec(1000 + i, c.queue)}));
    }
  });
  producer.join();
  // From this thread, right before Stop.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(c.engine->Submit(cmd::AddContact{Spec(2000 + i, c.queue)}).ok());
  }
  loop.Stop();

  EXPECT_EQ(loop.commands_applied(), 200u);
  Accounting acc = c.engine->GetAccounting();
  EXPECT_EQ(acc.entered, 200u);
  EXPECT_EQ(acc.waiting, 200u);  // nobody logged in to take them
  EXPECT_TRUE(c.engine->GetContact(ContactId(2099)).ok());
  EXPECT_TRUE(c.engine->CheckInvariants().ok());
}

TEST(RouterLoopTest, TimersFireWhileNoCommandArrives) {
  Center c = MakeCenter(1, /*offer_timeout=*/absl::Milliseconds(50));
  std::atomic<int> offered{0}, timed_out{0};
  c.engine->Subscribe([&](const Event& e) {
    if (e.type == EventType::kOffered) offered.fetch_add(1);
    if (e.type == EventType::kOfferTimedOut) timed_out.fetch_add(1);
  });
  RealClock clock;
  // Parked for a minute unless the loop wakes for its next timer.
  RouterLoopOptions options;
  options.max_park = absl::Seconds(60);
  RouterLoop loop(c.engine.get(), &clock, options);
  ASSERT_TRUE(loop.Start().ok());
  ASSERT_TRUE(c.engine->Submit(cmd::AddContact{Spec(1, c.queue)}).ok());
  // The only command: from here on, nothing wakes the loop but its timer.
  const bool rang = WaitFor([&] { return offered.load() == 1; });
  const bool fired = WaitFor([&] { return timed_out.load() == 1; });
  const uint64_t applied = loop.commands_applied();
  loop.Stop();

  EXPECT_TRUE(rang) << "the contact was never offered";
  EXPECT_TRUE(fired) << "the 50 ms offer timeout did not fire within "
                        "the deadline: the loop does not wake for timers";
  EXPECT_EQ(applied, 1u);
  auto contact = c.engine->GetContact(ContactId(1));
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_EQ(contact->state, ContactState::kWaiting);  // back in line
  ASSERT_EQ(contact->excluded.size(), 1u);
  EXPECT_EQ(contact->excluded[0], AgentId(1));
  EXPECT_TRUE(c.engine->CheckInvariants().ok());
}

TEST(RouterLoopTest, TicksRunOnTheLoopsThreadWhileIdle) {
  Center c = MakeCenter(1, absl::Seconds(30));
  RealClock clock;
  std::atomic<int> ticks{0};
  std::atomic<bool> on_other_thread{false};
  const std::thread::id test_thread = std::this_thread::get_id();
  RouterLoopOptions options;
  options.max_park = absl::Seconds(60);  // only the tick may wake it
  options.tick_interval = absl::Milliseconds(20);
  options.on_tick = [&] {
    if (std::this_thread::get_id() == test_thread) on_other_thread.store(true);
    ticks.fetch_add(1);
  };
  RouterLoop loop(c.engine.get(), &clock, options);
  ASSERT_TRUE(loop.Start().ok());
  const bool ticked = WaitFor([&] { return ticks.load() >= 5; });
  loop.Stop();
  EXPECT_TRUE(ticked) << "fewer than 5 ticks of 20 ms with no command: the loop "
                         "does not wake for its tick";
  EXPECT_FALSE(on_other_thread.load()) << "a tick ran on the test's thread";

  RouterLoopOptions bad;
  bad.on_tick = [] {};
  bad.tick_interval = absl::ZeroDuration();
  RouterLoop refused(c.engine.get(), &clock, bad);
  absl::Status st = refused.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_FALSE(refused.running());
}

TEST(RouterLoopTest, WrapUpEndsOnTheLoopsTimer) {
  Center c = MakeCenter(0);
  QueueConfig q = c.engine->GetQueueConfig(c.queue).value();
  q.wrap_up = absl::Milliseconds(30);
  ASSERT_TRUE(c.engine->UpdateQueue(c.queue, q).ok());
  AgentConfig a;
  a.id = AgentId(7);
  ASSERT_TRUE(c.engine->AddAgent(a).ok());
  ASSERT_TRUE(c.engine->Login(a.id).ok());
  std::atomic<int> available_again{0};
  std::atomic<bool> wrapped{false};
  Engine* engine = c.engine.get();
  engine->Subscribe([&](const Event& e) {
    if (e.type == EventType::kOffered) {
      engine->Submit(cmd::AcceptOffer{e.agent, e.contact}).IgnoreError();
    } else if (e.type == EventType::kAccepted) {
      engine->Submit(cmd::CompleteContact{e.agent, e.contact}).IgnoreError();
    } else if (e.type == EventType::kAgentStateChanged) {
      if (e.agent_state == AgentState::kWrapUp) wrapped = true;
      if (e.agent_state == AgentState::kAvailable && wrapped.load()) {
        available_again.fetch_add(1);
      }
    }
  });
  RealClock clock;
  RouterLoopOptions options;
  options.max_park = absl::Seconds(60);
  RouterLoop loop(engine, &clock, options);
  ASSERT_TRUE(loop.Start().ok());
  ASSERT_TRUE(engine->Submit(cmd::AddContact{Spec(1, c.queue)}).ok());
  const bool back = WaitFor([&] { return available_again.load() > 0; });
  loop.Stop();
  EXPECT_TRUE(back) << "wrap-up never ended: the loop slept through its timer";
  EXPECT_EQ(loop.commands_applied(), 3u);  // contact, accept, complete
  EXPECT_EQ(engine->GetAgent(a.id)->state, AgentState::kAvailable);
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

TEST(RouterLoopTest, DestructorStopsARunningLoop) {
  Center c = MakeCenter(1);
  RealClock clock;
  {
    RouterLoop loop(c.engine.get(), &clock);
    ASSERT_TRUE(loop.Start().ok());
    ASSERT_TRUE(c.engine->Submit(cmd::AddContact{Spec(1, c.queue)}).ok());
  }  // ~RouterLoop stops and joins, applying what was submitted
  EXPECT_EQ(c.engine->GetAccounting().entered, 1u);
  EXPECT_TRUE(c.engine->CheckInvariants().ok());
}

}  // namespace
}  // namespace ccengine
