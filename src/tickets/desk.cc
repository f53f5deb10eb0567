// The ticket desk: opening on a store, categories, taking tickets in (with
// dedupe and joint handling), the SLA sweep, engine events and reads.

#include "ccengine/tickets/desk.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/contact.h"
#include "desk_internal.h"
#include "fmt/format.h"

namespace ccengine::tickets {

std::string_view TicketEventTypeName(TicketEventType type) {
  switch (type) {
    case TicketEventType::kCreated: return "created";
    case TicketEventType::kDuplicateLinked: return "duplicate_linked";
    case TicketEventType::kStateChanged: return "state_changed";
    case TicketEventType::kSlaWarning: return "sla_warning";
    case TicketEventType::kSlaBreached: return "sla_breached";
    case TicketEventType::kEscalated: return "escalated";
    case TicketEventType::kExtensionRequested: return "extension_requested";
    case TicketEventType::kExtensionDecided: return "extension_decided";
  }
  return "unknown";
}

TicketDesk::TicketDesk(std::unique_ptr<State> state) : s_(std::move(state)) {}
TicketDesk::~TicketDesk() = default;

absl::StatusOr<std::unique_ptr<TicketDesk>> TicketDesk::Open(
    std::unique_ptr<TicketStore> store, TicketDeskOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("ticket desk: no store");
  if (options.max_attempts < 1) {
    return absl::InvalidArgumentError(
        fmt::format("ticket desk: max_attempts {} is below 1", options.max_attempts));
  }
  auto state = std::make_unique<State>();
  state->store = std::move(store);
  state->options = options;
  state->clock = options.clock != nullptr ? options.clock : &state->real_clock;
  state->index = DuplicateIndex(options.dedupe);
  std::unique_ptr<TicketDesk> desk(new TicketDesk(std::move(state)));
  State& s = *desk->s_;
  std::lock_guard<std::mutex> lock(s.mu);
  // Every open ticket into the index; queued ones to the engine, once.
  TicketQuery query;
  query.open_only = true;
  query.limit = 10000;
  for (;;) {
    std::vector<Ticket> page;
    absl::Status status = s.WithRetries([&]() -> absl::Status {
      absl::StatusOr<std::vector<Ticket>> got = s.store->Query(query);
      if (!got.ok()) return got.status();
      page = *std::move(got);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    for (const Ticket& t : page) {
      if (t.parent == 0) (void)s.index.Add(t);
      if (t.state == TicketState::kQueued) s.redispatch.push_back(t.id);
    }
    if (page.size() < query.limit) break;
    query.after_id = page.back().id;
  }
  return desk;
}

absl::Status TicketDesk::AddCategory(TicketCategory category) {
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(
        fmt::format("ticket category \"{}\": {}", category.name, what));
  };
  if (category.name.empty() || category.name.size() > kMaxTicketFieldBytes) {
    return bad("the name must have 1.." + std::to_string(kMaxTicketFieldBytes) +
               " bytes");
  }
  if (category.department.empty() || category.department.size() > kMaxTicketFieldBytes) {
    return bad("the department must have 1.." + std::to_string(kMaxTicketFieldBytes) +
               " bytes");
  }
  if (category.priority < kMinPriority || category.priority > kMaxPriority) {
    return bad(fmt::format("priority {} is outside 0..9", category.priority));
  }
  if (category.first_response < absl::ZeroDuration() ||
      category.resolution < absl::ZeroDuration() ||
      category.dedupe_window < absl::ZeroDuration()) {
    return bad("first_response, resolution and dedupe_window must not be negative");
  }
  if (!(category.warn_share > 0 && category.warn_share <= 1)) {
    return bad(fmt::format("warn_share {} is outside (0, 1]", category.warn_share));
  }
  if (category.warn_priority_boost < 0 || category.warn_priority_boost > kMaxPriority) {
    return bad(fmt::format("warn_priority_boost {} is outside 0..9",
                           category.warn_priority_boost));
  }
  if (category.hours.has_value()) {
    if (absl::Status s = category.hours->Validate(); !s.ok()) {
      return bad(fmt::format("hours: {}", std::string(s.message())));
    }
  }
  if (s_->options.engine != nullptr && !category.queue.has_value()) {
    return bad("a desk with an engine needs the category's queue");
  }
  std::lock_guard<std::mutex> lock(s_->mu);
  const std::string name = category.name;
  s_->categories[name] = std::move(category);
  return absl::OkStatus();
}

std::vector<TicketCategory> TicketDesk::Categories() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  std::vector<TicketCategory> out;
  for (const auto& [name, c] : s_->categories) out.push_back(c);
  return out;
}

namespace {

Ticket NewTicket(const CreateRequest& r, const TicketCategory& c, absl::Time now) {
  Ticket t;
  t.category = c.name;
  t.department = c.department;
  t.priority = c.priority;
  t.text = r.text;
  t.customer_id = r.customer_id;
  t.address = r.address;
  t.fields = r.fields;
  t.created_at = now;
  t.updated_at = now;
  t.queued_since = r.received_at.value_or(now);
  return t;
}

}  // namespace

absl::StatusOr<CreateResult> TicketDesk::Create(const CreateRequest& request) {
  State& s = *s_;
  std::vector<TicketEvent> out;
  CreateResult result;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    absl::StatusOr<const TicketCategory*> category = s.CategoryLocked(request.category);
    if (!category.ok()) return category.status();
    const TicketCategory& c = **category;
    const absl::Time now = s.Now();
    Ticket t = NewTicket(request, c, now);
    if (absl::Status v = ValidateTicket(t); !v.ok()) return v;
    HistoryEntry entry;
    entry.at = now;
    entry.actor = request.actor;
    entry.action = "create";
    std::optional<DuplicateMatch> match;
    if (request.dedupe && c.dedupe_window > absl::ZeroDuration()) {
      absl::StatusOr<std::optional<DuplicateMatch>> found =
          s.index.Find(t, now - c.dedupe_window);
      if (!found.ok()) return found.status();
      match = *found;
    }
    if (match.has_value()) {
      t.state = TicketState::kMerged;
      t.duplicate_of = match->ticket;
      entry.reason = fmt::format("duplicate of ticket {} (text {:.2f}, address {:.2f})",
                                 match->ticket, match->score.text, match->score.address);
    } else {
      if (s.options.engine != nullptr) {
        t.state = TicketState::kQueued;
        entry.reason = fmt::format("dispatched to {}", c.department);
      }
      s.StartClocks(t, c, t.queued_since, /*first_response=*/true);
      State::UpdateNextCheck(t);
    }
    entry.to = t.state;
    Ticket stored;
    absl::Status status = s.WithRetries([&]() -> absl::Status {
      absl::StatusOr<Ticket> made = s.store->Create(t, entry);
      if (!made.ok()) return made.status();
      stored = *std::move(made);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    Effects fx;
    ++fx.counters.created;
    TicketEvent created =
        MakeEvent(TicketEventType::kCreated, stored, now, request.actor);
    if (match.has_value()) {
      ++fx.counters.duplicates;
      result.duplicate_of = match->ticket;
      result.similarity = match->score.text;
      created.type = TicketEventType::kDuplicateLinked;
      created.detail = entry.reason;
    } else if (stored.state == TicketState::kQueued) {
      fx.commands.push_back(s.DispatchCommand(stored, c, std::nullopt));
    }
    fx.events.push_back(std::move(created));
    Ticket before = stored;  // no state change event: kCreated says it
    s.ApplyLocked(before, stored, fx, out, entry);
    result.ticket = std::move(stored);
  }
  s.Emit(out);
  return result;
}

absl::StatusOr<Ticket> TicketDesk::AddChild(TicketId master,
                                            const CreateRequest& request) {
  State& s = *s_;
  std::vector<TicketEvent> out;
  Ticket child;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    absl::StatusOr<const TicketCategory*> category = s.CategoryLocked(request.category);
    if (!category.ok()) return category.status();
    const TicketCategory& c = **category;
    // The child is checked before the master is touched: bad input writes
    // nothing.
    Ticket t = NewTicket(request, c, s.Now());
    t.parent = master;
    if (absl::Status v = ValidateTicket(t); !v.ok()) return v;
    // The master first: it must be open and not itself a child.
    absl::StatusOr<Ticket> m = s.MutateLocked(
        master, request.actor, "joint_handling",
        [&](Ticket& mt, HistoryEntry& entry, Effects&) -> absl::Status {
          if (!StateIn(mt.state, {TicketState::kNew, TicketState::kReturned,
                                  TicketState::kInProgress})) {
            return NotAllowed(
                mt, "add_child",
                {TicketState::kNew, TicketState::kReturned, TicketState::kInProgress});
          }
          if (mt.parent != 0) {
            return absl::FailedPreconditionError(fmt::format(
                "ticket {} is a child of ticket {}; children have no children", mt.id,
                mt.parent));
          }
          mt.is_master = true;
          mt.state = TicketState::kInProgress;
          // Being worked: the first response is given.
          State::StopClock(mt.first_response, s.Now());
          if (mt.assignee.empty()) mt.assignee = request.actor;
          entry.reason = fmt::format("child for {}", c.department);
          return absl::OkStatus();
        },
        out);
    if (!m.ok()) return m.status();
    const absl::Time now = t.created_at;
    t.queued_since = std::min(t.queued_since, m->queued_since);
    if (s.options.engine != nullptr) t.state = TicketState::kQueued;
    s.StartClocks(t, c, now, /*first_response=*/true);
    State::UpdateNextCheck(t);
    HistoryEntry entry;
    entry.at = now;
    entry.actor = request.actor;
    entry.action = "create";
    entry.to = t.state;
    entry.reason = fmt::format("child of ticket {}", master);
    absl::Status status = s.WithRetries([&]() -> absl::Status {
      absl::StatusOr<Ticket> made = s.store->Create(t, entry);
      if (!made.ok()) return made.status();
      child = *std::move(made);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    Effects fx;
    ++fx.counters.created;
    if (child.state == TicketState::kQueued) {
      fx.commands.push_back(s.DispatchCommand(child, c, std::nullopt));
    }
    fx.events.push_back(MakeEvent(TicketEventType::kCreated, child, now, request.actor));
    Ticket before = child;
    s.ApplyLocked(before, child, fx, out, entry);
  }
  s.Emit(out);
  return child;
}

absl::Status TicketDesk::ProcessEngineEvents() {
  State& s = *s_;
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(s.inbox_mu);
    events.swap(s.inbox);
  }
  auto retryable = [](const absl::Status& st) {
    return st.code() == absl::StatusCode::kUnavailable ||
           st.code() == absl::StatusCode::kAborted;
  };
  absl::Status first;
  std::vector<Event> again;  // kept for the next call: the store was not reachable
  std::vector<TicketEvent> out;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (const Event& e : events) {
      if (e.type == EventType::kWithdrawn) {
        auto own = s.own_withdrawals.find(e.contact.value());
        if (own != s.own_withdrawals.end()) {  // the desk's own withdrawal
          if (--own->second == 0) s.own_withdrawals.erase(own);
          continue;
        }
      }
      const TicketId id =
          static_cast<TicketId>(e.contact.value() - s.options.contact_id_base);
      absl::StatusOr<Ticket> t;
      absl::Status status = s.WithRetries([&]() -> absl::Status {
        t = s.store->Get(id);
        return t.status();
      });
      if (status.ok()) {
        if (e.type == EventType::kAccepted) {
          status = t->state == TicketState::kQueued
                       ? s.SignForLocked(id, std::to_string(e.agent.value()),
                                         /*from_engine=*/true, out)
                             .status()
                       : absl::FailedPreconditionError("not queued");
          if (status.code() == absl::StatusCode::kFailedPrecondition) {
            // The ticket left the queue while the offer rang: free the agent.
            s.SendLocked(cmd::CompleteContact{e.agent, e.contact});
            status = absl::OkStatus();
          }
        } else if (t->state == TicketState::kQueued) {
          if (e.type == EventType::kOverflowed &&
              e.to_queue == e.queue) {  // left the engine
            status = s.ReturnLocked(
                          id, "engine",
                          fmt::format("left the queue: {}", EventReasonName(e.reason)),
                          /*from_engine=*/true, out)
                         .status();
          } else if (e.type == EventType::kWithdrawn) {
            status =
                s.ReturnLocked(id, "engine", "withdrawn from the queue by a supervisor",
                               /*from_engine=*/true, out)
                    .status();
          }
        }
      }
      if (retryable(status)) again.push_back(e);
      if (!status.ok() && first.ok()) first = status;
    }
  }
  if (!again.empty()) {
    std::lock_guard<std::mutex> lock(s.inbox_mu);
    s.inbox.insert(s.inbox.begin(), again.begin(), again.end());
  }
  s.Emit(out);
  return first;
}

EventCallback TicketDesk::EngineEventCallback() {
  State* s = s_.get();
  return [s](const Event& e) {
    if (!e.has_contact || e.contact.value() <= s->options.contact_id_base) return;
    if (e.type != EventType::kAccepted && e.type != EventType::kOverflowed &&
        e.type != EventType::kWithdrawn) {
      return;
    }
    std::lock_guard<std::mutex> lock(s->inbox_mu);
    s->inbox.push_back(e);
  };
}

absl::Status TicketDesk::Tick() {
  State& s = *s_;
  absl::Status first = ProcessEngineEvents();
  std::vector<TicketEvent> out;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    // Queued tickets found on opening go to the engine once, when their
    // category is known.
    std::vector<TicketId> later;
    for (TicketId id : s.redispatch) {
      absl::StatusOr<Ticket> t = s.store->Get(id);
      if (!t.ok()) {
        if (t.status().code() != absl::StatusCode::kNotFound) later.push_back(id);
        continue;
      }
      if (t->state != TicketState::kQueued) continue;
      auto c = s.categories.find(t->category);
      if (c == s.categories.end()) {
        later.push_back(id);
        continue;
      }
      s.SendLocked(s.DispatchCommand(*t, c->second, std::nullopt));
    }
    s.redispatch = std::move(later);
    s.FlushUnsentLocked();
    const absl::Time now = s.Now();
    TicketQuery due;
    due.open_only = true;
    due.due_by = now;
    due.limit = 1000;
    for (;;) {
      absl::StatusOr<std::vector<Ticket>> page = s.store->Query(due);
      if (!page.ok()) {
        if (first.ok()) first = page.status();
        break;
      }
      for (const Ticket& t : *page) {
        absl::Status swept = s.SweepLocked(t.id, now, out);
        if (!swept.ok() && first.ok()) first = swept;
      }
      if (page->size() < due.limit) break;
      due.after_id = page->back().id;
    }
  }
  s.Emit(out);
  return first;
}

absl::StatusOr<Ticket> TicketDesk::Get(TicketId id) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  absl::StatusOr<Ticket> t;
  absl::Status status = s_->WithRetries([&]() -> absl::Status {
    t = s_->store->Get(id);
    return t.status();
  });
  if (!status.ok()) return status;
  return t;
}

absl::StatusOr<std::vector<HistoryEntry>> TicketDesk::History(TicketId id) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  absl::StatusOr<std::vector<HistoryEntry>> h;
  absl::Status status = s_->WithRetries([&]() -> absl::Status {
    h = s_->store->History(id);
    return h.status();
  });
  if (!status.ok()) return status;
  return h;
}

absl::StatusOr<std::vector<Ticket>> TicketDesk::Query(const TicketQuery& query) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  absl::StatusOr<std::vector<Ticket>> q;
  absl::Status status = s_->WithRetries([&]() -> absl::Status {
    q = s_->store->Query(query);
    return q.status();
  });
  if (!status.ok()) return status;
  return q;
}

std::map<std::string, DepartmentCounters> TicketDesk::Counters() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->counters;
}

size_t TicketDesk::OpenTickets() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->index.size();
}

size_t TicketDesk::IndexBytes() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->index.MemoryBytes();
}

void TicketDesk::Subscribe(TicketEventCallback callback) {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->subscribers.push_back(std::move(callback));
}

}  // namespace ccengine::tickets
