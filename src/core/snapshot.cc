// Engine: the whole state as bytes (SaveState) and back (LoadState), for
// snapshots and state digests. Records are written as they are; indexes,
// waiting sets and caches are rebuilt from them on load.
//
// Layout (src/common/byte_io.h encodings): u8 format version; the
// configuration fingerprint (skill names, strategy names, per queue its name,
// strategy and routing-step count); the clock and counters; the generators of
// the engine and its strategies; the books; quality sums; customer history;
// live timers; per queue its counters and open flag; the waiting groups; the
// agent slots; the free agent slots; the contact slots; the free contact slots.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/internal/value_fields.h"
#include "common/byte_io.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ByteReader;
using internal::ByteWriter;
using internal::ContactRec;
using internal::kNoSlot;
using internal::kPriorityClasses;
using internal::QueueRec;
using internal::Timer;
using internal::TimerKind;

namespace {

constexpr int kContactStates = static_cast<int>(ContactState::kWithdrawn) + 1;

// The fields of each record, one function for both directions.
template <typename Io, typename S>
void SkillsField(Io& io, S& skills) {
  io.List(skills, [&](auto& s) { internal::SkillFields(io, s); });
}

template <typename Io, typename D>
void DecayedField(Io& io, D& d) {
  io.Double(d.sum);
  io.Double(d.weight);
  io.Signed(d.at);
}

template <typename Io, typename A>
void AgentFields(Io& io, A& a) {
  io.Id(a.id);
  io.Bool(a.auto_accept);
  io.Bool(a.logged_in);
  io.Bool(a.ready);
  io.Bool(a.exclusive_active);
  io.Enum(a.reported, kAgentStateCount);
  io.Unsigned(a.offer);
  io.Unsigned(a.load);
  io.Unsigned(a.idle_channel_mask);
  for (auto& v : a.active) io.Unsigned(v);
  io.List(a.contacts, [&](auto& c) { io.Unsigned(c); });
  io.Signed(a.wrap_until);
  io.Signed(a.idle_since);
  io.Signed(a.reported_since);
  io.Unsigned(a.handled);
  io.Unsigned(a.last_offer_seq);
  io.Unsigned(a.consecutive_no_answers);
  io.Signed(a.reason);
  internal::CapacityFields(io, a.capacity);
  for (auto& t : a.state_time) io.Signed(t);
  io.Unsigned(a.wrap_token);
  io.Double(a.weight);
  io.String(a.name);
  SkillsField(io, a.skills);
  io.List(a.quality, [&](auto& q) {
    io.Id(q.skill);
    DecayedField(io, q.csat);
    DecayedField(io, q.fcr);
  });
  for (auto& v : a.work.busy) io.Float(v);
  for (auto& v : a.work.staffed) io.Float(v);
  io.Signed(a.work.bucket);
  io.Signed(a.work.last);
  io.Float(a.work.busy_share);
  io.Bool(a.work.is_staffed);
}

// `version`: the state format of the bytes (2 lacks the fallback targets).
template <typename Io, typename C>
void ContactFields(Io& io, C& c, uint8_t version) {
  io.Id(c.id);
  io.Unsigned(c.queue);
  io.Enum(c.channel, kChannelCount);
  io.Signed(c.priority);
  io.Enum(c.state, kContactStates);
  io.Unsigned(c.step);
  SkillsField(io, c.skills);
  io.String(c.customer_id);
  io.List(c.attributes, [&](auto& kv) {
    io.String(kv.first);
    io.String(kv.second);
  });
  io.Signed(c.arrived);
  io.Signed(c.queued_at);
  io.Signed(c.answered_at);
  io.Unsigned(c.seq);
  io.Unsigned(c.group);
  io.Bool(c.in_group);
  io.Unsigned(c.agent);
  io.List(c.excluded, [&](auto& a) { io.Id(a); });
  io.Signed(c.hold_until);
  io.Unsigned(c.wait_token);
  io.Unsigned(c.offer_token);
  io.Unsigned(c.offer_id);
  io.Bool(c.preferring);
  io.List(c.preferred, [&](auto& a) { io.Id(a); });
  io.Signed(c.pref_until);
  io.Bool(c.pref_grace);
  io.Unsigned(c.pref_token);
  io.Bool(c.callback);
  io.Signed(c.callback_at);
  io.Enum(c.original_channel, kChannelCount);
  if (version >= 3) {
    io.List(c.fallbacks, [&](auto& f) {
      io.Signed(f.after);
      io.Unsigned(f.queue);
      io.Signed(f.priority);
      SkillsField(io, f.skills);
    });
    io.Unsigned(c.fallback_next);
    io.Bool(c.fallback_due);
    io.Signed(c.fallback_at);
    io.Unsigned(c.fallback_token);
  }
}

template <typename Io, typename Q>
void QueueFields(Io& io, Q& q) {
  auto& s = q.stats;
  io.Unsigned(s.entered);
  io.Unsigned(s.answered);
  io.Unsigned(s.answered_within_sl);
  io.Unsigned(s.abandoned);
  io.Unsigned(s.short_abandoned);
  io.Unsigned(s.callbacks_requested);
  io.Unsigned(s.overflowed);
  io.Unsigned(s.closed);
  io.Unsigned(s.transferred_out);
  io.Unsigned(s.completed);
  io.Signed(q.total_answer_wait_us);
  io.Signed(q.total_handle_us);
  io.Unsigned(q.idle_walk_backoff);
  io.Bool(q.open);
  io.Unsigned(q.hours_token);
}

template <typename Io, typename A>
void AccountingFields(Io& io, A& a) {
  for (auto* v : {&a.entered, &a.waiting, &a.offered, &a.in_service, &a.completed,
                  &a.abandoned, &a.overflowed, &a.withdrawn}) {
    io.Unsigned(*v);
  }
}

struct GroupSpec {
  uint32_t queue = 0;
  Channel channel = Channel::kVoice;
  std::vector<SkillRequirement> own;
};

// What LoadState parses before it touches the engine.
struct Staged {
  Micros now = 0;
  uint64_t arrival_seq = 0;
  uint64_t offer_seq = 0;
  bool track_work = false;
  std::vector<std::pair<uint64_t, uint64_t>> producers;  // sorted by producer
  std::string guard_rng;
  std::vector<std::string> strategy_states;
  Accounting books;
  std::vector<QueueRec> queue_state;  // the counters only
  std::vector<GroupSpec> groups;
  std::vector<AgentRec> agents;
  std::vector<uint32_t> free_agent_slots;
  std::vector<ContactRec> contacts;
  std::vector<uint32_t> free_contact_slots;
};

template <typename Skills>
bool SkillsValid(const Skills& skills, size_t skill_count) {
  for (size_t i = 0; i < skills.size(); ++i) {
    if (skills[i].skill.value() >= skill_count || skills[i].level < kMinProficiency ||
        skills[i].level > kMaxProficiency) {
      return false;
    }
    if (i > 0 && !(skills[i - 1].skill < skills[i].skill)) return false;
  }
  return true;
}

// Dead slots listed exactly once each, and nothing else.
bool FreeSlotsValid(const std::vector<uint32_t>& free, size_t slots,
                    absl::FunctionRef<bool(uint32_t)> live) {
  std::vector<bool> seen(slots, false);
  size_t dead = 0;
  for (uint32_t s = 0; s < slots; ++s) dead += live(s) ? 0 : 1;
  for (uint32_t s : free) {
    if (s >= slots || live(s) || seen[s]) return false;
    seen[s] = true;
  }
  return free.size() == dead;
}

}  // namespace

std::vector<int64_t> Engine::OptionsFingerprint() const {
  return {class_weight_,
          work_bucket_,
          static_cast<int64_t>(options_.customer_history_size),
          ToMicros(options_.customer_history_retention),
          static_cast<int64_t>(options_.customer_history_max_entries),
          static_cast<int64_t>(options_.max_producers)};
}

void Engine::SaveState(std::string& out) const {
  ByteWriter w(&out);
  w.Byte(kStateFormatVersion);
  // The configuration's fingerprint.
  w.Count(skill_names_.size());
  for (const std::string& s : skill_names_) w.String(s);
  w.Count(strategy_names_.size());
  for (const std::string& s : strategy_names_) w.String(s);
  w.Count(queues_.size());
  for (const QueueRec& q : queues_) {
    w.String(q.config.name);
    w.Id(q.strategy);
    w.Count(q.step_after.size());
  }
  for (const int64_t v : OptionsFingerprint()) w.Signed(v);
  // Clock, counters, generators.
  w.Signed(now_);
  w.Unsigned(arrival_seq_);
  w.Unsigned(offer_seq_);
  w.Bool(track_work_);
  std::vector<std::pair<uint64_t, uint64_t>> producers(producer_sequences_.begin(),
                                                       producer_sequences_.end());
  std::sort(producers.begin(), producers.end());
  w.Count(producers.size());
  for (const auto& [producer, sequence] : producers) {
    w.Unsigned(producer);
    w.Unsigned(sequence);
  }
  std::ostringstream rng;
  rng << guard_rng_;
  w.String(rng.str());
  std::string strategy_state;
  for (const auto& s : strategies_) {
    strategy_state.clear();
    s->SaveState(strategy_state);
    w.String(strategy_state);
  }
  AccountingFields(w, ledger_.totals());
  quality_.Save(w);
  history_.Save(w);
  timers_.Save(w, [this](const Timer& t) { return TimerLive(t); });
  for (const QueueRec& q : queues_) QueueFields(w, q);
  w.Count(groups_.size());
  for (const internal::GroupRec& g : groups_) {
    w.Unsigned(g.queue);
    w.Enum(g.channel, kChannelCount);
    SkillsField(w, g.own);
  }
  w.Count(agents_.size());
  for (const AgentRec& a : agents_) {
    w.Bool(a.live);
    if (a.live) AgentFields(w, a);
  }
  w.List(free_agent_slots_, [&](uint32_t s) { w.Unsigned(s); });
  w.Count(contacts_.size());
  for (const ContactRec& c : contacts_) {
    w.Bool(c.live);
    if (c.live) ContactFields(w, c, kStateFormatVersion);
  }
  w.List(free_contact_slots_, [&](uint32_t s) { w.Unsigned(s); });
}

absl::Status Engine::LoadState(std::string_view state) {
  if (!agents_.empty() || !contacts_.empty() || !groups_.empty() ||
      ledger_.totals().entered != 0 || !producer_sequences_.empty()) {
    return absl::FailedPreconditionError(
        "LoadState needs a freshly configured engine: this one has agents or contacts");
  }
  max_weight_known_ = false;  // a cache of the agents' weights
  return LoadStateInto(state);
}

absl::Status Engine::LoadStateInto(std::string_view state) {
  ByteReader r(state, "engine state");
  const uint8_t version = r.Byte();
  if (!r.ok()) return r.status();
  if (version != kStateFormatVersion && version != 2) {
    return absl::FailedPreconditionError(fmt::format(
        "engine state of format version {}; this build reads versions 2 to {}", version,
        kStateFormatVersion));
  }
  // The fingerprint: the same configuration, named where it differs.
  auto names = [&](const std::vector<std::string>& here,
                   std::string_view what) -> absl::Status {
    const uint64_t n = r.Count();
    if (r.ok() && n != here.size()) {
      return absl::FailedPreconditionError(
          fmt::format("engine state from an engine with {} {}; this one has {}", n, what,
                      here.size()));
    }
    for (size_t i = 0; i < n && r.ok(); ++i) {
      std::string name;
      r.String(name);
      if (r.ok() && name != here[i]) {
        return absl::FailedPreconditionError(fmt::format(
            "engine state from an engine configured otherwise: {} {} is '{}' there, "
            "'{}' here",
            what, i, name, here[i]));
      }
    }
    return r.status();
  };
  if (absl::Status s = names(skill_names_, "skills"); !s.ok()) return s;
  if (absl::Status s = names(strategy_names_, "strategies"); !s.ok()) return s;
  {
    const uint64_t n = r.Count();
    if (r.ok() && n != queues_.size()) {
      return absl::FailedPreconditionError(
          fmt::format("engine state from an engine with {} queues; this one has {}", n,
                      queues_.size()));
    }
    for (size_t i = 0; i < n && r.ok(); ++i) {
      std::string name;
      StrategyId strategy;
      r.String(name);
      r.Id(strategy);
      const uint64_t steps = r.Count();
      const QueueRec& q = queues_[i];
      if (r.ok() && (name != q.config.name || strategy != q.strategy ||
                     steps != q.step_after.size())) {
        return absl::FailedPreconditionError(fmt::format(
            "engine state from an engine configured otherwise: queue {} is '{}' "
            "(strategy {}, {} routing steps) there, '{}' (strategy {}, {} routing "
            "steps) here",
            i, name, strategy.value(), steps, q.config.name, q.strategy.value(),
            q.step_after.size()));
      }
    }
  }

  for (const int64_t here : OptionsFingerprint()) {
    int64_t there = 0;
    r.Signed(there);
    if (r.ok() && there != here) {
      return absl::FailedPreconditionError(
          "engine state from an engine with other options (priority class weight, "
          "work window, customer history limits or max producers)");
    }
  }
  Staged st;
  auto fail = [&](std::string_view what) {
    r.Fail(r.at(), what);
    return r.status();
  };
  r.Signed(st.now);
  r.Unsigned(st.arrival_seq);
  r.Unsigned(st.offer_seq);
  r.Bool(st.track_work);
  {
    const uint64_t n = r.Count();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      uint64_t producer = 0;
      uint64_t sequence = 0;
      r.Unsigned(producer);
      r.Unsigned(sequence);
      if (r.ok() && (producer == 0 || sequence == 0 ||
                     (!st.producers.empty() && producer <= st.producers.back().first))) {
        return fail("producer numbers out of order or zero");
      }
      st.producers.emplace_back(producer, sequence);
    }
    if (r.ok() && st.producers.size() > options_.max_producers) {
      return fail("more producers than max_producers");
    }
  }
  r.String(st.guard_rng);
  st.strategy_states.resize(strategies_.size());
  for (std::string& s : st.strategy_states) r.String(s);
  AccountingFields(r, st.books);
  internal::QualityModel quality = quality_;
  if (!quality.Load(r) && r.ok())
    return fail("quality sums for another number of skills");
  internal::CustomerHistoryStore history({options_.customer_history_size,
                                          options_.customer_history_retention,
                                          options_.customer_history_max_entries});
  if (!history.Load(r) && r.ok()) {
    return fail("customer history naming a customer twice or one it does not hold");
  }
  internal::TimerQueue timers;
  timers.Load(r);
  st.queue_state.resize(queues_.size());
  for (QueueRec& q : st.queue_state) QueueFields(r, q);
  {
    const uint64_t n = r.Count();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      GroupSpec& g = st.groups.emplace_back();
      r.Unsigned(g.queue);
      r.Enum(g.channel, kChannelCount);
      SkillsField(r, g.own);
      if (r.ok() &&
          (g.queue >= queues_.size() || !SkillsValid(g.own, skill_names_.size())))
        return fail("a waiting group of an unknown queue or with invalid skills");
    }
  }
  {
    const uint64_t n = r.Count();
    st.agents.resize(n);
    for (AgentRec& a : st.agents) {
      if (!r.ok()) break;
      r.Bool(a.live);
      if (!a.live) continue;
      AgentFields(r, a);
    }
  }
  r.List(st.free_agent_slots, [&](uint32_t& s) { r.Unsigned(s); });
  {
    const uint64_t n = r.Count();
    st.contacts.resize(n);
    for (ContactRec& c : st.contacts) {
      if (!r.ok()) break;
      r.Bool(c.live);
      if (!c.live) continue;
      ContactFields(r, c, version);
    }
  }
  r.List(st.free_contact_slots, [&](uint32_t& s) { r.Unsigned(s); });
  if (!r.ok()) return r.status();
  if (!r.done()) return fail("bytes after the engine state");

  // References between records in range and consistent, times in range,
  // before anything is indexed: what the rebuild and the engine rely on.
  auto refuse = [](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("engine state: {}", what));
  };
  if (!InTimeRangeMicros(st.now)) return refuse("a clock out of range");
  if (st.agents.size() >= kNoSlot || st.contacts.size() >= kNoSlot) {
    return refuse("more slots than the engine can number");
  }
  const size_t skills = skill_names_.size();
  auto times_ok = [](std::initializer_list<Micros> times) {
    for (Micros t : times) {
      if (!InTimeRangeMicros(t)) return false;
    }
    return true;
  };
  absl::flat_hash_set<uint64_t> ids;
  for (uint32_t slot = 0; slot < st.agents.size(); ++slot) {
    const AgentRec& a = st.agents[slot];
    if (!a.live) continue;
    if (!ids.insert(a.id.value()).second) {
      return refuse(fmt::format("agent {} listed twice", a.id.value()));
    }
    const Capacity& cap = a.capacity;
    bool ok = SkillsValid(a.skills, skills) && cap.load_budget > 0 && a.weight > 0 &&
              std::isfinite(a.weight) &&
              times_ok({a.wrap_until, a.idle_since, a.reported_since, a.work.last}) &&
              a.work.bucket >= -1 && a.work.bucket <= st.now / work_bucket_ &&
              a.work.last <= st.now;
    for (int ch = 0; ch < kChannelCount; ++ch) {
      ok = ok &&
           (cap.max_per_channel[ch] == 0 || cap.load_per_contact[ch] <= cap.load_budget);
    }
    // Derived from the capacity when the agent was added, and the matching
    // trusts it.
    ok = ok && a.idle_channel_mask == internal::IdleChannelMask(cap);
    // The contacts it holds hold it; the ringing one is among them.
    bool exclusive = false;
    bool offer_held = a.offer == kNoSlot;
    for (size_t i = 0; ok && i < a.contacts.size(); ++i) {
      const uint32_t c = a.contacts[i];
      ok = c < st.contacts.size() && st.contacts[c].live && st.contacts[c].agent == slot;
      for (size_t j = 0; ok && j < i; ++j) ok = a.contacts[j] != c;
      if (ok) exclusive |= cap.exclusive[static_cast<int>(st.contacts[c].channel)];
      offer_held |= c == a.offer;
    }
    ok = ok && offer_held && exclusive == a.exclusive_active &&
         (a.offer == kNoSlot || st.contacts[a.offer].state == ContactState::kOffered);
    for (size_t i = 0; ok && i < a.quality.size(); ++i) {
      ok = a.quality[i].skill.value() < skills &&
           (i == 0 || a.quality[i - 1].skill < a.quality[i].skill) &&
           times_ok({a.quality[i].csat.at, a.quality[i].fcr.at});
    }
    if (!ok) return refuse(fmt::format("agent {}: inconsistent record", a.id.value()));
  }
  ids.clear();
  for (uint32_t slot = 0; slot < st.contacts.size(); ++slot) {
    const ContactRec& c = st.contacts[slot];
    if (!c.live) continue;
    if (!ids.insert(c.id.value()).second) {
      return refuse(fmt::format("contact {} listed twice", c.id.value()));
    }
    const bool with_agent =
        c.state == ContactState::kOffered || c.state == ContactState::kInService;
    bool ok = c.queue < queues_.size() && SkillsValid(c.skills, skills) &&
              c.group < st.groups.size() && st.groups[c.group].queue == c.queue &&
              (c.state == ContactState::kWaiting || with_agent) &&
              c.in_group == (c.state == ContactState::kWaiting) &&
              times_ok({c.arrived, c.queued_at, c.answered_at, c.hold_until, c.pref_until,
                        c.callback_at, c.fallback_at}) &&
              c.fallbacks.size() <= kMaxFallbacks &&
              (c.fallback_token != 0) == !c.fallbacks.empty() &&
              (c.fallbacks.empty() || c.fallback_next < c.fallbacks.size()) &&
              (!c.fallback_due || c.state == ContactState::kOffered);
    for (size_t i = 0; ok && i < c.fallbacks.size(); ++i) {
      const internal::FallbackRec& f = c.fallbacks[i];
      ok = f.after > 0 && f.after <= ToMicros(kMaxDuration) && f.queue < queues_.size() &&
           f.priority >= kMinPriority && f.priority <= kMaxPriority &&
           SkillsValid(f.skills, skills);
    }
    if (ok && c.in_group) {
      const GroupSpec& g = st.groups[c.group];
      ok = g.channel == c.channel && g.own == c.skills;
    }
    if (ok && with_agent) {
      ok = c.agent < st.agents.size() && st.agents[c.agent].live &&
           (c.state != ContactState::kOffered || st.agents[c.agent].offer == slot);
      bool held = false;
      for (size_t i = 0; ok && i < st.agents[c.agent].contacts.size(); ++i) {
        held |= st.agents[c.agent].contacts[i] == slot;
      }
      ok = ok && held;
    } else if (ok) {
      ok = c.agent == kNoSlot;
    }
    if (ok) {
      const QueueRec& q = queues_[c.queue];
      const int cls = c.priority + q.config.priority;
      ok = c.step < q.step_after.size() && cls >= 0 && cls < kPriorityClasses;
    }
    if (!ok) return refuse(fmt::format("contact {}: inconsistent record", c.id.value()));
  }
  if (!FreeSlotsValid(st.free_agent_slots, st.agents.size(),
                      [&](uint32_t s) { return st.agents[s].live; }) ||
      !FreeSlotsValid(st.free_contact_slots, st.contacts.size(),
                      [&](uint32_t s) { return st.contacts[s].live; })) {
    return refuse("the free slots are not exactly the unused ones");
  }
  // Every timer's subject exists.
  {
    internal::TimerQueue copy = timers;
    bool ok = true;
    absl::flat_hash_set<std::tuple<uint32_t, uint64_t, Micros>> fallback_timers;
    copy.FireDue(kNever, [&](const Timer& t) {
      const size_t slots = t.kind == TimerKind::kWrapUp  ? st.agents.size()
                           : t.kind == TimerKind::kHours ? queues_.size()
                                                         : st.contacts.size();
      ok = ok && t.slot < slots && InTimeRangeMicros(t.at);
      if (ok && t.kind == TimerKind::kFallback) {
        const ContactRec& c = st.contacts[t.slot];
        fallback_timers.insert({t.slot, t.token, t.at});
        ok = c.live && t.token != 0;
      }
    });
    if (!ok) return refuse("a timer for a subject that does not exist");
    // A route with a target ahead (not yet due) has the timer that takes it.
    for (uint32_t slot = 0; slot < st.contacts.size(); ++slot) {
      const ContactRec& c = st.contacts[slot];
      if (c.live && c.fallback_token != 0 && !c.fallback_due &&
          !fallback_timers.contains({slot, c.fallback_token, c.fallback_at})) {
        return refuse(fmt::format("contact {}: no timer for its next fallback target",
                                  c.id.value()));
      }
    }
  }
  std::mt19937_64 guard_rng;
  {
    std::istringstream text(st.guard_rng);
    text >> guard_rng;
    if (text.fail() || !(text >> std::ws).eof()) {
      return refuse("the guard generator's state is not a generator's state");
    }
  }

  // Commit. What is replaced is kept, to be put back if the strategies or
  // the invariants refuse the result.
  std::vector<std::string> old_strategy_states(strategies_.size());
  for (size_t i = 0; i < strategies_.size(); ++i) {
    strategies_[i]->SaveState(old_strategy_states[i]);
  }
  const Micros old_now = now_;
  const uint64_t old_arrival_seq = arrival_seq_;
  const uint64_t old_offer_seq = offer_seq_;
  const bool old_track_work = track_work_;
  const std::mt19937_64 old_guard_rng = guard_rng_;
  const Accounting old_books = ledger_.totals();
  internal::QualityModel old_quality = quality_;
  internal::TimerQueue old_timers = timers_;
  std::vector<QueueRec> old_queues = queues_;

  now_ = st.now;
  arrival_seq_ = st.arrival_seq;
  offer_seq_ = st.offer_seq;
  track_work_ = st.track_work;
  producer_sequences_.insert(st.producers.begin(), st.producers.end());
  guard_rng_ = guard_rng;
  ledger_.Restore(st.books);
  quality_ = std::move(quality);
  std::swap(history_, history);
  timers_ = std::move(timers);
  for (size_t i = 0; i < queues_.size(); ++i) {
    QueueRec& q = queues_[i];
    const QueueRec& saved = st.queue_state[i];
    const ServiceLevelDefinition definition = q.stats.sl_definition;  // configured
    q.stats = saved.stats;
    q.stats.queue = QueueId{static_cast<uint32_t>(i)};
    q.stats.sl_definition = definition;
    q.total_answer_wait_us = saved.total_answer_wait_us;
    q.total_handle_us = saved.total_handle_us;
    q.idle_walk_backoff = saved.idle_walk_backoff;
    q.open = saved.open;
    q.hours_token = saved.hours_token;
  }
  absl::Status status = absl::OkStatus();
  for (uint32_t g = 0; g < st.groups.size(); ++g) {
    const GroupSpec& spec = st.groups[g];
    if (GroupFor(spec.queue, spec.channel, spec.own) != g) {
      status = refuse("a waiting group listed twice");
      break;
    }
  }
  if (status.ok()) {
    agents_ = std::move(st.agents);
    free_agent_slots_ = std::move(st.free_agent_slots);
    contacts_ = std::move(st.contacts);
    free_contact_slots_ = std::move(st.free_contact_slots);
    agent_index_.Resize(agents_.size());
    // Free agents are indexed in the longest-idle order, so each joins the
    // idle lists at their tail.
    std::vector<uint32_t> order;
    for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
      if (agents_[slot].live) order.push_back(slot);
    }
    std::sort(order.begin(), order.end(), [this](uint32_t x, uint32_t y) {
      const AgentRec& a = agents_[x];
      const AgentRec& b = agents_[y];
      if (a.idle_since != b.idle_since) return a.idle_since < b.idle_since;
      return a.id < b.id;
    });
    for (uint32_t slot : order) {
      AgentRec& a = agents_[slot];
      agent_index_.UpdateSkills(slot, a.skills, true);
      agent_ids_.emplace(a.id.value(), slot);
      ComputeServed(slot);
      const uint32_t mask = FreeChannelMask(a);
      agent_index_.UpdateState(slot, a.id.value(), 0, mask, a.idle_since,
                               /*free=*/mask != 0 && a.contacts.empty(),
                               /*loaded=*/mask != 0 && !a.contacts.empty(),
                               /*logged_in=*/a.logged_in);
      a.channel_mask = mask;
    }
    // The contacts' own requirements are looked up by skill level, as
    // AddContact arranged (their groups hold the same requirements).
    for (const internal::GroupRec& g : groups_) {
      for (const SkillRequirement& r : g.own) EnsureSkillSet(r);
    }
    for (uint32_t slot = 0; slot < contacts_.size(); ++slot) {
      ContactRec& c = contacts_[slot];
      if (!c.live) continue;
      contact_ids_.emplace(c.id.value(), slot);
      if (c.preferring) preferring_.insert(slot);
      if (c.in_group) InsertWaiting(slot);
    }
    for (size_t i = 0; i < strategies_.size() && status.ok(); ++i) {
      status = strategies_[i]->LoadState(st.strategy_states[i]);
    }
    if (status.ok()) {
      status = CheckInvariants();
      if (!status.ok()) {
        status = refuse(
            fmt::format("inconsistent records ({})", std::string(status.message())));
      }
    }
  }
  if (status.ok()) return status;

  // Back to the fresh engine this was.
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    AgentRec& a = agents_[slot];
    if (!a.live) continue;
    agent_index_.UpdateState(slot, a.id.value(), a.channel_mask, 0, 0, false, false,
                             false);
    agent_index_.UpdateSkills(slot, a.skills, false);
  }
  agents_.clear();
  free_agent_slots_.clear();
  agent_ids_ = internal::IdIndex();
  contacts_.clear();
  free_contact_slots_.clear();
  contact_ids_ = internal::IdIndex();
  preferring_.clear();
  groups_.clear();
  tracked_groups_ = 0;
  draw_groups_ = 0;
  draw_refs_.clear();
  draw_sets_ = internal::DrawSets();
  for (size_t i = 0; i < strategies_.size(); ++i) {
    (void)strategies_[i]->LoadState(old_strategy_states[i]);
  }
  now_ = old_now;
  arrival_seq_ = old_arrival_seq;
  offer_seq_ = old_offer_seq;
  track_work_ = old_track_work;
  producer_sequences_.clear();
  guard_rng_ = old_guard_rng;
  ledger_.Restore(old_books);
  quality_ = std::move(old_quality);
  std::swap(history_, history);
  timers_ = std::move(old_timers);
  queues_ = std::move(old_queues);
  return status;
}

}  // namespace ccengine
