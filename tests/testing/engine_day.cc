// The randomized day (see engine_day.h).

#include "testing/engine_day.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/events.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace ccengine::test {
namespace {

template <typename V>
auto AnyOf(std::mt19937_64& rng, const V& v) {
  return v[static_cast<size_t>(
      std::uniform_int_distribution<int>(0, static_cast<int>(v.size()) - 1)(rng))];
}

}  // namespace

std::unique_ptr<Engine> NewDayCenter() {
  EngineOptions options;
  options.seed = 7;
  options.start = absl::UnixEpoch() + absl::Hours(8);
  auto created = Engine::Create(options);
  EXPECT_TRUE(created.ok()) << created.status();
  Engine& e = **created;
  const SkillId tax = *e.AddSkill("tax");
  const SkillId medical = *e.AddSkill("medical");
  const SkillId english = *e.AddSkill("english");
  QueueConfig q0;
  q0.name = "tax";
  q0.skills = {{tax, 3}};
  q0.relaxation = {{absl::Seconds(30), {{tax, 1}}}};
  q0.wrap_up = absl::Seconds(5);
  q0.offer_timeout = absl::Seconds(10);
  q0.max_size = 15;
  q0.max_wait = absl::Seconds(240);
  QueueConfig q1;
  q1.name = "medical";
  q1.skills = {{medical, 2}};
  q1.strategy = "random";
  q1.offer_timeout = absl::Seconds(15);
  QueueConfig q2;
  q2.name = "english";
  q2.skills = {{english, 1}};
  q2.strategy = "satisfaction";
  QueueConfig q3;
  q3.name = "general";
  q3.strategy = "weighted_random";
  q3.wrap_up = absl::Seconds(3);
  const QueueId general = *e.AddQueue(q3);
  q0.overflow_queue = general;
  EXPECT_TRUE(e.AddQueue(q0).ok());
  EXPECT_TRUE(e.AddQueue(q1).ok());
  EXPECT_TRUE(e.AddQueue(q2).ok());
  return std::move(created).value();
}

std::string DescribeState(const Engine& e, const std::vector<AgentId>& agents,
                          const std::vector<ContactId>& contacts) {
  std::string d = fmt::format("now {} next {}\n", absl::FormatTime(e.Now()),
                              e.NextTimerAt() ? absl::FormatTime(*e.NextTimerAt()) : "-");
  const Accounting acc = e.GetAccounting();
  d += fmt::format("acc {} {} {} {} {} {} {} {}\n", acc.entered, acc.waiting, acc.offered,
                   acc.in_service, acc.completed, acc.abandoned, acc.overflowed,
                   acc.withdrawn);
  for (uint32_t q = 0; q < e.queue_count(); ++q) {
    const QueueStats s = *e.GetQueueStats(QueueId{q});
    d += fmt::format(
        "queue {} {} {} {} {} {} {} {} {} {} {} {} {}\n", q, s.waiting,
        absl::FormatDuration(s.longest_wait), s.entered, s.answered, s.answered_within_sl,
        s.abandoned, s.callbacks_requested, s.overflowed, s.transferred_out, s.completed,
        absl::FormatDuration(s.total_answer_wait), absl::FormatDuration(s.total_handle));
  }
  for (const AgentId id : agents) {
    absl::StatusOr<AgentSnapshot> a = e.GetAgent(id);
    if (!a.ok()) {
      d += fmt::format("agent {} gone\n", id.value());
      continue;
    }
    d += fmt::format("agent {} {} {} load {} handled {} rona {} idle {} contacts",
                     id.value(), AgentStateName(a->state), a->reason, a->load, a->handled,
                     a->consecutive_no_answers, absl::FormatTime(a->idle_since));
    for (const ContactId c : a->contacts) d += fmt::format(" {}", c.value());
    for (const absl::Duration t : a->time_in_state) d += " " + absl::FormatDuration(t);
    for (uint32_t s = 0; s < e.skill_count(); ++s) {
      if (absl::StatusOr<QualityEstimate> q = e.GetQuality(id, SkillId{s}); q.ok()) {
        d += fmt::format(" q{:.17g}/{:.17g}/{:.17g}/{:.17g}", q->csat, q->fcr,
                         q->csat_weight, q->fcr_weight);
      }
    }
    d += "\n";
  }
  for (const ContactId id : contacts) {
    absl::StatusOr<ContactSnapshot> c = e.GetContact(id);
    if (!c.ok()) {
      d += fmt::format("contact {} gone\n", id.value());
      continue;
    }
    d += fmt::format(
        "contact {} {} q{} p{} step {} agent {} arrived {} queued {} excluded",
        id.value(), ContactStateName(c->state), c->queue.value(), c->priority,
        c->routing_step, c->agent ? std::to_string(c->agent->value()) : "-",
        absl::FormatTime(c->arrived_at), absl::FormatTime(c->queued_at));
    for (const AgentId a : c->excluded) d += fmt::format(" {}", a.value());
    d += fmt::format(" offer {} fallbacks {} next {}\n", c->offer, c->fallbacks_left,
                     c->next_fallback_at ? absl::FormatTime(*c->next_fallback_at) : "-");
  }
  return d;
}

std::string SavedState(const Engine& e) {
  std::string out;
  e.SaveState(out);
  return out;
}

std::unique_ptr<std::vector<std::string>> RecordEvents(Engine& e) {
  auto lines = std::make_unique<std::vector<std::string>>();
  e.Subscribe(
      [list = lines.get()](const Event& ev) { list->push_back(DescribeEvent(ev)); });
  return lines;
}

int DayDriver::Uniform(int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng_);
}
bool DayDriver::Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

AgentId DayDriver::SomeAgent() {
  return agents.empty() || Chance(0.03) ? AgentId{999} : AnyOf(rng_, agents);
}

// Mostly a contact that is ringing or in service, else any.
ContactId DayDriver::SomeContact(const Engine& e) {
  if (contacts.empty() || Chance(0.03)) return ContactId{999999};
  if (Chance(0.7)) {
    std::vector<ContactId> busy;
    for (const ContactId id : contacts) {
      absl::StatusOr<ContactSnapshot> c = e.GetContact(id);
      if (c.ok() &&
          (c->state == ContactState::kOffered || c->state == ContactState::kInService)) {
        busy.push_back(id);
      }
    }
    if (!busy.empty()) return AnyOf(rng_, busy);
  }
  return AnyOf(rng_, contacts);
}

Command DayDriver::Pick(const Engine& e) {
  const int r = Uniform(0, 99);
  if (r < 3 || agents.size() < 4) {
    AgentConfig a;
    a.id = AgentId{next_agent_++};
    a.name = fmt::format("agent {}", a.id.value());
    for (uint32_t s = 0; s < 3; ++s) {
      if (Chance(0.6))
        a.skills.push_back({SkillId{s}, static_cast<uint8_t>(Uniform(1, 10))});
    }
    a.weight = 0.5 + Uniform(0, 10) / 4.0;
    a.auto_accept = Chance(0.2);
    agents.push_back(a.id);
    return cmd::AddAgent{a};
  }
  if (r < 16) return cmd::Login{SomeAgent(), Chance(0.8), Uniform(0, 3)};
  if (r < 19) return cmd::Logout{SomeAgent()};
  if (r < 25) return cmd::SetReady{SomeAgent()};
  if (r < 28) return cmd::SetNotReady{SomeAgent(), Uniform(1, 4)};
  if (r < 29) return cmd::RemoveAgent{SomeAgent()};
  if (r < 31) {
    return cmd::ForceAgentState{
        SomeAgent(),
        AnyOf(rng_, std::vector<AgentState>{AgentState::kLoggedOut, AgentState::kNotReady,
                                            AgentState::kAvailable}),
        Uniform(0, 2)};
  }
  if (r < 33) {
    // Now and then a customer's erasure request (refused while a contact of
    // theirs is live).
    if (Chance(0.2)) return cmd::EraseCustomer{fmt::format("c{}", Uniform(1, 40))};
    return cmd::EndWrapUp{SomeAgent()};
  }
  if (r < 55) {
    ContactSpec s;
    s.id = ContactId{next_contact_++};
    s.queue = QueueId{static_cast<uint32_t>(Chance(0.02) ? 9 : Uniform(0, 3))};
    s.channel = AnyOf(
        rng_, std::vector<Channel>{Channel::kVoice, Channel::kChat, Channel::kEmail});
    s.priority = Chance(0.1) ? Uniform(1, 2) : 0;
    s.customer_id = fmt::format("c{}", Uniform(1, 40));
    if (Chance(0.25)) {  // a requirement of its own (e.g. the caller's language)
      s.skills = {{SkillId{static_cast<uint32_t>(Uniform(0, 2))},
                   static_cast<uint8_t>(Uniform(1, 7))}};
    }
    s.attributes = {{"intent", Chance(0.5) ? "个税" : "refund"}};
    s.prefer_last_agent = Chance(0.2);
    if (Chance(0.1) && !agents.empty()) s.preferred_agents = {AnyOf(rng_, agents)};
    if (s.prefer_last_agent || !s.preferred_agents.empty()) {
      s.preferred_wait = absl::Seconds(Uniform(0, 20));
    }
    if (Chance(0.15)) {  // unanswered for a while: another queue, higher
      for (int n = Uniform(1, 2); n > 0; --n) {
        s.fallbacks.push_back({absl::Seconds(Uniform(5, 90)),
                               QueueId{static_cast<uint32_t>(Uniform(0, 3))},
                               Uniform(0, 3),
                               {}});
      }
    }
    contacts.push_back(s.id);
    return cmd::AddContact{s};
  }
  // An action on a contact, chosen by its state.
  const ContactId id = SomeContact(e);
  absl::StatusOr<ContactSnapshot> c = e.GetContact(id);
  if (!c.ok()) return cmd::Abandon{id};  // refused: an unknown contact
  const AgentId agent = c->agent.value_or(SomeAgent());
  switch (c->state) {
    case ContactState::kOffered: {
      // Half the answers name their offer; a few name an earlier one (stale).
      const uint64_t offer = Chance(0.5) ? c->offer - (Chance(0.1) ? 1 : 0) : 0;
      if (Chance(0.75)) return cmd::AcceptOffer{agent, id, offer};
      if (Chance(0.5)) return cmd::RejectOffer{agent, id, offer};
      return cmd::Abandon{id};
    }
    case ContactState::kInService:
      if (Chance(0.85)) {
        ContactOutcome o;
        if (Chance(0.6)) o.csat = Uniform(1, 5);
        if (Chance(0.6)) o.resolved = Chance(0.7);
        return cmd::CompleteContact{agent, id, o};
      }
      return cmd::Transfer{id, QueueId{static_cast<uint32_t>(Uniform(0, 3))},
                           Chance(0.5)};
    case ContactState::kWaiting: {
      const int w = Uniform(0, 9);
      if (w < 3) return cmd::Abandon{id};
      if (w < 5) return cmd::RequestCallback{id};
      if (w < 6) return cmd::Withdraw{id};
      if (w < 8) return cmd::SetPriority{id, Uniform(0, 3)};
      return cmd::Transfer{id, QueueId{static_cast<uint32_t>(Uniform(0, 3))},
                           Chance(0.5)};
    }
    default: return cmd::CompleteContact{agent, id, {}};  // refused: it has ended
  }
}

void DayDriver::Step(const std::vector<Engine*>& engines) {
  Engine& e = *engines.front();
  if (Chance(0.15)) {
    const absl::Time to = e.Now() + absl::Milliseconds(Uniform(0, 20000));
    for (Engine* x : engines) ASSERT_TRUE(x->AdvanceTo(to).ok());
    return;
  }
  // Half the commands come from a numbered producer; now and then one it
  // sent before is sent again (refused: AlreadyExists).
  std::vector<std::pair<Command, CommandOrigin>> batch;
  const int n = Chance(0.2) ? Uniform(2, 5) : 1;
  batch.reserve(n);
  for (int i = 0; i < n; ++i) {
    if (!originated.empty() && Chance(0.03)) {
      batch.push_back(originated[static_cast<size_t>(
          Uniform(0, static_cast<int>(originated.size()) - 1))]);
      continue;
    }
    Command c = Pick(e);
    CommandOrigin origin;
    if (Chance(0.5)) {
      origin = {1, next_sequence_};
      next_sequence_ += Chance(0.1) ? 2 : 1;  // gaps are allowed
      originated.emplace_back(c, origin);
      if (originated.size() > 64) originated.erase(originated.begin());
    }
    batch.emplace_back(std::move(c), origin);
  }
  if (n == 1 && Chance(0.8)) {
    for (Engine* x : engines) (void)x->Apply(batch[0].first, batch[0].second);
    return;
  }
  const absl::Time at = e.Now() + absl::Milliseconds(Uniform(0, 3000));
  for (Engine* x : engines) {
    for (const auto& [c, origin] : batch) ASSERT_TRUE(x->Submit(c, origin).ok());
    ASSERT_TRUE(x->Poll(at).ok());
  }
}

}  // namespace ccengine::test
