// The engine with its journal: a randomized day of commands (both through
// Apply and through Submit + Poll) is journaled; at a random step the process
// "crashes" (the journal is closed where it stands, sometimes with half a
// record after it); a fresh engine replays the journal and must be in exactly
// the state the first one was in after its last journaled command, and, once
// its clock is advanced, in the state the first one is in now. Both engines
// then take the same further commands and must emit the same events.

#include "ccengine/journal/engine_journal.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/command_codec.h"
#include "ccengine/journal/file_journal.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "journal/segment.h"
#include "sqlite/temp_dir.h"

namespace ccengine::journal {
namespace {

std::unique_ptr<Engine> NewCenter() {
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

// Everything the engine shows about its state, as text.
std::string Digest(const Engine& e, const std::vector<AgentId>& agents,
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
    d += "\n";
  }
  return d;
}

// Picks random commands from the state of the first engine and gives each to
// every engine in `engines` the same way (Apply, or Submit then Poll).
class Driver {
 public:
  explicit Driver(uint64_t seed) : rng_(seed) {}

  std::vector<AgentId> agents;
  std::vector<ContactId> contacts;

  // One step; true when it applied commands (rather than only moving time).
  void Step(const std::vector<Engine*>& engines) {
    Engine& e = *engines.front();
    if (Chance(0.15)) {
      const absl::Time to = e.Now() + absl::Milliseconds(Uniform(0, 20000));
      for (Engine* x : engines) ASSERT_TRUE(x->AdvanceTo(to).ok());
      return;
    }
    std::vector<Command> batch;
    const int n = Chance(0.2) ? Uniform(2, 5) : 1;
    batch.reserve(n);
    for (int i = 0; i < n; ++i) batch.push_back(Pick(e));
    if (n == 1 && Chance(0.8)) {
      for (Engine* x : engines) (void)x->Apply(batch[0]);
      return;
    }
    const absl::Time at = e.Now() + absl::Milliseconds(Uniform(0, 3000));
    for (Engine* x : engines) {
      for (const Command& c : batch) ASSERT_TRUE(x->Submit(c).ok());
      ASSERT_TRUE(x->Poll(at).ok());
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename V>
  auto Any(const V& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }
  AgentId SomeAgent() {
    return agents.empty() || Chance(0.03) ? AgentId{999} : Any(agents);
  }
  // Mostly a contact that is ringing or in service, else any.
  ContactId SomeContact(const Engine& e) {
    if (contacts.empty() || Chance(0.03)) return ContactId{999999};
    if (Chance(0.7)) {
      std::vector<ContactId> busy;
      for (const ContactId id : contacts) {
        absl::StatusOr<ContactSnapshot> c = e.GetContact(id);
        if (c.ok() && (c->state == ContactState::kOffered ||
                       c->state == ContactState::kInService)) {
          busy.push_back(id);
        }
      }
      if (!busy.empty()) return Any(busy);
    }
    return Any(contacts);
  }

  Command Pick(const Engine& e) {
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
          Any(std::vector<AgentState>{AgentState::kLoggedOut, AgentState::kNotReady,
                                      AgentState::kAvailable}),
          Uniform(0, 2)};
    }
    if (r < 33) return cmd::EndWrapUp{SomeAgent()};
    if (r < 55) {
      ContactSpec s;
      s.id = ContactId{next_contact_++};
      s.queue = QueueId{static_cast<uint32_t>(Chance(0.02) ? 9 : Uniform(0, 3))};
      s.channel =
          Any(std::vector<Channel>{Channel::kVoice, Channel::kChat, Channel::kEmail});
      s.priority = Chance(0.1) ? Uniform(1, 2) : 0;
      s.customer_id = fmt::format("c{}", Uniform(1, 40));
      s.attributes = {{"intent", Chance(0.5) ? "个税" : "refund"}};
      s.prefer_last_agent = Chance(0.2);
      if (Chance(0.1) && !agents.empty()) s.preferred_agents = {Any(agents)};
      if (s.prefer_last_agent || !s.preferred_agents.empty()) {
        s.preferred_wait = absl::Seconds(Uniform(0, 20));
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
      case ContactState::kOffered:
        if (Chance(0.75)) return cmd::AcceptOffer{agent, id};
        if (Chance(0.5)) return cmd::RejectOffer{agent, id};
        return cmd::Abandon{id};
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

  std::mt19937_64 rng_;
  uint64_t next_agent_ = 1;
  uint64_t next_contact_ = 1;
};

std::vector<std::string>* Record(Engine& e) {
  auto* lines = new std::vector<std::string>();
  e.Subscribe([lines](const Event& ev) { lines->push_back(DescribeEvent(ev)); });
  return lines;
}

// Appends `bytes` to the newest segment file: what a crash mid-append leaves.
void TearNewestSegment(const std::filesystem::path& dir, const std::string& bytes) {
  std::filesystem::path newest;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (internal::ParseSegmentFileName(f.path().filename().string()) &&
        f.path() > newest) {
      newest = f.path();
    }
  }
  std::ofstream out(newest, std::ios::binary | std::ios::app);
  out << bytes;
}

void CrashAndRecover(uint64_t seed, int steps, int crash_at, bool torn) {
  SCOPED_TRACE(
      fmt::format("seed {} crash at step {}{}", seed, crash_at, torn ? " torn" : ""));
  sqlite::TempDir tmp;
  const FileJournalOptions options{
      .dir = tmp.File("journal"), .fsync = FsyncPolicy::kNever, .segment_bytes = 65536};
  Driver driver(seed);

  std::unique_ptr<Engine> live = NewCenter();
  std::unique_ptr<std::vector<std::string>> live_events(Record(*live));
  std::map<uint64_t, std::string> digest_at;  // by the journal's last sequence
  {
    auto log = FileJournal::Open(options);
    ASSERT_TRUE(log.ok()) << log.status();
    EngineJournal journal(*live, **log);
    for (int i = 0; i < crash_at; ++i) {
      const uint64_t before = (*log)->last_sequence();
      ASSERT_NO_FATAL_FAILURE(driver.Step({live.get()}));
      if ((*log)->last_sequence() != before) {
        digest_at[(*log)->last_sequence()] =
            Digest(*live, driver.agents, driver.contacts);
      }
    }
    EXPECT_EQ(journal.refused(), 0u);
  }  // the crash: the hook and the journal go, the files stay
  if (torn) TearNewestSegment(options.dir, std::string("\x10\x00\x00\x00\x7f", 5));

  OpenReport report;
  auto log = FileJournal::Open(options, &report);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report.truncated_bytes, torn ? 5u : 0u);
  std::unique_ptr<Engine> recovered = NewCenter();
  absl::StatusOr<ReplayReport> replayed = ReplayJournal(**log, *recovered);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  ASSERT_FALSE(digest_at.empty());
  const uint64_t last = digest_at.rbegin()->first;
  EXPECT_EQ(replayed->last_sequence, last);
  EXPECT_EQ(replayed->records, last);
  EXPECT_GT(replayed->refused, 0u) << "the workload includes refused commands";
  EXPECT_EQ(Digest(*recovered, driver.agents, driver.contacts), digest_at[last]);
  ASSERT_TRUE(recovered->AdvanceTo(live->Now()).ok());
  EXPECT_EQ(Digest(*recovered, driver.agents, driver.contacts),
            Digest(*live, driver.agents, driver.contacts));
  ASSERT_TRUE(recovered->CheckInvariants().ok());

  // Both go on with the same commands; the recovered one journals again.
  std::unique_ptr<std::vector<std::string>> recovered_events(Record(*recovered));
  const size_t live_mark = live_events->size();
  {
    EngineJournal journal(*recovered, **log);
    for (int i = crash_at; i < steps; ++i) {
      ASSERT_NO_FATAL_FAILURE(driver.Step({live.get(), recovered.get()}));
    }
  }
  ASSERT_EQ(recovered_events->size(), live_events->size() - live_mark);
  for (size_t i = 0; i < recovered_events->size(); ++i) {
    ASSERT_EQ((*recovered_events)[i], (*live_events)[live_mark + i]) << "event " << i;
  }
  EXPECT_EQ(Digest(*recovered, driver.agents, driver.contacts),
            Digest(*live, driver.agents, driver.contacts));

  // The day was a busy one.
  const Accounting acc = live->GetAccounting();
  EXPECT_GT(acc.completed, 300u);
  EXPECT_GT(acc.abandoned + acc.overflowed + acc.withdrawn, 20u);
  EXPECT_GT(live_events->size(), 1000u);

  // And the whole journal, crash included, replays to the end.
  log->reset();
  log = FileJournal::Open(options);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> again = NewCenter();
  ASSERT_TRUE(ReplayJournal(**log, *again).ok());
  ASSERT_TRUE(again->AdvanceTo(live->Now()).ok());
  EXPECT_EQ(Digest(*again, driver.agents, driver.contacts),
            Digest(*live, driver.agents, driver.contacts));
}

TEST(EngineJournalTest, RecoveryGivesTheSameStateAndTheSameFuture) {
  std::mt19937_64 pick(2026);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const int crash_at = std::uniform_int_distribution<int>(300, 1700)(pick);
    ASSERT_NO_FATAL_FAILURE(CrashAndRecover(seed, 2000, crash_at, seed % 2 == 0));
  }
}

TEST(EngineJournalTest, ACommandThatCannotBeJournaledIsNotApplied) {
  sqlite::TempDir tmp;
  auto log = FileJournal::Open({.dir = tmp.File("j")});
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = NewCenter();
  EngineJournal journal(*e, **log);
  ContactSpec s;
  s.id = ContactId{1};
  s.queue = QueueId{0};
  s.arrived_at = e->Now() - absl::Nanoseconds(1) / 4;  // not whole nanoseconds
  const absl::Status st = e->Apply(cmd::AddContact{s});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_FALSE(e->GetContact(ContactId{1}).ok());
  EXPECT_EQ(journal.refused(), 1u);
  EXPECT_EQ((*log)->last_sequence(), 0u);
  // Through Submit + Poll the refusal is a kCommandFailed event.
  std::vector<Event> failed;
  e->Subscribe([&](const Event& ev) { failed.push_back(ev); },
               EventBit(EventType::kCommandFailed));
  ASSERT_TRUE(e->Submit(cmd::AddContact{s}).ok());
  ASSERT_TRUE(e->Poll(e->Now()).ok());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status.code(), absl::StatusCode::kInvalidArgument);
  s.arrived_at.reset();
  ASSERT_TRUE(e->Apply(cmd::AddContact{s}).ok());
  EXPECT_EQ((*log)->last_sequence(), 1u);
  EXPECT_EQ(journal.appended(), 1u);
}

TEST(EngineJournalTest, ReplayRefusesWhatDoesNotFit) {
  sqlite::TempDir tmp;
  auto log = FileJournal::Open({.dir = tmp.File("j")});
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)
                  ->Append(absl::UnixEpoch() + absl::Hours(9),
                           *EncodeCommand(cmd::Logout{AgentId{1}}))
                  .ok());
  ASSERT_TRUE(
      (*log)->Append(absl::UnixEpoch(), *EncodeCommand(cmd::Logout{AgentId{1}})).ok());
  ASSERT_TRUE((*log)->Append(absl::UnixEpoch() + absl::Hours(10), "\x01\x63").ok());

  std::unique_ptr<Engine> e = NewCenter();
  absl::StatusOr<ReplayReport> r = ReplayJournal(**log, *e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("journal record 2 was applied at"),
            std::string::npos)
      << r.status();

  std::unique_ptr<Engine> hooked = NewCenter();
  EngineJournal journal(*hooked, **log);
  EXPECT_EQ(ReplayJournal(**log, *hooked).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReplayJournal(**log, *NewCenter(), 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ccengine::journal
