// -----------------------------------------------------------------------------
// File: ccengine/metrics/json.h
// -----------------------------------------------------------------------------
//
// The two JSON pieces the metrics outputs (reports, the wallboard's feed)
// are written with: a string literal and a number that may be undefined.
//
// Thread safety: pure functions.
#ifndef CCENGINE_METRICS_JSON_H_
#define CCENGINE_METRICS_JSON_H_

#include <string>
#include <string_view>

namespace ccengine::metrics {

// `value` as a JSON string literal, quotes included (UTF-8 passes through;
// quote, backslash and control characters are escaped).
std::string JsonString(std::string_view value);

// `value` as a JSON number, or null for NaN and infinities (JSON has
// neither: a figure with nothing to measure).
std::string JsonNumber(double value);

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_JSON_H_
