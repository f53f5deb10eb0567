// Engine::CheckInvariants: every index recomputed from the records and
// compared, plus the invariants every test relies on (docs/design.md): no
// contact offered twice, no agent over capacity, the books balance.

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "ccengine/core/engine.h"
#include "core/skills.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::GroupRec;
using internal::kNoSlot;

namespace {

bool HasSkill(const std::vector<SkillLevel>& skills, SkillId skill) {
  const SkillRequirement any{skill, kMinProficiency};
  return internal::MeetsAll(skills, {&any, 1});
}

absl::Status Broken(const std::string& what) {
  return absl::InternalError(fmt::format("invariant broken: {}", what));
}

}  // namespace

absl::Status Engine::CheckInvariants() const {
  // Contacts: index, states, accounting.
  Accounting live{};
  size_t live_contacts = 0;
  size_t preferring = 0;
  absl::flat_hash_map<uint32_t, uint32_t> holder;  // contact slot -> agent slot
  for (uint32_t slot = 0; slot < contacts_.size(); ++slot) {
    const ContactRec& c = contacts_[slot];
    if (!c.live) continue;
    ++live_contacts;
    if (ContactSlot(c.id) != slot) {
      return Broken(fmt::format("contact {} not indexed at its slot", c.id.value()));
    }
    switch (c.state) {
      case ContactState::kWaiting:
        ++live.waiting;
        if (!c.in_group || c.agent != kNoSlot) {
          return Broken(fmt::format("waiting contact {} not in line", c.id.value()));
        }
        break;
      case ContactState::kOffered:
      case ContactState::kInService: {
        c.state == ContactState::kOffered ? ++live.offered : ++live.in_service;
        if (c.in_group || c.agent == kNoSlot || !agents_[c.agent].live) {
          return Broken(fmt::format("contact {} has no agent", c.id.value()));
        }
        const AgentRec& a = agents_[c.agent];
        if ((c.state == ContactState::kOffered) != (a.offer == slot)) {
          return Broken(fmt::format("contact {} offer mismatch with agent {}",
                                    c.id.value(), a.id.value()));
        }
        break;
      }
      default:
        return Broken(fmt::format("live contact {} in terminal state {}", c.id.value(),
                                  ContactStateName(c.state)));
    }
    // Preference: in force only before service, registered, and while
    // waiting only inside its window and with a preferred agent able to
    // take it; a ringing preferred contact rings at a preferred agent.
    if (c.preferring != preferring_.contains(slot)) {
      return Broken(fmt::format("contact {} preference not registered", c.id.value()));
    }
    if (c.preferring) {
      ++preferring;
      if (c.state == ContactState::kInService || c.pref_grace) {
        return Broken(fmt::format("contact {} prefers agents in state {}", c.id.value(),
                                  ContactStateName(c.state)));
      }
      if (c.state == ContactState::kWaiting &&
          (now_ >= c.pref_until || !PreferenceViable(c))) {
        return Broken(fmt::format(
            "contact {} still waits for a preferred agent (window {}, viable {})",
            c.id.value(), now_ < c.pref_until, PreferenceViable(c)));
      }
      if (c.state == ContactState::kOffered && !Prefers(c, agents_[c.agent].id)) {
        return Broken(
            fmt::format("contact {} offered outside its preference", c.id.value()));
      }
    } else if (!c.preferred.empty()) {
      return Broken(fmt::format("contact {} keeps an ended preference", c.id.value()));
    }
    if (c.callback && c.channel != Channel::kCallback) {
      return Broken(fmt::format("callback {} not on the callback channel", c.id.value()));
    }
    // Fallback targets: a timer while one is left, none once answered, a
    // due move only while ringing, and none overdue while waiting.
    if ((c.fallback_token != 0) != !c.fallbacks.empty() ||
        (!c.fallbacks.empty() && c.fallback_next >= c.fallbacks.size())) {
      return Broken(fmt::format("contact {} fallback bookkeeping", c.id.value()));
    }
    if (c.state == ContactState::kInService && !c.fallbacks.empty()) {
      return Broken(fmt::format("contact {} keeps fallbacks in service", c.id.value()));
    }
    if (c.fallback_due && c.state != ContactState::kOffered) {
      return Broken(fmt::format("contact {} has a due fallback in state {}", c.id.value(),
                                ContactStateName(c.state)));
    }
    if (c.state == ContactState::kWaiting && c.fallback_token != 0 &&
        now_ >= c.fallback_at) {
      return Broken(fmt::format("contact {} waits past its fallback", c.id.value()));
    }
  }
  if (live_contacts != contact_ids_.size()) return Broken("contact index size");
  if (preferring != preferring_.size()) return Broken("preference registry size");
  if (absl::Status st = ledger_.Check(live.waiting, live.offered, live.in_service);
      !st.ok()) {
    return Broken(std::string(st.message()));
  }

  // Agents: capacity, contacts held once, bitsets.
  size_t live_agents = 0;
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    // The groups it serves, each at its lowest step, in group order (as
    // ComputeServed makes them, whichever path kept them since).
    if (a.live) {
      std::vector<std::pair<uint32_t, uint8_t>> served;
      for (uint32_t g = 0; g < groups_.size(); ++g) {
        const int step = MinStep(a, groups_[g]);
        if (step >= 0) served.emplace_back(g, static_cast<uint8_t>(step));
      }
      if (served != a.served)
        return Broken(fmt::format("served groups of slot {}", slot));
    }
    for (size_t s = 0; s < agent_index_.skill_count(); ++s) {
      int level = 0;
      for (const SkillLevel& l : a.skills) {
        if (l.skill.value() == s) level = l.level;
      }
      for (int k = kMinProficiency; k <= kMaxProficiency; ++k) {
        const SkillRequirement r{SkillId(static_cast<uint32_t>(s)),
                                 static_cast<uint8_t>(k)};
        if (agent_index_.HasSkillSet(r) &&
            agent_index_.SkillSet(r).Test(slot) != (a.live && level >= k)) {
          return Broken(fmt::format("skill bit {}>={} of slot {}", s, k, slot));
        }
      }
    }
    for (Channel ch : kAllChannels) {
      const uint32_t bit = 1u << static_cast<int>(ch);
      if (((a.channel_mask & bit) != 0) != CanTake(a, ch) ||
          (agent_index_.ChannelIndexed(ch) &&
           agent_index_.CanTake(ch).Test(slot) != CanTake(a, ch))) {
        return Broken(
            fmt::format("channel bit {} of agent {}", ChannelName(ch), a.id.value()));
      }
    }
    if (!a.live) continue;
    ++live_agents;
    if (AgentSlot(a.id) != slot) return Broken("agent index");
    std::array<uint32_t, kChannelCount> per_channel{};
    uint32_t load = 0;
    bool exclusive = false;
    for (uint32_t c : a.contacts) {
      if (!contacts_[c].live || contacts_[c].agent != slot) {
        return Broken(
            fmt::format("agent {} holds a contact not assigned to it", a.id.value()));
      }
      if (!holder.emplace(c, slot).second) {
        return Broken(
            fmt::format("contact {} held by two agents", contacts_[c].id.value()));
      }
      int ch = static_cast<int>(contacts_[c].channel);
      per_channel[ch]++;
      load += a.capacity.load_per_contact[ch];
      exclusive |= a.capacity.exclusive[ch];
    }
    if (exclusive && a.contacts.size() > 1) {
      return Broken(
          fmt::format("agent {} has an exclusive contact and others", a.id.value()));
    }
    for (int ch = 0; ch < kChannelCount; ++ch) {
      if (per_channel[ch] != a.active[ch] ||
          per_channel[ch] > a.capacity.max_per_channel[ch]) {
        return Broken(fmt::format("agent {} over capacity on {}", a.id.value(),
                                  ChannelName(static_cast<Channel>(ch))));
      }
    }
    if (load != a.load || load > a.capacity.load_budget) {
      return Broken(fmt::format("agent {} load {} (budget {})", a.id.value(), load,
                                a.capacity.load_budget));
    }
    if (!a.logged_in && !a.contacts.empty()) {
      return Broken(fmt::format("logged-out agent {} holds contacts", a.id.value()));
    }
    if (a.offer != kNoSlot && contacts_[a.offer].state != ContactState::kOffered) {
      return Broken(fmt::format("agent {} offer not in offered state", a.id.value()));
    }
  }
  if (live_agents != agent_ids_.size()) return Broken("agent index size");
  // The draw sets (random_pick.cc): for step k, exactly the agents able to
  // take the group's channel now that qualify at step k or earlier.
  size_t draw_groups = 0, draw_sets_in_use = 0;
  if (draw_refs_.size() > groups_.size()) return Broken("draw sets of unknown groups");
  for (uint32_t g = 0; g < draw_refs_.size(); ++g) {
    const GroupRec& group = groups_[g];
    const DrawRef& ref = draw_refs_[g];
    if (ref.first == kNoSlot) continue;
    ++draw_groups;
    draw_sets_in_use += ref.steps;
    if (ref.steps != queues_[group.queue].step_skills.size() ||
        ref.channel != static_cast<uint8_t>(group.channel))
      return Broken(fmt::format("draw sets of group {}: {} steps", g, ref.steps));
    const uint32_t channel = 1u << static_cast<int>(group.channel);
    for (uint32_t k = 0; k < ref.steps; ++k) {
      if (!draw_sets_.CountsHold(ref.first + k))
        return Broken(fmt::format("member counts of draw set {} of group {}", k, g));
      for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
        const AgentRec& a = agents_[slot];
        const int step = a.live ? MinStep(a, group) : -1;
        const bool member = (a.channel_mask & channel) != 0 && step >= 0 &&
                            static_cast<size_t>(step) <= k;
        if (draw_sets_.Test(ref.first + k, slot) != member) {
          return Broken(
              fmt::format("draw set {} of group {}: agent slot {}", k, g, slot));
        }
      }
    }
  }
  if (draw_groups != draw_groups_ || draw_sets_.live() != draw_sets_in_use)
    return Broken("count of groups keeping draw sets");
  // The idle order: exactly the free agents (a channel mask, no contact), by
  // idle_since, each with its current idle_since; the others able to take
  // work counted.
  size_t free = 0, listed = 0, loaded = 0;
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    const bool is_free = a.channel_mask != 0 && a.contacts.empty();
    const bool is_loaded = a.channel_mask != 0 && !a.contacts.empty();
    free += is_free;
    loaded += is_loaded;
    if (agent_index_.idle_order().Contains(slot) != is_free ||
        agent_index_.idle_order().Loaded(slot) != is_loaded) {
      return Broken(fmt::format("agent slot {} in the idle order: listed {}, loaded {}",
                                slot, agent_index_.idle_order().Contains(slot),
                                agent_index_.idle_order().Loaded(slot)));
    }
    if (a.live && agent_index_.idle_since(slot) != a.idle_since) {
      return Broken(fmt::format("agent {} idle_since not mirrored", a.id.value()));
    }
  }
  uint32_t previous = internal::IdleOrder::kEnd;
  for (uint32_t slot = agent_index_.idle_order().head();
       slot != internal::IdleOrder::kEnd; slot = agent_index_.idle_order().next(slot)) {
    if (++listed > free) return Broken("idle order longer than its agents");
    if (previous != internal::IdleOrder::kEnd &&
        agent_index_.idle_since(slot) < agent_index_.idle_since(previous)) {
      return Broken(fmt::format("idle order: agent {} listed after agent {}",
                                agents_[slot].id.value(), agents_[previous].id.value()));
    }
    previous = slot;
  }
  if (listed != free || agent_index_.idle_order().size() != free ||
      agent_index_.idle_order().loaded() != loaded) {
    return Broken("idle order size");
  }
  // Per skill, the free agents holding it in the longest-idle order, and
  // the loaded agents holding it counted.
  const internal::SkillIdleLists& lists = agent_index_.skill_idle();
  // Free and loaded holders of each skill, in one pass over the agents.
  std::vector<size_t> free_holders(lists.skill_count(), 0);
  std::vector<size_t> loaded_holders(lists.skill_count(), 0);
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    if (!a.live) continue;
    for (const SkillLevel& l : a.skills) {
      free_holders[l.skill.value()] += agent_index_.idle_order().Contains(slot);
      loaded_holders[l.skill.value()] += agent_index_.idle_order().Loaded(slot);
    }
  }
  for (uint32_t s = 0; s < lists.skill_count(); ++s) {
    const SkillId skill(s);
    const size_t holders_free = free_holders[s], holders_loaded = loaded_holders[s];
    size_t n = 0;
    uint32_t prev = internal::SkillIdleLists::kEnd;
    for (uint32_t node = lists.head(skill); node != internal::SkillIdleLists::kEnd;
         node = lists.next(node)) {
      const uint32_t slot = lists.slot(node);
      if (++n > holders_free || !agent_index_.idle_order().Contains(slot) ||
          !HasSkill(agents_[slot].skills, skill)) {
        return Broken(
            fmt::format("free list of skill {}: slot {} does not belong", s, slot));
      }
      if (prev != internal::SkillIdleLists::kEnd &&
          !agent_index_.IdleBefore(lists.slot(prev), slot)) {
        return Broken(fmt::format("free list of skill {}: agent {} out of order", s,
                                  agents_[slot].id.value()));
      }
      prev = node;
    }
    if (n != holders_free || lists.size(skill) != holders_free ||
        lists.loaded(skill) != holders_loaded) {
      return Broken(fmt::format("free list of skill {}: {} listed, {} free holders", s, n,
                                holders_free));
    }
  }
  // A tracked group's rings or heaps: exactly one valid entry for each free
  // agent that can take the group's channel, in the ring or heap of its
  // lowest step, with its current idle_since (and, in a heap, its current
  // score for the queue's strategy).
  for (uint32_t g = 0; g < groups_.size(); ++g) {
    const GroupRec& group = groups_[g];
    if (!group.tracked()) continue;
    const internal::QueueRec& q = queues_[group.queue];
    const size_t steps = group.free.empty() ? group.keyed.size() : group.free.size();
    if (steps != q.step_skills.size() || (!group.free.empty() && !group.keyed.empty()) ||
        (!group.keyed.empty() && !KeyedStrategy(q.strategy.value()))) {
      return Broken(fmt::format("group {}: {} rings, {} heaps", g, group.free.size(),
                                group.keyed.size()));
    }
    const uint32_t channel = 1u << static_cast<int>(group.channel);
    std::vector<int> want(agents_.size(), -1);
    size_t expected = 0;
    // The free agents are exactly the idle order's (checked above).
    for (uint32_t slot = agent_index_.idle_order().head();
         slot != internal::IdleOrder::kEnd; slot = agent_index_.idle_order().next(slot)) {
      const AgentRec& a = agents_[slot];
      if ((a.idle_channel_mask & channel) == 0) continue;
      want[slot] = MinStep(a, group);
      expected += want[slot] >= 0;
    }
    size_t found = 0;
    absl::Status status = absl::OkStatus();
    auto check = [&](size_t step, uint32_t slot, uint32_t epoch, Micros idle_since,
                     uint64_t id, const double* rank) {
      if (!status.ok() || agent_index_.idle_epoch(slot) != epoch) return;
      const AgentRec& a = agents_[slot];
      if (want[slot] != static_cast<int>(step) || idle_since != a.idle_since ||
          id != a.id.value() ||
          (rank != nullptr && *rank != FreeRank(q.strategy.value(), a, group))) {
        status = Broken(fmt::format("group {} step {}: stray entry for agent slot {}", g,
                                    step, slot));
        return;
      }
      want[slot] = -2;  // seen once
      ++found;
    };
    for (size_t step = 0; step < steps; ++step) {
      if (!group.free.empty()) {
        group.free[step].ForEach([&](const internal::FreeEntry& e) {
          check(step, e.slot, e.epoch, e.idle_since, e.id, nullptr);
        });
      } else {
        group.keyed[step].ForEach([&](const internal::KeyedEntry& e) {
          check(step, e.slot, e.epoch, e.idle_since, e.id, &e.rank);
        });
      }
      if (!status.ok()) return status;
    }
    if (found != expected) {
      return Broken(
          fmt::format("group {}: {} free agents in its rings or heaps, {} expected", g,
                      found, expected));
    }
  }
  if (holder.size() != live.offered + live.in_service) {
    return Broken("offered/in-service contacts not all held by an agent");
  }

  // Waiting groups.
  size_t in_groups = 0;
  std::vector<size_t> per_queue(queues_.size(), 0);
  for (uint32_t g = 0; g < groups_.size(); ++g) {
    const GroupRec& group = groups_[g];
    size_t n = 0;
    if (group.nonempty.size() != queues_[group.queue].step_after.size() ||
        group.sets.size() != group.nonempty.size() * internal::kPriorityClasses) {
      return Broken(fmt::format("group {} not sized for its queue's steps", g));
    }
    for (size_t step = 0; step < group.nonempty.size(); ++step) {
      for (int cls = 0; cls < internal::kPriorityClasses; ++cls) {
        const auto& set = group.Set(static_cast<int>(step), cls);
        if (((group.nonempty[step] >> cls) & 1u) != (set.empty() ? 0u : 1u)) {
          return Broken(fmt::format("group {} class mask", g));
        }
        for (const internal::WaitKey& k : set) {
          const ContactRec& c = contacts_[k.slot];
          if (!c.live || c.state != ContactState::kWaiting || c.group != g ||
              c.arrived != k.arrived || c.seq != k.seq || c.step != step ||
              c.priority + queues_[c.queue].config.priority != cls) {
            return Broken(fmt::format("group {} holds a stale entry", g));
          }
          ++n;
        }
      }
    }
    if (n != group.size) return Broken(fmt::format("group {} size", g));
    per_queue[group.queue] += n;
    in_groups += n;
  }
  if (in_groups != live.waiting) return Broken("waiting contacts not all in line");
  for (size_t q = 0; q < queues_.size(); ++q) {
    if (per_queue[q] != queues_[q].waiting) {
      return Broken(fmt::format("queue '{}' waiting count", queues_[q].config.name));
    }
    // Hours: the open flag follows the calendar, and a closed queue that
    // moves its line out holds no one.
    const internal::QueueRec& rec = queues_[q];
    bool open = !rec.config.hours.has_value() || rec.config.hours->IsOpen(Now());
    if (rec.open != open) {
      return Broken(fmt::format("queue '{}' open flag is {} at {}", rec.config.name,
                                rec.open, absl::FormatTime(Now())));
    }
    if (!rec.open && rec.config.move_waiting_at_close && rec.waiting > 0) {
      return Broken(fmt::format("closed queue '{}' holds {} waiting contacts",
                                rec.config.name, rec.waiting));
    }
  }

  // Work conservation: no contact waits while an eligible agent could take
  // it. Quadratic, so only on small engines.
  if (live.waiting * live_agents <= 4'000'000) {
    for (uint32_t cs = 0; cs < contacts_.size(); ++cs) {
      const ContactRec& c = contacts_[cs];
      if (!c.live || c.state != ContactState::kWaiting) continue;
      if (c.hold_until > now_) continue;  // waits for a better agent, bounded
      for (uint32_t as = 0; as < agents_.size(); ++as) {
        const AgentRec& a = agents_[as];
        // A contact reserved for preferred agents is owed only to them.
        if (c.preferring && !Prefers(c, a.id)) continue;
        if (CanTake(a, c.channel) && Qualifies(a, c, c.step) &&
            std::find(c.excluded.begin(), c.excluded.end(), a.id) == c.excluded.end()) {
          return Broken(fmt::format("contact {} waits while agent {} is free",
                                    c.id.value(), a.id.value()));
        }
      }
    }
  }

  // Customer history: bounded per customer, in total and in age; ordered.
  if (absl::Status st = history_.Check(now_); !st.ok())
    return Broken(std::string(st.message()));
  return absl::OkStatus();
}

}  // namespace ccengine
