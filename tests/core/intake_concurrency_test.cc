// -----------------------------------------------------------------------------
// File: tests/core/intake_concurrency_test.cc
// -----------------------------------------------------------------------------
//
// The engine's intake under concurrency: several producer threads `Submit`
// commands (new contacts with unique ids, and agent commands answering the
// offers the router makes) while the router thread `Poll`s. The intake is
// tiny, so producers hit `ResourceExhausted` and retry. Checks that every
// command submitted is applied exactly once, every contact is accounted for
// exactly once and in each producer's order, refused commands come back as
// kCommandFailed, and the engine's invariants hold throughout.
//
// Runs under TSan (label `concurrency`); sizes shrink there so it stays a few
// seconds.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/sanitized.h"

namespace ccengine {
namespace {

#ifdef CCENGINE_TEST_SANITIZED
constexpr int kContactsPerProducer = 2000;
#else
constexpr int kContactsPerProducer = 20000;
#endif
constexpr int kProducers = 4;
constexpr int kAgentsPerProducer = 4;
constexpr uint64_t kContactBase = 1'000'000;      // contact id = (p+1)*base + i
constexpr uint64_t kInvalidBase = 1'000'000'000;  // ids of refused AddContacts

// A bounded wait: nothing in these tests may block forever.
constexpr auto kDeadline = std::chrono::seconds(60);

uint64_t ContactIdOf(int producer, int i) {
  return static_cast<uint64_t>(producer + 1) * kContactBase + static_cast<uint64_t>(i);
}
int ProducerOf(uint64_t contact) { return static_cast<int>(contact / kContactBase) - 1; }
ContactSpec Spec(uint64_t id, QueueId queue) {
  ContactSpec spec;
  spec.id = ContactId(id);
  spec.queue = queue;
  return spec;
}

AgentId AgentOf(int producer, int k) {
  return AgentId(static_cast<uint64_t>(100 * (producer + 1) + k));
}

// What the router tells one producer: offers to ring, calls to complete.
struct Mailbox {
  std::mutex mu;
  std::deque<Event> events;
};

TEST(IntakeConcurrencyTest, FullIntakeRefusesWithoutTakingTheCommand) {
  EngineOptions options;
  options.intake_capacity = 10;  // rounded up to 16
  auto engine = Engine::Create(options).value();
  QueueConfig q;
  q.name = "q";
  QueueId queue = engine->AddQueue(q).value();
  int accepted = 0;
  absl::Status last;
  for (int i = 0; i < 40; ++i) {
    last = engine->Submit(cmd::AddContact{Spec(i + 1, queue)});
    if (!last.ok()) break;
    ++accepted;
  }
  EXPECT_EQ(accepted, 16);
  EXPECT_EQ(last.code(), absl::StatusCode::kResourceExhausted) << last;
  EXPECT_EQ(engine->GetAccounting().entered, 0u);  // nothing applied yet

  auto applied = engine->Poll(engine->Now());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 16u);
  EXPECT_EQ(engine->GetAccounting().entered, 16u);
  EXPECT_TRUE(engine->GetContact(ContactId(17)).status().code() ==
              absl::StatusCode::kNotFound)
      << "the refused command must not have been taken";
  // Room again after the drain.
  EXPECT_TRUE(engine->Submit(cmd::AddContact{Spec(17, queue)}).ok());
  EXPECT_EQ(*engine->Poll(engine->Now()), 1u);
  EXPECT_EQ(engine->GetAccounting().entered, 17u);
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

TEST(IntakeConcurrencyTest, ProducersRetryAndEveryCommandIsAppliedOnce) {
  EngineOptions options;
  options.intake_capacity = 16;
  options.start = absl::FromUnixSeconds(1'700'000'000);
  auto created = Engine::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<Engine> engine = std::move(*created);

  SkillId general = engine->AddSkill("general").value();
  QueueConfig qc;
  qc.name = "support";
  qc.skills = {{general, 1}};
  qc.offer_timeout = absl::Hours(10);  // offers are answered, not timed out
  qc.wrap_up = absl::ZeroDuration();
  QueueId queue = engine->AddQueue(qc).value();
  for (int p = 0; p < kProducers; ++p) {
    for (int k = 0; k < kAgentsPerProducer; ++k) {
      AgentConfig a;
      a.id = AgentOf(p, k);
      a.skills = {{general, 5}};
      ASSERT_TRUE(engine->AddAgent(a).ok());
      ASSERT_TRUE(engine->Login(a.id).ok());
    }
  }

  // Router-thread bookkeeping, filled by the subscriber.
  std::array<Mailbox, kProducers> mailboxes;
  std::map<uint64_t, int> queued_count;          // contact -> kContactQueued seen
  std::array<uint64_t, kProducers> last_seen{};  // per-producer order
  std::set<uint64_t> live;                       // not yet terminal
  size_t order_violations = 0;
  // A producer may answer an offer that was meanwhile rescinded (its agent
  // took a break) and served elsewhere: NotFound or FailedPrecondition.
  size_t failed_not_found = 0, failed_precondition = 0, failed_invalid = 0,
         failed_other = 0;
  std::string first_unexpected_failure;
  engine->Subscribe([&](const Event& e) {
    switch (e.type) {
      case EventType::kContactQueued: {
        uint64_t id = e.contact.value();
        if (queued_count[id]++ == 0) {
          int p = ProducerOf(id);
          if (p >= 0 && p < kProducers) {
            if (id <= last_seen[p]) ++order_violations;
            last_seen[p] = id;
          }
        }
        live.insert(id);
        break;
      }
      case EventType::kOffered:
      case EventType::kAccepted: {
        int owner = static_cast<int>(e.agent.value() / 100) - 1;
        std::lock_guard<std::mutex> lock(mailboxes[owner].mu);
        mailboxes[owner].events.push_back(e);
        break;
      }
      case EventType::kCompleted:
      case EventType::kAbandoned:
      case EventType::kOverflowed:
      case EventType::kWithdrawn: live.erase(e.contact.value()); break;
      case EventType::kCommandFailed:
        if (e.status.code() == absl::StatusCode::kNotFound) {
          ++failed_not_found;
        } else if (e.status.code() == absl::StatusCode::kFailedPrecondition) {
          ++failed_precondition;
        } else if (e.status.code() == absl::StatusCode::kInvalidArgument) {
          ++failed_invalid;
        } else {
          ++failed_other;
          if (first_unexpected_failure.empty()) {
            first_unexpected_failure = e.status.ToString();
          }
        }
        break;
      default: break;
    }
  });

  std::atomic<uint64_t> submitted{0};  // successful Submit calls
  std::atomic<uint64_t> exhausted{0};  // ResourceExhausted answers
  std::atomic<uint64_t> other_submit_errors{0};
  std::atomic<uint64_t> deliberate_invalid{0};
  std::atomic<int> producers_done_adding{0};
  std::atomic<int> producers_exited{0};
  std::atomic<bool> stop{false};

  auto producer = [&](int p) {
    std::mt19937_64 rng(1234 + p);
    // Retries on back-pressure; gives up only when told to stop.
    auto submit = [&](const Command& c) {
      while (true) {
        absl::Status st = engine->Submit(c);
        if (st.ok()) {
          submitted.fetch_add(1, std::memory_order_relaxed);
          return;
        }
        if (st.code() != absl::StatusCode::kResourceExhausted) {
          other_submit_errors.fetch_add(1, std::memory_order_relaxed);
          return;
        }
        exhausted.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::yield();
      }
    };
    auto serve_mailbox = [&] {
      std::deque<Event> batch;
      {
        std::lock_guard<std::mutex> lock(mailboxes[p].mu);
        batch.swap(mailboxes[p].events);
      }
      for (const Event& e : batch) {
        if (e.type == EventType::kOffered) {
          if (rng() % 10 == 0) {
            submit(cmd::RejectOffer{e.agent, e.contact});
          } else {
            submit(cmd::AcceptOffer{e.agent, e.contact});
          }
        } else {
          submit(cmd::CompleteContact{e.agent, e.contact});
        }
      }
    };
    for (int i = 0; i < kContactsPerProducer; ++i) {
      ContactSpec spec = Spec(ContactIdOf(p, i), queue);
      spec.channel = (i % 3 == 0) ? Channel::kVoice : Channel::kChat;
      submit(cmd::AddContact{std::move(spec)});
      if (i % 8 == 0) serve_mailbox();
      if (i % 50 == 25) {  // a break and back, for one of our agents
        AgentId a = AgentOf(p, static_cast<int>(rng() % kAgentsPerProducer));
        submit(cmd::SetNotReady{a, 1});
        submit(cmd::SetReady{a});
      }
      if (i % 97 == 0) {  // a command the router must refuse
        deliberate_invalid.fetch_add(1, std::memory_order_relaxed);
        ContactSpec bad = Spec(kInvalidBase + ContactIdOf(p, i), queue);
        bad.priority = kMaxPriority + 1;
        submit(cmd::AddContact{std::move(bad)});
      }
    }
    producers_done_adding.fetch_add(1, std::memory_order_acq_rel);
    while (!stop.load(std::memory_order_acquire)) {
      serve_mailbox();
      std::this_thread::yield();
    }
    producers_exited.fetch_add(1, std::memory_order_acq_rel);
  };

  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) threads.emplace_back(producer, p);

  // Let the producers fill the intake before the router drains anything, so
  // that back-pressure is certain, not just likely.
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (exhausted.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_GT(exhausted.load(), 0u) << "the intake never filled up";

  absl::Time now = engine->Now();
  uint64_t applied = 0;
  // Returns how many commands it applied; yields the CPU when there were
  // none, so that producers get to run on a small machine.
  auto poll = [&]() -> size_t {
    now += absl::Milliseconds(1);
    absl::StatusOr<size_t> n = engine->Poll(now);
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) {
      std::this_thread::yield();
      return 0;
    }
    applied += *n;
    return *n;
  };
  uint64_t next_check = 0;
  size_t polls = 0;
  bool timed_out = false;
  // Phase 1: until every contact is submitted, then a little longer (up to
  // a second) for the producers to answer the last offers.
  std::optional<std::chrono::steady_clock::time_point> grace_end;
  while (true) {
    if (!grace_end &&
        producers_done_adding.load(std::memory_order_acquire) == kProducers) {
      grace_end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    if (grace_end) {
      Accounting a = engine->GetAccounting();
      if (a.waiting + a.offered == 0 || std::chrono::steady_clock::now() > *grace_end) {
        break;
      }
    }
    poll();
    if (applied >= next_check) {
      absl::Status inv = engine->CheckInvariants();
      ASSERT_TRUE(inv.ok()) << inv;
      next_check = applied + 2000;
    }
    if (++polls % 256 == 0 && std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      break;
    }
  }
  // Phase 2: stop the producers; keep draining while they finish their last
  // submits (a producer may be retrying on a full intake).
  stop.store(true, std::memory_order_release);
  while (producers_exited.load(std::memory_order_acquire) < kProducers) {
    poll();
    if (std::chrono::steady_clock::now() > deadline + kDeadline) {
      timed_out = true;
      break;
    }
  }
  for (std::thread& t : threads) t.join();
  ASSERT_FALSE(timed_out) << "router loop passed its deadline";
  poll();  // whatever the last submits left

  const uint64_t contacts = uint64_t{kProducers} * kContactsPerProducer;
  EXPECT_EQ(other_submit_errors.load(), 0u);
  EXPECT_EQ(applied, submitted.load()) << "a submitted command was lost or "
                                          "applied twice";
  Accounting acc = engine->GetAccounting();
  EXPECT_TRUE(acc.Balanced());
  EXPECT_EQ(acc.entered, contacts);
  EXPECT_EQ(queued_count.size(), contacts);
  for (int p = 0; p < kProducers; ++p) {
    for (int i = 0; i < kContactsPerProducer; ++i) {
      auto it = queued_count.find(ContactIdOf(p, i));
      ASSERT_TRUE(it != queued_count.end())
          << "contact " << ContactIdOf(p, i) << " never entered";
      ASSERT_EQ(it->second, 1) << "contact " << it->first << " entered twice";
    }
  }
  EXPECT_EQ(order_violations, 0u) << "a producer's contacts entered out of order";
  EXPECT_EQ(failed_invalid, deliberate_invalid.load());
  EXPECT_EQ(failed_other, 0u) << first_unexpected_failure;
  absl::Status inv = engine->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv;
  EXPECT_GT(acc.completed, 0u);
  EXPECT_EQ(acc.in_service + acc.offered + acc.waiting, live.size());

  // Drain: every contact ends, and the books say so.
  std::vector<uint64_t> remaining(live.begin(), live.end());
  for (uint64_t id : remaining) {
    ASSERT_TRUE(engine->Abandon(ContactId(id)).ok()) << id;
  }
  acc = engine->GetAccounting();
  EXPECT_EQ(acc.waiting + acc.offered + acc.in_service, 0u);
  EXPECT_EQ(acc.completed + acc.abandoned + acc.overflowed + acc.withdrawn, contacts);
  EXPECT_TRUE(live.empty());
  EXPECT_TRUE(engine->CheckInvariants().ok());
  std::printf(
      "contacts=%llu commands=%llu exhausted=%llu polls=%zu completed=%llu "
      "refused: invalid=%zu not_found=%zu precondition=%zu\n",
      static_cast<unsigned long long>(contacts),
      static_cast<unsigned long long>(submitted.load()),
      static_cast<unsigned long long>(exhausted.load()), polls,
      static_cast<unsigned long long>(acc.completed), failed_invalid, failed_not_found,
      failed_precondition);
}

}  // namespace
}  // namespace ccengine
