// The wallboard's data and page (adapters/http, not installed): a metrics
// snapshot as the JSON the page renders, and the page itself.
//
// Thread safety: pure functions and a constant.
#ifndef CCENGINE_ADAPTERS_HTTP_WALLBOARD_H_
#define CCENGINE_ADAPTERS_HTTP_WALLBOARD_H_

#include <string>
#include <string_view>

#include "ccengine/metrics/snapshot.h"

namespace ccengine::http {

// The snapshot as one JSON object (no line breaks, so it fits one
// server-sent event):
//   {"version": 7, "at": <Unix s>, "windows": ["5m", ...],
//    "queues": [{"name", "waiting", "longest_wait_s", "sl_target",
//                "sl_threshold_s", "sl_today", "asa_today_s",
//                "offered_today", "answered_today", "abandoned_today",
//                "sl_windows": [..one per window..], "alert"}],
//    "agents": {"not_ready", "available", "reserved", "busy", "wrap_up"},
//    "not_ready_by_reason": {"<code>": n}}
// Figures with nothing to measure are null. A queue is in alert when
// today's service level is below its target.
std::string WallboardJson(const metrics::Snapshot& snapshot);

// The wallboard page (HTML, CSS and script in one): queue tiles, agents by
// state and alerts, in Chinese and English, updated from /events.
extern const std::string_view kWallboardPage;

}  // namespace ccengine::http

#endif  // CCENGINE_ADAPTERS_HTTP_WALLBOARD_H_
