// -----------------------------------------------------------------------------
// File: tests/core/journey_random_test.cc
// -----------------------------------------------------------------------------
//
// Randomized invariant test of the journey options: preferred / last agent,
// the customer history, callbacks and fallback targets, mixed with the usual operations (time
// passing, arrivals on every channel, accepts, rejects, no-answers,
// completions, abandons, transfers, withdrawals, priority changes, presence
// changes, skill changes, queue updates), on fixed seeds. After every step:
//   * `Engine::CheckInvariants()` (which includes work conservation with the
//     preference window) and `Accounting::Balanced()`;
//   * every offer of a contact whose preference is in force goes to one of
//     its preferred agents (checked as the event is emitted);
//   * no waiting or ringing callback is ever abandoned, and `Abandon` and
//     `RequestCallback` return the status predicted from the contact's
//     snapshot; a refused call changes nothing and emits nothing;
//   * `CustomerHistory` of every customer equals a model built from the
//     event stream (kCompleted, and kTransferred from service), bounded by
//     size, total and age as EngineOptions say;
//   * each fallback move (kOverflowed, kTargetTimeout) goes to the next
//     target of the contact's spec, no earlier than `after` past its entry
//     into the target before (and the invariants check none is overdue);
//     an answer or transfer ends the contact's targets.
// Replay: the failure message names the seed and step; set
// CCENGINE_JOURNEY_SEED / CCENGINE_JOURNEY_STEPS to run one seed.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

constexpr uint64_t kSeeds[] = {1, 42, 20260611, 0xfeedbeef};
constexpr int kStepsPerSeed = 15000;
constexpr int kAgents = 12;  // ids 1..12; 13 and 14 are never added
constexpr int kCustomers = 6;
constexpr size_t kHistorySize = 3;
constexpr size_t kHistoryMax = 20;
constexpr absl::Duration kRetention = absl::Seconds(300);

struct ModelEntry {
  uint64_t seq;
  std::string customer;
  CustomerContact contact;
};

class JourneyWorld {
 public:
  explicit JourneyWorld(uint64_t seed) : seed_(seed), rng_(seed) {}

  void Setup() {
    EngineOptions options;
    options.seed = seed_;
    options.customer_history_size = kHistorySize;
    options.customer_history_max_entries = kHistoryMax;
    options.customer_history_retention = kRetention;
    engine_ = Engine::Create(options).value();
    engine_->Subscribe([this](const Event& e) { OnEvent(e); });
    for (const char* s : {"s0", "s1"}) skills_.push_back(engine_->AddSkill(s).value());
    QueueConfig q0;
    q0.name = "q0";
    q0.skills = {{skills_[0], 3}};
    q0.relaxation = {{absl::Seconds(20), {{skills_[1], 1}}}};
    q0.max_wait = absl::Seconds(200);
    q0.offer_timeout = absl::Seconds(15);
    queues_.push_back(engine_->AddQueue(q0).value());
    QueueConfig q1;
    q1.name = "q1";
    q1.wrap_up = absl::Seconds(5);
    q1.max_wait = absl::Seconds(300);  // then it leaves the engine
    q1.offer_timeout = absl::Seconds(15);
    queues_.push_back(engine_->AddQueue(q1).value());
    QueueConfig q2;
    q2.name = "q2";
    q2.skills = {{skills_[1], 5}};
    q2.strategy = "least_occupied";
    q2.max_size = 6;
    q2.overflow_queue = queues_[1];
    queues_.push_back(engine_->AddQueue(q2).value());
    q0.overflow_queue = queues_[1];
    ASSERT_TRUE(engine_->UpdateQueue(queues_[0], q0).ok());
    for (int i = 1; i <= kAgents; ++i) {
      AgentConfig a;
      a.id = AgentId(i);
      a.skills = RandomSkills();
      a.capacity.max_per_channel = {static_cast<uint8_t>(Chance(0.85)),
                                    static_cast<uint8_t>(Uniform(0, 3)),
                                    static_cast<uint8_t>(Uniform(0, 2)),
                                    static_cast<uint8_t>(Chance(0.5)),
                                    static_cast<uint8_t>(Chance(0.6)),
                                    1,
                                    1};
      ASSERT_TRUE(engine_->AddAgent(a).ok());
      if (Chance(0.75)) {
        ASSERT_TRUE(engine_->Login(a.id).ok());
      }
    }
  }

  void Step(int step) {
    step_ = step;
    int r = Uniform(0, 99);
    if (r < 22) {
      Advance();
    } else if (r < 36) {
      AddContactStep();
    } else if (r < 52) {
      RespondStep(/*accept=*/true);
    } else if (r < 56) {
      RespondStep(/*accept=*/false);
    } else if (r < 72) {
      CompleteStep();
    } else if (r < 78) {
      AbandonStep();
    } else if (r < 85) {
      CallbackStep();
    } else if (r < 88) {
      TransferStep();
    } else if (r < 90) {
      ContactId c = AnyContact();
      Expect(engine_->Withdraw(c), std::nullopt, "withdraw");
    } else if (r < 91) {
      ContactId c = AnyContact();
      Expect(engine_->SetPriority(c, Uniform(0, 3)), std::nullopt, "set_priority");
    } else if (r < 97) {
      PresenceStep();
    } else if (r < 99) {
      AgentId a(Uniform(1, kAgents));
      Expect(engine_->SetAgentSkills(a, RandomSkills()), std::nullopt, "skills");
    } else {
      QueueConfig q2 = engine_->GetQueueConfig(queues_[2]).value();
      q2.skills = {{skills_[1], static_cast<uint8_t>(Uniform(2, 7))}};
      Expect(engine_->UpdateQueue(queues_[2], q2), std::nullopt, "update_queue");
    }
    Prune();
  }

  void CrossCheck() {
    absl::Status st = engine_->CheckInvariants();
    if (!st.ok()) Fail(st.ToString());
    if (!engine_->GetAccounting().Balanced()) Fail("accounting does not balance");
    // The history model: drop what the engine forgets, then compare.
    const absl::Time now = engine_->Now();
    while (!model_.empty() && (model_.size() > kHistoryMax ||
                               model_.front().contact.ended_at + kRetention <= now)) {
      model_.pop_front();
    }
    for (int i = 0; i < kCustomers; ++i) {
      std::string customer = CustomerName(i);
      std::vector<CustomerContact> want;
      for (auto it = model_.rbegin(); it != model_.rend() && want.size() < kHistorySize;
           ++it) {
        if (it->customer == customer) want.push_back(it->contact);
      }
      auto got = engine_->CustomerHistory(customer);
      if (!got.ok()) {
        Fail(got.status().ToString());
        continue;
      }
      if (Describe(*got) != Describe(want)) {
        Fail(fmt::format("history of {}: engine {} model {}", customer, Describe(*got),
                         Describe(want)));
      }
      std::optional<AgentId> last = engine_->LastAgent(customer);
      if (last != (want.empty() ? std::nullopt : std::optional<AgentId>(want[0].agent))) {
        Fail(fmt::format("last agent of {}", customer));
      }
    }
  }

  // Ends every live contact; nothing may be left waiting, ringing or served.
  void Drain() {
    for (uint64_t id : std::vector<uint64_t>(live_.begin(), live_.end())) {
      auto s = engine_->GetContact(ContactId(id));
      if (!s.ok()) continue;
      absl::Status st =
          s->callback_requested_at.has_value() && s->state != ContactState::kInService
              ? engine_->Withdraw(ContactId(id))
              : engine_->Abandon(ContactId(id));
      if (!st.ok()) Fail(fmt::format("drain {}: {}", id, st.ToString()));
    }
    Accounting a = engine_->GetAccounting();
    if (a.waiting != 0 || a.offered != 0 || a.in_service != 0 || !a.Balanced()) {
      Fail("drain left contacts behind");
    }
    CrossCheck();
  }

  const std::vector<std::string>& failures() const { return failures_; }
  std::string Report() const {
    std::string s = fmt::format("seed {} step {}: ", seed_, step_);
    for (const std::string& f : failures_) s += f + "\n";
    s += "last events:\n";
    for (const std::string& e : recent_) s += "  " + e + "\n";
    return s;
  }
  uint64_t offers() const { return offers_; }
  uint64_t preference_ends() const { return preference_ends_; }
  uint64_t preference_timeouts() const { return preference_timeouts_; }
  size_t waiting() const { return engine_->GetAccounting().waiting; }
  uint64_t preferred_offers() const { return preferred_offers_; }
  uint64_t callbacks() const { return callbacks_; }
  uint64_t fallbacks_taken() const { return fallbacks_taken_; }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  static std::string CustomerName(int i) { return fmt::format("cust-{}", i); }

  std::vector<SkillLevel> RandomSkills() {
    std::vector<SkillLevel> out;
    for (SkillId s : skills_) {
      if (Chance(0.7)) out.push_back({s, static_cast<uint8_t>(Uniform(1, 9))});
    }
    return out;
  }

  void Fail(const std::string& what) {
    failures_.push_back(fmt::format("seed {} step {}: {}", seed_, step_, what));
  }

  void OnEvent(const Event& e) {
    ++events_seen_;
    if (e.type == EventType::kCommandFailed) last_failure_ = e.status;
    recent_.push_back(DescribeEvent(e));
    if (recent_.size() > 30) recent_.pop_front();
    switch (e.type) {
      case EventType::kOffered: {
        ++offers_;
        // The offer is complete when emitted: the snapshot shows the
        // preference under which it was made.
        auto s = engine_->GetContact(e.contact);
        if (s.ok() && !s->preferred_agents.empty()) {
          ++preferred_offers_;
          if (std::find(s->preferred_agents.begin(), s->preferred_agents.end(),
                        e.agent) == s->preferred_agents.end()) {
            Fail(fmt::format("contact {} offered to {} outside its preference",
                             e.contact.value(), e.agent.value()));
          }
        }
        break;
      }
      case EventType::kPreferenceEnded:
        ++preference_ends_;
        if (e.reason == EventReason::kPreferredWait) ++preference_timeouts_;
        break;
      case EventType::kCallbackRequested:
        ++callbacks_;
        callbacks_asked_.insert(e.contact.value());
        break;
      case EventType::kAbandoned:
        if (callbacks_asked_.contains(e.contact.value())) {
          Fail(fmt::format("callback {} abandoned from the line", e.contact.value()));
        }
        break;
      case EventType::kCompleted:
      case EventType::kTransferred:
        if (e.has_agent) Record(e);
        if (e.type == EventType::kTransferred) targets_.erase(e.contact.value());
        break;
      case EventType::kAccepted: targets_.erase(e.contact.value()); break;
      case EventType::kOverflowed:
      case EventType::kPriorityChanged: {
        if (e.reason != EventReason::kTargetTimeout) break;
        ++fallbacks_taken_;
        // Into another queue an overflow, in its own queue a change in place.
        const QueueId to = e.type == EventType::kOverflowed ? e.to_queue : e.queue;
        if (e.type == EventType::kOverflowed && e.to_queue == e.queue) {
          Fail(fmt::format("contact {}: a fallback {} from queue {} to {}",
                           e.contact.value(), EventTypeName(e.type), e.queue.value(),
                           e.to_queue.value()));
        }
        auto it = targets_.find(e.contact.value());
        if (it == targets_.end() || it->second.left.empty()) {
          Fail(fmt::format("contact {} fell back without a target", e.contact.value()));
          break;
        }
        Targets& t = it->second;
        const FallbackTarget next = t.left.front();
        t.left.pop_front();
        if (to != next.queue || e.time < t.since + next.after) {
          Fail(
              fmt::format("contact {} fell back to queue {} at {}, want queue {} from {}",
                          e.contact.value(), to.value(), absl::FormatTime(e.time),
                          next.queue.value(), absl::FormatTime(t.since + next.after)));
        }
        t.since = e.time;
        break;
      }
      default: break;
    }
  }

  void Record(const Event& e) {
    auto it = customer_of_.find(e.contact.value());
    if (it == customer_of_.end() || it->second.empty()) return;
    ModelEntry m;
    m.seq = ++model_seq_;
    m.customer = it->second;
    m.contact.contact = e.contact;
    m.contact.agent = e.agent;
    m.contact.channel = e.channel;
    m.contact.queue = e.queue;
    m.contact.ended_at = e.time;
    model_.push_back(m);
  }

  static std::string Describe(const std::vector<CustomerContact>& h) {
    std::string s;
    for (const CustomerContact& c : h) {
      s += fmt::format("[{} {} {} {} {}]", c.contact.value(), c.agent.value(),
                       ChannelName(c.channel), c.queue.value(),
                       absl::FormatTime(c.ended_at));
    }
    return s;
  }

  // Everything a refused call must leave alone.
  std::string Digest() const {
    std::ostringstream o;
    Accounting a = engine_->GetAccounting();
    o << a.entered << " " << a.waiting << " " << a.offered << " " << a.in_service << " "
      << a.completed << " " << a.abandoned << " " << a.overflowed << " " << a.withdrawn
      << " next="
      << (engine_->NextTimerAt() ? absl::FormatTime(*engine_->NextTimerAt()) : "-")
      << " hist=" << engine_->customer_history_entries() << "\n";
    for (uint64_t id : live_) {
      auto s = engine_->GetContact(ContactId(id));
      if (!s.ok()) continue;
      o << id << " " << ContactStateName(s->state) << " " << ChannelName(s->channel)
        << " q" << s->queue.value() << " p" << s->priority << " step" << s->routing_step
        << " a" << (s->agent ? int64_t(s->agent->value()) : -1) << " pref";
      for (AgentId p : s->preferred_agents) o << p.value() << ",";
      o << " cb" << s->callback_requested_at.has_value() << " ex" << s->excluded.size()
        << " fb" << s->fallbacks_left << "@"
        << (s->next_fallback_at ? absl::FormatTime(*s->next_fallback_at) : "-") << "\n";
    }
    for (int i = 1; i <= kAgents; ++i) {
      auto s = engine_->GetAgent(AgentId(i));
      if (s.ok())
        o << "agent " << i << " " << AgentStateName(s->state) << " " << s->load << "\n";
    }
    for (QueueId q : queues_) {
      QueueStats s = engine_->GetQueueStats(q).value();
      o << "queue " << q.value() << " " << s.waiting << " " << s.entered << " "
        << s.answered << " " << s.abandoned << " " << s.callbacks_requested << "\n";
    }
    return o.str();
  }

  // Checks a call's status against `predicted` (a code, or nullopt for "not
  // predicted"); a refused call must change nothing.
  void Expect(const absl::Status& st, std::optional<absl::StatusCode> predicted,
              const char* what) {
    if (predicted.has_value() && st.code() != *predicted) {
      Fail(fmt::format("{}: got {}, predicted {}", what, st.ToString(),
                       absl::StatusCodeToString(*predicted)));
    }
  }
  // Runs `call`; if it fails, the digest must not move and no event may
  // have been emitted.
  template <typename F>
  absl::Status Guarded(F&& call) {
    std::string before = Digest();
    uint64_t events = events_seen_;
    absl::Status st = call();
    if (!st.ok()) {
      if (Digest() != before)
        Fail(fmt::format("refused call changed state: {}", st.ToString()));
      if (events_seen_ != events)
        Fail(fmt::format("refused call emitted: {}", st.ToString()));
    }
    return st;
  }

  ContactId AnyContact() {
    if (live_.empty() || Chance(0.05)) return ContactId(999'999);
    auto it = live_.begin();
    std::advance(it, Uniform(0, static_cast<int>(live_.size()) - 1));
    return ContactId(*it);
  }
  std::vector<ContactSnapshot> LiveIn(ContactState state) const {
    std::vector<ContactSnapshot> out;
    for (uint64_t id : live_) {
      auto s = engine_->GetContact(ContactId(id));
      if (s.ok() && s->state == state) out.push_back(*s);
    }
    return out;
  }
  void Prune() {
    for (auto it = live_.begin(); it != live_.end();) {
      it = engine_->GetContact(ContactId(*it)).ok() ? std::next(it) : live_.erase(it);
    }
  }

  void Advance() {
    absl::Duration d = absl::Milliseconds(Uniform(0, 20'000));
    absl::Status st = engine_->AdvanceTo(engine_->Now() + d);
    if (!st.ok()) Fail(st.ToString());
  }

  void AddContactStep() {
    ContactSpec c;
    c.id = ContactId(next_contact_++);
    c.queue = queues_[Uniform(0, 2)];
    int ch = Uniform(0, 99);
    c.channel = ch < 60   ? Channel::kVoice
                : ch < 75 ? Channel::kChat
                : ch < 85 ? Channel::kEmail
                : ch < 92 ? Channel::kVideo
                          : Channel::kCallback;
    c.priority = Chance(0.2) ? Uniform(1, 2) : 0;
    if (Chance(0.8)) c.customer_id = CustomerName(Uniform(0, kCustomers - 1));
    if (Chance(0.5)) {
      int n = Uniform(Chance(0.8) ? 1 : 0, 3);
      std::set<uint64_t> picked;
      for (int i = 0; i < n; ++i) picked.insert(Uniform(1, kAgents + 2));
      for (uint64_t p : picked) c.preferred_agents.push_back(AgentId(p));
      c.prefer_last_agent = Chance(0.6);
      c.preferred_wait =
          Chance(0.2) ? absl::ZeroDuration() : absl::Milliseconds(Uniform(1, 90'000));
    }
    if (Chance(0.35)) {
      for (int i = Uniform(1, 3); i > 0; --i) {
        FallbackTarget f;
        f.after = absl::Milliseconds(Uniform(1, 60'000));
        f.queue = queues_[Uniform(0, 2)];
        f.priority = Uniform(0, 3);
        if (Chance(0.3)) f.skills = {{skills_[Uniform(0, 1)], uint8_t(Uniform(1, 6))}};
        c.fallbacks.push_back(f);
      }
    }
    std::optional<absl::StatusCode> predicted = absl::StatusCode::kOk;
    if (Chance(0.04)) {
      const int broken = Uniform(0, 3);
      if (broken == 0) {
        c.preferred_agents = {AgentId(3), AgentId(3)};
      } else if (broken == 1) {
        c.preferred_wait = absl::Seconds(-Uniform(1, 10));
      } else if (broken == 2) {
        c.fallbacks.push_back({absl::Seconds(-Uniform(0, 10)), queues_[0], 0, {}});
      } else {
        c.fallbacks.push_back({absl::Seconds(5), QueueId(7), 0, {}});
      }
      predicted =
          broken == 3 ? absl::StatusCode::kNotFound : absl::StatusCode::kInvalidArgument;
    }
    absl::Status st = Guarded([&] { return engine_->AddContact(c); });
    Expect(st, predicted, "add_contact");
    if (st.ok()) {
      live_.insert(c.id.value());
      customer_of_[c.id.value()] = c.customer_id;
      if (!c.fallbacks.empty()) {
        targets_[c.id.value()] = {
            std::deque<FallbackTarget>(c.fallbacks.begin(), c.fallbacks.end()),
            engine_->Now()};
      }
    }
  }

  void RespondStep(bool accept) {
    std::vector<ContactSnapshot> offered = LiveIn(ContactState::kOffered);
    if (offered.empty()) return;
    const ContactSnapshot& c = offered[Uniform(0, static_cast<int>(offered.size()) - 1)];
    absl::Status st = accept ? engine_->AcceptOffer(*c.agent, c.id)
                             : engine_->RejectOffer(*c.agent, c.id);
    Expect(st, absl::StatusCode::kOk, accept ? "accept" : "reject");
  }

  void CompleteStep() {
    std::vector<ContactSnapshot> served = LiveIn(ContactState::kInService);
    if (served.empty()) return;
    const ContactSnapshot& c = served[Uniform(0, static_cast<int>(served.size()) - 1)];
    Expect(engine_->CompleteContact(*c.agent, c.id), absl::StatusCode::kOk, "complete");
  }

  void AbandonStep() {
    ContactId id = AnyContact();
    auto s = engine_->GetContact(id);
    absl::StatusCode predicted = absl::StatusCode::kOk;
    if (!s.ok()) {
      predicted = absl::StatusCode::kNotFound;
    } else if (s->callback_requested_at.has_value() &&
               s->state != ContactState::kInService) {
      predicted = absl::StatusCode::kFailedPrecondition;
    }
    Expect(Guarded([&] { return engine_->Abandon(id); }), predicted, "abandon");
  }

  void CallbackStep() {
    ContactId id = AnyContact();
    auto s = engine_->GetContact(id);
    absl::StatusCode predicted = absl::StatusCode::kOk;
    if (!s.ok()) {
      predicted = absl::StatusCode::kNotFound;
    } else if (s->callback_requested_at.has_value() || s->channel == Channel::kCallback ||
               s->state != ContactState::kWaiting ||
               (s->channel != Channel::kVoice && s->channel != Channel::kVideo)) {
      predicted = absl::StatusCode::kFailedPrecondition;
    }
    absl::Status st;
    if (Chance(0.2)) {
      // Through the intake: a refusal comes back as exactly one
      // kCommandFailed carrying the status, and changes nothing else.
      std::string before = Digest();
      uint64_t events = events_seen_;
      absl::Status submitted = engine_->Submit(cmd::RequestCallback{id});
      auto polled = engine_->Poll(engine_->Now());
      if (!submitted.ok() || !polled.ok() || *polled != 1) {
        Fail("request_callback through the intake was not applied");
        return;
      }
      if (last_failure_.has_value() && events_seen_ == events + 1) {
        st = *last_failure_;
        if (Digest() != before) Fail("refused request_callback changed state");
      } else if (predicted != absl::StatusCode::kOk) {
        Fail(fmt::format("request_callback via intake: {} events, predicted {}",
                         events_seen_ - events, absl::StatusCodeToString(predicted)));
        return;
      }
      last_failure_.reset();
    } else {
      st = Guarded([&] { return engine_->RequestCallback(id); });
    }
    Expect(st, predicted, "request_callback");
    if (st.ok()) {
      auto after = engine_->GetContact(id);
      if (!after.ok() || !after->callback_requested_at ||
          (after->state == ContactState::kWaiting &&
           after->channel != Channel::kCallback)) {
        Fail("callback not shown on the contact");
      }
      if (after.ok() &&
          (after->arrived_at != s->arrived_at || after->queue != s->queue)) {
        Fail("callback lost its place");
      }
    }
  }

  void TransferStep() {
    ContactId id = AnyContact();
    QueueId to = queues_[Uniform(0, 2)];
    Expect(engine_->Transfer(id, to, Chance(0.8)), std::nullopt, "transfer");
  }

  void PresenceStep() {
    AgentId a(Uniform(1, kAgents));
    int r = Uniform(0, 99);
    if (r < 30) {
      Expect(engine_->Login(a, Chance(0.8)), std::nullopt, "login");
    } else if (r < 40) {
      Expect(engine_->Logout(a), std::nullopt, "logout");
    } else if (r < 60) {
      Expect(engine_->SetReady(a), std::nullopt, "ready");
    } else if (r < 75) {
      Expect(engine_->SetNotReady(a, 4), std::nullopt, "not_ready");
    } else if (r < 80) {
      Expect(engine_->ForceAgentState(a, AgentState::kLoggedOut), std::nullopt, "force");
    } else {
      Expect(engine_->EndWrapUp(a), std::nullopt, "end_wrap_up");
    }
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  int step_ = 0;
  std::unique_ptr<Engine> engine_;
  std::vector<SkillId> skills_;
  std::vector<QueueId> queues_;
  std::set<uint64_t> live_;
  std::map<uint64_t, std::string> customer_of_;
  std::set<uint64_t> callbacks_asked_;
  // Each contact's fallback targets not yet taken, and when it entered its
  // current target.
  struct Targets {
    std::deque<FallbackTarget> left;
    absl::Time since;
  };
  std::map<uint64_t, Targets> targets_;
  uint64_t fallbacks_taken_ = 0;
  std::deque<ModelEntry> model_;
  uint64_t model_seq_ = 0;
  uint64_t next_contact_ = 1;
  std::deque<std::string> recent_;
  uint64_t events_seen_ = 0;
  std::optional<absl::Status> last_failure_;
  uint64_t preference_timeouts_ = 0;
  uint64_t offers_ = 0, preference_ends_ = 0, preferred_offers_ = 0, callbacks_ = 0;
  std::vector<std::string> failures_;
};

void RunSeed(uint64_t seed, int steps) {
  SCOPED_TRACE(fmt::format("seed {}", seed));
  JourneyWorld w(seed);
  ASSERT_NO_FATAL_FAILURE(w.Setup());
  for (int i = 0; i < steps; ++i) {
    if (std::getenv("CCENGINE_JOURNEY_TRACE") && i % 500 == 0) {
      std::printf("step %d waiting %zu\n", i, w.waiting());
    }
    w.Step(i);
    w.CrossCheck();
    ASSERT_TRUE(w.failures().empty()) << w.Report();
  }
  w.Drain();
  ASSERT_TRUE(w.failures().empty()) << w.Report();
  // The run exercised what it is about.
  EXPECT_GT(w.offers(), 1500u);
  EXPECT_GT(w.preferred_offers(), 60u);
  EXPECT_GT(w.preference_ends(), 200u);
  EXPECT_GT(w.callbacks(), 100u);
  EXPECT_GT(w.fallbacks_taken(), 100u);
  std::printf(
      "seed %llu: %d steps, %llu offers (%llu under a preference), %llu "
      "preferences ended (%llu timed out), %llu callbacks, %llu fallbacks taken\n",
      static_cast<unsigned long long>(seed), steps,
      static_cast<unsigned long long>(w.offers()),
      static_cast<unsigned long long>(w.preferred_offers()),
      static_cast<unsigned long long>(w.preference_ends()),
      static_cast<unsigned long long>(w.preference_timeouts()),
      static_cast<unsigned long long>(w.callbacks()),
      static_cast<unsigned long long>(w.fallbacks_taken()));
}

TEST(JourneyRandomTest, FixedSeeds) {
  for (uint64_t seed : kSeeds) RunSeed(seed, kStepsPerSeed);
}

TEST(JourneyRandomTest, EnvSeed) {
  const char* seed = std::getenv("CCENGINE_JOURNEY_SEED");
  if (seed == nullptr) GTEST_SKIP() << "set CCENGINE_JOURNEY_SEED to replay a seed";
  const char* steps = std::getenv("CCENGINE_JOURNEY_STEPS");
  RunSeed(std::strtoull(seed, nullptr, 0), steps ? std::atoi(steps) : kStepsPerSeed);
}

}  // namespace
}  // namespace ccengine
