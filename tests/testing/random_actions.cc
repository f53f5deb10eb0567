// -----------------------------------------------------------------------------
// File: tests/testing/random_actions.cc
// -----------------------------------------------------------------------------
//
// `RandomHarness` (see random_actions.h): the engine's random set-up and the
// random actions of each step. The odds of each action and the order in which
// random numbers are drawn fix what a seed replays.

#include "testing/random_actions.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/random_model.h"
#include "testing/random_world.h"

namespace ccengine::test {
namespace {

constexpr uint64_t kUnknownAgent = 9001;
constexpr size_t kMaxLive = 150;  // contacts; keeps the model's checks cheap
constexpr const char* kStrategies[] = {
    "longest_idle", "least_occupied",  "fewest_handled",   "round_robin",
    "random",       "weighted_random", "best_proficiency", "composite"};

}  // namespace

void RandomHarness::Setup() {
  EngineOptions options;
  options.seed = seed_;
  options.rona_limit = std::vector<int>{0, 2, 3, 3}[Uniform(0, 3)];
  options.start = absl::FromUnixSeconds(1'700'000'000);
  options.intake_capacity = 64;
  options.priority_class_weight = absl::Seconds(Uniform(10, 600));
  rona_limit_ = options.rona_limit;
  class_weight_ = options.priority_class_weight;
  auto created = Engine::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  engine_ = std::move(*created);
  engine_->Subscribe([this](const Event& e) { OnEvent(e); });

  for (int i = 0; i < kSkills; ++i) {
    auto s = engine_->AddSkill(fmt::format("s{}", i));
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_EQ(s->value(), static_cast<uint32_t>(i));
  }
  for (int i = 0; i < kQueues; ++i) {
    QueueConfig q = RandomQueueConfig(fmt::format("q{}", i), i);
    // At least one queue of each of the two stateful strategies.
    if (i == 0) q.strategy = "random";
    if (i == 1) q.strategy = "round_robin";
    auto id = engine_->AddQueue(q);
    ASSERT_TRUE(id.ok()) << id.status() << " " << ConfigText(q);
    queues_.push_back(q);
  }
  // Now that every queue exists, let the first overflow forward (cycles
  // such as q0 -> q2 -> q0 are allowed and stop after a few hops).
  QueueConfig q0 = queues_[0];
  q0.overflow_queue = QueueId(static_cast<uint32_t>(Uniform(1, kQueues - 1)));
  ASSERT_TRUE(engine_->UpdateQueue(QueueId(0), q0).ok());
  queues_[0] = q0;

  for (int i = 0; i < kAgents; ++i) {
    AgentConfig a = RandomAgentConfig(AgentId(kFirstAgent + i));
    ASSERT_TRUE(engine_->AddAgent(a).ok());
    MAgent m;
    m.config = a;
    m.config.skills = Sorted(a.skills);
    m.reported_since = engine_->Now();
    agents_.emplace(a.id.value(), std::move(m));
  }
  for (int i = 0; i < kAgents; ++i) {
    if (Chance(0.7)) RunCommand(cmd::Login{AgentId(kFirstAgent + i), Chance(0.9)});
  }
  ASSERT_TRUE(failures_.empty()) << Report(-1);
}

void RandomHarness::Step(int step) {
  step_ = step;
  terminated_this_step_.clear();
  int r = Uniform(0, 999);
  if (r < 160) {
    TimeStep();
  } else if (r < 310) {
    if (contacts_.size() < kMaxLive) {
      AddContactStep();
    } else {
      AbandonStep();
    }
  } else if (r < 460) {
    OfferResponseStep(/*accept=*/true);
  } else if (r < 500) {
    OfferResponseStep(/*accept=*/false);
  } else if (r < 620) {
    CompleteStep();
  } else if (r < 660) {
    AbandonStep();
  } else if (r < 690) {
    TransferStep();
  } else if (r < 710) {
    WithdrawStep();
  } else if (r < 740) {
    PriorityStep();
  } else if (r < 970) {
    AgentStep();
  } else if (r < 980) {
    UpdateQueueStep();
  } else if (r < 990) {
    SetSkillsStep();
  } else {
    AddRemoveAgentStep();
  }
}

// Abandons every live contact; afterwards nothing may be waiting, offered
// or in service.
void RandomHarness::Drain() {
  std::vector<uint64_t> live;
  for (const auto& [id, c] : contacts_) live.push_back(id);
  // Mix the order: ringing, waiting and in-service contacts interleaved.
  std::shuffle(live.begin(), live.end(), rng_);
  for (uint64_t id : live) {
    if (!contacts_.contains(id)) continue;  // ended while another did
    RunCommand(cmd::Abandon{ContactId(id)});
  }
}

// --- Random configurations ---------------------------------------------------

std::vector<SkillLevel> RandomHarness::RandomSkills(int min_count, int max_count, int lo,
                                                    int hi) {
  std::vector<int> ids = {0, 1, 2, 3, 4, 5};
  std::shuffle(ids.begin(), ids.end(), rng_);
  int n = Uniform(min_count, max_count);
  std::vector<SkillLevel> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(
        {SkillId(static_cast<uint32_t>(ids[i])), static_cast<uint8_t>(Uniform(lo, hi))});
  }
  return v;
}

QueueConfig RandomHarness::RandomQueueConfig(std::string name, int existing_queues) {
  QueueConfig q;
  q.name = std::move(name);
  q.skills = RandomSkills(Chance(0.1) ? 0 : 1, 2, 1, 7);
  if (Chance(0.6)) {
    absl::Duration after = absl::ZeroDuration();
    int steps = Uniform(1, 2);
    for (int i = 0; i < steps; ++i) {
      after += absl::Seconds(Uniform(3, 25));
      // Lower levels of the same skills, another skill, or anyone.
      std::vector<SkillLevel> skills;
      int kind = Uniform(0, 2);
      if (kind == 0) {
        for (SkillLevel s : q.skills) {
          s.level = static_cast<uint8_t>(std::max(1, s.level - Uniform(1, 4)));
          skills.push_back(s);
        }
      } else if (kind == 1) {
        skills = RandomSkills(1, 1, 1, 5);
      }
      q.relaxation.push_back({after, skills});
    }
  }
  q.priority = Chance(0.5) ? 0 : Uniform(1, 3);
  q.aging_weight = Pick(std::vector<double>{0.5, 1.0, 1.0, 2.0});
  q.sl_threshold = absl::Seconds(Uniform(5, 30));
  q.max_size = Chance(0.4) ? static_cast<size_t>(Uniform(2, 10)) : 0;
  q.max_wait = Chance(0.4) ? absl::Seconds(Uniform(15, 120)) : absl::InfiniteDuration();
  if (existing_queues > 0 && Chance(0.6)) {
    q.overflow_queue = QueueId(static_cast<uint32_t>(Uniform(0, existing_queues - 1)));
  }
  q.wrap_up = Chance(0.5) ? Millis(500, 8000) : absl::ZeroDuration();
  q.offer_timeout = Chance(0.1) ? absl::InfiniteDuration() : Millis(2000, 15000);
  q.strategy =
      Pick(std::vector<std::string>(std::begin(kStrategies), std::end(kStrategies)));
  q.expected_handle_time = absl::Seconds(Uniform(30, 300));
  return q;
}

AgentConfig RandomHarness::RandomAgentConfig(AgentId id) {
  AgentConfig a;
  a.id = id;
  a.name = fmt::format("agent{}", id.value());
  a.skills = RandomSkills(1, 4, 1, 10);
  int kind = Uniform(0, 9);
  if (kind < 4) {  // voice only
    a.capacity.max_per_channel = {1, 0, 0, 0, 1, 0, 0};
  } else if (kind < 8) {  // multi-chat desk, voice exclusive
    a.capacity.max_per_channel = {static_cast<uint8_t>(Uniform(0, 1)),
                                  static_cast<uint8_t>(Uniform(2, 3)),
                                  static_cast<uint8_t>(Uniform(1, 2)),
                                  static_cast<uint8_t>(Uniform(0, 1)),
                                  1,
                                  static_cast<uint8_t>(Uniform(0, 3)),
                                  static_cast<uint8_t>(Uniform(0, 2))};
    if (Chance(0.3)) {  // a binding load budget
      a.capacity.load_budget = 150;
      a.capacity.load_per_contact[1] = 50;
    }
  }  // else the default capacity
  a.weight = Pick(std::vector<double>{0.5, 1.0, 2.0, 3.0});
  a.auto_accept = Chance(0.2);  // offers accepted as they are made
  return a;
}

// --- The steps ---------------------------------------------------------------

void RandomHarness::TimeStep() {
  const absl::Time now = engine_->Now();
  const bool use_poll = Chance(0.3);
  int r = Uniform(0, 99);
  call_events_ = 0;
  if (r < 3) {  // time going backwards: refused, nothing changes
    absl::Time t = now - absl::Microseconds(Uniform(1, 2'000'000));
    Log({fmt::format("{}({}) backwards", use_poll ? "Poll" : "AdvanceTo",
                     absl::FormatTime(t))});
    Observed before = Capture();
    absl::Status st = use_poll ? engine_->Poll(t).status() : engine_->AdvanceTo(t);
    if (st.code() != Code::kInvalidArgument) {
      Fail("time going backwards returned " + st.ToString());
    }
    if (call_events_ != 0) Fail("time going backwards emitted events");
    ExpectUnchanged(before, Capture(), "time going backwards");
    return;
  }
  absl::Time t;
  std::optional<absl::Time> next = engine_->NextTimerAt();
  if (r < 15 && next && *next >= now) {
    t = *next;  // exactly on a timer
  } else if (r < 55) {
    t = now + Millis(0, 1000);
  } else if (r < 88) {
    t = now + Millis(1000, 4000);
  } else if (r < 98) {
    t = now + Millis(4000, 20000);
  } else {
    t = now + Millis(20000, 90000);
  }
  Log({fmt::format("{}(+{})", use_poll ? "Poll" : "AdvanceTo",
                   absl::FormatDuration(t - now))});
  if (use_poll) {
    absl::StatusOr<size_t> applied = engine_->Poll(t);
    if (!applied.ok() || *applied != 0) Fail("Poll on an empty intake");
  } else {
    absl::Status st = engine_->AdvanceTo(t);
    if (!st.ok()) Fail("AdvanceTo: " + st.ToString());
  }
  if (engine_->Now() != t) Fail("the engine's time is not where it was advanced to");
}

ContactId RandomHarness::AnyContactId() {
  int r = Uniform(0, 9);
  if (r < 2 && !terminated_.empty()) return ContactId(Pick(terminated_));
  if (r < 3) return ContactId(900'000'000 + Uniform(0, 1000));  // never used
  if (!contacts_.empty()) {
    auto it = contacts_.begin();
    std::advance(it, Uniform(0, static_cast<int>(contacts_.size()) - 1));
    return ContactId(it->first);
  }
  return ContactId(next_contact_++);
}

AgentId RandomHarness::AnyAgentId() {
  if (Chance(0.05)) return AgentId(kUnknownAgent + Uniform(0, 5));
  return AgentId(kFirstAgent + Uniform(0, kAgents - 1));
}

void RandomHarness::AddContactStep() {
  ContactSpec s;
  int id_kind = Uniform(0, 99);
  if (id_kind < 3 && !contacts_.empty()) {
    s.id = AnyContactId();  // maybe a duplicate of a live contact
  } else if (id_kind < 8 && !terminated_.empty()) {
    s.id = ContactId(Pick(terminated_));  // an ended contact's id: reusable
  } else {
    s.id = ContactId(next_contact_++);
  }
  s.queue = QueueId(static_cast<uint32_t>(Chance(0.02) ? kQueues + Uniform(0, 3)
                                                       : Uniform(0, kQueues - 1)));
  static constexpr int kChannelWeights[] = {35, 30, 10, 5, 5, 10, 5};
  int w = Uniform(0, 99);
  int ch = 0;
  while (w >= kChannelWeights[ch]) w -= kChannelWeights[ch++];
  s.channel = static_cast<Channel>(Chance(0.01) ? Uniform(7, 255) : ch);
  int p = Uniform(0, 99);
  s.priority = p < 75   ? 0
               : p < 95 ? Uniform(1, 3)
               : p < 98 ? 9
                        : Pick(std::vector<int>{-1, 10, 1000, -1000});
  int k = Uniform(0, 99);
  if (k < 25) {
    s.skills = RandomSkills(1, 1, 1, 5);
  } else if (k < 30) {
    s.skills = RandomSkills(2, 2, 1, 4);
  } else if (k < 32) {  // invalid: unknown skill, bad level, or twice
    s.skills = RandomSkills(1, 2, 1, 5);
    int bad = Uniform(0, 2);
    if (bad == 0) s.skills.push_back({SkillId(kSkills + Uniform(0, 3)), 1});
    if (bad == 1)
      s.skills.push_back(
          {SkillId(0), static_cast<uint8_t>(Pick(std::vector<int>{0, 11, 255}))});
    if (bad == 2) s.skills.push_back(s.skills.front());
  }
  s.customer_id = fmt::format("cust{}", Uniform(1, 40));
  if (Chance(0.1)) s.attributes = {{"lang", Chance(0.5) ? "zh" : "en"}};
  int a = Uniform(0, 99);
  if (a < 15) {
    s.arrived_at = engine_->Now() - Millis(0, 90'000);
  } else if (a < 17) {
    s.arrived_at = engine_->Now() + absl::Microseconds(Uniform(1, 5'000'000));
  }
  RunCommand(cmd::AddContact{std::move(s)});
}

void RandomHarness::OfferResponseStep(bool accept) {
  AgentId agent;
  ContactId contact;
  if (!offered_.empty() && Chance(accept ? 0.92 : 0.75)) {
    uint64_t id = Pick(offered_.ids());
    contact = ContactId(id);
    agent = *contacts_.at(id).agent;
    if (Chance(0.05)) agent = AnyAgentId();  // the wrong agent, mostly
  } else {
    agent = AnyAgentId();
    contact = AnyContactId();
  }
  if (accept) {
    RunCommand(cmd::AcceptOffer{agent, contact});
  } else {
    RunCommand(cmd::RejectOffer{agent, contact});
  }
}

void RandomHarness::CompleteStep() {
  AgentId agent;
  ContactId contact;
  if (!in_service_.empty() && Chance(0.9)) {
    uint64_t id = Pick(in_service_.ids());
    contact = ContactId(id);
    agent = *contacts_.at(id).agent;
    if (Chance(0.05)) agent = AnyAgentId();
  } else {
    agent = AnyAgentId();
    contact = AnyContactId();
  }
  RunCommand(cmd::CompleteContact{agent, contact});
}

void RandomHarness::AbandonStep() { RunCommand(cmd::Abandon{AnyContactId()}); }

void RandomHarness::TransferStep() {
  uint32_t to = static_cast<uint32_t>(Chance(0.03) ? kQueues + Uniform(0, 3)
                                                   : Uniform(0, kQueues - 1));
  RunCommand(cmd::Transfer{AnyContactId(), QueueId(to), Chance(0.7)});
}

void RandomHarness::WithdrawStep() { RunCommand(cmd::Withdraw{AnyContactId()}); }

void RandomHarness::PriorityStep() {
  int p = Chance(0.05) ? Pick(std::vector<int>{-1, 10, 42}) : Uniform(0, 9);
  RunCommand(cmd::SetPriority{AnyContactId(), p});
}

void RandomHarness::AgentStep() {
  AgentId id = AnyAgentId();
  const MAgent* a = FindAgent(id);
  const int r = Uniform(0, 99);
  const int32_t reason = Uniform(1, 5);
  if (a == nullptr) {
    if (id.value() < kFirstAgent + kAgents && r < 50) {
      RunCommand(cmd::AddAgent{RandomAgentConfig(id)});
      return;
    }
  } else if (!a->logged_in) {
    if (r < 65) {
      RunCommand(cmd::Login{id, Chance(0.85), reason});
      return;
    }
    if (r < 75) {
      RunCommand(cmd::ForceAgentState{id, AgentState::kAvailable});
      return;
    }
  } else if (!a->ready && r < 55) {
    RunCommand(cmd::SetReady{id});
    return;
  } else if (a->wrap_until && *a->wrap_until > engine_->Now() && r < 40) {
    RunCommand(cmd::EndWrapUp{id});
    return;
  }
  switch (Uniform(0, 9)) {
    case 0: RunCommand(cmd::Login{id, Chance(0.8), reason}); break;
    case 1: RunCommand(cmd::Logout{id}); break;
    case 2:
    case 3: RunCommand(cmd::SetNotReady{id, reason}); break;
    case 4: RunCommand(cmd::EndWrapUp{id}); break;
    case 5:
    case 6: {
      static constexpr std::array<AgentState, 6> kStates = {
          AgentState::kLoggedOut, AgentState::kNotReady, AgentState::kAvailable,
          AgentState::kReserved,  AgentState::kBusy,     AgentState::kWrapUp};
      int s = Uniform(0, 99);
      AgentState state = s < 30   ? AgentState::kLoggedOut
                         : s < 60 ? AgentState::kNotReady
                         : s < 95 ? AgentState::kAvailable
                                  : Pick(kStates);
      RunCommand(cmd::ForceAgentState{id, state, reason});
      break;
    }
    default: RunCommand(cmd::SetReady{id}); break;
  }
}

void RandomHarness::AddRemoveAgentStep() {
  AgentId id = AgentId(kFirstAgent + Uniform(0, kAgents - 1));
  const MAgent* a = FindAgent(id);
  if (a == nullptr || Chance(0.2)) {
    AgentConfig config = RandomAgentConfig(id);
    switch (Uniform(0, 9)) {  // sometimes invalid
      case 0: config.skills.push_back({SkillId(kSkills + 2), 3}); break;
      case 1: config.skills.push_back({SkillId(1), 0}); break;
      case 2: config.capacity.load_budget = 0; break;
      case 3: config.capacity.load_per_contact[0] = 500; break;
      case 4: config.weight = Pick(std::vector<double>{0.0, -1.0}); break;
      default: break;
    }
    RunCommand(cmd::AddAgent{std::move(config)});
    return;
  }
  if (a->logged_in && Chance(0.7)) {
    RunCommand(cmd::ForceAgentState{id, AgentState::kLoggedOut});
  }
  RunCommand(cmd::RemoveAgent{Chance(0.05) ? AgentId(kUnknownAgent) : id});
}

void RandomHarness::SetSkillsStep() {
  AgentId id = AnyAgentId();
  std::vector<SkillLevel> skills = RandomSkills(0, 4, 1, 10);
  Code expected = FindAgent(id) ? Code::kOk : Code::kNotFound;
  if (expected == Code::kOk && Chance(0.1)) {
    skills.push_back(
        {SkillId(Chance(0.5) ? kSkills : 0), Chance(0.5) ? uint8_t{0} : uint8_t{3}});
    expected = PredictSkills(skills);
  }
  Log({fmt::format("SetAgentSkills({}, {})", id.value(), SkillsText(skills))});
  std::optional<Observed> before;
  if (expected == Code::kOk) {
    agents_.at(id.value()).config.skills = Sorted(skills);
  } else {
    before = Capture();
  }
  call_events_ = 0;
  agent_side_ = id;
  contact_side_.reset();
  absl::Status st = engine_->SetAgentSkills(id, skills);
  agent_side_.reset();
  if (st.code() != expected) {
    Fail(fmt::format("SetAgentSkills returned {}, expected {}", st.ToString(),
                     absl::StatusCodeToString(expected)));
  }
  if (before) {
    if (call_events_ != 0) Fail("a refused SetAgentSkills emitted events");
    ExpectUnchanged(*before, Capture(), "SetAgentSkills");
  }
}

void RandomHarness::UpdateQueueStep() {
  uint32_t q = static_cast<uint32_t>(Uniform(0, kQueues - 1));
  QueueConfig config = RandomQueueConfig(queues_[q].name, 0);
  if (Chance(0.6)) {
    uint32_t to = static_cast<uint32_t>(Uniform(0, kQueues - 2));
    config.overflow_queue = QueueId(to >= q ? to + 1 : to);
  }
  if (Chance(0.3)) config.strategy = Chance(0.5) ? "random" : "round_robin";
  Code expected = Code::kOk;
  QueueId target(q);
  switch (Uniform(0, 19)) {  // sometimes invalid
    case 0:
      config.name += "x";
      expected = Code::kInvalidArgument;
      break;
    case 1:
      config.overflow_queue = QueueId(q);
      expected = Code::kInvalidArgument;
      break;
    case 2:
      config.overflow_queue = QueueId(kQueues + 5);
      expected = Code::kNotFound;
      break;
    case 3:
      config.strategy = "no_such_strategy";
      expected = Code::kNotFound;
      break;
    case 4:
      config.priority = 10;
      expected = Code::kInvalidArgument;
      break;
    case 5:
      config.relaxation = {{absl::Seconds(20), {}}, {absl::Seconds(10), {}}};
      expected = Code::kInvalidArgument;
      break;
    case 6:
      config.max_wait = absl::ZeroDuration();
      expected = Code::kInvalidArgument;
      break;
    case 7:
      config.offer_timeout = absl::ZeroDuration();
      expected = Code::kInvalidArgument;
      break;
    case 8:
      config.aging_weight = 0;
      expected = Code::kInvalidArgument;
      break;
    case 9:
      config.skills = {{SkillId(0), 11}};
      expected = Code::kInvalidArgument;
      break;
    case 10:
      target = QueueId(kQueues + 1);
      expected = Code::kNotFound;
      break;
    default: break;
  }
  Log({fmt::format("UpdateQueue({}, {})", target.value(), ConfigText(config))});
  std::optional<Observed> before;
  QueueConfig old;
  if (expected == Code::kOk) {
    old = queues_[q];
    queues_[q] = config;
  } else {
    before = Capture();
  }
  call_events_ = 0;
  absl::Status st = engine_->UpdateQueue(target, config);
  if (st.code() != expected) {
    Fail(fmt::format("UpdateQueue returned {}, expected {}", st.ToString(),
                     absl::StatusCodeToString(expected)));
  }
  if (before) {
    if (call_events_ != 0) Fail("a refused UpdateQueue emitted events");
    ExpectUnchanged(*before, Capture(), "UpdateQueue");
  } else {
    // A shorter max wait leaves contacts that waited longer in line until
    // the next time step fires their (already due) timers.
    FlushOverdueTimers();
  }
}

}  // namespace ccengine::test
