// -----------------------------------------------------------------------------
// File: bindings/python/sim_binding.h
// -----------------------------------------------------------------------------
//
// What the simulator's bindings (register_sim.cc, register_staffing.cc)
// share: the scenario from plain data, the result to plain data, the
// scenario's errors, and a run's Ctrl-C and progress from Python.
//
// Thread safety: everything here needs the GIL, except the callbacks of
// `PythonRun::control()`, which take it themselves.

#ifndef CCENGINE_BINDINGS_PYTHON_SIM_BINDING_H_
#define CCENGINE_BINDINGS_PYTHON_SIM_BINDING_H_

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/sim/sim.h"
#include "common.h"
#include "fmt/format.h"

namespace ccengine::python {

// A scenario dict (see ccengine.simulate) to a sim::Scenario; raises
// ValueError naming the field.
sim::Scenario ToScenario(py::handle value);
// A routing file given as a path (str or os.PathLike, read without the GIL)
// or a ccengine.RoutingFile (register_config.cc); raises as
// RoutingFile.load does.
std::shared_ptr<const config::RoutingConfig> RoutingFrom(const py::object& source);
// Facts {attribute: str | bool | int | float | [str, ...] | None} (Python's
// bool before int; None: unset, as if absent); their types are checked
// against a routing file's later.
std::map<std::string, config::FactValue> ToFacts(py::handle value,
                                                 const std::string& path);
// A result as ccengine.simulate returns it.
py::dict ResultToDict(const sim::Result& r, int replications);
// A scenario's errors: a name that refers to nothing is the scenario's fault
// (ValueError, as every other field), not a missing object.
[[noreturn]] void RaiseScenarioError(const absl::Status& st);

// A run's RunControl from Python: the interrupt takes the GIL and runs the
// signal handlers (Ctrl-C raises KeyboardInterrupt in them), the progress
// callback is called with the GIL. What either raises is kept, the run
// stops, and `Finish` raises it: it must not unwind through the simulator.
class PythonRun {
 public:
  explicit PythonRun(py::object progress) : progress_(std::move(progress)) {
    if (!progress_.is_none() && !PyCallable_Check(progress_.ptr())) {
      RaiseInvalid(
          fmt::format("progress: expected a callable(done, total) or None, got {}",
                      TypeName(progress_)));
    }
    control_.interrupt = [this]() -> absl::Status {
      py::gil_scoped_acquire gil;
      if (error_.has_value()) return absl::CancelledError("stopped by Python");
      if (PyErr_CheckSignals() != 0) {
        error_.emplace();  // fetches the exception the handler raised
        return absl::CancelledError("interrupted");
      }
      return absl::OkStatus();
    };
    if (progress_.is_none()) return;
    control_.progress = [this](int done, int total) {
      py::gil_scoped_acquire gil;
      if (error_.has_value()) return;
      try {
        progress_(done, total);
      } catch (py::error_already_set& e) {
        error_.emplace(std::move(e));
      }
    };
  }

  PythonRun(const PythonRun&) = delete;  // the callbacks hold `this`
  PythonRun& operator=(const PythonRun&) = delete;

  const sim::RunControl& control() const { return control_; }

  // With the GIL: raises what Python raised during the run, else the run's
  // own error.
  template <typename T>
  T Finish(absl::StatusOr<T> result) {
    if (error_.has_value()) throw std::move(*error_);
    if (!result.ok()) RaiseScenarioError(result.status());
    return *std::move(result);
  }

 private:
  py::object progress_;
  sim::RunControl control_;
  std::optional<py::error_already_set> error_;
};

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_SIM_BINDING_H_
