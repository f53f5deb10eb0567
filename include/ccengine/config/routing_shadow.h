// -----------------------------------------------------------------------------
// File: ccengine/config/routing_shadow.h
// -----------------------------------------------------------------------------
//
// Shadow evaluation (灰度) of a candidate routing version on live traffic.
// Every arriving contact is routed by the live version's entry flow, as
// always, and — without touching the call — by the candidate's: the two
// decisions are compared one by one and counted (the same target, or another
// queue, priority class, skills or agent preference), with the pairs of
// rules that decided and the moves between queues, over a window the caller
// closes with `TakeReport`. Optionally a share of new contacts (by a hash of
// the contact id, so a contact is always on the same side) is routed by the
// candidate for real: a canary. The figures of a window tell an operator what
// the candidate would change before it goes live; what those changes do to
// service level, waiting and abandonment comes from the simulator, which
// runs both versions on the same simulated customers
// (sim::WithRouting; Python: ccengine.compare_routing).
//
// Facts are given by name once; each version reads those its file declares.
// A fact the live file does not declare, or of another type than it
// declares, is an error (nothing is counted); one the candidate does not
// declare (or types otherwise) is left unset for the candidate, and counted
// in `candidate_fact_mismatches`, since a candidate may drop an attribute.
//
// Canary routing hands the candidate's target to the live engine, so the
// candidate's flows may only target queues the live version has under the
// same index and name, and skills likewise; `Create` refuses a candidate
// that does not (FailedPrecondition naming the first difference) when
// canary_share > 0.
//
// Thread safety: not thread-safe; route from one thread (the router's), or
// guard the object with a mutex. The versions are shared immutable files.
//
// Example:
//   auto shadow = RoutingShadow::Create(live, candidate).value();
//   // for each arriving contact:
//   absl::StatusOr<FlowTarget> target =
//       shadow.Route(id, "hotline", {{"ivr.choice", std::string("2")}}, Channel::kVoice,
//                    engine.Now());
//   engine.AddContact(live->MakeContact(id, Channel::kVoice, *target));
//   // every quarter hour:
//   ShadowReport report = shadow.TakeReport();   // report.DifferingShare()

#ifndef CCENGINE_CONFIG_ROUTING_SHADOW_H_
#define CCENGINE_CONFIG_ROUTING_SHADOW_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/config/expression.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/types.h"

namespace ccengine::config {

// Differing decisions kept as examples per window.
inline constexpr size_t kMaxShadowSamples = 100;
// Facts given with one contact.
inline constexpr size_t kMaxShadowFacts = 256;

// One contact whose two decisions differ.
struct ShadowSample {
  ContactId contact;
  std::string flow;
  std::string live_rule;       // the rule's name, or "default"
  std::string candidate_rule;  // likewise; "(no such flow)" when the candidate lacks it
  std::string live_queue;
  std::string candidate_queue;  // empty when the candidate lacks the flow
  bool routed_by_candidate = false;
};

struct ShadowReport {
  std::string live_hash;  // content hashes of the two versions
  std::string candidate_hash;
  uint64_t decisions = 0;  // contacts routed in the window
  uint64_t differing = 0;  // whose two targets differ in anything
  // Of `differing`, by what differs (a decision may count in several).
  uint64_t other_queue = 0;
  uint64_t other_priority = 0;
  uint64_t other_skills = 0;
  uint64_t other_preference = 0;  // preferred agents, last agent, preference wait
  uint64_t other_fallbacks = 0;   // fallback targets (after, queue, priority, skills)
  uint64_t candidate_without_flow = 0;     // the candidate has no flow of that name
  uint64_t candidate_fact_mismatches = 0;  // facts the candidate left unset
  uint64_t routed_by_candidate = 0;        // the canary share, for real
  // (live queue, candidate queue) -> contacts, where the queue differs.
  std::map<std::pair<std::string, std::string>, uint64_t> queue_moves;
  // (flow, live rule, candidate rule) -> contacts, every decision.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> rules;
  std::vector<ShadowSample> samples;  // the window's first differing decisions

  double DifferingShare() const {
    return decisions == 0
               ? 0.0
               : static_cast<double>(differing) / static_cast<double>(decisions);
  }
};

class RoutingShadow {
 public:
  // `canary_share` in [0, 1]: the share of contacts the candidate routes
  // for real. InvalidArgument for a share out of range or a null version;
  // FailedPrecondition for a canary the live engine cannot take (above).
  static absl::StatusOr<RoutingShadow> Create(
      std::shared_ptr<const RoutingConfig> live,
      std::shared_ptr<const RoutingConfig> candidate, double canary_share = 0);

  // Routes contact `id` arriving on `channel` at `now` through entry flow
  // `flow` of both versions and counts the comparison; returns the target
  // that routes it for real (the live one, or the candidate's for a canary
  // contact), whose ids are the live engine's. NotFound when the live file
  // has no such flow or declares no attribute of a fact's name;
  // InvalidArgument for a fact of another type than the live file declares,
  // a number that is not finite, a fact that is set by the engine
  // (contact.channel, time.*), or more than kMaxShadowFacts facts. On error
  // nothing is counted.
  absl::StatusOr<FlowTarget> Route(
      ContactId id, std::string_view flow,
      const std::vector<std::pair<std::string, FactValue>>& facts, Channel channel,
      absl::Time now);

  // Whether contact `id` falls in the canary share.
  bool InCanary(ContactId id) const;

  // The window so far; TakeReport also starts a new window.
  const ShadowReport& report() const { return report_; }
  ShadowReport TakeReport();

  const RoutingConfig& live() const { return *live_; }
  const RoutingConfig& candidate() const { return *candidate_; }
  double canary_share() const { return canary_share_; }

 private:
  RoutingShadow(std::shared_ptr<const RoutingConfig> live,
                std::shared_ptr<const RoutingConfig> candidate, double canary_share);
  ShadowReport NewReport() const;

  std::shared_ptr<const RoutingConfig> live_;
  std::shared_ptr<const RoutingConfig> candidate_;
  double canary_share_ = 0;
  uint64_t canary_below_ = 0;  // a contact is in the canary when its hash is below
  Bindings live_facts_;
  Bindings candidate_facts_;
  ShadowReport report_;
};

}  // namespace ccengine::config

#endif  // CCENGINE_CONFIG_ROUTING_SHADOW_H_
