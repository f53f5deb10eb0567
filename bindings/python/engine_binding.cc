// -----------------------------------------------------------------------------
// File: bindings/python/engine_binding.cc
// -----------------------------------------------------------------------------
//
// PyEngine: the engine, its event buffer and queue names, and the one path of router commands from Python (ApplyCommand); see engine_binding.h.

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ccengine/core/calendar.h"
#include "engine_binding.h"
#include "fmt/format.h"

namespace ccengine::python {

// --- PyEngine ------------------------------------------------------------------

PyEngine::PyEngine(std::unique_ptr<Engine> engine, bool record_events, bool explain)
    : engine_(std::move(engine)), record_events_(record_events) {
  set_explain(explain);
}

void ApplyCommand(PyEngine& e, const Command& command, CommandOrigin origin) {
  e.set_commanded();
  if (origin.actor == 0) origin.actor = e.actor();
  Check(e.engine().Apply(command, origin));
}

void RequireNoJournal(const PyEngine& e, const char* what) {
  if (e.journal() == nullptr) return;
  Check(absl::FailedPreconditionError(
      fmt::format("{} changes the configuration, which the journal does not hold: "
                  "configure the engine before open_journal()",
                  what)));
}

void PyEngine::set_explain(bool on) {
  if (subscription_ != 0) engine_->Unsubscribe(subscription_);
  explain_ = on;
  // Runs inside engine calls: only copies the event, never touches Python.
  subscription_ = engine_->Subscribe(
      [this](const Event& event) {
        if (record_events_) events_.push_back(event);
      },
      on ? kAllEvents | EventBit(EventType::kDecisionExplained) : kAllEvents);
}

std::vector<Event> PyEngine::TakeEvents(size_t max) {
  if (max >= events_.size()) return std::exchange(events_, {});
  std::vector<Event> out(std::make_move_iterator(events_.begin()),
                         std::make_move_iterator(events_.begin() + max));
  events_.erase(events_.begin(), events_.begin() + max);
  return out;
}

void PyEngine::NoteQueue(QueueId id, const std::string& name) {
  if (id.value() >= queue_names_.size()) queue_names_.resize(id.value() + 1);
  queue_names_[id.value()] = name;
}

std::string PyEngine::QueueName(QueueId id) const {
  if (id.value() < queue_names_.size() && !queue_names_[id.value()].empty()) {
    return queue_names_[id.value()];
  }
  absl::StatusOr<QueueConfig> config = engine_->GetQueueConfig(id);
  return config.ok() ? config->name : fmt::format("#{}", id.value());
}

}  // namespace ccengine::python
