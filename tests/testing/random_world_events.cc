// -----------------------------------------------------------------------------
// File: tests/testing/random_world_events.cc
// -----------------------------------------------------------------------------
//
// `RandomWorld::OnEvent` (see random_world.h): builds the model of every
// contact and agent from the event stream and checks each event against it:
// an agent never has two outstanding offers; every kOffered is closed by
// exactly one of accepted / rejected / timed out / rescinded; offers go only
// to agents that may take the contact; outcomes refer to contacts in the
// right state; an agent that frees up is offered the best contact it may take.

#include "testing/random_world.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "testing/random_model.h"

namespace ccengine::test {

MContact* RandomWorld::LiveContact(const Event& e, const char* what) {
  auto it = contacts_.find(e.contact.value());
  if (!e.has_contact || it == contacts_.end()) {
    Fail(fmt::format("{} for a contact the model does not know: {}", what,
                     DescribeEvent(e)));
    return nullptr;
  }
  return &it->second;
}

MAgent* RandomWorld::KnownAgent(const Event& e, const char* what) {
  auto it = agents_.find(e.agent.value());
  if (!e.has_agent || it == agents_.end()) {
    Fail(fmt::format("{} for an agent the model does not know: {}", what,
                     DescribeEvent(e)));
    return nullptr;
  }
  return &it->second;
}

// Closes the outstanding offer of `e.contact` to `e.agent`.
bool RandomWorld::CloseOffer(const Event& e, MContact& c, MAgent& a) {
  uint64_t id = e.contact.value();
  if (c.state != MState::kOffered || !c.agent || *c.agent != e.agent || a.offer != id) {
    Fail(
        fmt::format("{} without an outstanding offer of that contact to "
                    "that agent (contact is {})",
                    DescribeEvent(e), MStateName(c.state)));
    return false;
  }
  a.offer.reset();
  c.agent.reset();
  return true;
}

void RandomWorld::OnEvent(const Event& e) {
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
    case EventType::kRelaxed: contact_side_ = id; break;
    case EventType::kAgentStateChanged:
    case EventType::kOffered:  // reads it first
      break;
    default: contact_side_.reset(); break;
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
          Fail(fmt::format("a contact appeared that nobody added: {}", DescribeEvent(e)));
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
        Fail(fmt::format("kContactQueued fields: step {} (model {}), {}", e.step, c.step,
                         DescribeEvent(e)));
      }
      break;
    }
    case EventType::kOffered: {
      ++count_offered_;
      MContact* c = LiveContact(e, "kOffered");
      MAgent* a = KnownAgent(e, "kOffered");
      if (c == nullptr || a == nullptr) return;
      if (c->state != MState::kWaiting) {
        Fail(fmt::format(
            "offered a contact that is {} (to agent {}): {}", MStateName(c->state),
            c->agent ? static_cast<int64_t>(c->agent->value()) : -1, DescribeEvent(e)));
        return;
      }
      if (a->offer) {
        Fail(fmt::format("agent {} got a second outstanding offer (has {}): {}",
                         e.agent.value(), *a->offer, DescribeEvent(e)));
        return;
      }
      std::string why = WhyCannotTake(*a, c->channel, e.time);
      if (!why.empty()) {
        Fail(fmt::format("offered to an agent that cannot take it ({}): {}", why,
                         DescribeEvent(e)));
      }
      int step = ModelStep(queues_[c->queue], c->queued_at, e.time);
      // A relaxation step that begins at this very microsecond may not be
      // applied yet (its timer fires after the one that made this offer):
      // the offer then reports the step before.
      int before =
          ModelStep(queues_[c->queue], c->queued_at, e.time - absl::Microseconds(1));
      if (e.step != step && e.step != before) {
        Fail(fmt::format("offer at step {}, model step {}: {}", e.step, step,
                         DescribeEvent(e)));
      }
      if (!Qualifies(*a, *c, step)) {
        Fail(fmt::format(
            "offered to an agent that does not qualify (agent "
            "skills {}, contact skills {}, step {}): {}",
            SkillsText(a->config.skills), SkillsText(c->skills), step, DescribeEvent(e)));
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
        Fail(fmt::format(
            "completed a contact that is {} (agent {}), not in "
            "service with that agent: {}",
            MStateName(c->state), c->agent ? static_cast<int64_t>(c->agent->value()) : -1,
            DescribeEvent(e)));
        return;
      }
      if (e.handle != e.time - c->answered_at) {
        Fail(fmt::format("kCompleted handle {} != {}", absl::FormatDuration(e.handle),
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
      if (e.has_agent &&
          (last_rescind_.first != id || last_rescind_.second != e.agent.value())) {
        Fail(
            fmt::format("{} names a ringing agent whose offer was not "
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
        Fail(fmt::format("{} of a contact that is {} in queue {}", DescribeEvent(e),
                         MStateName(c->state), c->queue));
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
          Fail(fmt::format("queue-full overflow with {} waiting (max {}): {}", waiting,
                           q.max_size, DescribeEvent(e)));
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
        Fail(fmt::format("{} of a contact that is {} at model step {}", DescribeEvent(e),
                         MStateName(c->state), step));
      }
      break;
    }
    case EventType::kAgentStateChanged: {
      MAgent* a = KnownAgent(e, "kAgentStateChanged");
      if (a == nullptr) return;
      // The same state again only when a not-ready agent's reason changes.
      const bool new_reason = e.agent_state == AgentState::kNotReady &&
                              a->reported == AgentState::kNotReady &&
                              e.agent_reason != a->reported_reason;
      if (e.agent_state == a->reported && !new_reason) {
        Fail(fmt::format("state change to the same state: {}", DescribeEvent(e)));
      }
      a->reported_reason = e.agent_reason;
      a->time_in_state[static_cast<int>(a->reported)] += e.time - a->reported_since;
      a->reported_since = e.time;
      a->reported = e.agent_state;
      break;
    }
    case EventType::kCommandFailed: command_failures_.push_back(e.status); break;
    case EventType::kDecisionExplained: break;  // not subscribed: explanations are opt-in
    case EventType::kCallbackRequested:
    case EventType::kPreferenceEnded:
      // This harness requests no callbacks and sets no preferences
      // (tests/core/journey_random_test.cc covers them).
      Fail(fmt::format("unexpected event: {}", DescribeEvent(e)));
      break;
  }
}

}  // namespace ccengine::test
