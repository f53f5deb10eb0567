#include "ccengine/audit/ticket_audit.h"

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine::audit {

AuditEvent TicketAuditEvent(const tickets::TicketEvent& event, const std::string& role) {
  using tickets::TicketEventType;
  AuditEvent out;
  out.actor = event.actor;
  out.role = role;
  out.action = fmt::format("ticket.{}", tickets::TicketEventTypeName(event.type));
  out.subject =
      fmt::format("ticket {} ({}, {})", event.ticket, event.category, event.department);
  if (event.type == TicketEventType::kDuplicateLinked) {
    out.subject += fmt::format(", duplicate of ticket {}", event.master);
  }
  if (event.type == TicketEventType::kStateChanged) {
    out.before = std::string(tickets::TicketStateName(event.from));
  }
  if (event.type == TicketEventType::kStateChanged ||
      event.type == TicketEventType::kCreated) {
    out.after = std::string(tickets::TicketStateName(event.to));
  }
  out.reason = event.detail;
  return out;
}

tickets::TicketEventCallback TicketAuditTrail::Callback() {
  return [this](const tickets::TicketEvent& event) { (void)Record(event); };
}

std::string TicketAuditTrail::RoleOf(const tickets::TicketEvent& event) const {
  if (access_ == nullptr) return "none";
  absl::StatusOr<std::string> roles = access_->RolesInForce(event.actor, event.at);
  return roles.ok() && !roles->empty() ? *roles : "none";
}

absl::Status TicketAuditTrail::Record(const tickets::TicketEvent& event) {
  if (event.type == tickets::TicketEventType::kSlaWarning) return absl::OkStatus();
  absl::Status status = log_.Append(TicketAuditEvent(event, RoleOf(event))).status();
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_++ == 0) first_failure_ = status;
  }
  return status;
}

absl::Status TicketAuditTrail::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_failure_;
}

int64_t TicketAuditTrail::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace ccengine::audit
