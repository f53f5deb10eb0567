// Engine: the two routing decisions.
//
// Contact → agent: AND the per-channel "can take one more" bitset with the
// per-skill bitsets of the contact's own skills and of each routing step in
// force (OR across steps), word by word; visit the surviving agents, check
// levels and exclusions, and let the queue's strategy score them.
//
// Agent → contact: for each waiting group the agent can serve (cached per
// agent, with the lowest step at which it qualifies), look at the head of
// each non-empty priority class that has waited long enough for that step;
// the best aged score wins.

#include <algorithm>
#include <bit>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"

#include "ccengine/core/engine.h"
#include "core/decision.h"
#include "core/skills.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::Bitset;
using internal::ContactRec;
using internal::Excludes;
using internal::GroupRec;
using internal::kIdleWalkBackoff;
using internal::kLeastOccupied;
using internal::kLongestIdle;
using internal::kNoSlot;
using internal::kRandom;
using internal::kWeightedRandom;
using internal::MeetsAll;
using internal::QueueRec;
using internal::TimerKind;

namespace {

// Visits the set bits of sets[0] AND … AND sets[N-1], word by word; N is a
// constant so the AND unrolls (the bare-kernel shape).
template <int N, typename F>
void AndScan(const uint64_t* const* sets, size_t words, F&& visit) {
  for (size_t w = 0; w < words; ++w) {
    uint64_t x = sets[0][w];
    for (int i = 1; i < N; ++i) x &= sets[i][w];
    for (; x != 0; x &= x - 1) visit(static_cast<uint32_t>(w * 64 + std::countr_zero(x)));
  }
}

template <typename F>
void AndScanN(const uint64_t* const* sets, size_t n, size_t words, F&& visit) {
  for (size_t w = 0; w < words; ++w) {
    uint64_t x = sets[0][w];
    for (size_t i = 1; i < n && x != 0; ++i) x &= sets[i][w];
    for (; x != 0; x &= x - 1) visit(static_cast<uint32_t>(w * 64 + std::countr_zero(x)));
  }
}

// The strategy's score; with `ex`, computed with its terms and recorded as
// a "ranked" candidate of the explanation.
double ScoreCandidate(AgentStrategy& strategy, const AgentView& agent,
                      const ContactView& contact, Micros now, Explanation* ex) {
  if (ex == nullptr) return strategy.Score(agent, contact, now);
  ExplainedCandidate& e = ex->candidates.emplace_back();
  e.agent = agent.id;
  e.contact = contact.id;
  e.score = strategy.ScoreTerms(agent, contact, now, e.terms);
  e.verdict = "ranked";
  return e.score;
}

// The agents' order in a contact-arrives decision: the higher score, then
// the agent idle the longest, then the lower id — never memory layout.
inline bool Beats(const AgentRec& a, double score, const AgentRec& best,
                  double best_score) {
  if (score != best_score) return score > best_score;
  if (a.idle_since != best.idle_since) return a.idle_since < best.idle_since;
  return a.id < best.id;
}

}  // namespace

double Engine::AgedScore(const ContactRec& c, const QueueRec& q) const {
  return q.config.aging_weight * static_cast<double>(now_ - c.arrived) +
         static_cast<double>(class_weight_) * (c.priority + q.config.priority);
}

bool Engine::Qualifies(const AgentRec& a, const ContactRec& c, int step) const {
  if (!MeetsAll(a.skills, c.skills)) return false;
  const QueueRec& q = queues_[c.queue];
  for (int k = 0; k <= step; ++k) {
    if (MeetsAll(a.skills, q.step_skills[k])) return true;
  }
  return false;
}

ContactView Engine::ViewOf(const ContactRec& c) {
  const QueueRec& q = queues_[c.queue];
  scratch_skills_.assign(q.step_skills[0].begin(), q.step_skills[0].end());
  scratch_skills_.insert(scratch_skills_.end(), c.skills.begin(), c.skills.end());
  ContactView v;
  v.id = c.id;
  v.queue = QueueId(c.queue);
  v.channel = c.channel;
  v.priority = c.priority + q.config.priority;
  v.skills = scratch_skills_;
  v.arrived = c.arrived;
  v.queued_at = c.queued_at;
  return v;
}

template <typename F>
void Engine::ScanPool(const ContactRec& c, const Bitset& ready, F&& visit) {
  const QueueRec& q = queues_[c.queue];
  const size_t words = ready.word_count();
  // The per-(skill, level) sets make the AND exact: every surviving bit is an
  // agent that meets the levels. With one routing step in force (the common
  // case) the pool is a single conjunction, scanned by an unrolled kernel.
  absl::InlinedVector<const uint64_t*, 8> all{ready.data()};
  for (const SkillRequirement& r : c.skills) all.push_back(SkillSet(r).data());
  if (c.step == 0) {
    for (const SkillRequirement& r : q.step_skills[0]) all.push_back(SkillSet(r).data());
    switch (all.size()) {
      case 1: AndScan<1>(all.data(), words, visit); break;
      case 2: AndScan<2>(all.data(), words, visit); break;
      case 3: AndScan<3>(all.data(), words, visit); break;
      case 4: AndScan<4>(all.data(), words, visit); break;
      case 5: AndScan<5>(all.data(), words, visit); break;
      default: AndScanN(all.data(), all.size(), words, visit); break;
    }
    return;
  }
  // Several steps: (ready AND own) AND (step 0 OR step 1 OR …).
  absl::InlinedVector<const uint64_t*, 16> steps;  // null ends a step
  for (int k = 0; k <= c.step; ++k) {
    for (const SkillRequirement& r : q.step_skills[k])
      steps.push_back(SkillSet(r).data());
    steps.push_back(nullptr);
  }
  for (size_t w = 0; w < words; ++w) {
    for (uint64_t pool = internal::PoolWord(w, all, steps); pool != 0; pool &= pool - 1) {
      visit(static_cast<uint32_t>(w * 64 + std::countr_zero(pool)));
    }
  }
}

bool Engine::TryMatchContact(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  if (c.preferring) [[unlikely]]
    return TryMatchPreferred(contact);
  const QueueRec& q = queues_[c.queue];
  const bool explain = Wants(EventType::kDecisionExplained);
  if (q.full_decision || explain) {
    scratch_candidates_.clear();
    ScanPool(c, agent_index_.CanTake(c.channel),
             [this](uint32_t slot) { scratch_candidates_.push_back(slot); });
    uint32_t best = ChooseAmongCandidates(contact, explain);
    if (best == kNoSlot) return false;
    Offer(best, contact);
    return true;
  }
  // The indexed strategies. Longest idle and least occupied: while no agent
  // holding contacts can be in the pool, every member is free, with the same
  // load (none), so both pick the longest-idle member and the free lists
  // answer (FirstIdleInPool). Fewest handled, round robin, best proficiency:
  // the group's heaps, under the same condition. A miss sends a queue's next
  // few decisions straight to the scan.
  const uint32_t strategy_id = q.strategy.value();
  if (strategy_id == kRandom || strategy_id == kWeightedRandom) {
    const uint32_t drawn = RandomInPool(c, strategy_id == kWeightedRandom);
    if (drawn == kNoSlot) return false;
    Offer(drawn, contact);
    return true;
  }
  const bool idle_ordered = strategy_id == kLongestIdle || strategy_id == kLeastOccupied;
  if (idle_ordered || KeyedStrategy(strategy_id)) {
    uint32_t& backoff = queues_[c.queue].idle_walk_backoff;
    if (backoff == 0) {
      const uint32_t found = idle_ordered ? FirstIdleInPool(c) : FirstKeyedInPool(c);
      if (found == kNoSlot) return false;
      if (found != kWalkedTooFar) {
        Offer(found, contact);
        return true;
      }
      backoff = kIdleWalkBackoff;
    } else {
      --backoff;
    }
  }
  if (q.strategy.value() == kLongestIdle) {
    // No virtual call: the earliest idle_since wins, then the lower id
    // (Beats' order, as score = now − idle_since), from the packed idle
    // times; the full record is read only for exclusions and exact ties.
    const Micros* idle = agent_index_.idle_since_data();
    uint32_t best = kNoSlot;
    Micros best_idle = std::numeric_limits<Micros>::max();
    // One kernel, instantiated with and without the exclusion check (most
    // contacts exclude nobody).
    auto scan = [&](auto check_excluded) {
      ScanPool(c, agent_index_.CanTake(c.channel),
               [&](uint32_t slot) CCENGINE_INLINE_LAMBDA {
                 if constexpr (decltype(check_excluded)::value) {
                   if (Excludes(c, agents_[slot].id)) return;
                 }
                 const Micros t = idle[slot];
                 if (t == best_idle) [[unlikely]] {  // a tie: the lower id
                   if (agents_[slot].id < agents_[best].id) best = slot;
                   return;
                 }
                 // Conditional moves, not a branch: which agent beats the
                 // best so far is a coin toss the predictor cannot learn.
                 const bool better = t < best_idle;
                 best = better ? slot : best;
                 best_idle = better ? t : best_idle;
               });
    };
    if (c.excluded.empty()) {
      scan(std::false_type{});
    } else {
      scan(std::true_type{});
    }
    if (best == kNoSlot) return false;
    Offer(best, contact);
    return true;
  }
  AgentStrategy& strategy = *strategies_[q.strategy.value()];
  const ContactView view = ViewOf(c);
  uint32_t best = kNoSlot;
  double best_score = 0;
  auto consider = [&](uint32_t slot) CCENGINE_INLINE_LAMBDA {
    const AgentRec& a = agents_[slot];
    if (!c.excluded.empty() && Excludes(c, a.id)) return;
    double score = strategy.Score(ViewOf(a), view, now_);
    if (best == kNoSlot || Beats(a, score, agents_[best], best_score)) {
      best = slot;
      best_score = score;
    }
  };
  ScanPool(c, agent_index_.CanTake(c.channel), consider);
  if (best == kNoSlot) return false;
  Offer(best, contact);
  return true;
}

uint32_t Engine::ChooseAmongCandidates(uint32_t contact, bool explain) {
  ContactRec& c = contacts_[contact];
  const QueueRec& q = queues_[c.queue];
  AgentStrategy& strategy = *strategies_[q.strategy.value()];
  const FairnessGuards& guards = q.config.guards;
  std::shared_ptr<Explanation> ex;
  if (explain) {
    ex = std::make_shared<Explanation>();
    ex->direction = Explanation::Direction::kContactArrived;
    ex->contact = c.id;
    ex->queue = QueueId(c.queue);
    ex->strategy = strategy_names_[q.strategy.value()];
    ex->step = c.step;
  }
  auto note = [&](uint32_t slot, const char* verdict) {
    if (!ex) return;
    ExplainedCandidate& e = ex->candidates.emplace_back();
    e.agent = agents_[slot].id;
    e.contact = c.id;
    e.verdict = verdict;
  };
  // Agents that rejected or missed this contact are out.
  size_t n = 0;
  for (uint32_t slot : scratch_candidates_) {
    if (!c.excluded.empty() && Excludes(c, agents_[slot].id)) {
      note(slot, "excluded");
    } else {
      scratch_candidates_[n++] = slot;
    }
  }
  scratch_candidates_.resize(n);
  if (n == 0) return kNoSlot;

  ContactView view = ViewOf(c);
  view.candidates = static_cast<int>(n);
  const bool quality = strategy.UsesQuality();
  uint32_t best = kNoSlot;
  std::string rule;
  if (guards.exploration > 0 &&
      std::uniform_real_distribution<double>(0, 1)(guard_rng_) < guards.exploration) {
    best =
        scratch_candidates_[std::uniform_int_distribution<size_t>(0, n - 1)(guard_rng_)];
    if (ex) {
      rule = fmt::format("exploration: uniform among {} eligible free agents", n);
      for (uint32_t slot : scratch_candidates_)
        note(slot, slot == best ? "chosen" : "not drawn");
    }
  } else {
    // Guards pass agents over only while another candidate remains.
    std::vector<GuardedCandidate>& cands = scratch_guarded_;
    cands.clear();
    int max_level = 0;
    for (uint32_t slot : scratch_candidates_) {
      AgentRec& a = agents_[slot];
      const AgentView av = ViewOf(a);
      int level = 0;
      for (const SkillRequirement& r : view.skills) level += av.Level(r.skill);
      max_level = std::max(max_level, level);
      cands.push_back({slot, track_work_ ? WindowOccupancy(a) : 0.0, level, false});
    }
    std::vector<std::string> fired;
    if (guards.occupancy_cap < 1.0 &&
        std::any_of(cands.begin(), cands.end(), [&](const GuardedCandidate& x) {
          return x.occupancy < guards.occupancy_cap;
        })) {
      size_t passed = 0;
      for (GuardedCandidate& x : cands) {
        if (x.occupancy >= guards.occupancy_cap) {
          x.out = true;
          ++passed;
          note(x.slot, "occupancy_cap");
        }
      }
      if (passed > 0 && ex)
        fired.push_back(
            fmt::format("occupancy cap {} passed over {}", guards.occupancy_cap, passed));
    }
    if (guards.max_occupancy_spread < 1.0) {
      std::vector<double>& lowest = scratch_lowest_;
      lowest.assign(static_cast<size_t>(max_level) + 1, 2.0);
      for (const GuardedCandidate& x : cands) {
        if (!x.out) lowest[x.level] = std::min(lowest[x.level], x.occupancy);
      }
      size_t passed = 0;
      for (GuardedCandidate& x : cands) {
        if (!x.out && x.occupancy > lowest[x.level] + guards.max_occupancy_spread) {
          x.out = true;
          ++passed;
          note(x.slot, "occupancy_spread");
        }
      }
      if (passed > 0 && ex)
        fired.push_back(fmt::format("occupancy spread {} passed over {}",
                                    guards.max_occupancy_spread, passed));
    }
    const uint32_t strategy_id = q.strategy.value();
    const bool draws = strategy_id == kRandom || strategy_id == kWeightedRandom;
    if (draws) {
      // The indexed decision's draw (RandomInPool) over the candidates the
      // guards left, in slot order: the same agent when no guard fired.
      size_t kept = 0;
      for (const GuardedCandidate& x : cands) {
        if (!x.out) scratch_candidates_[kept++] = x.slot;
      }
      const bool weighted = strategy_id == kWeightedRandom;
      std::mt19937_64& rng =
          weighted ? static_cast<WeightedRandomStrategy&>(strategy).generator()
                   : static_cast<RandomStrategy&>(strategy).generator();
      if (kept > 0) {
        best = internal::DrawAgent(
            rng, kept, weighted ? MaxAgentWeight() : 0.0,
            [this](uint64_t i) { return scratch_candidates_[i]; },
            [this, kept](auto&& visit) {
              for (size_t i = 0; i < kept; ++i) {
                if (visit(scratch_candidates_[i])) return;
              }
            },
            [this](uint32_t slot) { return agents_[slot].weight; });
      }
      if (ex) {
        rule = weighted
                   ? fmt::format(
                         "weighted_random: drawn in proportion to the weights "
                         "of {} eligible free agents",
                         kept)
                   : fmt::format("random: uniform among {} eligible free agents", kept);
        for (const std::string& f : fired) rule += "; " + f;
        for (const GuardedCandidate& x : cands) {
          if (!x.out) note(x.slot, x.slot == best ? "chosen" : "not drawn");
        }
      }
    }
    double best_score = 0;
    for (const GuardedCandidate& x : cands) {
      if (x.out || draws) continue;
      const AgentRec& a = agents_[x.slot];
      AgentView v = ViewOf(a);
      if (quality) {
        FillQuality(a, view.skills, v);
        v.occupancy = x.occupancy;
      }
      double score = ScoreCandidate(strategy, v, view, now_, ex.get());
      if (best == kNoSlot || Beats(a, score, agents_[best], best_score)) {
        best = x.slot;
        best_score = score;
      }
    }
    if (ex && rule.empty()) {
      rule = strategy.Rule(view);
      for (const std::string& f : fired) rule += "; " + f;
    }
    // Waiting for a clearly better busy agent, within the strategy's bound.
    uint32_t awaited =
        quality && best != kNoSlot ? HoldFor(c, strategy, view, best) : kNoSlot;
    if (awaited != kNoSlot) {
      c.hold_until = c.queued_at + ToMicros(strategy.MaxHold());
      if (ex) {
        ex->agent = agents_[awaited].id;
        ex->rule = fmt::format(
            "{}; hold: waits until {}s in queue for agent {} (busy, clearly better than "
            "the best free agent {})",
            rule, absl::ToDoubleSeconds(strategy.MaxHold()), agents_[awaited].id.value(),
            agents_[best].id.value());
        for (ExplainedCandidate& e : ex->candidates) {
          if (e.verdict == "ranked") e.verdict = "held";
        }
        EmitExplanation(std::move(ex));
      }
      return kNoSlot;
    }
    if (ex) {
      for (ExplainedCandidate& e : ex->candidates) {
        if (e.verdict == "ranked" && e.agent == agents_[best].id) e.verdict = "chosen";
      }
    }
  }
  if (ex) {
    ex->agent = agents_[best].id;
    ex->rule = std::move(rule);
    EmitExplanation(std::move(ex));
  }
  c.hold_until = 0;
  return best;
}

uint32_t Engine::HoldFor(const ContactRec& c, const AgentStrategy& strategy,
                         const ContactView& view, uint32_t best_free) {
  const Micros max_hold = ToMicros(strategy.MaxHold());
  if (max_hold <= 0 || now_ - c.queued_at >= max_hold) return kNoSlot;
  const AgentRec& free_agent = agents_[best_free];
  AgentView best = ViewOf(free_agent);
  FillQuality(free_agent, view.skills, best);
  uint32_t awaited = kNoSlot;
  // Working agents of the pool that cannot take it now: busy, ringing or in
  // wrap-up (not those who are not ready: they may not come back soon).
  const Bitset& ready = agent_index_.CanTake(c.channel);
  ScanPool(c, agent_index_.logged_in(), [&](uint32_t slot) {
    const AgentRec& a = agents_[slot];
    if (awaited != kNoSlot || ready.Test(slot) || !a.ready) return;
    if (!c.excluded.empty() && Excludes(c, a.id)) return;
    AgentView v = ViewOf(a);
    FillQuality(a, view.skills, v);
    if (strategy.WorthWaitingFor(v, best, view)) awaited = slot;
  });
  return awaited;
}

void Engine::EmitExplanation(std::shared_ptr<Explanation> explanation) {
  Event e = MakeEvent(EventType::kDecisionExplained);
  e.contact = explanation->contact;
  e.has_contact = true;
  e.agent = explanation->agent;
  e.has_agent = true;
  e.queue = explanation->queue;
  e.step = explanation->step;
  e.explanation = std::move(explanation);
  Emit(e);
}

// While a preference is in force the candidates are the preferred agents
// (at most kMaxPreferredAgents plus the last agent): each is checked as the
// bitset scan would (can take the channel now, qualifies at the contact's
// step, not excluded) and the queue's strategy picks among them.
// Out of line, so that the common path's code stays as it was.
[[gnu::noinline]] bool Engine::TryMatchPreferred(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  const QueueRec& q = queues_[c.queue];
  const Bitset& ready = agent_index_.CanTake(c.channel);
  AgentStrategy& strategy = *strategies_[q.strategy.value()];
  const bool longest_idle = q.strategy.value() == kLongestIdle;
  const bool quality = strategy.UsesQuality();
  std::shared_ptr<Explanation> ex;
  if (Wants(EventType::kDecisionExplained)) {
    ex = std::make_shared<Explanation>();
    ex->contact = c.id;
    ex->queue = QueueId(c.queue);
    ex->strategy = strategy_names_[q.strategy.value()];
    ex->step = c.step;
  }
  // Which preferred agents could take it now (and why not, when explaining).
  absl::InlinedVector<uint32_t, 4> able;
  for (AgentId id : c.preferred) {
    uint32_t slot = AgentSlot(id);
    const char* verdict = nullptr;
    if (slot == kNoSlot || !ready.Test(slot)) {
      verdict = "not free";
    } else if (Excludes(c, id)) {
      verdict = "excluded";
    } else if (!Qualifies(agents_[slot], c, c.step)) {
      verdict = "not qualified";
    } else {
      able.push_back(slot);
    }
    if (ex && verdict != nullptr) {
      ExplainedCandidate& e = ex->candidates.emplace_back();
      e.agent = id;
      e.contact = c.id;
      e.verdict = verdict;
    }
  }
  ContactView view;
  if (!longest_idle || ex) view = ViewOf(c);
  view.candidates = static_cast<int>(able.size());
  uint32_t best = kNoSlot;
  double best_score = 0;
  for (uint32_t slot : able) {
    const AgentRec& a = agents_[slot];
    double score;
    if (longest_idle && !ex) {
      score = static_cast<double>(now_ - agent_index_.idle_since(slot));
    } else {
      AgentView v = ViewOf(a);
      if (quality) {
        FillQuality(a, view.skills, v);
        v.occupancy = track_work_ ? WindowOccupancy(agents_[slot]) : 0.0;
      }
      score = ScoreCandidate(strategy, v, view, now_, ex.get());
    }
    if (best == kNoSlot || Beats(a, score, agents_[best], best_score)) {
      best = slot;
      best_score = score;
    }
  }
  if (best == kNoSlot) return false;
  if (ex) {
    ex->agent = agents_[best].id;
    ex->rule =
        fmt::format("preferred agents only ({}s of the preference left); {}",
                    static_cast<double>(c.pref_until - now_) / 1e6, strategy.Rule(view));
    for (ExplainedCandidate& e : ex->candidates) {
      if (e.verdict == "ranked" && e.agent == ex->agent) e.verdict = "chosen";
    }
    EmitExplanation(std::move(ex));
  }
  Offer(best, contact);
  return true;
}

void Engine::TryMatchAgent(uint32_t agent) {
  const AgentRec& a = agents_[agent];
  // channel_mask == 0: no channel has room (e.g. just answered a voice call).
  if (!a.live || !a.logged_in || !a.ready || a.offer != kNoSlot || a.wrap_until != 0 ||
      a.channel_mask == 0) {
    return;
  }
  // Most agents free up with nobody waiting for them: say so before the
  // decision's set-up.
  bool waiting = false;
  for (const auto& [g, min_step] : a.served) waiting |= groups_[g].size != 0;
  if (waiting) ChooseWaitingContact(agent);
}

void Engine::ChooseWaitingContact(uint32_t agent) {
  const AgentRec& a = agents_[agent];
  uint32_t best = kNoSlot;
  double best_score = 0;
  std::shared_ptr<Explanation> ex;
  if (Wants(EventType::kDecisionExplained)) ex = std::make_shared<Explanation>();
  for (const auto& [g, min_step] : a.served) {
    const GroupRec& group = groups_[g];
    if (group.size == 0 || !agent_index_.CanTake(group.channel).Test(agent)) {
      continue;
    }
    const QueueRec& q = queues_[group.queue];
    // Contacts at step `min_step` or later may go to this agent; in each
    // (step, class) set only the oldest that did not exclude it can win.
    for (size_t step = min_step; step < group.nonempty.size(); ++step) {
      uint32_t mask = group.nonempty[step];
      while (mask != 0) {
        int cls = std::countr_zero(mask);
        mask &= mask - 1;
        for (const internal::WaitKey& k : group.Set(static_cast<int>(step), cls)) {
          const ContactRec& c = contacts_[k.slot];
          if (Excludes(c, a.id)) continue;
          // Reserved for a preferred agent: not this one's to take (yet).
          if (c.preferring && !Prefers(c, a.id)) [[unlikely]]
            continue;
          double score = AgedScore(c, q);
          if (ex) {
            ExplainedCandidate& e = ex->candidates.emplace_back();
            e.agent = a.id;
            e.contact = c.id;
            e.score = score / 1e6;
            e.verdict = "ranked";
            e.terms = {{"waited_s", static_cast<double>(now_ - c.arrived) / 1e6},
                       {"aging_weight", q.config.aging_weight},
                       {"class", static_cast<double>(c.priority + q.config.priority)},
                       {"class_weight_s", static_cast<double>(class_weight_) / 1e6},
                       {"score", score / 1e6}};
          }
          if (best == kNoSlot || score > best_score ||
              (score == best_score && c.seq < contacts_[best].seq)) {
            best = k.slot;
            best_score = score;
          }
          break;  // the rest of this set is younger
        }
      }
    }
  }
  if (best == kNoSlot) return;
  if (ex) {
    const ContactRec& c = contacts_[best];
    ex->direction = Explanation::Direction::kAgentFreed;
    ex->contact = c.id;
    ex->agent = a.id;
    ex->queue = QueueId(c.queue);
    ex->strategy = strategy_names_[queues_[c.queue].strategy.value()];
    ex->step = c.step;
    ex->rule =
        "agent freed: the waiting contact with the highest aged score "
        "(aging_weight × waited + class × class weight)";
    for (ExplainedCandidate& e : ex->candidates) {
      if (e.contact == c.id) e.verdict = "chosen";
    }
    EmitExplanation(std::move(ex));
  }
  Offer(agent, best);
}

void Engine::Offer(uint32_t agent, uint32_t contact) {
  ContactRec& c = contacts_[contact];
  AgentRec& a = agents_[agent];
  const QueueRec& q = queues_[c.queue];
  RemoveWaiting(contact);
  SetContactState(c, ContactState::kOffered);
  AttachContact(agent, contact);
  a.offer = contact;
  a.last_offer_seq = ++offer_seq_;
  c.offer_id = offer_seq_;
  c.offer_token = timers_.NewToken();
  if (q.offer_timeout_us != kNever && !a.auto_accept) {
    Schedule(now_ + q.offer_timeout_us, TimerKind::kOfferTimeout, contact, c.offer_token);
  }
  if (strategy_observes_offers_[q.strategy.value()]) {
    strategies_[q.strategy.value()]->OnOffered(ViewOf(a), ViewOf(c), now_);
  }
  if (Wants(EventType::kOffered)) {
    Event e = MakeChannelEvent(EventType::kOffered, c, agent);
    e.priority = c.priority;
    e.step = c.step;
    Emit(e);
  }
  // Auto-accept: answered in the same step, so the agent is never reported
  // as reserved (one state change, available → busy).
  if (a.auto_accept) return Connect(agent, contact);
  SyncAgent(agent);
}

}  // namespace ccengine
