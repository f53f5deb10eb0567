// -----------------------------------------------------------------------------
// File: ccengine/core/engine.h
// -----------------------------------------------------------------------------
//
// `ccengine::Engine` owns the routing state of one partition (a tenant or a
// queue group): skills, queues, agents and contacts, and decides which agent
// gets which contact.
//
// Two ways in. Producer threads (telephony, chat and ticket adapters) call
// `Submit(Command)`: lock-free, bounded, never blocking. The router thread —
// the one thread that owns the engine — calls `Poll(now)`, which fires the
// timers due by `now` (offer timeouts, wrap-up ends, relaxation steps, max
// waits, queues opening and closing by their hours) and then applies the
// submitted commands in order. The router thread
// may also call the synchronous methods (`AddContact`, `AcceptOffer`, …)
// directly, at the engine's current time `Now()`; the simulator does that.
// Either way the outcome is identical and deterministic: the same commands
// and times give the same offers.
//
// Decisions. A contact that arrives goes to the best eligible agent at once,
// or waits. An agent that frees up takes the best waiting contact across
// every queue it serves: the highest aged score
//     score = aging_weight(queue) × waited + priority_class_weight × class,
// so a higher class (VIP, emergency) goes first, yet every contact's score
// grows while it waits and nothing starves. Among eligible agents the
// queue's `AgentStrategy` chooses. Eligibility uses indexes (per-skill and
// per-channel agent bitsets, per-group ordered waiting sets); no decision
// scans every agent or every contact. A contact whose preference for
// certain agents is in force (`ContactSpec::preferred_agents`) goes only to
// one of them until the preference ends; an agent that frees up passes
// over contacts reserved for someone else (docs/journey.md).
//
// Errors. Every method validates its input first and changes nothing when it
// returns an error:
//   InvalidArgument     malformed input (level out of 1..10, bad capacity,
//                       priority out of range, time going backwards…)
//   NotFound            unknown agent, contact, queue, skill or strategy
//   AlreadyExists       duplicate id or name
//   FailedPrecondition  the state does not allow it (agent not logged in,
//                       contact not offered to this agent, queue full on a
//                       transfer…)
//   ResourceExhausted   `Submit` on a full intake (back-pressure)
//
// Thread safety: `Submit()` may be called from any thread (lock-free, never
// blocks). Every other member must be called from the router thread only.
// Event callbacks run on the router thread, inside the call that decided.
//
// Example:
//   auto engine = ccengine::Engine::Create().value();
//   ccengine::SkillId policy = engine->AddSkill("policy").value();
//   ccengine::QueueConfig q;  q.name = "policy";  q.skills = {{policy, 5}};
//   ccengine::QueueId queue = engine->AddQueue(q).value();
//   engine->Subscribe([](const ccengine::Event& e) { /* ring, log, count */ });
//   engine->Submit(ccengine::cmd::AddContact{{ccengine::ContactId{1}, queue}});
//   engine->Poll(absl::Now());

#ifndef CCENGINE_CORE_ENGINE_H_
#define CCENGINE_CORE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/accounting.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/events.h"
#include "ccengine/core/internal/agent_index.h"
#include "ccengine/core/internal/bitset.h"
#include "ccengine/core/internal/customer_history.h"
#include "ccengine/core/internal/draw_sets.h"
#include "ccengine/core/internal/event_bus.h"
#include "ccengine/core/internal/id_index.h"
#include "ccengine/core/internal/ledger.h"
#include "ccengine/core/internal/mpsc_queue.h"
#include "ccengine/core/internal/quality_model.h"
#include "ccengine/core/internal/records.h"
#include "ccengine/core/internal/timer_queue.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"
#include "ccengine/core/wait_estimate.h"

namespace ccengine {

struct EngineOptions {
  size_t intake_capacity = size_t{1} << 16;  // rounded up to a power of two
  // Producers whose command numbers the engine keeps (CommandOrigin); a
  // command from one more is refused with ResourceExhausted.
  size_t max_producers = 4096;
  // Consecutive offers an agent lets time out before it is made not ready
  // with reason `kReasonRona`. 0 disables.
  int rona_limit = 3;
  // How much waited time one priority class is worth across the board: a
  // VIP (class 1) goes before a normal contact that has waited up to this
  // much longer. Must be > 0.
  absl::Duration priority_class_weight = absl::Minutes(10);
  uint64_t seed = 1;  // for the random strategies and exploration
  // What the engine learns from outcomes (see quality.h).
  QualityOptions quality;
  // The sliding window over which the fairness guards and the satisfaction
  // strategy measure an agent's occupancy; positive, at most a week.
  absl::Duration work_window = absl::Minutes(30);
  absl::Time start = absl::UnixEpoch();  // the engine's initial `Now()`
  // Customer history (`CustomerHistory`, `LastAgent`, `prefer_last_agent`):
  // the last `customer_history_size` contacts of each customer whose service
  // ended within `customer_history_retention`, and at most
  // `customer_history_max_entries` entries in all (the oldest go first).
  // Memory: a fixed cost per customer and per entry, plus the customer id's
  // heap bytes beyond the small-string buffer (docs/journey.md has the
  // sizes). A zero size or retention keeps no history.
  size_t customer_history_size = 8;
  absl::Duration customer_history_retention = absl::Hours(24 * 30);
  size_t customer_history_max_entries = size_t{1} << 20;
};

class Engine {
 public:
  static absl::StatusOr<std::unique_ptr<Engine>> Create(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Configuration -------------------------------------------------------
  // Skill names are unique and non-empty; ids are dense from 0.
  absl::StatusOr<SkillId> AddSkill(std::string_view name);
  absl::StatusOr<SkillId> FindSkill(std::string_view name) const;
  std::string_view SkillName(SkillId skill) const;  // "" if unknown
  size_t skill_count() const { return skill_names_.size(); }

  absl::StatusOr<StrategyId> RegisterStrategy(std::string_view name,
                                              std::unique_ptr<AgentStrategy> strategy);
  absl::StatusOr<StrategyId> FindStrategy(std::string_view name) const;

  absl::StatusOr<QueueId> AddQueue(QueueConfig config);
  // Replaces a queue's rules (the name may not change). Contacts already
  // waiting are re-evaluated at once under the new rules; new hours take
  // effect now (a queue closed by them with `move_waiting_at_close` moves its
  // waiting contacts on at once).
  absl::Status UpdateQueue(QueueId queue, QueueConfig config);
  // Several queues at once (a new version of a routing file): every update
  // is checked before any applies; then all the new rules are installed and
  // the contacts waiting in those queues are re-evaluated, best first, under
  // the whole new configuration (a contact that moves on into another
  // updated queue finds that queue's new rules). Errors as UpdateQueue's,
  // and InvalidArgument for a queue named twice.
  absl::Status UpdateQueues(const std::vector<std::pair<QueueId, QueueConfig>>& updates);
  absl::StatusOr<QueueId> FindQueue(std::string_view name) const;
  absl::StatusOr<QueueConfig> GetQueueConfig(QueueId queue) const;
  // The fields of its config that a service level is measured by; cheap
  // (no copy of the config), for metrics subscribers.
  absl::StatusOr<ServiceLevelTerms> GetServiceLevelTerms(QueueId queue) const;
  size_t queue_count() const { return queues_.size(); }

  // --- Agents (router thread) ----------------------------------------------
  absl::Status AddAgent(AgentConfig config);  // starts logged out
  absl::Status RemoveAgent(AgentId agent);    // must be logged out
  // Replaces the agent's skills; takes effect for the next decision.
  absl::Status SetAgentSkills(AgentId agent, std::vector<SkillLevel> skills);
  absl::Status Login(AgentId agent, bool ready = true, int32_t reason = kReasonNone);
  // Refused while contacts are in service; a ringing offer goes back.
  absl::Status Logout(AgentId agent);
  absl::Status SetReady(AgentId agent);  // also clears the no-answer count
  // A ringing offer goes back to its place in line; contacts in service
  // continue.
  absl::Status SetNotReady(AgentId agent, int32_t reason = kReasonNone);
  absl::Status EndWrapUp(AgentId agent);

  // --- Contacts (router thread) --------------------------------------------
  // Enqueues, or offers at once. A full or closed queue overflows (see
  // QueueConfig).
  absl::Status AddContact(ContactSpec spec);
  // Answers a ringing offer (an auto-accept agent's offers are answered by
  // the engine as they are made: see AgentConfig::auto_accept).
  // `offer` (Event::offer; 0: the offer ringing now): see cmd::AcceptOffer.
  absl::Status AcceptOffer(AgentId agent, ContactId contact, uint64_t offer = 0);
  // The contact goes back to its original place and is not offered to this
  // agent again.
  absl::Status RejectOffer(AgentId agent, ContactId contact, uint64_t offer = 0);
  // `outcome` (optional survey score 1..5, first-contact resolution) updates
  // the agent's quality estimates on the contact's skills (see quality.h).
  absl::Status CompleteContact(AgentId agent, ContactId contact,
                               ContactOutcome outcome = {});
  // The customer left. Waiting or ringing: abandoned. In service: completed
  // (reason kCustomerHangup). Refused (FailedPrecondition) for a callback
  // that is waiting or ringing: its customer is no longer on the line.
  absl::Status Abandon(ContactId contact);
  // To another queue; from waiting, ringing or in service (the agent's part
  // ends). `keep_age` keeps the wait start, so the contact keeps its
  // seniority. Refused when the target queue is full. Into a closed queue
  // (QueueConfig::hours) the contact moves on at once, as a closed arrival.
  absl::Status Transfer(ContactId contact, QueueId to, bool keep_age = true);
  // Virtual hold: a waiting voice or video caller leaves the line and keeps
  // its place (its wait start and arrival order, hence its aged score, and
  // its queue); from now on it is routed on `Channel::kCallback`, so only
  // agents with callback capacity take it, and accepting the offer means the
  // agent calls the customer back. It can no longer abandon while waiting or
  // ringing (`Abandon` is refused; `Withdraw` cancels it); max wait and
  // relaxation still apply. Emits kCallbackRequested. FailedPrecondition
  // when the contact is not waiting, is already a callback, or is not a
  // voice or video call.
  absl::Status RequestCallback(ContactId contact);

  // --- Supervisor actions --------------------------------------------------
  absl::Status Withdraw(ContactId contact);  // waiting or ringing only
  absl::Status SetPriority(ContactId contact, int priority);
  // kLoggedOut (rings go back, contacts in service complete with reason
  // kForcedLogout), kNotReady or kAvailable (also ends wrap-up).
  absl::Status ForceAgentState(AgentId agent, AgentState state,
                               int32_t reason = kReasonNone);

  // --- Personal data (router thread) ------------------------------------------
  // An erasure request: forgets the customer's history (CustomerHistory,
  // LastAgent and prefer-last-agent no longer know them) and returns OK also
  // when nothing was held. FailedPrecondition, naming up to ten contacts and
  // changing nothing, while a live contact (waiting, offered, in service)
  // carries the customer id: ask again when it has ended. InvalidArgument for
  // an empty id. What the customer's contacts left in journals and snapshots
  // goes with them (docs/compliance.md).
  absl::Status EraseCustomer(std::string_view customer_id);

  // --- Driving -------------------------------------------------------------
  // Thread-safe, lock-free. ResourceExhausted when the intake is full; the
  // command is then not taken. `origin`: see CommandOrigin (commands.h).
  absl::Status Submit(Command command, CommandOrigin origin = {});
  // Router thread: applies one command now, as the synchronous call would.
  // With an origin (producer > 0), a sequence at or below the producer's
  // highest applied is refused with AlreadyExists and nothing changes; a
  // sequence of 0 is InvalidArgument; a new producer beyond
  // EngineOptions::max_producers is ResourceExhausted. An accepted number
  // counts as applied even when the command itself is then refused: it was
  // answered, and a resend gets AlreadyExists.
  absl::Status Apply(const Command& command, CommandOrigin origin = {});
  // The highest sequence applied from `producer` (0: none).
  uint64_t ProducerSequence(uint64_t producer) const;
  // Router thread: `hook` sees every command `Apply` (and so `Poll`) is about
  // to carry out, with its origin, at `Now()` (after the origin's check);
  // when it returns an error the command is not applied and that error is
  // the result (from `Poll`, a kCommandFailed event). A command journal
  // writes ahead this way (ccengine::journal). Direct calls (`Login`,
  // `AddContact`, ...) do not pass it. An empty function removes the hook.
  using CommandHook = std::function<absl::Status(const Command&, const CommandOrigin&)>;
  void SetCommandHook(CommandHook hook) { command_hook_ = std::move(hook); }
  bool HasCommandHook() const { return static_cast<bool>(command_hook_); }
  // Router thread: `authorizer` decides, before the command hook and with
  // the engine as it stands, whether the command's sender (origin.actor) may
  // have it carried out (compliance::AccessControl installs one); an error
  // refuses it as a hook's does, and nothing changes — not even the
  // producer's sequence. Direct calls do not pass it. An empty function
  // removes it.
  using Authorizer =
      std::function<absl::Status(const Engine&, const Command&, const CommandOrigin&)>;
  void SetAuthorizer(Authorizer authorizer) { authorizer_ = std::move(authorizer); }
  bool HasAuthorizer() const { return static_cast<bool>(authorizer_); }
  // Fires every timer due by `now` (each at its own time), then applies the
  // submitted commands at `now`. Returns how many commands were applied;
  // refused ones are reported as kCommandFailed events.
  absl::StatusOr<size_t> Poll(absl::Time now);
  // Fires every timer due by `now`; `now` must not be before `Now()`.
  absl::Status AdvanceTo(absl::Time now);
  // The same in microseconds since the Unix epoch, for loops that drive the
  // clock themselves (the simulator): no absl::Time conversions.
  absl::Status AdvanceToMicros(Micros now) {
    // Inline when nothing is due and no history ages: a simulator steps the
    // clock twice per contact.
    if (now >= now_ && timers_.empty() && history_.empty() && InTimeRangeMicros(now)) {
      now_ = now;
      return absl::OkStatus();
    }
    return AdvanceWithWork(now);
  }
  absl::Time Now() const { return TimeFromMicros(now_); }
  Micros NowMicros() const { return now_; }  // the same, in microseconds
  // When the earliest pending timer that still has work to do is due, if
  // any. Timers whose subject has moved on (the offer was answered, the
  // contact left) are dropped first, so a caller that drives the clock from
  // this (a simulator) does not stop at instants where nothing happens.
  std::optional<absl::Time> NextTimerAt() const;
  std::optional<Micros> NextTimerMicros() const {  // the same, in microseconds
    if (timers_.empty()) return std::nullopt;  // inline: a simulator asks at every step
    return EarliestLiveTimer();
  }
  // Router thread: spins briefly, then parks until a command is submitted or
  // `max_wait` passes. Returns true if the intake holds commands.
  bool WaitForWork(absl::Duration max_wait, int spin_iterations = 2000);
  // Wakes a `WaitForWork` (any thread), e.g. to stop a loop.
  void Wake();

  // --- Events ---------------------------------------------------------------
  using SubscriptionId = internal::EventBus::SubscriptionId;
  // `types`: a mask of `EventBit(type)`s the callback wants (default: all
  // but `kDecisionExplained`, which is switched on by naming it). Events no
  // subscriber wants are not even built.
  SubscriptionId Subscribe(EventCallback callback, uint32_t types = kAllEvents);
  void Unsubscribe(SubscriptionId id);

  // --- Queries (router thread) ---------------------------------------------
  absl::StatusOr<AgentSnapshot> GetAgent(AgentId agent) const;
  // The agent's time in each state (also in its snapshot), without the
  // snapshot's copies: cheap enough to read every agent at every interval
  // boundary of a report (the simulator does).
  absl::StatusOr<AgentStateTimes> GetAgentStateTimes(AgentId agent) const;
  absl::StatusOr<ContactSnapshot> GetContact(ContactId contact) const;
  // Where a live contact is — its queue, state and agent — without copying
  // the rest (allocates nothing; for per-command checks).
  absl::StatusOr<ContactPlace> LocateContact(ContactId contact) const;
  // The ids of every live contact (waiting, offered or in service), ascending:
  // for an adapter that rebuilds its own tables after a recovery (the
  // telephony bridge's calls). O(contact slots).
  std::vector<ContactId> LiveContacts() const;
  // 1-based place among the waiting contacts of its queue, by aged score.
  absl::StatusOr<int> QueuePosition(ContactId contact) const;
  // The simple figure: position × average handle time / agents logged in
  // who can serve it. `EstimateWait` is the model with an interval.
  absl::StatusOr<absl::Duration> SimpleEstimatedWait(ContactId contact) const;
  // Expected wait with an 80% interval, the position (across the queues the
  // same agents serve) and the agents counted; the model is in
  // ccengine/core/wait_estimate.h. Recomputed from the state at each call.
  // NotFound for an unknown contact, FailedPrecondition when not waiting.
  absl::StatusOr<WaitEstimate> EstimateWait(ContactId contact) const;
  absl::StatusOr<QueueStats> GetQueueStats(QueueId queue) const;
  // The agent's learned CSAT and FCR on `skill` now (see quality.h).
  absl::StatusOr<QualityEstimate> GetQuality(AgentId agent, SkillId skill) const;
  // The agent's occupancy over the sliding work window, in [0, 1].
  // FailedPrecondition unless some queue has guards or a quality strategy
  // (only then are the windows kept).
  absl::StatusOr<double> GetWindowOccupancy(AgentId agent) const;
  // The customer's recent contacts across channels, newest first: those
  // whose service ended within `customer_history_retention`, at most
  // `customer_history_size` (see EngineOptions). Empty for an unknown
  // customer; InvalidArgument for an empty id.
  absl::StatusOr<std::vector<CustomerContact>> CustomerHistory(
      std::string_view customer_id) const;
  // The agent of the customer's newest history entry, if any.
  std::optional<AgentId> LastAgent(std::string_view customer_id) const;
  // History entries held now, over all customers.
  size_t customer_history_entries() const { return history_.entries(); }
  Accounting GetAccounting() const { return ledger_.totals(); }
  size_t agent_count() const { return agent_ids_.size(); }
  // Full consistency check of every index against the records, and of the
  // invariants (no contact offered twice, no agent over capacity, the books
  // balance). O(agents + contacts); for tests and simulations.
  absl::Status CheckInvariants() const;

  // --- State snapshots (router thread) -------------------------------------
  // The version of the state encoding `SaveState` writes.
  static constexpr uint8_t kStateFormatVersion = 3;
  // Writes the engine's whole state into `out` (replacing it): the clock,
  // every agent and contact record, the queues' counters and open flags, the
  // live timers, quality estimates, work windows, customer history, the books,
  // each producer's highest command number (CommandOrigin), and the random
  // generators of the engine and of its strategies
  // (`AgentStrategy::SaveState`). Canonical: two engines configured alike that
  // applied the same commands at the same times write the same bytes, so a
  // hash of them is a state digest. Indexes and caches derived from the
  // records are not written; configuration (skills, strategies, queue
  // settings) is not written either, only a fingerprint of it (names, the
  // queues' strategies and routing steps, the options that shape the state)
  // that `LoadState` checks.
  // O(agents + contacts + timers + history).
  void SaveState(std::string& out) const;
  // Replaces the state of an engine that has been configured — the same
  // options, skills, strategies and queues, in the same order, as the engine
  // that saved it — and has done nothing else since (no agent, no contact);
  // the indexes are rebuilt from the records. Afterwards the engine is
  // indistinguishable from the one that saved the state: the same queries,
  // the same decisions and events for the same later commands.
  // Errors, the engine unchanged: FailedPrecondition when the engine is not
  // fresh, when the state is of another format version, or when the
  // fingerprint names another configuration (what differs is named);
  // InvalidArgument naming the byte offset when the bytes are not a state
  // this build wrote (truncated, out of range, inconsistent).
  absl::Status LoadState(std::string_view state);

 private:
  explicit Engine(EngineOptions options);

  // engine.cc: configuration, dispatch, timers, events (queries: queries.cc).
  // `what` names the owner in messages ("agent 7"); called only on error.
  absl::Status ValidateSkills(const std::vector<SkillLevel>& skills,
                              absl::FunctionRef<std::string()> what) const;
  absl::Status ValidateQueueConfig(const QueueConfig& config, const QueueId* self) const;
  void InstallQueueRules(internal::QueueRec& q, const QueueConfig& config);
  // hours.cc: hours of operation.
  // Sets the queue's open flag from its hours at now_ and schedules the
  // kHours timer for the next change (voiding any earlier one).
  void SyncQueueHours(uint32_t queue);
  void OnQueueHours(uint32_t queue);  // kHours timer: opened or closed
  // Every waiting contact of a closed queue moves on (reason kClosed).
  void MoveOutWaiting(uint32_t queue);
  void Emit(const Event& event) { events_.Emit(event); }
  bool Wants(EventType type) const { return events_.Wants(type); }
  Event MakeEvent(EventType type) const;
  AgentStateTimes StateTimesOf(const internal::AgentRec& a) const;
  // An event about contact `c` (and the agent in slot `agent` unless
  // kNoSlot), with the contact's queue filled in.
  Event MakeContactEvent(EventType type, const internal::ContactRec& c,
                         uint32_t agent = internal::kNoSlot) const;
  // The same with the contact's channel too.
  Event MakeChannelEvent(EventType type, const internal::ContactRec& c,
                         uint32_t agent = internal::kNoSlot) const;
  void Schedule(Micros at, internal::TimerKind kind, uint32_t slot, uint64_t token) {
    timers_.Schedule(at, kind, slot, token);
  }
  void FireTimer(const internal::Timer& timer);
  // False once the timer's subject has moved on (a newer token, another
  // state, a freed slot); such a timer never acts again.
  bool TimerLive(const internal::Timer& timer) const;
  // Id → slot (kNoSlot when unknown); inline, as every call resolves ids.
  uint32_t AgentSlot(AgentId id) const { return agent_ids_.Find(id.value()); }
  uint32_t ContactSlot(ContactId id) const { return contact_ids_.Find(id.value()); }
  absl::StatusOr<uint32_t> LiveAgentSlot(AgentId id) const {
    uint32_t slot = AgentSlot(id);
    if (slot == internal::kNoSlot) [[unlikely]]
      return UnknownAgent(id);
    return slot;
  }
  absl::StatusOr<uint32_t> LoggedInAgentSlot(AgentId id) const;
  absl::StatusOr<uint32_t> LiveContactSlot(ContactId id) const {
    uint32_t slot = ContactSlot(id);
    if (slot == internal::kNoSlot) [[unlikely]]
      return UnknownContact(id);
    return slot;
  }
  static absl::Status UnknownAgent(AgentId id);      // NotFound, "unknown agent 7"
  static absl::Status UnknownContact(ContactId id);  // NotFound, "unknown contact 7"

  // agents.cc: capacity, presence, the agent indexes.
  bool CanTake(const internal::AgentRec& a, Channel channel) const;
  AgentState DerivedState(const internal::AgentRec& a) const;
  // Indexes + state-change event (carrying `reason`).
  void SyncAgent(uint32_t slot, EventReason reason = EventReason::kNone);
  void ComputeServed(uint32_t slot);
  // ComputeServed's entries for `groups` alone, for every live agent (after
  // one queue's groups changed).
  void RefreshServed(const std::vector<uint32_t>& groups);
  void EnsureSkillSet(SkillRequirement requirement);
  const internal::Bitset& SkillSet(SkillRequirement requirement) const {
    return agent_index_.SkillSet(requirement);
  }
  int MinStep(const internal::AgentRec& a, const internal::GroupRec& g) const;
  void AttachContact(uint32_t agent, uint32_t contact);
  void DetachContact(uint32_t agent, uint32_t contact);
  void StartWrapUpOrFree(uint32_t agent, const internal::QueueRec& q);
  void RescindOffer(uint32_t agent, bool requeue);
  void LogoutNow(uint32_t agent);
  AgentView ViewOf(const internal::AgentRec& a) const;

  // contacts.cc: waiting groups, lifecycle, journey.
  uint32_t GroupFor(uint32_t queue, Channel channel,
                    const std::vector<SkillRequirement>& own);
  void InsertWaiting(uint32_t contact);
  void RemoveWaiting(uint32_t contact) {  // a no-op unless it waits in a group
    if (contacts_[contact].in_group) RemoveFromGroup(contact);
  }
  void RemoveFromGroup(uint32_t contact);  // in_group
  void EnterQueue(uint32_t contact, uint32_t queue, int hops);
  void ScheduleWaitTimers(uint32_t contact);
  int StepAt(const internal::QueueRec& q, Micros queued_at, Micros now) const;
  void SetContactState(internal::ContactRec& c, ContactState state);
  // Service ends (completed): stats, release the agent, forget the contact,
  // emit kCompleted with `reason`. The caller handles the agent's wrap-up.
  void EndService(uint32_t agent, uint32_t contact, EventReason reason,
                  const ContactOutcome& outcome = {});
  void FinishContact(uint32_t contact, ContactState terminal);
  void ReturnToLine(uint32_t contact);
  void OnOfferTimeout(uint32_t contact);
  void OnRelax(uint32_t contact);
  void OnMaxWait(uint32_t contact);
  void Overflow(uint32_t contact, EventReason reason, int hops);

  // journey.cc: preferred / last agent, customer history, callbacks.
  absl::Status ValidatePreference(const ContactSpec& spec) const;
  // Resolves the spec's preference (one is asked for) into the new
  // contact's record.
  void SetUpPreference(uint32_t contact, const ContactSpec& spec);
  bool Prefers(const internal::ContactRec& c, AgentId agent) const;
  // Some preferred agent is logged in, not excluded and able to serve the
  // contact's group on its channel.
  bool PreferenceViable(const internal::ContactRec& c) const;
  // Ends the preference (event kPreferenceEnded with `reason`); the caller
  // then tries the whole pool.
  void EndPreference(uint32_t contact, EventReason reason);
  // Ends a preference that is no longer viable, or whose window closed, at
  // a point where the contact is about to wait (entering a queue, back in
  // line); true if it ended.
  // `grace`: the arrival attempt of a zero `preferred_wait`.
  bool ReviewPreference(uint32_t contact, bool grace);
  // After agents or rules changed: ends every waiting contact's preference
  // that is no longer viable and tries the pool for it, best first.
  void RecheckPreferences();
  void OnPreferredWait(uint32_t contact);
  bool TryMatchPreferred(uint32_t contact);
  void RecordHistory(const internal::ContactRec& c, AgentId agent);
  // Fallback targets (ContactSpec::fallbacks): checked, kept in the new
  // contact's record with the first one's timer, taken when it fires (or,
  // if the contact was ringing then, when it is back in line), dropped once
  // it is answered or transferred.
  absl::Status ValidateFallbacks(const ContactSpec& spec) const;
  void SetUpFallbacks(uint32_t contact, std::vector<FallbackTarget>& targets);
  void ArmFallback(internal::ContactRec& c, uint32_t contact);
  void OnFallback(uint32_t contact);
  void TakeFallback(uint32_t contact);
  static void DropFallbacks(internal::ContactRec& c);

  // matching.cc: the two decisions.
  bool TryMatchContact(uint32_t contact);
  // Visits every agent slot in the contact's pool now: in `ready` (e.g. able
  // to take its channel) and meeting its own skills and a step in force.
  template <typename F>
  void ScanPool(const internal::ContactRec& c, const internal::Bitset& ready, F&& visit);
  // The longest-idle agent of the contact's pool from the free lists or the
  // group's rings, kNoSlot if none, or kWalkedTooFar: scan the pool instead.
  static constexpr uint32_t kWalkedTooFar = internal::kNoSlot - 1;
  uint32_t FirstIdleInPool(const internal::ContactRec& c);
  // The same from the rings of a tracked group.
  uint32_t FirstIdleInRings(const internal::ContactRec& c);
  // Whether an agent holding contacts but able to take more may be in the
  // contact's pool (the free lists, rings and heaps hold only free agents).
  bool LoadedMayBeInPool(const internal::ContactRec& c) const;
  // For the strategies whose score does not change while an agent is free
  // (`KeyedStrategy`): the pool's best agent from its group's heaps, kNoSlot
  // if none, or kWalkedTooFar (LoadedMayBeInPool).
  static bool KeyedStrategy(uint32_t strategy);
  uint32_t FirstKeyedInPool(const internal::ContactRec& c);
  // The strategy's score for an agent of the group, negated (free_heap.h).
  double FreeRank(uint32_t strategy, const internal::AgentRec& a,
                  const internal::GroupRec& g) const;
  // random_pick.cc: "random" and "weighted_random" (`weighted`): a member of
  // the contact's pool drawn from the strategy's generator, or kNoSlot.
  uint32_t RandomInPool(const internal::ContactRec& c, bool weighted);
  // Starts keeping the group's draw sets (draw_refs_) from the agents'
  // served groups and channel masks.
  void TrackDraws(uint32_t group);
  // The slot's place in the draw sets of the groups it serves, from its
  // served groups and its channel mask (`old_mask`: the mask the sets hold
  // it under; only the groups whose channel changed are touched unless
  // `all`).
  void SyncDraws(uint32_t slot, uint32_t old_mask, uint32_t new_mask, bool all);
  // The largest weight of a live agent (0 with none), recomputed after the
  // agent that held it was removed or a state was loaded.
  double MaxAgentWeight();
  // Starts keeping the group's rings (longest-idle order) or heaps (a keyed
  // strategy's order) of free agents.
  void TrackGroup(uint32_t group);
  // Enters a newly listed free agent in the rings of its tracked groups.
  void PushFree(uint32_t slot);
  // A busy agent of the pool clearly better than `best_free` that the
  // contact may still wait for (strategy's MaxHold), or kNoSlot.
  uint32_t HoldFor(const internal::ContactRec& c, const AgentStrategy& strategy,
                   const ContactView& view, uint32_t best_free);
  void TryMatchAgent(uint32_t agent);
  void ChooseWaitingContact(uint32_t agent);  // TryMatchAgent's decision
  void Offer(uint32_t agent, uint32_t contact);
  // The offered contact is accepted (AcceptOffer after its checks, or an
  // auto-accept agent's offer): in service, counted, kAccepted.
  void Connect(uint32_t aslot, uint32_t cslot);
  // The contact-arrives decision when the queue has guards, the strategy
  // reads quality, or someone wants explanations: the eligible agents
  // gathered in `scratch_candidates_`, guards applied, then scored.
  uint32_t ChooseAmongCandidates(uint32_t contact, bool explain);
  void EmitExplanation(std::shared_ptr<Explanation> explanation);

  // quality.cc: outcomes, quality estimates, work windows.
  void RecordOutcome(uint32_t agent, uint32_t contact, const ContactOutcome& outcome);
  // Mean CSAT and FCR estimates over `skills`, written into `view`.
  void FillQuality(const internal::AgentRec& a, absl::Span<const SkillRequirement> skills,
                   AgentView& view) const;
  void TrackWork(internal::AgentRec& a) const;  // brings the window to now
  double WindowOccupancy(internal::AgentRec& a) const;
  ContactView ViewOf(const internal::ContactRec& c);
  bool Qualifies(const internal::AgentRec& a, const internal::ContactRec& c,
                 int step) const;
  double AgedScore(const internal::ContactRec& c, const internal::QueueRec& q) const;

  EngineOptions options_;
  Micros now_ = 0;
  Micros class_weight_ = 0;
  uint64_t arrival_seq_ = 0;  // contact arrivals: ties of the wait start
  uint64_t offer_seq_ = 0;    // offers made

  // The parts the engine coordinates, each owning its state (internal/).
  internal::EventBus events_;
  internal::TimerQueue timers_;
  internal::AgentIndex agent_index_;
  internal::CustomerHistoryStore history_;
  internal::QualityModel quality_;
  internal::Ledger ledger_;

  std::vector<std::string> skill_names_;
  absl::flat_hash_map<std::string, SkillId> skill_by_name_;
  std::vector<std::unique_ptr<AgentStrategy>> strategies_;
  // Per strategy: does it observe offers (AgentStrategy::ObservesOffers)? An
  // offer builds the two views only for one that does.
  std::vector<bool> strategy_observes_offers_;
  std::vector<std::string> strategy_names_;
  std::vector<internal::QueueRec> queues_;
  absl::flat_hash_map<std::string, QueueId> queue_by_name_;
  std::vector<internal::GroupRec> groups_;
  size_t tracked_groups_ = 0;  // groups keeping rings of free agents
  size_t draw_groups_ = 0;     // groups keeping draw sets
  // The random strategies' pools (random_pick.cc): per group (by index, up
  // to the last one that kept any), the first of its draw sets — set
  // `first + k` holds the agents able to take the group's channel now that
  // qualify at step k or an earlier one, the pool of a contact of the group
  // at step k — kept once a decision of a random strategy draws from the
  // group (TrackDraws); kNoSlot while it keeps none.
  struct DrawRef {
    uint32_t first = internal::kNoSlot;
    uint8_t steps = 0;
    uint8_t channel = 0;
  };
  std::vector<DrawRef> draw_refs_;
  internal::DrawSets draw_sets_;

  std::vector<internal::AgentRec> agents_;
  std::vector<uint32_t> free_agent_slots_;
  internal::IdIndex agent_ids_;
  internal::Bitset scratch_;       // candidate set of one decision
  internal::Bitset scratch_step_;  // one routing step's pool

  std::vector<internal::ContactRec> contacts_;
  std::vector<uint32_t> free_contact_slots_;
  internal::IdIndex contact_ids_;
  std::vector<SkillRequirement> scratch_skills_;

  // Contacts whose preference is in force (slots), for rechecks.
  absl::btree_set<uint32_t> preferring_;

  bool track_work_ = false;  // some queue has guards or a quality strategy
  Micros work_bucket_ = 1;   // work_window / WorkWindow::kBuckets
  std::mt19937_64 guard_rng_;
  std::vector<uint32_t> scratch_candidates_;
  // ChooseAmongCandidates' working sets, kept so that a decision allocates
  // nothing once they have grown.
  struct GuardedCandidate {
    uint32_t slot;
    double occupancy;
    int level;  // summed level on the contact's skills: peers are equal
    bool out;
  };
  std::vector<GuardedCandidate> scratch_guarded_;
  std::vector<double> scratch_lowest_;
  std::vector<size_t> scratch_excluded_ranks_;  // RandomInPool's
  double max_weight_ = 0;
  bool max_weight_known_ = false;

  std::optional<Micros> EarliestLiveTimer() const;  // NextTimerMicros, timers pending
  // agents.cc: the channels the agent can take one more contact of now.
  uint32_t FreeChannelMask(const internal::AgentRec& a) const;
  // snapshot.cc: LoadState once the engine is known to be fresh; the options
  // that shape the state, which a loaded state must have been saved with.
  absl::Status LoadStateInto(std::string_view state);
  std::vector<int64_t> OptionsFingerprint() const;
  absl::Status AdvanceWithWork(
      Micros target);  // AdvanceToMicros: checks, timers, history

  CommandHook command_hook_;
  Authorizer authorizer_;
  // Per producer, the highest command sequence applied (CommandOrigin).
  absl::flat_hash_map<uint64_t, uint64_t> producer_sequences_;
  struct Submitted {
    Command command;
    CommandOrigin origin;
  };
  internal::MpscQueue<Submitted> intake_;
  std::atomic<bool> parked_{false};
  std::counting_semaphore<1 << 30> wake_{0};
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_ENGINE_H_
