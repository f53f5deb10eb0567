// -----------------------------------------------------------------------------
// File: bindings/python/engine_binding.h
// -----------------------------------------------------------------------------
//
// `PyEngine`, the object behind `ccengine.Engine`: one `ccengine::Engine` plus
// a buffer that a C++ subscriber fills with every event, so that no Python
// code ever runs inside an engine call; Python takes the events with
// `drain_events()` (engine_binding.cc). Also the conversions of engine values
// from Python (engine_args.cc) and to dicts (engine_dicts.cc), which use the
// engine to turn ids into names and back.
//
// At the Python edge queues and skills are named by their string name or by
// their integer id, agents and contacts by their integer id; times are float
// seconds since the engine's epoch (Unix time 0 unless `start_s` says
// otherwise) and durations float seconds.
//
// Thread safety: single-threaded like the router thread; the GIL serializes
// every call.

#ifndef CCENGINE_BINDINGS_PYTHON_ENGINE_BINDING_H_
#define CCENGINE_BINDINGS_PYTHON_ENGINE_BINDING_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/compliance/access.h"
#include "ccengine/config/routing_versions.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "common.h"

namespace ccengine::python {

class PyEngine {
 public:
  PyEngine(std::unique_ptr<Engine> engine, bool record_events, bool explain);
  PyEngine(const PyEngine&) = delete;
  PyEngine& operator=(const PyEngine&) = delete;

  Engine& engine() { return *engine_; }
  const Engine& engine() const { return *engine_; }

  // The buffered events, oldest first; the buffer is left empty.
  std::vector<Event> TakeEvents(size_t max);
  size_t pending_events() const { return events_.size(); }
  bool record_events() const { return record_events_; }
  void set_record_events(bool on) { record_events_ = on; }
  // Whether decisions also leave "decision_explained" events.
  bool explain() const { return explain_; }
  void set_explain(bool on);

  // Remembers a queue's name (queue ids are dense from 0).
  void NoteQueue(QueueId id, const std::string& name);
  std::string QueueName(QueueId id) const;

  // Whether a command or a time step was ever given (open_journal needs an
  // engine that has had none: recovery starts from the configured, fresh
  // engine, whose clock must not be past the journal's records).
  bool commanded() const { return commanded_; }
  void set_commanded() { commanded_ = true; }

  // The command journal while one is open (register_journal.cc).
  struct Journal;
  Journal* journal() const { return journal_.get(); }
  void set_journal(std::shared_ptr<Journal> journal) { journal_ = std::move(journal); }

  // The live metrics while attached (register_metrics.cc).
  metrics::Collector* metrics() const { return metrics_.get(); }
  void set_metrics(std::unique_ptr<metrics::Collector> m) {
    metrics_.reset();  // unsubscribes the old one first
    metrics_ = std::move(m);
  }

  // Whom commands are sent as, and the access control judging them
  // (register_access.cc).
  uint32_t actor() const { return actor_; }
  void set_actor(uint32_t actor) { actor_ = actor; }
  compliance::AccessControl* access() const { return access_.get(); }
  // The same, shared: for what must keep it alive past a re-attach.
  std::shared_ptr<compliance::AccessControl> shared_access() const { return access_; }
  void set_access(std::shared_ptr<compliance::AccessControl> access) {
    access_ = std::move(access);
  }

  // The routing file's versions, for an engine made by Engine.from_config
  // (register_config.cc); null otherwise.
  config::RoutingVersions* routing() const { return routing_.get(); }
  void set_routing(std::unique_ptr<config::RoutingVersions> r) {
    routing_ = std::move(r);
  }

 private:
  // Kept alive while attached; declared before the engine so that it is
  // destroyed after it (the engine's authorizer points to it).
  std::shared_ptr<compliance::AccessControl> access_;
  std::unique_ptr<Engine> engine_;
  std::vector<Event> events_;
  bool record_events_ = true;
  bool explain_ = false;
  Engine::SubscriptionId subscription_ = 0;
  std::vector<std::string> queue_names_;
  bool commanded_ = false;
  uint32_t actor_ = 0;
  // Destroyed before the engine: it is subscribed to it.
  std::unique_ptr<metrics::Collector> metrics_;
  // Destroyed before the engine, which it refers to.
  std::unique_ptr<config::RoutingVersions> routing_;
  // Last, so destroyed first: it hooks the engine.
  std::shared_ptr<Journal> journal_;
};

// Every router command from Python goes through Engine::Apply (so that an open
// journal writes it ahead); raises CcengineError with the engine's status.
void ApplyCommand(PyEngine& e, const Command& command, CommandOrigin origin = {});

// Configuration (skills, queues, strategies, agents' skills) is the
// application's start-up, not journaled: CcengineError FAILED_PRECONDITION
// while a journal is open.
void RequireNoJournal(const PyEngine& e, const char* what);

// Registers open_journal, checkpoint, close_journal, journal and state_bytes
// on ccengine.Engine (register_journal.cc).
void RegisterEngineJournal(py::class_<PyEngine>& cls);

// Registers attach_metrics, assign_group, metrics_rows and metrics_now
// (register_metrics.cc).
void RegisterEngineMetrics(py::class_<PyEngine>& cls);

// Registers the reads of the engine's state — get_agent, get_contact,
// customer_history, erase_customer, last_agent, queue_position, the wait
// estimates, queue_stats, accounting, check_invariants, agent_count
// (register_engine_state.cc).
void RegisterEngineState(py::class_<PyEngine>& cls);

// --- Python value -> engine value ---------------------------------------------

uint64_t ToId(py::handle value, const std::string& path);
QueueId ToQueue(const PyEngine& e, py::handle value, const std::string& path);
SkillId ToSkill(const PyEngine& e, py::handle value, const std::string& path);
// {skill: level} (skill by name or id) or a list of (skill, level) pairs.
std::vector<SkillLevel> ToSkills(const PyEngine& e, py::handle value,
                                 const std::string& path);
AgentState ToAgentState(py::handle value, const std::string& path);
int32_t ToInt32(py::handle value, const std::string& path);

// An hours dict ({"utc_offset_s": …, "weekly": {"mon": [["08:30", "12:00"]]},
// "holidays": [...], "special": {...}}) to a calendar.
HoursOfOperation ToHours(py::handle value, const std::string& path);

// Reads a queue dict over `base` (the defaults, or the queue's current rules
// for an update).
QueueConfig ToQueueConfig(const PyEngine& e, py::handle value, const std::string& path,
                          QueueConfig base);

struct AgentArgs {
  py::object agent;
  std::string name;
  py::object skills = py::none();
  py::object capacity = py::none();
  double weight = 1.0;
  bool auto_accept = false;
};
AgentConfig MakeAgentConfig(const PyEngine& e, const AgentArgs& args);
// csat (None or 1..5) and resolved (None or bool).
ContactOutcome ToOutcome(py::handle csat, py::handle resolved);

struct ContactArgs {
  py::object contact;
  py::object queue;
  std::string channel = "voice";
  int64_t priority = 0;
  py::object skills = py::none();
  std::string customer_id;
  py::object attributes = py::none();
  std::optional<double> arrived_at_s;
  py::object preferred_agents = py::none();  // a list of agent ids
  bool prefer_last_agent = false;
  double preferred_wait_s = 0;
  // [{"after_s", "queue", "priority", "skills"}]
  py::object fallbacks = py::none();
};
ContactSpec MakeContactSpec(const PyEngine& e, const ContactArgs& args);

// {"type": "accept_offer", "agent": 7, "contact": 42}: the keys are the
// parameter names of the Engine method of the same name.
Command ToCommand(const PyEngine& e, py::handle value);

// Seconds to a duration for the engine to validate (so that its message is
// the one raised): NaN is refused here, ±inf becomes the infinite duration.
absl::Duration ToEngineDuration(double seconds, const std::string& path);

// --- engine value -> Python dict ----------------------------------------------

py::dict SkillsToDict(const PyEngine& e, const std::vector<SkillLevel>& skills);
py::dict QueueConfigToDict(const PyEngine& e, const QueueConfig& config);
py::dict AgentToDict(const PyEngine& e, const AgentSnapshot& agent);
// `mask` masks the customer id and attributes; null hands them over as they
// are (an unmasked read the caller has checked).
py::dict ContactToDict(const PyEngine& e, const ContactSnapshot& contact,
                       const compliance::Masker* mask);
py::dict CustomerContactToDict(const PyEngine& e, const CustomerContact& contact);
py::dict StatsToDict(const PyEngine& e, const QueueStats& stats);
py::dict WaitEstimateToDict(const WaitEstimate& estimate);
py::dict AccountingToDict(const Accounting& accounting);
py::dict ExplanationToDict(const PyEngine& e, const Explanation& explanation);
py::dict EventToDict(const PyEngine& e, const Event& event);

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_ENGINE_BINDING_H_
