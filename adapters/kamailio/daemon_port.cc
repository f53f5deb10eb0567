#include "daemon_port.h"

#include <utility>

#include "daemon_output.h"
#include "fmt/format.h"

namespace ccengine::kamailio {

void KamailioPort::Ring(const std::string& call_ref, const std::string& agent_address) {
  int64_t ti, tl;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(call_ref);
    if (it == calls_.end() || !it->second.suspended) {
      Line(fmt::format("LOG ring for call {} not waiting in Kamailio", call_ref));
      return;
    }
    it->second.suspended = false;
    it->second.last_rung = agent_address;
    ti = it->second.tindex;
    tl = it->second.tlabel;
  }
  Send(RouteReply(ti, tl, agent_address));
  Line(fmt::format("RING call={} uri={}", call_ref, agent_address));
}

void KamailioPort::CancelRing(const std::string& call_ref,
                              const std::string& agent_address) {
  Line(fmt::format("LOG cancel-ring call={} uri={} (ignored)", call_ref, agent_address));
}

void KamailioPort::EndCall(const std::string& call_ref, CallOutcome outcome) {
  std::optional<CallInfo> info = Forget(call_ref);
  if (!info || !info->suspended) return;
  Send(RejectReply(info->tindex, info->tlabel, info->no_agent_code,
                   info->no_agent_reason));
  Line(fmt::format("END call={} outcome={} code={}", call_ref, CallOutcomeName(outcome),
                   info->no_agent_code));
}

std::optional<KamailioPort::CallInfo> KamailioPort::Forget(const std::string& call_ref) {
  std::lock_guard<std::mutex> lock(mu_);
  auto node = calls_.extract(call_ref);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

void KamailioPort::Send(const std::string& payload) {
  absl::Status st = client_->Send(payload);
  if (!st.ok()) Line(fmt::format("LOG send failed: {}", st.ToString()));
}

}  // namespace ccengine::kamailio
