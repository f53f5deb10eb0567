// -----------------------------------------------------------------------------
// File: bindings/python/ticket_binding.h
// -----------------------------------------------------------------------------
//
// ccengine.TicketDesk's Python object (PyTicketDesk: the desk, its clock, its
// events, its audit trail) and the conversions of tickets between Python and
// C++; the methods are registered in register_tickets.cc.
//
// Thread safety: as every Python object, used with the GIL held.

#ifndef CCENGINE_BINDINGS_PYTHON_TICKET_BINDING_H_
#define CCENGINE_BINDINGS_PYTHON_TICKET_BINDING_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/core/clock.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "common.h"
#include "engine_binding.h"
#include "fmt/format.h"
#include "masking.h"

#ifdef CCENGINE_PY_HAVE_AUDIT
#include "audit_binding.h"
#include "ccengine/audit/ticket_audit.h"
#endif

namespace ccengine::python {

// The ticket store named by TicketDesk's first argument: ":memory:", a
// postgresql:// DSN, else a SQLite file; `sync` is SQLite's ("full",
// "normal", "off"). ValueError or CcengineError when it cannot be opened.
std::unique_ptr<tickets::TicketStore> OpenStore(const std::string& where,
                                                const std::string& sync);

// The engine's time, for a desk that dispatches through a Python engine (the
// GIL makes the Python thread the router thread).
std::unique_ptr<Clock> EngineClockOf(const Engine* engine);

// `mask` masks the text, customer id, address (personal as a whole) and
// fields; null hands them over as they are (an unmasked read the caller has
// checked).
py::dict TicketToDict(const tickets::Ticket& t, const compliance::Masker* mask);

// A create request from TicketDesk.create's arguments (ValueError naming the
// argument).
tickets::CreateRequest ToRequest(const std::string& category, const std::string& text,
                                 py::handle customer_id, py::handle address,
                                 py::handle fields, const std::string& actor,
                                 py::handle received_at, bool dedupe);

// The Python object: the desk, its store's clock, and the events it emitted.
class PyTicketDesk {
 public:
  PyTicketDesk(const std::string& where, py::object engine, std::optional<double> start_s,
               const std::string& sync, uint32_t actor)
      : engine_obj_(std::move(engine)) {
    tickets::TicketDeskOptions options;
    if (!engine_obj_.is_none()) {
      engine_ = &engine_obj_.cast<PyEngine&>();
      clock_ = EngineClockOf(&engine_->engine());
      options.engine = &engine_->engine();
      options.actor = actor != 0 ? actor : engine_->actor();
    } else {
      manual_ = std::make_unique<ManualClock>(
          start_s.has_value() ? ToTime(*start_s, "start_s") : absl::Now());
    }
    options.clock = clock_ != nullptr ? clock_.get() : manual_.get();
    desk_ = Unwrap(tickets::TicketDesk::Open(OpenStore(where, sync), options));
    desk_->Subscribe([this](const tickets::TicketEvent& e) { events_.push_back(e); });
    if (engine_ != nullptr) {
      subscription_ = engine_->engine().Subscribe(desk_->EngineEventCallback(),
                                                  tickets::TicketDesk::kEngineEvents);
    }
  }
  // The engine may outlive the desk: its events must stop reaching it.
  ~PyTicketDesk() {
    if (engine_ != nullptr) engine_->engine().Unsubscribe(subscription_);
  }
  PyTicketDesk(const PyTicketDesk&) = delete;
  PyTicketDesk& operator=(const PyTicketDesk&) = delete;

  tickets::TicketDesk& desk() { return *desk_; }
  const PyEngine* engine() const { return engine_; }
  const compliance::Masker* mask() const { return &MaskerFor(engine_); }

  void AdvanceTo(double t) {
    if (manual_ == nullptr) {
      RaiseStatus(absl::FailedPreconditionError(
          "this desk reads its engine's clock: advance the engine instead"));
    }
    const absl::Time to = ToTime(t, "t");
    if (to < manual_->Now()) {
      RaiseInvalid(fmt::format("t: {} is before the desk's time {}", t,
                               SecondsSinceEpoch(manual_->Now())));
    }
    manual_->Set(to);
  }
  double Now() const {
    return SecondsSinceEpoch(manual_ != nullptr ? manual_->Now() : clock_->Now());
  }

  // The desk's events since the last call, as dicts (free text masked).
  py::list DrainEvents();

#ifdef CCENGINE_PY_HAVE_AUDIT
  void AuditTo(const py::object& log) {
    if (audit_trail_ != nullptr) {
      RaiseStatus(
          absl::FailedPreconditionError("this desk writes to an audit log already"));
    }
    audit::AuditLog& target = AuditLogOf(log);
    audit_access_ = engine_ != nullptr ? engine_->shared_access() : nullptr;
    audit_trail_ = std::make_unique<audit::TicketAuditTrail>(target, audit_access_.get());
    audit_log_obj_ = log;
    desk_->Subscribe(audit_trail_->Callback());
  }
  int64_t AuditFailures() const {
    return audit_trail_ != nullptr ? audit_trail_->failures() : 0;
  }
  py::object AuditError() const {
    if (audit_trail_ == nullptr || audit_trail_->status().ok()) return py::none();
    return py::str(std::string(audit_trail_->status().message()));
  }
#endif

 private:
  py::object engine_obj_;  // keeps the engine alive as long as the desk
  PyEngine* engine_ = nullptr;
  Engine::SubscriptionId subscription_ = 0;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<ManualClock> manual_;
#ifdef CCENGINE_PY_HAVE_AUDIT
  // The audit trail (audit_to) and what it writes to and reads roles from,
  // declared before the desk so that they outlive its subscription.
  py::object audit_log_obj_;
  std::shared_ptr<compliance::AccessControl> audit_access_;
  std::unique_ptr<audit::TicketAuditTrail> audit_trail_;
#endif
  std::unique_ptr<tickets::TicketDesk> desk_;
  std::vector<tickets::TicketEvent> events_;
};

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_TICKET_BINDING_H_
