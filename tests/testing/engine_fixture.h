// -----------------------------------------------------------------------------
// File: tests/testing/engine_fixture.h
// -----------------------------------------------------------------------------
//
// `EngineFixture`: a GoogleTest fixture around one `ccengine::Engine` whose
// time starts at the Unix epoch and moves only when a test says so
// (`AdvanceTo(seconds)`), that records every event, and that checks the
// engine's invariants and books after each test. Helpers add skills, queues,
// agents and contacts with defaults, and `Freeze()` / `ExpectUnchanged()`
// compare everything observable before and after a refused call.
//
// Thread safety: single-threaded, like the router thread it stands for.
//
// Example:
//   class EngineTest : public ccengine::test::EngineFixture {};
//   TEST_F(EngineTest, ArrivalIsOfferedToTheIdleAgent) {
//     QueueId q = AddQueue("sales");
//     AddAgent(1);
//     AddContact(10, q);
//     EXPECT_EQ(Holder(10), 1u);
//   }

#ifndef CCENGINE_TESTS_TESTING_ENGINE_FIXTURE_H_
#define CCENGINE_TESTS_TESTING_ENGINE_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"

namespace ccengine::test {

inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace ccengine::test

#define CCENGINE_ASSERT_OK(expr)                                          \
  do {                                                                    \
    const ::absl::Status ccengine_st_ = ::ccengine::test::ToStatus(expr); \
    ASSERT_TRUE(ccengine_st_.ok()) << #expr << ": " << ccengine_st_;      \
  } while (0)
#define CCENGINE_EXPECT_OK(expr)                                          \
  do {                                                                    \
    const ::absl::Status ccengine_st_ = ::ccengine::test::ToStatus(expr); \
    EXPECT_TRUE(ccengine_st_.ok()) << #expr << ": " << ccengine_st_;      \
  } while (0)
// CCENGINE_EXPECT_CODE(engine_->AddSkill(""), kInvalidArgument)
#define CCENGINE_EXPECT_CODE(expr, expected)                              \
  do {                                                                    \
    const ::absl::Status ccengine_st_ = ::ccengine::test::ToStatus(expr); \
    EXPECT_EQ(ccengine_st_.code(), ::absl::StatusCode::expected)          \
        << #expr << ": " << ccengine_st_;                                 \
  } while (0)

namespace ccengine {

// Readable enum values in GoogleTest failure messages.
inline void PrintTo(AgentState s, std::ostream* os) { *os << AgentStateName(s); }
inline void PrintTo(ContactState s, std::ostream* os) { *os << ContactStateName(s); }
inline void PrintTo(EventType t, std::ostream* os) { *os << EventTypeName(t); }
inline void PrintTo(EventReason r, std::ostream* os) { *os << EventReasonName(r); }
inline void PrintTo(Channel c, std::ostream* os) { *os << ChannelName(c); }
inline void PrintTo(const Event& e, std::ostream* os) { *os << DescribeEvent(e); }

}  // namespace ccengine

namespace ccengine::test {

inline AgentId A(uint64_t v) { return AgentId{v}; }
inline ContactId C(uint64_t v) { return ContactId{v}; }
// `seconds` after the engine's start (the Unix epoch).
inline absl::Time At(double seconds) {
  return absl::UnixEpoch() + absl::Seconds(seconds);
}
inline SkillLevel Lvl(SkillId skill, int level) {
  return SkillLevel{skill, static_cast<uint8_t>(level)};
}

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reset(FixtureOptions()); }

  // The defaults with a small command intake: these tests submit a handful of
  // commands, and an engine fills in every slot of its intake when created.
  static EngineOptions FixtureOptions() {
    EngineOptions options;
    options.intake_capacity = 64;
    return options;
  }

  void TearDown() override {
    if (engine_ == nullptr) return;
    absl::Status st = engine_->CheckInvariants();
    EXPECT_TRUE(st.ok()) << st << "\nevents:\n" << EventLog();
    EXPECT_TRUE(engine_->GetAccounting().Balanced());
  }

  // A fresh engine with `options` (start forced to the epoch), no events.
  void Reset(EngineOptions options) {
    options.start = absl::UnixEpoch();
    auto created = Engine::Create(options);
    ASSERT_TRUE(created.ok()) << created.status();
    engine_ = std::move(created).value();
    events_.clear();
    agent_ids_.clear();
    contact_ids_.clear();
    engine_->Subscribe([this](const Event& e) { events_.push_back(e); });
  }

  // --- Time ------------------------------------------------------------------
  void AdvanceTo(double seconds) {
    absl::Status st = engine_->AdvanceTo(At(seconds));
    ASSERT_TRUE(st.ok()) << st;
  }
  void Advance(absl::Duration d) {
    absl::Status st = engine_->AdvanceTo(engine_->Now() + d);
    ASSERT_TRUE(st.ok()) << st;
  }

  // --- Configuration ---------------------------------------------------------
  // Adds the skill, or returns the id it already has.
  SkillId Skill(const std::string& name) {
    if (auto found = engine_->FindSkill(name); found.ok()) return *found;
    auto added = engine_->AddSkill(name);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.value_or(SkillId{});
  }
  static QueueConfig QueueSpec(std::string name,
                               std::vector<SkillRequirement> skills = {}) {
    QueueConfig q;
    q.name = std::move(name);
    q.skills = std::move(skills);
    return q;
  }
  QueueId AddQueue(const QueueConfig& config) {
    auto added = engine_->AddQueue(config);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.value_or(QueueId{});
  }
  QueueId AddQueue(std::string name, std::vector<SkillRequirement> skills = {}) {
    return AddQueue(QueueSpec(std::move(name), std::move(skills)));
  }

  // --- Agents ----------------------------------------------------------------
  static AgentConfig AgentSpec(uint64_t id, std::vector<SkillLevel> skills = {}) {
    AgentConfig a;
    a.id = AgentId{id};
    a.name = "agent-" + std::to_string(id);
    a.skills = std::move(skills);
    return a;
  }
  void AddAgent(const AgentConfig& config, bool login = true) {
    agent_ids_.insert(config.id.value());
    absl::Status st = engine_->AddAgent(config);
    ASSERT_TRUE(st.ok()) << st;
    if (login) {
      st = engine_->Login(config.id);
      ASSERT_TRUE(st.ok()) << st;
    }
  }
  void AddAgent(uint64_t id, std::vector<SkillLevel> skills = {}, bool login = true) {
    AddAgent(AgentSpec(id, std::move(skills)), login);
  }
  // An agent that takes chats only (up to 3 at a time, default costs).
  static AgentConfig ChatAgentSpec(uint64_t id, std::vector<SkillLevel> skills = {}) {
    AgentConfig a = AgentSpec(id, std::move(skills));
    a.capacity.max_per_channel = {0, 3, 0, 0, 0, 0, 0};
    return a;
  }

  // --- Contacts --------------------------------------------------------------
  static ContactSpec ContactSpecFor(uint64_t id, QueueId queue,
                                    Channel channel = Channel::kVoice, int priority = 0) {
    ContactSpec c;
    c.id = ContactId{id};
    c.queue = queue;
    c.channel = channel;
    c.priority = priority;
    return c;
  }
  void AddContact(const ContactSpec& spec) {
    contact_ids_.insert(spec.id.value());
    absl::Status st = engine_->AddContact(spec);
    ASSERT_TRUE(st.ok()) << st;
  }
  void AddContact(uint64_t id, QueueId queue, Channel channel = Channel::kVoice,
                  int priority = 0) {
    AddContact(ContactSpecFor(id, queue, channel, priority));
  }
  void Accept(uint64_t agent, uint64_t contact) {
    absl::Status st = engine_->AcceptOffer(A(agent), C(contact));
    ASSERT_TRUE(st.ok()) << st << "\nevents:\n" << EventLog();
  }
  void Complete(uint64_t agent, uint64_t contact) {
    absl::Status st = engine_->CompleteContact(A(agent), C(contact));
    ASSERT_TRUE(st.ok()) << st;
  }

  // --- Queries ---------------------------------------------------------------
  AgentSnapshot AgentNow(uint64_t id) const {
    auto s = engine_->GetAgent(A(id));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.value_or(AgentSnapshot{});
  }
  AgentState StateOf(uint64_t agent) const { return AgentNow(agent).state; }
  // nullopt once the contact reached a terminal state (the engine forgot it).
  std::optional<ContactState> ContactStateOf(uint64_t id) const {
    auto s = engine_->GetContact(C(id));
    if (!s.ok()) return std::nullopt;
    return s->state;
  }
  // The agent the contact is offered to or served by.
  std::optional<uint64_t> Holder(uint64_t contact) const {
    auto s = engine_->GetContact(C(contact));
    if (!s.ok() || !s->agent.has_value()) return std::nullopt;
    return s->agent->value();
  }
  int Position(uint64_t contact) const {
    auto p = engine_->QueuePosition(C(contact));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.value_or(-1);
  }
  QueueStats Stats(QueueId q) const {
    auto s = engine_->GetQueueStats(q);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.value_or(QueueStats{});
  }

  // --- Events ----------------------------------------------------------------
  std::vector<Event> EventsOf(EventType type) const {
    std::vector<Event> out;
    for (const Event& e : events_) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  size_t CountOf(EventType type) const { return EventsOf(type).size(); }
  // (contact, agent) of every offer, in order.
  std::vector<std::pair<uint64_t, uint64_t>> Offers() const {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const Event& e : EventsOf(EventType::kOffered)) {
      out.emplace_back(e.contact.value(), e.agent.value());
    }
    return out;
  }
  // The states announced for one agent, in order.
  std::vector<AgentState> StatesAnnounced(uint64_t agent) const {
    std::vector<AgentState> out;
    for (const Event& e : EventsOf(EventType::kAgentStateChanged)) {
      if (e.agent == A(agent)) out.push_back(e.agent_state);
    }
    return out;
  }
  std::string EventLog() const {
    std::string s;
    for (const Event& e : events_) s += "  " + DescribeEvent(e) + "\n";
    return s;
  }
  void ClearEvents() { events_.clear(); }

  // --- "State unchanged after an error" --------------------------------------
  void TrackAgent(uint64_t id) { agent_ids_.insert(id); }
  void TrackContact(uint64_t id) { contact_ids_.insert(id); }

  // Everything observable through the public queries, as text.
  std::string World() const {
    std::ostringstream o;
    o << "now=" << engine_->Now() << " skills=" << engine_->skill_count()
      << " queues=" << engine_->queue_count() << " agents=" << engine_->agent_count();
    auto next = engine_->NextTimerAt();
    o << " next_timer=" << (next ? absl::FormatTime(*next) : "none") << "\n";
    const Accounting acc = engine_->GetAccounting();
    o << "acct " << acc.entered << " " << acc.waiting << " " << acc.offered << " "
      << acc.in_service << " " << acc.completed << " " << acc.abandoned << " "
      << acc.overflowed << " " << acc.withdrawn << "\n";
    for (uint32_t i = 0; i < engine_->queue_count(); ++i) {
      QueueId q{i};
      auto c = engine_->GetQueueConfig(q);
      auto s = engine_->GetQueueStats(q);
      if (!c.ok() || !s.ok()) continue;
      o << "queue " << i << " " << c->name << " prio=" << c->priority
        << " aging=" << c->aging_weight << " max_size=" << c->max_size
        << " max_wait=" << c->max_wait << " wrap=" << c->wrap_up
        << " timeout=" << c->offer_timeout << " strategy=" << c->strategy
        << " overflow=" << (c->overflow_queue ? int64_t{c->overflow_queue->value()} : -1)
        << " skills=" << Skills(c->skills) << " steps=";
      for (const RoutingStep& st : c->relaxation) {
        o << st.after << ":" << Skills(st.skills) << ";";
      }
      o << " | waiting=" << s->waiting << " entered=" << s->entered
        << " answered=" << s->answered << " sl=" << s->answered_within_sl
        << " abandoned=" << s->abandoned << " overflowed=" << s->overflowed
        << " transferred_out=" << s->transferred_out << " completed=" << s->completed
        << " longest=" << s->longest_wait << "\n";
    }
    for (uint64_t id : agent_ids_) {
      auto a = engine_->GetAgent(A(id));
      o << "agent " << id << " ";
      if (!a.ok()) {
        o << a.status().code() << "\n";
        continue;
      }
      o << a->name << " " << AgentStateName(a->state) << " reason=" << a->reason
        << " skills=" << Skills(a->skills) << " load=" << a->load
        << " handled=" << a->handled << " rona=" << a->consecutive_no_answers
        << " idle_since=" << a->idle_since << " active=";
      for (uint8_t n : a->active_per_channel) o << int{n} << ",";
      o << " contacts=";
      for (ContactId c : a->contacts) o << c.value() << ",";
      o << "\n";
    }
    for (uint64_t id : contact_ids_) {
      auto c = engine_->GetContact(C(id));
      o << "contact " << id << " ";
      if (!c.ok()) {
        o << c.status().code() << "\n";
        continue;
      }
      o << ContactStateName(c->state) << " queue=" << c->queue.value()
        << " channel=" << ChannelName(c->channel) << " prio=" << c->priority
        << " step=" << c->routing_step << " arrived=" << c->arrived_at
        << " queued=" << c->queued_at
        << " agent=" << (c->agent ? int64_t(c->agent->value()) : -1)
        << " skills=" << Skills(c->skills) << " excluded=";
      for (AgentId a : c->excluded) o << a.value() << ",";
      if (c->state == ContactState::kWaiting) {
        o << " position=" << engine_->QueuePosition(C(id)).value_or(-1);
      }
      o << "\n";
    }
    return o.str();
  }

  struct Frozen {
    std::string world;
    size_t events = 0;
  };
  Frozen Freeze() const { return Frozen{World(), events_.size()}; }
  // No observable change and no event since `before`.
  void ExpectUnchanged(const Frozen& before) const {
    EXPECT_EQ(World(), before.world);
    EXPECT_EQ(events_.size(), before.events) << "events:\n" << EventLog();
  }

  std::unique_ptr<Engine> engine_;
  std::vector<Event> events_;

 private:
  static std::string Skills(const std::vector<SkillLevel>& skills) {
    std::string s;
    for (const SkillLevel& l : skills) {
      s += std::to_string(l.skill.value()) + ":" + std::to_string(l.level);
      s += ",";
    }
    return s;
  }

  std::set<uint64_t> agent_ids_;
  std::set<uint64_t> contact_ids_;
};

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_ENGINE_FIXTURE_H_
