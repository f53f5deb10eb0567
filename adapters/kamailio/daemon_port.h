// -----------------------------------------------------------------------------
// File: adapters/kamailio/daemon_port.h
// -----------------------------------------------------------------------------
//
// ccengine-kamailio's TelephonyPort: which suspended INVITE transaction of
// Kamailio each call is, and the evapi replies that carry the bridge's
// decisions — a route to the agent (`Ring`), or the queue's "no agent"
// response (`EndCall` of a call still waiting in Kamailio). The daemon adds
// a call's record when its INVITE arrives and forgets it when Kamailio says
// the call left.
//
// Thread safety: the port's methods may be called from any thread; `calls_`
// is guarded by `mu_`, which the daemon takes to read or change it.

#ifndef CCENGINE_ADAPTERS_KAMAILIO_DAEMON_PORT_H_
#define CCENGINE_ADAPTERS_KAMAILIO_DAEMON_PORT_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "ccengine/kamailio/evapi.h"
#include "ccengine/telephony/telephony.h"

namespace ccengine::kamailio {

class KamailioPort : public TelephonyPort {
 public:
  struct CallInfo {
    int64_t tindex = -1, tlabel = -1;
    std::string from_tag;
    std::string last_rung;
    bool suspended = true;  // Kamailio waits for a decision
    bool connected = false;
    int no_agent_code = 480;
    std::string no_agent_reason;
  };

  // The evapi connection replies go out on; set before the first call.
  void set_client(EvapiClient* c) { client_ = c; }

  void Ring(const std::string& call_ref, const std::string& agent_address) override;
  // The engine's offer timeout is infinite here: Kamailio's fr_inv_timer
  // decides no-answer, so there is nothing to cancel in the SIP layer.
  void CancelRing(const std::string& call_ref, const std::string& agent_address) override;
  void EndCall(const std::string& call_ref, CallOutcome outcome) override;

  // The call leaves Kamailio's side: its record, or nullopt if unknown.
  std::optional<CallInfo> Forget(const std::string& call_ref);
  // An evapi reply; a failure is logged.
  void Send(const std::string& payload);

  std::mutex mu_;
  std::unordered_map<std::string, CallInfo> calls_;

 private:
  EvapiClient* client_ = nullptr;
};

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_DAEMON_PORT_H_
