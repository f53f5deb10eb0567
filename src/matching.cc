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

#include "absl/container/inlined_vector.h"
#include <utility>

#include "ccengine/engine.h"

namespace ccengine {

using internal::AgentRec;
using internal::Bitset;
using internal::ContactRec;
using internal::GroupRec;
using internal::kNoSlot;
using internal::QueueRec;
using internal::TimerKind;

namespace {

bool MeetsAll(absl::Span<const SkillLevel> have,
              const std::vector<SkillRequirement>& need) {
  auto h = have.begin();
  for (const SkillRequirement& r : need) {
    while (h != have.end() && h->skill < r.skill) ++h;
    if (h == have.end() || h->skill != r.skill || h->level < r.level) {
      return false;
    }
  }
  return true;
}

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

bool Excludes(const ContactRec& c, AgentId agent) {
  return std::find(c.excluded.begin(), c.excluded.end(), agent) !=
         c.excluded.end();
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
  return v;
}

bool Engine::TryMatchContact(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  if (c.preferring) [[unlikely]] return TryMatchPreferred(contact);
  const QueueRec& q = queues_[c.queue];
  const Bitset& ready = can_take_[static_cast<int>(c.channel)];
  const size_t words = ready.word_count();
  AgentStrategy& strategy = *strategies_[q.strategy.value()];
  const bool longest_idle = q.strategy.value() == 0;  // registered first
  ContactView view;
  if (!longest_idle) view = ViewOf(c);

  uint32_t best = kNoSlot;
  double best_score = 0;
  const Micros* idle = idle_since_.data();
  auto consider = [&](uint32_t slot) {
    // The default strategy needs no virtual call and reads only the packed
    // idle times: the earliest idle_since wins; the full record is read only
    // for exclusions and exact ties.
    if (longest_idle && best != kNoSlot && idle[slot] > idle[best]) return;
    const AgentRec& a = agents_[slot];
    if (!c.excluded.empty() && Excludes(c, a.id)) return;
    double score = longest_idle ? static_cast<double>(now_ - idle[slot])
                                : strategy.Score(ViewOf(a), view, now_);
    if (best == kNoSlot || score > best_score ||
        (score == best_score &&
         (a.idle_since < agents_[best].idle_since ||
          (a.idle_since == agents_[best].idle_since && a.id < agents_[best].id)))) {
      best = slot;
      best_score = score;
    }
  };

  // The per-(skill, level) sets make the AND exact: every surviving bit is an
  // agent that meets the levels. With one routing step in force (the common
  // case) the pool is a single conjunction, scanned by an unrolled kernel.
  absl::InlinedVector<const uint64_t*, 8> all{ready.data()};
  for (const SkillRequirement& r : c.skills) all.push_back(SkillSet(r).data());
  if (c.step == 0) {
    for (const SkillRequirement& r : q.step_skills[0]) all.push_back(SkillSet(r).data());
    switch (all.size()) {
      case 1: AndScan<1>(all.data(), words, consider); break;
      case 2: AndScan<2>(all.data(), words, consider); break;
      case 3: AndScan<3>(all.data(), words, consider); break;
      case 4: AndScan<4>(all.data(), words, consider); break;
      case 5: AndScan<5>(all.data(), words, consider); break;
      default: AndScanN(all.data(), all.size(), words, consider); break;
    }
  } else {
    // Several steps: (ready AND own) AND (step 0 OR step 1 OR …).
    absl::InlinedVector<const uint64_t*, 16> steps;  // null ends a step
    for (int k = 0; k <= c.step; ++k) {
      for (const SkillRequirement& r : q.step_skills[k]) steps.push_back(SkillSet(r).data());
      steps.push_back(nullptr);
    }
    for (size_t w = 0; w < words; ++w) {
      uint64_t base = ~uint64_t{0};
      for (const uint64_t* set : all) base &= set[w];
      if (base == 0) continue;
      uint64_t pool = 0, step_bits = base;
      for (const uint64_t* set : steps) {
        if (set == nullptr) {
          pool |= step_bits;
          step_bits = base;
        } else {
          step_bits &= set[w];
        }
      }
      for (; pool != 0; pool &= pool - 1) {
        consider(static_cast<uint32_t>(w * 64 + std::countr_zero(pool)));
      }
    }
  }
  if (best == kNoSlot) return false;
  Offer(best, contact);
  return true;
}

// While a preference is in force the candidates are the preferred agents
// (at most kMaxPreferredAgents plus the last agent): each is checked as the
// bitset scan would (can take the channel now, qualifies at the contact's
// step, not excluded) and the queue's strategy picks among them.
// Out of line, so that the common path's code stays as it was.
[[gnu::noinline]] bool Engine::TryMatchPreferred(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  const QueueRec& q = queues_[c.queue];
  const Bitset& ready = can_take_[static_cast<int>(c.channel)];
  AgentStrategy& strategy = *strategies_[q.strategy.value()];
  const bool longest_idle = q.strategy.value() == 0;
  ContactView view;
  if (!longest_idle) view = ViewOf(c);
  uint32_t best = kNoSlot;
  double best_score = 0;
  for (AgentId id : c.preferred) {
    uint32_t slot = AgentSlot(id);
    if (slot == kNoSlot || !ready.Test(slot)) continue;
    const AgentRec& a = agents_[slot];
    if (Excludes(c, a.id) || !Qualifies(a, c, c.step)) continue;
    double score = longest_idle ? static_cast<double>(now_ - idle_since_[slot])
                                : strategy.Score(ViewOf(a), view, now_);
    if (best == kNoSlot || score > best_score ||
        (score == best_score &&
         (a.idle_since < agents_[best].idle_since ||
          (a.idle_since == agents_[best].idle_since && a.id < agents_[best].id)))) {
      best = slot;
      best_score = score;
    }
  }
  if (best == kNoSlot) return false;
  Offer(best, contact);
  return true;
}

void Engine::TryMatchAgent(uint32_t agent) {
  AgentRec& a = agents_[agent];
  if (!a.live || !a.logged_in || !a.ready || a.offer != kNoSlot ||
      a.wrap_until != 0) {
    return;
  }
  uint32_t best = kNoSlot;
  double best_score = 0;
  for (const auto& [g, min_step] : a.served) {
    const GroupRec& group = groups_[g];
    if (group.size == 0 || !can_take_[static_cast<int>(group.channel)].Test(agent)) {
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
          if (c.preferring && !Prefers(c, a.id)) [[unlikely]] continue;
          double score = AgedScore(c, q);
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
  if (best != kNoSlot) Offer(agent, best);
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
  c.offer_token = ++token_;
  if (q.config.offer_timeout != absl::InfiniteDuration()) {
    Schedule(now_ + ToMicros(q.config.offer_timeout), TimerKind::kOfferTimeout,
             contact, c.offer_token);
  }
  strategies_[q.strategy.value()]->OnOffered(ViewOf(a), ViewOf(c), now_);
  Event e = MakeEvent(EventType::kOffered);
  e.contact = c.id;
  e.has_contact = true;
  e.agent = a.id;
  e.has_agent = true;
  e.queue = QueueId(c.queue);
  e.channel = c.channel;
  e.priority = c.priority;
  e.step = c.step;
  Emit(std::move(e));
  SyncAgent(agent);
}

}  // namespace ccengine
