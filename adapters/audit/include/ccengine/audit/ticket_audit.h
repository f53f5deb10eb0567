// -----------------------------------------------------------------------------
// File: ccengine/audit/ticket_audit.h
// -----------------------------------------------------------------------------
//
// The ticket desk's events (tickets/desk.h) written to the audit trail: every
// ticket taken in, linked as a duplicate, moved from one state to another,
// escalated, its SLA breached, an extension asked for or decided becomes one
// entry of an `AuditLog`,
//
//   actor    who did it: the actor the desk call named ("dispatcher",
//            "wang.li"), "sla" for the desk's clocks, "desk" for what it
//            does on its own (a joint-handling master resolved)
//   role     the actor's roles in force at the event's time, from the access
//            control given ("supervisor,auditor"); "none" without one or for
//            a name it does not know
//   action   "ticket." and the event's name: "ticket.state_changed",
//            "ticket.created", "ticket.escalated", ...
//   subject  "ticket 42 (noise, 城管)"; a duplicate's also names its master
//   before   the state before (state changes)
//   after    the state after (state changes, new tickets)
//   reason   the reason the actor gave, or the event's detail (the clock
//            of an SLA breach, the decision on an extension)
//
// SLA warnings are not written: nobody acted, and the breach that may follow
// is. The log masks personal data in what it writes (AuditLogOptions), so a
// reason that quotes a caller's number does not put it in the trail.
//
// The desk emits its events after the store write, so an entry that cannot
// be appended cannot undo the change: the trail counts the failures and keeps
// the first, for the application to alarm on (`status()`).
//
// Thread safety: the callback may be called from several threads at once
// (the log serializes appends); `log` and `access` must outlive the trail.
//
// Example:
//   audit::TicketAuditTrail trail(**log, &access);
//   desk->Subscribe(trail.Callback());
//   ...
//   if (!trail.status().ok()) Alarm(trail.status());

#ifndef CCENGINE_AUDIT_TICKET_AUDIT_H_
#define CCENGINE_AUDIT_TICKET_AUDIT_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/compliance/access.h"
#include "ccengine/tickets/desk.h"

namespace ccengine::audit {

// The audit entry for `event`, the actor acting in `role`.
AuditEvent TicketAuditEvent(const tickets::TicketEvent& event, const std::string& role);

class TicketAuditTrail {
 public:
  // `access`: where the actors' roles are looked up; null: role "none".
  explicit TicketAuditTrail(AuditLog& log,
                            const compliance::AccessControl* access = nullptr)
      : log_(log), access_(access) {}
  TicketAuditTrail(const TicketAuditTrail&) = delete;
  TicketAuditTrail& operator=(const TicketAuditTrail&) = delete;

  // For TicketDesk::Subscribe: appends each event's entry.
  tickets::TicketEventCallback Callback();
  // Appends `event`'s entry (nothing for an SLA warning).
  absl::Status Record(const tickets::TicketEvent& event);

  // The first append that failed (OK when none has), and how many have.
  absl::Status status() const;
  int64_t failures() const;

 private:
  std::string RoleOf(const tickets::TicketEvent& event) const;

  AuditLog& log_;
  const compliance::AccessControl* access_;
  mutable std::mutex mu_;  // guards the two below
  absl::Status first_failure_;
  int64_t failures_ = 0;
};

}  // namespace ccengine::audit

#endif  // CCENGINE_AUDIT_TICKET_AUDIT_H_
