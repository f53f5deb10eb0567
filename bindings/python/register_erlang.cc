// -----------------------------------------------------------------------------
// File: bindings/python/register_erlang.cc
// -----------------------------------------------------------------------------
//
// ccengine.erlang_b / erlang_c / erlang_c_metrics / erlang_a_metrics /
// agents_for_service_level: thin wrappers over ccengine/erlang/erlang.h. Times are
// seconds, rates per second; bad input raises ValueError with the C++ message.

#include <optional>

#include "ccengine/erlang/erlang.h"
#include "common.h"

namespace ccengine::python {

void RegisterErlang(py::module_& m) {
  using namespace pybind11::literals;

  m.def(
      "erlang_b",
      [](double traffic, int agents) { return Unwrap(ErlangB(traffic, agents)); },
      "traffic"_a, "agents"_a,
      R"doc(Blocking probability of an Erlang loss system (M/M/n/n).

Args:
    traffic: offered load in Erlangs (arrival rate x mean handle time), >= 0.
    agents: number of servers, >= 0 (0 blocks everything: 1.0).

Returns:
    The probability that an arriving contact finds every agent busy.

Raises:
    ValueError: a negative, NaN or infinite load, or a bad agent count.

Example:
    >>> round(ccengine.erlang_b(2.0, 3), 6)
    0.210526
)doc");

  m.def(
      "erlang_c",
      [](double traffic, int agents) { return Unwrap(ErlangC(traffic, agents)); },
      "traffic"_a, "agents"_a,
      R"doc(Probability that a contact has to wait in M/M/n (Erlang C).

Args:
    traffic: offered load in Erlangs, >= 0 and < agents.
    agents: number of agents, > 0.

Returns:
    P(wait > 0).

Raises:
    ValueError: bad input, or traffic >= agents (unstable load).
)doc");

  m.def(
      "erlang_c_metrics",
      [](double arrival_rate, double aht, int agents, double sl_seconds) {
        ErlangCMetrics r =
            Unwrap(ErlangCMetricsFor(arrival_rate, aht, agents, sl_seconds));
        py::dict d;
        d["p_wait"] = r.p_wait;
        d["asa"] = r.asa;
        d["service_level"] = r.service_level;
        d["occupancy"] = r.occupancy;
        return d;
      },
      "arrival_rate"_a, "aht"_a, "agents"_a, "sl_seconds"_a,
      R"doc(Erlang C (M/M/n, infinite patience) queue metrics.

Args:
    arrival_rate: contacts per second.
    aht: mean handle time in seconds, > 0.
    agents: number of agents, > arrival_rate * aht.
    sl_seconds: service-level threshold in seconds, >= 0.

Returns:
    dict with keys ``p_wait`` (P(wait > 0)), ``asa`` (mean wait over all
    contacts, seconds), ``service_level`` (P(wait <= sl_seconds)) and
    ``occupancy`` (load / agents).

Raises:
    ValueError: bad input or an unstable load.
)doc");

  m.def(
      "erlang_a_metrics",
      [](double arrival_rate, double aht, double patience, int agents,
         double sl_seconds) {
        ErlangAMetrics r =
            Unwrap(ErlangAMetricsFor(arrival_rate, aht, patience, agents, sl_seconds));
        py::dict d;
        d["p_wait"] = r.p_wait;
        d["p_abandon"] = r.p_abandon;
        d["asa"] = r.asa;
        d["service_level"] = r.service_level;
        d["occupancy"] = r.occupancy;
        return d;
      },
      "arrival_rate"_a, "aht"_a, "patience"_a, "agents"_a, "sl_seconds"_a,
      R"doc(Erlang A (M/M/n+M, exponential patience) queue metrics.

Stable for any load: impatient customers abandon instead of piling up.

Args:
    arrival_rate: contacts per second.
    aht: mean handle time in seconds, > 0.
    patience: mean (exponential) patience in seconds, finite and > 0.
    agents: number of agents, > 0.
    sl_seconds: service-level threshold in seconds, >= 0.

Returns:
    dict with keys ``p_wait`` (P(all agents busy at arrival)), ``p_abandon``
    (abandoned / offered), ``asa`` (mean wait of answered contacts, seconds),
    ``service_level`` (answered within sl_seconds / offered) and
    ``occupancy`` (carried load per agent).

Raises:
    ValueError: bad input, or a case beyond what is computed (extreme
        overload with extreme patience).

Example:
    >>> m = ccengine.erlang_a_metrics(100 / 1800, 180, 300, 14, 20)
    >>> round(m["service_level"], 3)
    0.917
)doc");

  m.def(
      "agents_for_service_level",
      [](double arrival_rate, double aht, double sl_target, double sl_seconds,
         std::optional<double> patience) {
        return Unwrap(
            AgentsForServiceLevel(arrival_rate, aht, sl_target, sl_seconds, patience));
      },
      "arrival_rate"_a, "aht"_a, "sl_target"_a, "sl_seconds"_a, "patience"_a = py::none(),
      R"doc(Fewest agents whose service level meets a target.

Uses Erlang C when ``patience`` is None (customers never abandon), Erlang A
(exponential patience with that mean, seconds) otherwise.

Args:
    arrival_rate: contacts per second.
    aht: mean handle time in seconds, > 0.
    sl_target: wanted fraction answered within sl_seconds, in (0, 1).
    sl_seconds: service-level threshold in seconds, >= 0.
    patience: mean patience in seconds, or None for infinite patience.

Returns:
    The agent count n that meets the target while n - 1 does not.

Raises:
    ValueError: bad input, or no agent count up to 100,000 meets the target.

Example:
    >>> ccengine.agents_for_service_level(100 / 1800, 180, 0.8, 20)
    14
)doc");
}

}  // namespace ccengine::python
