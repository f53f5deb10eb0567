// -----------------------------------------------------------------------------
// File: ccengine/audit/access_audit.h
// -----------------------------------------------------------------------------
//
// Access decisions (compliance/access.h) written to the audit trail: every
// refusal and every decision a supervisor or administrator answers for
// becomes one entry of an `AuditLog`,
//
//   actor    the actor's id ("wang.li"; "#17" for a number never issued)
//   role     the roles in force, comma-separated ("none" without)
//   action   the permission and the command or change, "denied:" before a
//            refusal: "agent.force_state:ForceAgentState",
//            "denied:agent.state:SetReady", "access.manage:GrantRole"
//   subject  what it touched: "agent 7", "contact 12 in queue 3 to queue 5",
//            "actor 'li.lei'"
//   after    a role change's role: "role 'supervisor' until …"
//   reason   a refusal's message
//
// An entry that cannot be appended fails the sink, so the access control
// refuses the action (fail closed).
//
// Thread safety: the sink may be called from several threads at once (the
// log serializes appends); `log` must outlive the sink.
//
// Example:
//   compliance::AccessControl access(routing.access_policy());
//   access.SetDecisionSink(audit::AccessAuditSink(**log));

#ifndef CCENGINE_AUDIT_ACCESS_AUDIT_H_
#define CCENGINE_AUDIT_ACCESS_AUDIT_H_

#include "ccengine/audit/audit_log.h"
#include "ccengine/compliance/access.h"

namespace ccengine::audit {

// The audit entry for `decision`.
AuditEvent AccessAuditEvent(const compliance::AccessDecision& decision);

// A decision sink appending each decision to `log`.
compliance::AccessControl::DecisionSink AccessAuditSink(AuditLog& log);

}  // namespace ccengine::audit

#endif  // CCENGINE_AUDIT_ACCESS_AUDIT_H_
