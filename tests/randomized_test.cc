// -----------------------------------------------------------------------------
// File: tests/randomized_test.cc
// -----------------------------------------------------------------------------
//
// Randomized invariant test of `ccengine::Engine`. A seeded driver builds an
// engine (6 skills, 4 queues with relaxation steps, size and wait limits,
// overflow targets, wrap-up and varied strategies, 30 agents with random
// skills and capacities) and runs random steps against it: time advances,
// contacts arriving (sometimes with invalid input), offers accepted, rejected
// or left to time out, completions, abandons, transfers, withdrawals,
// priority changes, agent presence changes, queue updates, and now and then
// the same commands through `Submit` + `Poll` instead of the direct call.
//
// The driver keeps its own model of every contact and agent, built from the
// event stream alone (plus the presence changes it asked for), and after
// every step checks:
//   * `Engine::CheckInvariants()` and `Accounting::Balanced()`;
//   * the event stream: an agent never has two outstanding offers; every
//     kOffered is closed by exactly one of accepted / rejected / timed out /
//     rescinded before the contact is offered again; offers go only to
//     agents that are logged in, ready, out of wrap-up, within capacity,
//     qualified at the contact's routing step and not excluded; outcomes
//     refer to contacts in the right state;
//   * an agent that frees up (accept, complete, reject, login, ready, end of
//     wrap-up…) is offered the best waiting contact it may take: none it
//     could serve has a higher aged score;
//   * the model against the engine: contact and agent snapshots, agent
//     states, per-queue stats (waiting, longest wait, entered, answered,
//     abandoned, overflowed, transferred, completed, handle and answer
//     times), queue positions, the Accounting (terminal outcomes counted
//     from events), no contact waiting past its max wait, and work
//     conservation recomputed from the model;
//   * every call's status against the status the model predicts; a refused
//     call changes nothing (Accounting, agent and contact snapshots, queue
//     stats and configs) and emits no event (through the intake: exactly one
//     kCommandFailed carrying the same status).
// Each seed ends with a drain: every live contact is abandoned and the books
// must show nothing waiting, offered or in service.
//
// Replaying a failure: every failure message names its seed and step and
// prints the last actions and events, e.g.
//   CCENGINE_RANDOM_SEED=12345 CCENGINE_RANDOM_STEPS=678
//       ./randomized_test --gtest_filter='*EnvSeed*'
// (a run is deterministic for a given seed and standard library).
// CCENGINE_RANDOM_STEPS alone changes the steps per seed of the fixed seeds.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CCENGINE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CCENGINE_TEST_SANITIZED 1
#endif
#endif

namespace ccengine {
namespace {

using Code = absl::StatusCode;

constexpr uint64_t kSeeds[] = {1, 20240611, 0x5eedf00d, 777767777, 31337};
#ifdef CCENGINE_TEST_SANITIZED
constexpr int kStepsPerSeed = 10'000;  // ASan+UBSan: ~10-15x slower per step
#else
constexpr int kStepsPerSeed = 25'000;  // 5 seeds: 125,000 steps
#endif
constexpr int kSkills = 6;
constexpr int kQueues = 4;
constexpr int kAgents = 30;
constexpr uint64_t kFirstAgent = 1001;
constexpr uint64_t kUnknownAgent = 9001;
constexpr size_t kMaxLive = 150;  // contacts; keeps the model's checks cheap
constexpr const char* kStrategies[] = {
    "longest_idle", "least_occupied", "fewest_handled", "round_robin",
    "random",       "weighted_random", "best_proficiency", "composite"};

std::optional<long long> EnvNumber(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::strtoll(v, nullptr, 0);
}

// Ids in insertion order with O(1) erase, so random picks are reproducible.
class IdSet {
 public:
  void Insert(uint64_t id) {
    if (pos_.emplace(id, ids_.size()).second) ids_.push_back(id);
  }
  void Erase(uint64_t id) {
    auto it = pos_.find(id);
    if (it == pos_.end()) return;
    size_t p = it->second;
    pos_.erase(it);
    uint64_t last = ids_.back();
    ids_.pop_back();
    if (last != id) {
      ids_[p] = last;
      pos_[last] = p;
    }
  }
  bool Contains(uint64_t id) const { return pos_.contains(id); }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  const std::vector<uint64_t>& ids() const { return ids_; }

 private:
  std::vector<uint64_t> ids_;
  std::map<uint64_t, size_t> pos_;
};

enum class MState { kWaiting, kOffered, kInService, kTransit };

const char* MStateName(MState s) {
  switch (s) {
    case MState::kWaiting: return "waiting";
    case MState::kOffered: return "offered";
    case MState::kInService: return "in_service";
    case MState::kTransit: return "transit";
  }
  return "?";
}

struct MContact {
  MState state = MState::kTransit;
  uint32_t queue = 0;
  Channel channel = Channel::kVoice;
  int priority = 0;
  std::vector<SkillRequirement> skills;  // sorted by skill id
  std::string customer_id;
  absl::Time arrived;
  absl::Time queued_at;
  absl::Time offered_at;
  absl::Duration offer_timeout;
  absl::Time answered_at;
  int step = 0;
  uint64_t order = 0;  // arrival order: breaks ties of equal aged scores
  std::optional<AgentId> agent;
  std::vector<AgentId> excluded;
};

struct MAgent {
  AgentConfig config;  // skills sorted by skill id
  bool logged_in = false;
  bool ready = false;
  int32_t reason = kReasonNone;
  std::optional<absl::Time> wrap_until;
  std::optional<uint64_t> offer;
  std::vector<uint64_t> in_service;
  uint32_t no_answers = 0;
  uint64_t handled = 0;  // accepted since login
  AgentState reported = AgentState::kLoggedOut;
};

// A queue's figures as the events tell them.
struct MStats {
  uint64_t entered = 0, answered = 0, answered_within_sl = 0, abandoned = 0,
           overflowed = 0, transferred_out = 0, completed = 0;
  absl::Duration total_answer_wait, total_handle;
};

std::vector<SkillLevel> Sorted(std::vector<SkillLevel> v) {
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  return v;
}

bool Meets(const std::vector<SkillLevel>& have,
           const std::vector<SkillRequirement>& need) {
  for (const SkillRequirement& r : need) {
    auto it = std::find_if(have.begin(), have.end(),
                           [&](const SkillLevel& s) { return s.skill == r.skill; });
    if (it == have.end() || it->level < r.level) return false;
  }
  return true;
}

// The routing step in force: relaxation counts from entering the queue.
int ModelStep(const QueueConfig& q, absl::Time queued_at, absl::Time now) {
  Micros waited = ToMicros(now) - ToMicros(queued_at);
  int step = 0;
  while (step < static_cast<int>(q.relaxation.size()) &&
         waited >= ToMicros(q.relaxation[step].after)) {
    ++step;
  }
  return step;
}

std::string SkillsText(const std::vector<SkillLevel>& v) {
  std::string s = "{";
  for (const SkillLevel& l : v) {
    s += fmt::format("{}s{}>={}", s.size() > 1 ? "," : "", l.skill.value(),
                     int{l.level});
  }
  return s + "}";
}

std::string Describe(const Command& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          return fmt::format("AddAgent({} skills={})", c.config.id.value(),
                             SkillsText(c.config.skills));
        } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
          return fmt::format("RemoveAgent({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::Login>) {
          return fmt::format("Login({}, ready={}, reason={})", c.agent.value(),
                             c.ready, c.reason);
        } else if constexpr (std::is_same_v<T, cmd::Logout>) {
          return fmt::format("Logout({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::SetReady>) {
          return fmt::format("SetReady({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::SetNotReady>) {
          return fmt::format("SetNotReady({}, {})", c.agent.value(), c.reason);
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          const ContactSpec& s = c.spec;
          return fmt::format(
              "AddContact(id={} queue={} channel={} priority={} skills={}{})",
              s.id.value(), s.queue.value(), static_cast<int>(s.channel),
              s.priority, SkillsText(s.skills),
              s.arrived_at ? " arrived_at=" + absl::FormatTime(*s.arrived_at)
                           : std::string());
        } else if constexpr (std::is_same_v<T, cmd::AcceptOffer>) {
          return fmt::format("AcceptOffer({}, {})", c.agent.value(),
                             c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::RejectOffer>) {
          return fmt::format("RejectOffer({}, {})", c.agent.value(),
                             c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::CompleteContact>) {
          return fmt::format("CompleteContact({}, {})", c.agent.value(),
                             c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
          return fmt::format("EndWrapUp({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::Abandon>) {
          return fmt::format("Abandon({})", c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
          return fmt::format("Transfer({}, to={}, keep_age={})",
                             c.contact.value(), c.to.value(), c.keep_age);
        } else if constexpr (std::is_same_v<T, cmd::Withdraw>) {
          return fmt::format("Withdraw({})", c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::SetPriority>) {
          return fmt::format("SetPriority({}, {})", c.contact.value(),
                             c.priority);
        } else {
          return fmt::format("ForceAgentState({}, {}, {})", c.agent.value(),
                             AgentStateName(c.state), c.reason);
        }
      },
      command);
}

// Everything a refused call must leave as it was.
struct World {
  Accounting accounting;
  absl::Time now;
  std::optional<absl::Time> next_timer;
  std::vector<std::pair<uint64_t, absl::StatusOr<AgentSnapshot>>> agents;
  std::vector<std::pair<uint64_t, absl::StatusOr<ContactSnapshot>>> contacts;
  std::vector<QueueStats> stats;
  std::vector<QueueConfig> configs;
};

std::string DiffAccounting(const Accounting& a, const Accounting& b) {
  auto text = [](const Accounting& x) {
    return fmt::format(
        "entered={} waiting={} offered={} in_service={} completed={} "
        "abandoned={} overflowed={} withdrawn={}",
        x.entered, x.waiting, x.offered, x.in_service, x.completed,
        x.abandoned, x.overflowed, x.withdrawn);
  };
  std::string ta = text(a), tb = text(b);
  return ta == tb ? std::string() : fmt::format("accounting {} -> {}", ta, tb);
}

std::string AgentText(const absl::StatusOr<AgentSnapshot>& s) {
  if (!s.ok()) return s.status().ToString();
  std::string contacts;
  for (ContactId c : s->contacts) contacts += fmt::format("{},", c.value());
  std::string active;
  for (uint8_t n : s->active_per_channel) active += fmt::format("{},", int{n});
  return fmt::format(
      "agent {} '{}' state={} reason={} skills={} active={} load={} "
      "contacts={} handled={} no_answers={} idle_since={}",
      s->id.value(), s->name, AgentStateName(s->state), s->reason,
      SkillsText(s->skills), active, s->load, contacts, s->handled,
      s->consecutive_no_answers, absl::FormatTime(s->idle_since));
}

std::string ContactText(const absl::StatusOr<ContactSnapshot>& s) {
  if (!s.ok()) return s.status().ToString();
  std::string excluded;
  for (AgentId a : s->excluded) excluded += fmt::format("{},", a.value());
  std::string attributes;
  for (const auto& [k, v] : s->attributes) attributes += k + "=" + v + ",";
  return fmt::format(
      "contact {} queue={} channel={} priority={} state={} customer={} "
      "skills={} attributes={} arrived={} queued={} step={} agent={} "
      "excluded={}",
      s->id.value(), s->queue.value(), ChannelName(s->channel), s->priority,
      ContactStateName(s->state), s->customer_id, SkillsText(s->skills),
      attributes, absl::FormatTime(s->arrived_at),
      absl::FormatTime(s->queued_at), s->routing_step,
      s->agent ? static_cast<int64_t>(s->agent->value()) : -1, excluded);
}

std::string StatsText(const QueueStats& s) {
  return fmt::format(
      "queue {} waiting={} longest={} entered={} answered={} within_sl={} "
      "abandoned={} overflowed={} transferred_out={} completed={} "
      "answer_wait={} handle={}",
      s.queue.value(), s.waiting, absl::FormatDuration(s.longest_wait),
      s.entered, s.answered, s.answered_within_sl, s.abandoned, s.overflowed,
      s.transferred_out, s.completed, absl::FormatDuration(s.total_answer_wait),
      absl::FormatDuration(s.total_handle));
}

std::string ConfigText(const QueueConfig& c) {
  std::string relax;
  for (const RoutingStep& s : c.relaxation) {
    relax += fmt::format("[{} {}]", absl::FormatDuration(s.after),
                         SkillsText(s.skills));
  }
  return fmt::format(
      "'{}' skills={} relax={} priority={} aging={} sl={}/{} max_size={} "
      "max_wait={} overflow={} wrap={} offer_timeout={} strategy={} aht={}",
      c.name, SkillsText(c.skills), relax, c.priority, c.aging_weight,
      absl::FormatDuration(c.sl_threshold), c.sl_target, c.max_size,
      absl::FormatDuration(c.max_wait),
      c.overflow_queue ? static_cast<int64_t>(c.overflow_queue->value()) : -1,
      absl::FormatDuration(c.wrap_up), absl::FormatDuration(c.offer_timeout),
      c.strategy, absl::FormatDuration(c.expected_handle_time));
}

bool Same(const AgentSnapshot& a, const AgentSnapshot& b) {
  return a.id == b.id && a.name == b.name && a.state == b.state &&
         a.reason == b.reason && a.skills == b.skills &&
         a.active_per_channel == b.active_per_channel && a.load == b.load &&
         a.contacts == b.contacts && a.handled == b.handled &&
         a.consecutive_no_answers == b.consecutive_no_answers &&
         a.idle_since == b.idle_since;
}

bool Same(const ContactSnapshot& a, const ContactSnapshot& b) {
  return a.id == b.id && a.queue == b.queue && a.channel == b.channel &&
         a.priority == b.priority && a.state == b.state &&
         a.customer_id == b.customer_id && a.skills == b.skills &&
         a.attributes == b.attributes && a.arrived_at == b.arrived_at &&
         a.queued_at == b.queued_at && a.routing_step == b.routing_step &&
         a.agent == b.agent && a.excluded == b.excluded;
}

bool Same(const QueueStats& a, const QueueStats& b) {
  return a.queue == b.queue && a.waiting == b.waiting &&
         a.longest_wait == b.longest_wait && a.entered == b.entered &&
         a.answered == b.answered && a.answered_within_sl == b.answered_within_sl &&
         a.abandoned == b.abandoned && a.overflowed == b.overflowed &&
         a.transferred_out == b.transferred_out && a.completed == b.completed &&
         a.total_answer_wait == b.total_answer_wait &&
         a.total_handle == b.total_handle;
}

bool Same(const QueueConfig& a, const QueueConfig& b) {
  if (a.relaxation.size() != b.relaxation.size()) return false;
  for (size_t i = 0; i < a.relaxation.size(); ++i) {
    if (a.relaxation[i].after != b.relaxation[i].after ||
        a.relaxation[i].skills != b.relaxation[i].skills) {
      return false;
    }
  }
  return a.name == b.name && a.skills == b.skills && a.priority == b.priority &&
         a.aging_weight == b.aging_weight && a.sl_threshold == b.sl_threshold &&
         a.sl_target == b.sl_target && a.max_size == b.max_size &&
         a.max_wait == b.max_wait && a.overflow_queue == b.overflow_queue &&
         a.wrap_up == b.wrap_up && a.offer_timeout == b.offer_timeout &&
         a.strategy == b.strategy &&
         a.expected_handle_time == b.expected_handle_time;
}

template <class T>
bool Same(const absl::StatusOr<T>& a, const absl::StatusOr<T>& b) {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? Same(*a, *b) : a.status() == b.status();
}

// One line of the failure report's history: an action, a call or an event,
// formatted only when a report is printed.
struct LogEntry {
  std::variant<std::string, Command, Event> what;
  bool intake = false;
};

class Harness {
 public:
  explicit Harness(uint64_t seed) : seed_(seed), rng_(seed) {}

  Engine& engine() { return *engine_; }
  const std::vector<std::string>& failures() const { return failures_; }

  // --- Setup ------------------------------------------------------------------

  void Setup() {
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
      agents_.emplace(a.id.value(), std::move(m));
    }
    for (int i = 0; i < kAgents; ++i) {
      if (Chance(0.7)) RunCommand(cmd::Login{AgentId(kFirstAgent + i), Chance(0.9)});
    }
    ASSERT_TRUE(failures_.empty()) << Report(-1);
  }

  // --- One random step ----------------------------------------------------------

  void Step(int step) {
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

  // --- Cross-checks after each step ---------------------------------------------

  void CrossCheck() {
    const absl::Time now = engine_->Now();
    // Contacts.
    size_t waiting = 0, offered = 0, in_service = 0;
    std::vector<size_t> waiting_in(queues_.size(), 0);
    for (const auto& [id, c] : contacts_) {
      switch (c.state) {
        case MState::kWaiting: ++waiting; ++waiting_in[c.queue]; break;
        case MState::kOffered: ++offered; break;
        case MState::kInService: ++in_service; break;
        case MState::kTransit:
          Fail(fmt::format("contact {} left in transit (transferred or "
                           "overflowed without kContactQueued)", id));
          break;
      }
      absl::StatusOr<ContactSnapshot> s = engine_->GetContact(ContactId(id));
      if (!s.ok()) {
        Fail(fmt::format("live contact {} ({}): {}", id, MStateName(c.state),
                         s.status().ToString()));
        continue;
      }
      ContactState want = c.state == MState::kWaiting   ? ContactState::kWaiting
                          : c.state == MState::kOffered ? ContactState::kOffered
                                                        : ContactState::kInService;
      bool agent_ok = c.agent.has_value() == s->agent.has_value() &&
                      (!c.agent || *c.agent == *s->agent);
      bool excluded_ok = c.excluded == s->excluded;
      if (c.state == MState::kWaiting &&
          now - c.queued_at >= queues_[c.queue].max_wait) {
        Fail(fmt::format("contact {} still waits in queue {} after {} (max "
                         "wait {})",
                         id, c.queue, absl::FormatDuration(now - c.queued_at),
                         absl::FormatDuration(queues_[c.queue].max_wait)));
      }
      bool step_ok = c.state != MState::kWaiting ||
                     s->routing_step == ModelStep(queues_[c.queue], c.queued_at, now);
      if (s->state != want || !agent_ok || s->queue.value() != c.queue ||
          s->priority != c.priority || s->channel != c.channel ||
          s->arrived_at != c.arrived || s->queued_at != c.queued_at ||
          s->skills != c.skills || !excluded_ok || !step_ok) {
        Fail(fmt::format(
            "contact {} differs from the model: engine [{}] model [{} queue={} "
            "priority={} agent={} arrived={} queued={} step={} excluded={}]",
            id, ContactText(s), MStateName(c.state), c.queue, c.priority,
            c.agent ? static_cast<int64_t>(c.agent->value()) : -1,
            absl::FormatTime(c.arrived), absl::FormatTime(c.queued_at),
            ModelStep(queues_[c.queue], c.queued_at, now), c.excluded.size()));
      }
    }
    for (uint64_t id : terminated_this_step_) {
      if (contacts_.contains(id)) continue;  // re-entered under the same id
      absl::StatusOr<ContactSnapshot> s = engine_->GetContact(ContactId(id));
      if (s.status().code() != Code::kNotFound) {
        Fail(fmt::format("terminated contact {} still visible: {}", id,
                         ContactText(s)));
      }
    }
    if (waiting != waiting_.size() || offered != offered_.size() ||
        in_service != in_service_.size()) {
      Fail("the model's state sets disagree with its contacts");
    }
    // Accounting.
    Accounting want;
    want.entered = entered_;
    want.waiting = waiting;
    want.offered = offered;
    want.in_service = in_service;
    want.completed = completed_;
    want.abandoned = abandoned_;
    want.overflowed = overflowed_;
    want.withdrawn = withdrawn_;
    Accounting got = engine_->GetAccounting();
    if (!got.Balanced()) Fail("Accounting does not balance");
    std::string diff = DiffAccounting(want, got);
    if (!diff.empty()) Fail("events (model) vs engine " + diff);
    // Queues.
    for (uint32_t q = 0; q < queues_.size(); ++q) {
      absl::StatusOr<QueueStats> s = engine_->GetQueueStats(QueueId(q));
      if (!s.ok()) {
        Fail(s.status().ToString());
        continue;
      }
      QueueStats want_stats;
      const MStats& m = stats_[q];
      want_stats.queue = QueueId(q);
      want_stats.waiting = waiting_in[q];
      want_stats.longest_wait = absl::ZeroDuration();
      for (uint64_t w : waiting_.ids()) {
        const MContact& c = contacts_.at(w);
        if (c.queue == q) {
          want_stats.longest_wait = std::max(want_stats.longest_wait, now - c.arrived);
        }
      }
      want_stats.entered = m.entered;
      want_stats.answered = m.answered;
      want_stats.answered_within_sl = m.answered_within_sl;
      want_stats.abandoned = m.abandoned;
      want_stats.overflowed = m.overflowed;
      want_stats.transferred_out = m.transferred_out;
      want_stats.completed = m.completed;
      want_stats.total_answer_wait = m.total_answer_wait;
      want_stats.total_handle = m.total_handle;
      if (!Same(want_stats, *s)) {
        Fail(fmt::format("queue stats: engine [{}] model [{}]", StatsText(*s),
                         StatsText(want_stats)));
      }
    }
    if (step_ % 25 == 0) CheckQueuePositions(now);
    // Agents.
    for (const auto& [id, a] : agents_) {
      absl::StatusOr<AgentSnapshot> s = engine_->GetAgent(AgentId(id));
      if (!s.ok()) {
        Fail(fmt::format("agent {}: {}", id, s.status().ToString()));
        continue;
      }
      AgentState want_state = DerivedState(a, now);
      int32_t want_reason = (a.logged_in && !a.ready) ? a.reason : kReasonNone;
      std::vector<uint64_t> want_contacts = a.in_service;
      if (a.offer) want_contacts.push_back(*a.offer);
      std::sort(want_contacts.begin(), want_contacts.end());
      std::vector<uint64_t> got_contacts;
      for (ContactId c : s->contacts) got_contacts.push_back(c.value());
      std::sort(got_contacts.begin(), got_contacts.end());
      std::array<uint8_t, kChannelCount> active{};
      uint32_t load = 0;
      for (uint64_t c : want_contacts) {
        auto it = contacts_.find(c);
        if (it == contacts_.end()) continue;
        int ch = static_cast<int>(it->second.channel);
        active[ch]++;
        load += a.config.capacity.load_per_contact[ch];
      }
      if (s->state != want_state || s->state != a.reported ||
          s->reason != want_reason || got_contacts != want_contacts ||
          s->consecutive_no_answers != a.no_answers || s->handled != a.handled ||
          s->active_per_channel != active || s->load != load ||
          s->skills != a.config.skills) {
        Fail(fmt::format(
            "agent {} differs: engine [{}] model [state={} last_event_state={} "
            "reason={} contacts={} no_answers={} handled={} logged_in={} "
            "ready={} wrap_until={}]",
            id, AgentText(s), AgentStateName(want_state),
            AgentStateName(a.reported), want_reason, want_contacts.size(),
            a.no_answers, a.handled, a.logged_in, a.ready,
            a.wrap_until ? absl::FormatTime(*a.wrap_until) : "-"));
      }
    }
    for (uint64_t id = kFirstAgent; id < kFirstAgent + kAgents; ++id) {
      if (agents_.contains(id)) continue;
      if (engine_->GetAgent(AgentId(id)).status().code() != Code::kNotFound) {
        Fail(fmt::format("removed agent {} still visible", id));
      }
    }
    // Work conservation, from the model alone.
    std::vector<std::pair<const MAgent*, std::array<bool, kChannelCount>>> free;
    for (const auto& [aid, a] : agents_) {
      std::array<bool, kChannelCount> can{};
      bool any = false;
      for (int ch = 0; ch < kChannelCount; ++ch) {
        can[ch] = ModelCanTake(a, static_cast<Channel>(ch), now);
        any |= can[ch];
      }
      if (any) free.emplace_back(&a, can);
    }
    for (uint64_t cid : waiting_.ids()) {
      const MContact& c = contacts_.at(cid);
      int step = ModelStep(queues_[c.queue], c.queued_at, now);
      for (const auto& [a, can] : free) {
        if (can[static_cast<int>(c.channel)] && Qualifies(*a, c, step) &&
            !IsExcluded(c, a->config.id)) {
          Fail(fmt::format("contact {} waits (step {}) while agent {} could "
                           "take it",
                           cid, step, a->config.id.value()));
        }
      }
    }
  }

  // Abandons every live contact; afterwards nothing may be waiting, offered
  // or in service.
  void Drain() {
    std::vector<uint64_t> live;
    for (const auto& [id, c] : contacts_) live.push_back(id);
    // Mix the order: ringing, waiting and in-service contacts interleaved.
    std::shuffle(live.begin(), live.end(), rng_);
    for (uint64_t id : live) {
      if (!contacts_.contains(id)) continue;  // ended while another did
      RunCommand(cmd::Abandon{ContactId(id)});
    }
  }

  void CheckDrained() {
    Accounting a = engine_->GetAccounting();
    if (a.waiting != 0 || a.offered != 0 || a.in_service != 0 ||
        !contacts_.empty()) {
      Fail(fmt::format("after the drain: {} live in the model; {}",
                       contacts_.size(), DiffAccounting(Accounting{}, a)));
    }
    if (a.entered != a.completed + a.abandoned + a.overflowed + a.withdrawn) {
      Fail("after the drain, not every contact that entered is terminal");
    }
    if (entered_ == 0 || completed_ == 0 || abandoned_ == 0) {
      Fail(fmt::format("the run exercised too little: entered={} completed={} "
                       "abandoned={}",
                       entered_, completed_, abandoned_));
    }
  }

  std::string Report(int step) const {
    std::string s = fmt::format(
        "\n  seed={} step={} (replay: CCENGINE_RANDOM_SEED={} "
        "CCENGINE_RANDOM_STEPS={} ./randomized_test --gtest_filter='*EnvSeed*')"
        "\n  engine time {}",
        seed_, step, seed_, step + 1, absl::FormatTime(engine_->Now()));
    for (const std::string& f : failures_) s += "\n  FAILURE: " + f;
    s += "\n  recent actions and events, oldest first:";
    for (const LogEntry& entry : recent_) {
      if (const auto* text = std::get_if<std::string>(&entry.what)) {
        s += "\n    > " + *text;
      } else if (const auto* c = std::get_if<Command>(&entry.what)) {
        s += "\n    > " + Describe(*c) + (entry.intake ? " [intake]" : "");
      } else {
        s += "\n    " + DescribeEvent(std::get<Event>(entry.what));
      }
    }
    return s;
  }

  std::string Stats() const {
    return fmt::format(
        "seed {}: entered={} completed={} abandoned={} overflowed={} "
        "withdrawn={} offers={} accepted={} rejected={} timed_out={} "
        "rescinded={} transfers={} agent_side_offers_checked={} calls_ok={} "
        "calls_refused={} via_intake={}",
        seed_, entered_, completed_, abandoned_, overflowed_, withdrawn_,
        count_offered_, count_accepted_, count_rejected_, count_timed_out_,
        count_rescinded_, count_transferred_, count_best_checked_, calls_ok_,
        calls_refused_,
        calls_via_intake_);
  }

 private:
  // --- Randomness -----------------------------------------------------------------

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class V>
  auto Pick(const V& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }
  absl::Duration Millis(int lo, int hi) { return absl::Milliseconds(Uniform(lo, hi)); }

  std::vector<SkillLevel> RandomSkills(int min_count, int max_count, int lo,
                                       int hi) {
    std::vector<int> ids = {0, 1, 2, 3, 4, 5};
    std::shuffle(ids.begin(), ids.end(), rng_);
    int n = Uniform(min_count, max_count);
    std::vector<SkillLevel> v;
    for (int i = 0; i < n; ++i) {
      v.push_back({SkillId(static_cast<uint32_t>(ids[i])),
                   static_cast<uint8_t>(Uniform(lo, hi))});
    }
    return v;
  }

  QueueConfig RandomQueueConfig(std::string name, int existing_queues) {
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
    q.max_wait = Chance(0.4) ? absl::Seconds(Uniform(15, 120))
                             : absl::InfiniteDuration();
    if (existing_queues > 0 && Chance(0.6)) {
      q.overflow_queue =
          QueueId(static_cast<uint32_t>(Uniform(0, existing_queues - 1)));
    }
    q.wrap_up = Chance(0.5) ? Millis(500, 8000) : absl::ZeroDuration();
    q.offer_timeout = Chance(0.1) ? absl::InfiniteDuration() : Millis(2000, 15000);
    q.strategy = Pick(std::vector<std::string>(std::begin(kStrategies),
                                               std::end(kStrategies)));
    q.expected_handle_time = absl::Seconds(Uniform(30, 300));
    return q;
  }

  AgentConfig RandomAgentConfig(AgentId id) {
    AgentConfig a;
    a.id = id;
    a.name = fmt::format("agent{}", id.value());
    a.skills = RandomSkills(1, 4, 1, 10);
    int kind = Uniform(0, 9);
    if (kind < 4) {  // voice only
      a.capacity.max_per_channel = {1, 0, 0, 0, 1, 0, 0};
    } else if (kind < 8) {  // multi-chat desk, voice exclusive
      a.capacity.max_per_channel = {
          static_cast<uint8_t>(Uniform(0, 1)), static_cast<uint8_t>(Uniform(2, 3)),
          static_cast<uint8_t>(Uniform(1, 2)), static_cast<uint8_t>(Uniform(0, 1)),
          1, static_cast<uint8_t>(Uniform(0, 3)), static_cast<uint8_t>(Uniform(0, 2))};
      if (Chance(0.3)) {  // a binding load budget
        a.capacity.load_budget = 150;
        a.capacity.load_per_contact[1] = 50;
      }
    }  // else the default capacity
    a.weight = Pick(std::vector<double>{0.5, 1.0, 2.0, 3.0});
    return a;
  }

  // --- Model helpers ------------------------------------------------------------

  void Fail(std::string what) {
    if (failures_.size() < 20) failures_.push_back(std::move(what));
  }

  void Log(LogEntry entry) {
    recent_.push_back(std::move(entry));
    if (recent_.size() > 80) recent_.pop_front();
  }

  static AgentState DerivedState(const MAgent& a, absl::Time now) {
    if (!a.logged_in) return AgentState::kLoggedOut;
    if (!a.in_service.empty()) return AgentState::kBusy;
    if (a.offer) return AgentState::kReserved;
    if (a.wrap_until && *a.wrap_until > now) return AgentState::kWrapUp;
    if (!a.ready) return AgentState::kNotReady;
    return AgentState::kAvailable;
  }

  std::vector<uint64_t> HeldBy(const MAgent& a) const {
    std::vector<uint64_t> v = a.in_service;
    if (a.offer) v.push_back(*a.offer);
    return v;
  }

  // Would the agent take one more contact of `channel` (ignoring skills)?
  std::string WhyCannotTake(const MAgent& a, Channel channel, absl::Time now) const {
    if (!a.logged_in) return "not logged in";
    if (!a.ready) return "not ready";
    if (a.offer) return "already ringing";
    if (a.wrap_until && *a.wrap_until > now) return "in wrap-up";
    const Capacity& cap = a.config.capacity;
    int ch = static_cast<int>(channel);
    std::array<int, kChannelCount> active{};
    uint32_t load = 0;
    bool exclusive = false;
    std::vector<uint64_t> held = HeldBy(a);
    for (uint64_t c : held) {
      auto it = contacts_.find(c);
      if (it == contacts_.end()) continue;
      int k = static_cast<int>(it->second.channel);
      active[k]++;
      load += cap.load_per_contact[k];
      exclusive |= cap.exclusive[k];
    }
    if (exclusive) return "an exclusive contact is active";
    if (active[ch] >= cap.max_per_channel[ch]) return "channel full";
    if (load + cap.load_per_contact[ch] > cap.load_budget) return "load budget";
    if (cap.exclusive[ch] && !held.empty()) return "exclusive channel, not idle";
    return "";
  }

  bool ModelCanTake(const MAgent& a, Channel channel, absl::Time now) const {
    return WhyCannotTake(a, channel, now).empty();
  }

  bool Qualifies(const MAgent& a, const MContact& c, int step) const {
    if (!Meets(a.config.skills, c.skills)) return false;
    const QueueConfig& q = queues_[c.queue];
    for (int k = 0; k <= step && k <= static_cast<int>(q.relaxation.size()); ++k) {
      if (Meets(a.config.skills, k == 0 ? q.skills : q.relaxation[k - 1].skills)) {
        return true;
      }
    }
    return false;
  }

  double AgedScore(const MContact& c, absl::Time now) const {
    const QueueConfig& q = queues_[c.queue];
    return q.aging_weight * static_cast<double>(ToMicros(now) - ToMicros(c.arrived)) +
           static_cast<double>(ToMicros(class_weight_)) * (c.priority + q.priority);
  }

  // Is `a` before `b` in line (higher aged score, then earlier arrival)?
  bool Ahead(const MContact& a, const MContact& b, absl::Time now) const {
    double sa = AgedScore(a, now), sb = AgedScore(b, now);
    return sa > sb || (sa == sb && a.order < b.order);
  }

  // An agent that frees up takes the best waiting contact it may serve:
  // nothing it could take may be ahead of the one offered.
  void CheckBestContact(const Event& e, const MAgent& a, uint64_t offered,
                        const MContact& c) {
    ++count_best_checked_;
    for (uint64_t w : waiting_.ids()) {
      if (w == offered) continue;
      const MContact& d = contacts_.at(w);
      if (!Ahead(d, c, e.time) || !ModelCanTake(a, d.channel, e.time) ||
          IsExcluded(d, e.agent) ||
          !Qualifies(a, d, ModelStep(queues_[d.queue], d.queued_at, e.time))) {
        continue;
      }
      Fail(fmt::format("agent {} freed up and was offered contact {} (score "
                       "{}) while contact {} (score {}) was ahead: {}",
                       e.agent.value(), offered, AgedScore(c, e.time), w,
                       AgedScore(d, e.time), DescribeEvent(e)));
      return;
    }
  }

  // Each queue's waiting contacts hold places 1..n in aged-score order.
  void CheckQueuePositions(absl::Time now) {
    for (uint64_t w : waiting_.ids()) {
      const MContact& c = contacts_.at(w);
      int want = 1;
      for (uint64_t v : waiting_.ids()) {
        const MContact& d = contacts_.at(v);
        if (v != w && d.queue == c.queue && Ahead(d, c, now)) ++want;
      }
      absl::StatusOr<int> got = engine_->QueuePosition(ContactId(w));
      if (!got.ok() || *got != want) {
        Fail(fmt::format("QueuePosition({}) = {}, the model says {}", w,
                         got.ok() ? std::to_string(*got) : got.status().ToString(),
                         want));
      }
      absl::StatusOr<absl::Duration> ewt = engine_->EstimatedWait(ContactId(w));
      if (!ewt.ok() || *ewt < absl::ZeroDuration()) {
        Fail(fmt::format("EstimatedWait({}) = {}", w,
                         ewt.ok() ? absl::FormatDuration(*ewt)
                                  : ewt.status().ToString()));
      }
    }
    for (uint64_t id : offered_.ids()) {
      if (engine_->QueuePosition(ContactId(id)).status().code() !=
          Code::kFailedPrecondition) {
        Fail(fmt::format("QueuePosition of offered contact {} is not "
                         "FailedPrecondition",
                         id));
      }
    }
  }

  static bool IsExcluded(const MContact& c, AgentId a) {
    return std::find(c.excluded.begin(), c.excluded.end(), a) != c.excluded.end();
  }

  void SetState(uint64_t id, MContact& c, MState s) {
    auto set_of = [this](MState st) -> IdSet* {
      switch (st) {
        case MState::kWaiting: return &waiting_;
        case MState::kOffered: return &offered_;
        case MState::kInService: return &in_service_;
        case MState::kTransit: return nullptr;
      }
      return nullptr;
    };
    if (IdSet* from = set_of(c.state)) from->Erase(id);
    if (IdSet* to = set_of(s)) to->Insert(id);
    c.state = s;
  }

  void Terminate(uint64_t id) {
    auto it = contacts_.find(id);
    SetState(id, it->second, MState::kTransit);
    contacts_.erase(it);
    terminated_this_step_.push_back(id);
    terminated_.push_back(id);
    if (terminated_.size() > 64) terminated_.pop_front();
  }

  void StartWrapUp(MAgent& a, uint32_t queue, absl::Time now) {
    absl::Duration wrap = queues_[queue].wrap_up;
    if (wrap <= absl::ZeroDuration() || !a.logged_in) return;
    absl::Time until = now + wrap;
    if (a.wrap_until && *a.wrap_until > until) until = *a.wrap_until;
    a.wrap_until = until;
  }

  // --- The event stream ---------------------------------------------------------

  MContact* LiveContact(const Event& e, const char* what) {
    auto it = contacts_.find(e.contact.value());
    if (!e.has_contact || it == contacts_.end()) {
      Fail(fmt::format("{} for a contact the model does not know: {}", what,
                       DescribeEvent(e)));
      return nullptr;
    }
    return &it->second;
  }

  MAgent* KnownAgent(const Event& e, const char* what) {
    auto it = agents_.find(e.agent.value());
    if (!e.has_agent || it == agents_.end()) {
      Fail(fmt::format("{} for an agent the model does not know: {}", what,
                       DescribeEvent(e)));
      return nullptr;
    }
    return &it->second;
  }

  // Closes the outstanding offer of `e.contact` to `e.agent`.
  bool CloseOffer(const Event& e, MContact& c, MAgent& a) {
    uint64_t id = e.contact.value();
    if (c.state != MState::kOffered || !c.agent || *c.agent != e.agent ||
        a.offer != id) {
      Fail(fmt::format("{} without an outstanding offer of that contact to "
                       "that agent (contact is {})",
                       DescribeEvent(e), MStateName(c.state)));
      return false;
    }
    a.offer.reset();
    c.agent.reset();
    return true;
  }

  void OnEvent(const Event& e) {
    ++call_events_;
    Log({e});
    if (e.time < last_event_time_) {
      Fail(fmt::format("event time went backwards: {}", DescribeEvent(e)));
    }
    if (e.time > engine_->Now()) {
      Fail(fmt::format("event stamped after the engine's time: {}", DescribeEvent(e)));
    }
    last_event_time_ = e.time;
    const uint64_t id = e.contact.value();
    switch (e.type) {  // events after which the contact-side decision runs
      case EventType::kContactQueued:
      case EventType::kRejected:
      case EventType::kOfferTimedOut:
      case EventType::kOfferRescinded:
      case EventType::kRelaxed:
        contact_side_ = id;
        break;
      case EventType::kAgentStateChanged:
      case EventType::kOffered:  // reads it first
        break;
      default:
        contact_side_.reset();
        break;
    }
    switch (e.type) {
      case EventType::kContactQueued: {
        if (e.queue.value() >= queues_.size()) {
          Fail("kContactQueued to an unknown queue");
          return;
        }
        auto it = contacts_.find(id);
        if (it == contacts_.end()) {
          if (!pending_add_ || pending_add_->id.value() != id) {
            Fail(fmt::format("a contact appeared that nobody added: {}",
                             DescribeEvent(e)));
            return;
          }
          const ContactSpec& s = *pending_add_;
          MContact c;
          c.queue = e.queue.value();
          c.channel = s.channel;
          c.priority = s.priority;
          c.skills = Sorted(s.skills);
          c.customer_id = s.customer_id;
          c.arrived = s.arrived_at.value_or(e.time);
          c.order = ++arrivals_;
          it = contacts_.emplace(id, std::move(c)).first;
          ++entered_;
          pending_add_.reset();
          if (e.queue != s.queue) Fail("kContactQueued names another queue");
        } else if (it->second.state != MState::kTransit) {
          Fail(fmt::format("kContactQueued for a contact that is {}",
                           MStateName(it->second.state)));
        }
        MContact& c = it->second;
        c.queue = e.queue.value();
        c.queued_at = e.time;
        stats_[c.queue].entered++;
        SetState(id, c, MState::kWaiting);
        c.step = ModelStep(queues_[c.queue], c.queued_at, e.time);
        if (e.step != c.step || e.channel != c.channel || e.priority != c.priority) {
          Fail(fmt::format("kContactQueued fields: step {} (model {}), {}",
                           e.step, c.step, DescribeEvent(e)));
        }
        break;
      }
      case EventType::kOffered: {
        ++count_offered_;
        MContact* c = LiveContact(e, "kOffered");
        MAgent* a = KnownAgent(e, "kOffered");
        if (c == nullptr || a == nullptr) return;
        if (c->state != MState::kWaiting) {
          Fail(fmt::format("offered a contact that is {} (to agent {}): {}",
                           MStateName(c->state),
                           c->agent ? static_cast<int64_t>(c->agent->value()) : -1,
                           DescribeEvent(e)));
          return;
        }
        if (a->offer) {
          Fail(fmt::format("agent {} got a second outstanding offer (has {}): {}",
                           e.agent.value(), *a->offer, DescribeEvent(e)));
          return;
        }
        std::string why = WhyCannotTake(*a, c->channel, e.time);
        if (!why.empty()) {
          Fail(fmt::format("offered to an agent that cannot take it ({}): {}",
                           why, DescribeEvent(e)));
        }
        int step = ModelStep(queues_[c->queue], c->queued_at, e.time);
        // A relaxation step that begins at this very microsecond may not be
        // applied yet (its timer fires after the one that made this offer):
        // the offer then reports the step before.
        int before = ModelStep(queues_[c->queue], c->queued_at,
                               e.time - absl::Microseconds(1));
        if (e.step != step && e.step != before) {
          Fail(fmt::format("offer at step {}, model step {}: {}", e.step, step,
                           DescribeEvent(e)));
        }
        if (!Qualifies(*a, *c, step)) {
          Fail(fmt::format("offered to an agent that does not qualify (agent "
                           "skills {}, contact skills {}, step {}): {}",
                           SkillsText(a->config.skills), SkillsText(c->skills),
                           step, DescribeEvent(e)));
        }
        if (IsExcluded(*c, e.agent)) {
          Fail(fmt::format("offered to an agent that rejected or missed it: {}",
                           DescribeEvent(e)));
        }
        if (e.queue.value() != c->queue || e.channel != c->channel) {
          Fail(fmt::format("kOffered fields: {}", DescribeEvent(e)));
        }
        // The agent-side decision, unless this contact has just (re)entered
        // the line and was placed by the contact-side one.
        if (agent_side_ && *agent_side_ == e.agent && contact_side_ != id) {
          CheckBestContact(e, *a, id, *c);
        }
        contact_side_.reset();
        SetState(id, *c, MState::kOffered);
        c->agent = e.agent;
        c->offered_at = e.time;
        c->offer_timeout = queues_[c->queue].offer_timeout;
        a->offer = id;
        break;
      }
      case EventType::kAccepted: {
        ++count_accepted_;
        MContact* c = LiveContact(e, "kAccepted");
        MAgent* a = KnownAgent(e, "kAccepted");
        if (c == nullptr || a == nullptr || !CloseOffer(e, *c, *a)) return;
        SetState(id, *c, MState::kInService);
        c->agent = e.agent;
        c->answered_at = e.time;
        a->in_service.push_back(id);
        a->no_answers = 0;
        a->handled++;
        MStats& st = stats_[c->queue];
        st.answered++;
        if (e.time - c->queued_at <= queues_[c->queue].sl_threshold) {
          st.answered_within_sl++;
        }
        st.total_answer_wait += e.time - c->queued_at;
        if (e.wait != e.time - c->arrived) {
          Fail(fmt::format("kAccepted wait {} != {}", absl::FormatDuration(e.wait),
                           absl::FormatDuration(e.time - c->arrived)));
        }
        break;
      }
      case EventType::kRejected:
      case EventType::kOfferTimedOut: {
        bool timeout = e.type == EventType::kOfferTimedOut;
        ++(timeout ? count_timed_out_ : count_rejected_);
        MContact* c = LiveContact(e, "kRejected/kOfferTimedOut");
        MAgent* a = KnownAgent(e, "kRejected/kOfferTimedOut");
        if (c == nullptr || a == nullptr || !CloseOffer(e, *c, *a)) return;
        if (timeout && e.time != c->offered_at + c->offer_timeout) {
          Fail(fmt::format("offer made at {} with timeout {} timed out at {}",
                           absl::FormatTime(c->offered_at),
                           absl::FormatDuration(c->offer_timeout),
                           absl::FormatTime(e.time)));
        }
        c->excluded.push_back(e.agent);
        SetState(id, *c, MState::kWaiting);
        if (timeout) {
          a->no_answers++;
          if (rona_limit_ > 0 && a->no_answers >= static_cast<uint32_t>(rona_limit_)) {
            a->ready = false;
            a->reason = kReasonRona;
          }
        }
        break;
      }
      case EventType::kOfferRescinded: {
        ++count_rescinded_;
        MContact* c = LiveContact(e, "kOfferRescinded");
        MAgent* a = KnownAgent(e, "kOfferRescinded");
        if (c == nullptr || a == nullptr || !CloseOffer(e, *c, *a)) return;
        SetState(id, *c, MState::kWaiting);
        last_rescind_ = {id, e.agent.value()};
        break;
      }
      case EventType::kCompleted: {
        MContact* c = LiveContact(e, "kCompleted");
        MAgent* a = KnownAgent(e, "kCompleted");
        if (c == nullptr || a == nullptr) return;
        auto it = std::find(a->in_service.begin(), a->in_service.end(), id);
        if (c->state != MState::kInService || !c->agent || *c->agent != e.agent ||
            it == a->in_service.end()) {
          Fail(fmt::format("completed a contact that is {} (agent {}), not in "
                           "service with that agent: {}",
                           MStateName(c->state),
                           c->agent ? static_cast<int64_t>(c->agent->value()) : -1,
                           DescribeEvent(e)));
          return;
        }
        if (e.handle != e.time - c->answered_at) {
          Fail(fmt::format("kCompleted handle {} != {}",
                           absl::FormatDuration(e.handle),
                           absl::FormatDuration(e.time - c->answered_at)));
        }
        a->in_service.erase(it);
        if (e.reason != EventReason::kForcedLogout) StartWrapUp(*a, c->queue, e.time);
        stats_[c->queue].completed++;
        stats_[c->queue].total_handle += e.handle;
        ++completed_;
        Terminate(id);
        break;
      }
      case EventType::kAbandoned:
      case EventType::kWithdrawn: {
        bool abandon = e.type == EventType::kAbandoned;
        MContact* c = LiveContact(e, abandon ? "kAbandoned" : "kWithdrawn");
        if (c == nullptr) return;
        if (c->state != MState::kWaiting) {
          Fail(fmt::format("{} of a contact that is {}", DescribeEvent(e),
                           MStateName(c->state)));
          return;
        }
        if (e.has_agent && (last_rescind_.first != id ||
                            last_rescind_.second != e.agent.value())) {
          Fail(fmt::format("{} names a ringing agent whose offer was not "
                           "rescinded first",
                           DescribeEvent(e)));
        }
        if (abandon && e.wait != e.time - c->arrived) {
          Fail(fmt::format("kAbandoned wait {} != {}", absl::FormatDuration(e.wait),
                           absl::FormatDuration(e.time - c->arrived)));
        }
        ++(abandon ? abandoned_ : withdrawn_);
        if (abandon) stats_[c->queue].abandoned++;
        Terminate(id);
        break;
      }
      case EventType::kOverflowed: {
        MContact* c = LiveContact(e, "kOverflowed");
        if (c == nullptr) return;
        if (c->state != MState::kWaiting || e.queue.value() != c->queue) {
          Fail(fmt::format("{} of a contact that is {} in queue {}",
                           DescribeEvent(e), MStateName(c->state), c->queue));
          return;
        }
        const QueueConfig& q = queues_[c->queue];
        if (e.reason == EventReason::kMaxWait) {
          if (e.time - c->queued_at < q.max_wait) {
            Fail(fmt::format("max-wait overflow after {} (max_wait {}): {}",
                             absl::FormatDuration(e.time - c->queued_at),
                             absl::FormatDuration(q.max_wait), DescribeEvent(e)));
          }
        } else if (e.reason == EventReason::kQueueFull) {
          size_t waiting = 0;
          for (uint64_t w : waiting_.ids()) {
            if (w != id && contacts_.at(w).queue == c->queue) ++waiting;
          }
          if (q.max_size == 0 || waiting < q.max_size) {
            Fail(fmt::format("queue-full overflow with {} waiting (max {}): {}",
                             waiting, q.max_size, DescribeEvent(e)));
          }
        } else {
          Fail(fmt::format("overflow without a reason: {}", DescribeEvent(e)));
        }
        stats_[c->queue].overflowed++;
        if (e.to_queue == e.queue) {
          ++overflowed_;
          Terminate(id);
        } else {
          SetState(id, *c, MState::kTransit);
          c->excluded.clear();
        }
        break;
      }
      case EventType::kTransferred: {
        ++count_transferred_;
        MContact* c = LiveContact(e, "kTransferred");
        if (c == nullptr) return;
        if (e.queue.value() != c->queue || !pending_keep_age_) {
          Fail(fmt::format("unexpected {}", DescribeEvent(e)));
          return;
        }
        stats_[c->queue].transferred_out++;
        if (e.has_agent) {
          MAgent* a = KnownAgent(e, "kTransferred");
          if (a == nullptr) return;
          auto it = std::find(a->in_service.begin(), a->in_service.end(), id);
          if (c->state != MState::kInService || *c->agent != e.agent ||
              it == a->in_service.end()) {
            Fail(fmt::format("{} of a contact that is {}", DescribeEvent(e),
                             MStateName(c->state)));
            return;
          }
          a->in_service.erase(it);
          StartWrapUp(*a, c->queue, e.time);
          c->agent.reset();
        } else if (c->state != MState::kWaiting) {
          Fail(fmt::format("{} of a contact that is {} without naming its agent",
                           DescribeEvent(e), MStateName(c->state)));
          return;
        }
        SetState(id, *c, MState::kTransit);
        c->excluded.clear();
        if (!*pending_keep_age_) {
          c->arrived = e.time;
          c->order = ++arrivals_;  // behind those that arrived before
        }
        break;
      }
      case EventType::kPriorityChanged: {
        MContact* c = LiveContact(e, "kPriorityChanged");
        if (c == nullptr) return;
        if (c->state == MState::kInService || c->state == MState::kTransit) {
          Fail(fmt::format("{} of a contact that is {}", DescribeEvent(e),
                           MStateName(c->state)));
        }
        c->priority = e.priority;
        break;
      }
      case EventType::kRelaxed: {
        MContact* c = LiveContact(e, "kRelaxed");
        if (c == nullptr) return;
        int step = ModelStep(queues_[c->queue], c->queued_at, e.time);
        if (c->state != MState::kWaiting || e.step != step) {
          Fail(fmt::format("{} of a contact that is {} at model step {}",
                           DescribeEvent(e), MStateName(c->state), step));
        }
        break;
      }
      case EventType::kAgentStateChanged: {
        MAgent* a = KnownAgent(e, "kAgentStateChanged");
        if (a == nullptr) return;
        if (e.agent_state == a->reported) {
          Fail(fmt::format("state change to the same state: {}", DescribeEvent(e)));
        }
        a->reported = e.agent_state;
        break;
      }
      case EventType::kCommandFailed:
        command_failures_.push_back(e.status);
        break;
    }
  }

  // --- Predicting a call's status -------------------------------------------------

  Code PredictSkills(const std::vector<SkillLevel>& skills) const {
    for (size_t i = 0; i < skills.size(); ++i) {
      if (skills[i].skill.value() >= kSkills) return Code::kNotFound;
      if (skills[i].level < kMinProficiency || skills[i].level > kMaxProficiency) {
        return Code::kInvalidArgument;
      }
      for (size_t j = 0; j < i; ++j) {
        if (skills[j].skill == skills[i].skill) return Code::kInvalidArgument;
      }
    }
    return Code::kOk;
  }

  const MAgent* FindAgent(AgentId id) const {
    auto it = agents_.find(id.value());
    return it == agents_.end() ? nullptr : &it->second;
  }
  const MContact* FindContact(ContactId id) const {
    auto it = contacts_.find(id.value());
    return it == contacts_.end() ? nullptr : &it->second;
  }

  size_t WaitingIn(uint32_t queue) const {
    size_t n = 0;
    for (uint64_t w : waiting_.ids()) n += contacts_.at(w).queue == queue;
    return n;
  }

  Code Predict(const Command& command) const {
    return std::visit(
        [this](const auto& c) -> Code {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, cmd::AddAgent>) {
            if (FindAgent(c.config.id)) return Code::kAlreadyExists;
            if (Code s = PredictSkills(c.config.skills); s != Code::kOk) return s;
            const Capacity& cap = c.config.capacity;
            if (cap.load_budget == 0) return Code::kInvalidArgument;
            for (int ch = 0; ch < kChannelCount; ++ch) {
              if (cap.max_per_channel[ch] > 0 &&
                  cap.load_per_contact[ch] > cap.load_budget) {
                return Code::kInvalidArgument;
              }
            }
            if (!(c.config.weight > 0)) return Code::kInvalidArgument;
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            return a->logged_in ? Code::kFailedPrecondition : Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::Login>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            return a->logged_in ? Code::kFailedPrecondition : Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::Logout>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            if (!a->logged_in || !a->in_service.empty()) {
              return Code::kFailedPrecondition;
            }
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::SetReady> ||
                               std::is_same_v<T, cmd::SetNotReady>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            return a->logged_in ? Code::kOk : Code::kFailedPrecondition;
          } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            bool wrap = a->wrap_until && *a->wrap_until > engine_->Now();
            return a->logged_in && wrap ? Code::kOk : Code::kFailedPrecondition;
          } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
            const ContactSpec& s = c.spec;
            if (FindContact(s.id)) return Code::kAlreadyExists;
            if (s.queue.value() >= queues_.size()) return Code::kNotFound;
            if (static_cast<int>(s.channel) >= kChannelCount) {
              return Code::kInvalidArgument;
            }
            if (s.priority < kMinPriority || s.priority > kMaxPriority) {
              return Code::kInvalidArgument;
            }
            if (Code k = PredictSkills(s.skills); k != Code::kOk) return k;
            if (s.arrived_at && *s.arrived_at > engine_->Now()) {
              return Code::kInvalidArgument;
            }
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                               std::is_same_v<T, cmd::RejectOffer>) {
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            if (!a->logged_in) return Code::kFailedPrecondition;
            const MContact* k = FindContact(c.contact);
            if (!k) return Code::kNotFound;
            if (k->state != MState::kOffered || *k->agent != c.agent) {
              return Code::kFailedPrecondition;
            }
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::CompleteContact>) {
            if (!FindAgent(c.agent)) return Code::kNotFound;
            const MContact* k = FindContact(c.contact);
            if (!k) return Code::kNotFound;
            if (k->state != MState::kInService || *k->agent != c.agent) {
              return Code::kFailedPrecondition;
            }
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::Abandon>) {
            return FindContact(c.contact) ? Code::kOk : Code::kNotFound;
          } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
            const MContact* k = FindContact(c.contact);
            if (!k) return Code::kNotFound;
            if (c.to.value() >= queues_.size()) return Code::kNotFound;
            if (k->state == MState::kWaiting && k->queue == c.to.value()) {
              return Code::kInvalidArgument;
            }
            const QueueConfig& q = queues_[c.to.value()];
            if (q.max_size > 0 && WaitingIn(c.to.value()) >= q.max_size) {
              return Code::kFailedPrecondition;
            }
            return Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::Withdraw>) {
            const MContact* k = FindContact(c.contact);
            if (!k) return Code::kNotFound;
            return k->state == MState::kInService ? Code::kFailedPrecondition
                                                   : Code::kOk;
          } else if constexpr (std::is_same_v<T, cmd::SetPriority>) {
            const MContact* k = FindContact(c.contact);
            if (!k) return Code::kNotFound;
            if (c.priority < kMinPriority || c.priority > kMaxPriority) {
              return Code::kInvalidArgument;
            }
            return k->state == MState::kInService ? Code::kFailedPrecondition
                                                   : Code::kOk;
          } else {  // ForceAgentState
            const MAgent* a = FindAgent(c.agent);
            if (!a) return Code::kNotFound;
            switch (c.state) {
              case AgentState::kLoggedOut:
              case AgentState::kAvailable:
                return Code::kOk;
              case AgentState::kNotReady:
                return a->logged_in ? Code::kOk : Code::kFailedPrecondition;
              default:
                return Code::kInvalidArgument;
            }
          }
        },
        command);
  }

  // The presence changes a successful call makes, applied before the call so
  // that the events it emits (offers to the agent…) see them.
  void PreUpdate(const Command& command) {
    std::visit(
        [this](const auto& c) {
          using T = std::decay_t<decltype(c)>;
          auto login = [](MAgent& a, bool ready, int32_t reason) {
            a.logged_in = true;
            a.ready = ready;
            a.reason = ready ? kReasonNone : reason;
            a.no_answers = 0;
            a.handled = 0;
          };
          auto logout = [](MAgent& a) {
            a.logged_in = false;
            a.ready = false;
            a.wrap_until.reset();
          };
          auto set_ready = [](MAgent& a) {
            a.ready = true;
            a.reason = kReasonNone;
            a.no_answers = 0;
          };
          if constexpr (std::is_same_v<T, cmd::AddAgent>) {
            MAgent m;
            m.config = c.config;
            m.config.skills = Sorted(c.config.skills);
            agents_[c.config.id.value()] = std::move(m);
          } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
            agents_.erase(c.agent.value());
          } else if constexpr (std::is_same_v<T, cmd::Login>) {
            login(agents_.at(c.agent.value()), c.ready, c.reason);
          } else if constexpr (std::is_same_v<T, cmd::Logout>) {
            logout(agents_.at(c.agent.value()));
          } else if constexpr (std::is_same_v<T, cmd::SetReady>) {
            set_ready(agents_.at(c.agent.value()));
          } else if constexpr (std::is_same_v<T, cmd::SetNotReady>) {
            MAgent& a = agents_.at(c.agent.value());
            a.ready = false;
            a.reason = c.reason;
          } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
            agents_.at(c.agent.value()).wrap_until.reset();
          } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
            pending_add_ = c.spec;
          } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
            pending_keep_age_ = c.keep_age;
          } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
            MAgent& a = agents_.at(c.agent.value());
            if (c.state == AgentState::kLoggedOut) {
              if (a.logged_in) logout(a);
            } else if (c.state == AgentState::kNotReady) {
              a.ready = false;
              a.reason = c.reason;
            } else if (!a.logged_in) {
              login(a, true, kReasonNone);
            } else {
              a.wrap_until.reset();
              set_ready(a);
            }
          }
        },
        command);
  }

  // The agent whose freeing up is what this call's offers to it come from
  // (the agent-side decision), if the model can tell.
  std::optional<AgentId> FreedAgent(const Command& command) const {
    return std::visit(
        [this](const auto& c) -> std::optional<AgentId> {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                        std::is_same_v<T, cmd::RejectOffer> ||
                        std::is_same_v<T, cmd::CompleteContact> ||
                        std::is_same_v<T, cmd::Login> ||
                        std::is_same_v<T, cmd::SetReady> ||
                        std::is_same_v<T, cmd::EndWrapUp>) {
            return c.agent;
          } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
            if (c.state == AgentState::kAvailable) return c.agent;
          } else if constexpr (std::is_same_v<T, cmd::Abandon> ||
                               std::is_same_v<T, cmd::Withdraw>) {
            if (const MContact* k = FindContact(c.contact)) return k->agent;
          }
          return std::nullopt;
        },
        command);
  }

  absl::Status Direct(const Command& command) {
    return std::visit(
        [this](const auto& c) -> absl::Status {
          using T = std::decay_t<decltype(c)>;
          Engine& e = *engine_;
          if constexpr (std::is_same_v<T, cmd::AddAgent>) return e.AddAgent(c.config);
          else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) return e.RemoveAgent(c.agent);
          else if constexpr (std::is_same_v<T, cmd::Login>) return e.Login(c.agent, c.ready, c.reason);
          else if constexpr (std::is_same_v<T, cmd::Logout>) return e.Logout(c.agent);
          else if constexpr (std::is_same_v<T, cmd::SetReady>) return e.SetReady(c.agent);
          else if constexpr (std::is_same_v<T, cmd::SetNotReady>) return e.SetNotReady(c.agent, c.reason);
          else if constexpr (std::is_same_v<T, cmd::AddContact>) return e.AddContact(c.spec);
          else if constexpr (std::is_same_v<T, cmd::AcceptOffer>) return e.AcceptOffer(c.agent, c.contact);
          else if constexpr (std::is_same_v<T, cmd::RejectOffer>) return e.RejectOffer(c.agent, c.contact);
          else if constexpr (std::is_same_v<T, cmd::CompleteContact>) return e.CompleteContact(c.agent, c.contact);
          else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) return e.EndWrapUp(c.agent);
          else if constexpr (std::is_same_v<T, cmd::Abandon>) return e.Abandon(c.contact);
          else if constexpr (std::is_same_v<T, cmd::Transfer>) return e.Transfer(c.contact, c.to, c.keep_age);
          else if constexpr (std::is_same_v<T, cmd::Withdraw>) return e.Withdraw(c.contact);
          else if constexpr (std::is_same_v<T, cmd::SetPriority>) return e.SetPriority(c.contact, c.priority);
          else return e.ForceAgentState(c.agent, c.state, c.reason);
        },
        command);
  }

  World Capture() const {
    World w;
    w.accounting = engine_->GetAccounting();
    w.now = engine_->Now();
    w.next_timer = engine_->NextTimerAt();
    for (uint64_t id = kFirstAgent; id < kFirstAgent + kAgents; ++id) {
      w.agents.emplace_back(id, engine_->GetAgent(AgentId(id)));
    }
    for (const auto& [id, c] : contacts_) {
      w.contacts.emplace_back(id, engine_->GetContact(ContactId(id)));
    }
    for (uint32_t q = 0; q < queues_.size(); ++q) {
      w.stats.push_back(*engine_->GetQueueStats(QueueId(q)));
      w.configs.push_back(*engine_->GetQueueConfig(QueueId(q)));
    }
    return w;
  }

  void ExpectUnchanged(const World& a, const World& b, const std::string& what) {
    std::string diff = DiffAccounting(a.accounting, b.accounting);
    if (!diff.empty()) Fail(what + " changed the " + diff);
    if (a.now != b.now || a.next_timer != b.next_timer) {
      Fail(what + " changed the engine's time or timers");
    }
    for (size_t i = 0; i < a.agents.size(); ++i) {
      if (!Same(a.agents[i].second, b.agents[i].second)) {
        Fail(fmt::format("{} changed agent: [{}] -> [{}]", what,
                         AgentText(a.agents[i].second),
                         AgentText(b.agents[i].second)));
      }
    }
    if (a.contacts.size() != b.contacts.size()) {
      Fail(what + " changed the set of contacts");
    } else {
      for (size_t i = 0; i < a.contacts.size(); ++i) {
        if (!Same(a.contacts[i].second, b.contacts[i].second)) {
          Fail(fmt::format("{} changed contact: [{}] -> [{}]", what,
                           ContactText(a.contacts[i].second),
                           ContactText(b.contacts[i].second)));
        }
      }
    }
    for (size_t q = 0; q < a.stats.size(); ++q) {
      if (!Same(a.stats[q], b.stats[q])) {
        Fail(fmt::format("{} changed queue stats: [{}] -> [{}]", what,
                         StatsText(a.stats[q]), StatsText(b.stats[q])));
      }
      if (!Same(a.configs[q], b.configs[q])) {
        Fail(fmt::format("{} changed a queue config: [{}] -> [{}]", what,
                         ConfigText(a.configs[q]), ConfigText(b.configs[q])));
      }
    }
  }

  // Runs one command, directly or (15%) through Submit + Poll, and checks its
  // status against the model's prediction.
  void RunCommand(const Command& command) {
    const bool via_intake = Chance(0.15);
    if (via_intake) FlushOverdueTimers();
    auto what = [&] {
      return Describe(command) + (via_intake ? " [intake]" : "");
    };
    Log({command, via_intake});
    const Code expected = Predict(command);
    std::optional<World> before;
    if (expected == Code::kOk) {
      PreUpdate(command);
    } else {
      before = Capture();
    }
    call_events_ = 0;
    command_failures_.clear();
    agent_side_ = FreedAgent(command);
    contact_side_.reset();
    absl::Status status;
    if (via_intake) {
      ++calls_via_intake_;
      absl::Status submitted = engine_->Submit(command);
      if (!submitted.ok()) Fail("Submit on an empty intake: " + submitted.ToString());
      absl::StatusOr<size_t> applied = engine_->Poll(engine_->Now());
      if (!applied.ok() || *applied != 1) {
        Fail(fmt::format("Poll applied {} commands, want 1",
                         applied.ok() ? static_cast<int64_t>(*applied) : -1));
      }
      if (command_failures_.size() > 1) Fail("one command, several kCommandFailed");
      if (!command_failures_.empty()) status = command_failures_.front();
    } else {
      status = Direct(command);
    }
    if (status.code() != expected) {
      Fail(fmt::format("{} returned {}, the model expects {}", what(),
                       status.ToString(), absl::StatusCodeToString(expected)));
    }
    if (status.ok()) {
      ++calls_ok_;
    } else {
      ++calls_refused_;
      if (status.message().empty()) Fail(what() + ": an error without a message");
    }
    if (expected != Code::kOk) {
      if (call_events_ != (via_intake ? 1 : 0)) {
        Fail(fmt::format("{} was refused yet emitted {} event(s)", what(),
                         call_events_));
      }
      ExpectUnchanged(*before, Capture(), what());
    }
    if (std::holds_alternative<cmd::AddContact>(command) && pending_add_ &&
        expected == Code::kOk) {
      Fail(what() + " succeeded without kContactQueued");
    }
    pending_add_.reset();
    pending_keep_age_.reset();
    agent_side_.reset();
    last_rescind_ = {0, 0};
  }

  // A contact put back in line after its max wait passed (or a queue update
  // that shortened it) leaves a timer that is already due; `Poll` fires it
  // before applying a command. Fire it first so that the model's prediction
  // for the command holds.
  void FlushOverdueTimers() {
    std::optional<absl::Time> next = engine_->NextTimerAt();
    if (next && *next <= engine_->Now()) {
      Log({std::string("AdvanceTo(now) to fire overdue timers")});
      absl::Status st = engine_->AdvanceTo(engine_->Now());
      if (!st.ok()) Fail("AdvanceTo(now): " + st.ToString());
    }
  }

  // --- The steps --------------------------------------------------------------------

  void TimeStep() {
    const absl::Time now = engine_->Now();
    const bool use_poll = Chance(0.3);
    int r = Uniform(0, 99);
    call_events_ = 0;
    if (r < 3) {  // time going backwards: refused, nothing changes
      absl::Time t = now - absl::Microseconds(Uniform(1, 2'000'000));
      Log({fmt::format("{}({}) backwards", use_poll ? "Poll" : "AdvanceTo",
                      absl::FormatTime(t))});
      World before = Capture();
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

  ContactId AnyContactId() {
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

  AgentId AnyAgentId() {
    if (Chance(0.05)) return AgentId(kUnknownAgent + Uniform(0, 5));
    return AgentId(kFirstAgent + Uniform(0, kAgents - 1));
  }

  void AddContactStep() {
    ContactSpec s;
    int id_kind = Uniform(0, 99);
    if (id_kind < 3 && !contacts_.empty()) {
      s.id = AnyContactId();  // maybe a duplicate of a live contact
    } else if (id_kind < 8 && !terminated_.empty()) {
      s.id = ContactId(Pick(terminated_));  // an ended contact's id: reusable
    } else {
      s.id = ContactId(next_contact_++);
    }
    s.queue = QueueId(static_cast<uint32_t>(
        Chance(0.02) ? kQueues + Uniform(0, 3) : Uniform(0, kQueues - 1)));
    static constexpr int kChannelWeights[] = {35, 30, 10, 5, 5, 10, 5};
    int w = Uniform(0, 99);
    int ch = 0;
    while (w >= kChannelWeights[ch]) w -= kChannelWeights[ch++];
    s.channel = static_cast<Channel>(Chance(0.01) ? Uniform(7, 255) : ch);
    int p = Uniform(0, 99);
    s.priority = p < 75 ? 0 : p < 95 ? Uniform(1, 3) : p < 98 ? 9
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
      if (bad == 1) s.skills.push_back({SkillId(0), static_cast<uint8_t>(Pick(std::vector<int>{0, 11, 255}))});
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

  void OfferResponseStep(bool accept) {
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

  void CompleteStep() {
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

  void AbandonStep() { RunCommand(cmd::Abandon{AnyContactId()}); }

  void TransferStep() {
    uint32_t to = static_cast<uint32_t>(
        Chance(0.03) ? kQueues + Uniform(0, 3) : Uniform(0, kQueues - 1));
    RunCommand(cmd::Transfer{AnyContactId(), QueueId(to), Chance(0.7)});
  }

  void WithdrawStep() { RunCommand(cmd::Withdraw{AnyContactId()}); }

  void PriorityStep() {
    int p = Chance(0.05) ? Pick(std::vector<int>{-1, 10, 42}) : Uniform(0, 9);
    RunCommand(cmd::SetPriority{AnyContactId(), p});
  }

  void AgentStep() {
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

  void AddRemoveAgentStep() {
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

  void SetSkillsStep() {
    AgentId id = AnyAgentId();
    std::vector<SkillLevel> skills = RandomSkills(0, 4, 1, 10);
    Code expected = FindAgent(id) ? Code::kOk : Code::kNotFound;
    if (expected == Code::kOk && Chance(0.1)) {
      skills.push_back({SkillId(Chance(0.5) ? kSkills : 0), Chance(0.5) ? uint8_t{0} : uint8_t{3}});
      expected = PredictSkills(skills);
    }
    Log({fmt::format("SetAgentSkills({}, {})", id.value(), SkillsText(skills))});
    std::optional<World> before;
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

  void UpdateQueueStep() {
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
      case 0: config.name += "x"; expected = Code::kInvalidArgument; break;
      case 1: config.overflow_queue = QueueId(q); expected = Code::kInvalidArgument; break;
      case 2: config.overflow_queue = QueueId(kQueues + 5); expected = Code::kNotFound; break;
      case 3: config.strategy = "no_such_strategy"; expected = Code::kNotFound; break;
      case 4: config.priority = 10; expected = Code::kInvalidArgument; break;
      case 5:
        config.relaxation = {{absl::Seconds(20), {}}, {absl::Seconds(10), {}}};
        expected = Code::kInvalidArgument;
        break;
      case 6: config.max_wait = absl::ZeroDuration(); expected = Code::kInvalidArgument; break;
      case 7: config.offer_timeout = absl::ZeroDuration(); expected = Code::kInvalidArgument; break;
      case 8: config.aging_weight = 0; expected = Code::kInvalidArgument; break;
      case 9: config.skills = {{SkillId(0), 11}}; expected = Code::kInvalidArgument; break;
      case 10: target = QueueId(kQueues + 1); expected = Code::kNotFound; break;
      default: break;
    }
    Log({fmt::format("UpdateQueue({}, {})", target.value(), ConfigText(config))});
    std::optional<World> before;
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

  uint64_t seed_;
  std::mt19937_64 rng_;
  std::unique_ptr<Engine> engine_;
  int rona_limit_ = 3;
  int step_ = -1;
  std::vector<QueueConfig> queues_;
  std::vector<MStats> stats_ = std::vector<MStats>(kQueues);
  absl::Duration class_weight_;
  uint64_t arrivals_ = 0;
  std::map<uint64_t, MAgent> agents_;
  std::map<uint64_t, MContact> contacts_;
  IdSet waiting_, offered_, in_service_;
  std::deque<uint64_t> terminated_;
  std::vector<uint64_t> terminated_this_step_;
  uint64_t next_contact_ = 1;

  // Set around one call.
  std::optional<ContactSpec> pending_add_;
  std::optional<AgentId> agent_side_;  // the call frees this agent up
  std::optional<uint64_t> contact_side_;  // just (re)entered the line
  std::optional<bool> pending_keep_age_;
  std::pair<uint64_t, uint64_t> last_rescind_{0, 0};  // (contact, agent)
  std::vector<absl::Status> command_failures_;
  int call_events_ = 0;

  absl::Time last_event_time_ = absl::InfinitePast();
  uint64_t entered_ = 0, completed_ = 0, abandoned_ = 0, overflowed_ = 0,
           withdrawn_ = 0;
  uint64_t count_offered_ = 0, count_accepted_ = 0, count_rejected_ = 0,
           count_timed_out_ = 0, count_rescinded_ = 0, count_transferred_ = 0,
           count_best_checked_ = 0;
  uint64_t calls_ok_ = 0, calls_refused_ = 0, calls_via_intake_ = 0;

  std::vector<std::string> failures_;
  std::deque<LogEntry> recent_;
};

void RunSeed(uint64_t seed, int steps) {
  SCOPED_TRACE(fmt::format("seed={} (replay: CCENGINE_RANDOM_SEED={} "
                           "./randomized_test --gtest_filter='*EnvSeed*')",
                           seed, seed));
  Harness h(seed);
  ASSERT_NO_FATAL_FAILURE(h.Setup());
  for (int i = 0; i < steps; ++i) {
    h.Step(i);
    ASSERT_TRUE(h.failures().empty()) << h.Report(i);
    absl::Status invariants = h.engine().CheckInvariants();
    ASSERT_TRUE(invariants.ok()) << invariants << h.Report(i);
    ASSERT_TRUE(h.engine().GetAccounting().Balanced()) << h.Report(i);
    h.CrossCheck();
    ASSERT_TRUE(h.failures().empty()) << h.Report(i);
  }
  h.Drain();
  ASSERT_TRUE(h.failures().empty()) << h.Report(steps);
  absl::Status invariants = h.engine().CheckInvariants();
  ASSERT_TRUE(invariants.ok()) << invariants << h.Report(steps);
  h.CrossCheck();
  h.CheckDrained();
  ASSERT_TRUE(h.failures().empty()) << h.Report(steps);
  std::printf("%s\n", h.Stats().c_str());
}

int StepsPerSeed() {
  std::optional<long long> steps = EnvNumber("CCENGINE_RANDOM_STEPS");
  return steps && *steps > 0 ? static_cast<int>(*steps) : kStepsPerSeed;
}

class RandomizedTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomizedTest, InvariantsHoldAfterEveryStep) {
  RunSeed(GetParam(), StepsPerSeed());
}

INSTANTIATE_TEST_SUITE_P(FixedSeeds, RandomizedTest, ::testing::ValuesIn(kSeeds));

TEST(RandomizedEnvSeed, InvariantsHoldAfterEveryStep) {
  std::optional<long long> seed = EnvNumber("CCENGINE_RANDOM_SEED");
  if (!seed) GTEST_SKIP() << "set CCENGINE_RANDOM_SEED to run another seed";
  RunSeed(static_cast<uint64_t>(*seed), StepsPerSeed());
}

}  // namespace
}  // namespace ccengine
