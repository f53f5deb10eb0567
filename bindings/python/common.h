// -----------------------------------------------------------------------------
// File: bindings/python/common.h
// -----------------------------------------------------------------------------
//
// What the `register_*.cc` files of the `_ccengine` extension share: the one
// mapping from `absl::Status` to a Python exception (defined in module.cc),
// a strict reader for plain-data dicts that names the offending field in its
// errors, and the conversions between Python values and the engine's
// vocabulary (channels, seconds, skill lists, capacities).
//
// Every binding-side validation error is built as an `absl::Status` and raised
// through `RaiseStatus`, so Python sees one consistent mapping:
//   InvalidArgument, OutOfRange  -> ValueError
//   NotFound                     -> KeyError
//   anything else                -> ccengine.CcengineError (a RuntimeError)
// The exception's message is the status message, unchanged, and the exception
// carries the status code name in its `code` attribute.
//
// Thread safety: everything here needs the GIL.

#ifndef CCENGINE_BINDINGS_PYTHON_COMMON_H_
#define CCENGINE_BINDINGS_PYTHON_COMMON_H_

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/types.h"

namespace ccengine::python {

namespace py = pybind11;

// Sets the Python exception for `status` (which must not be OK) and throws
// `py::error_already_set`. Defined in module.cc.
[[noreturn]] void RaiseStatus(const absl::Status& status);
// The same with the Python exception type chosen by the caller.
[[noreturn]] void RaiseAs(PyObject* type, const absl::Status& status);

// Raises a ValueError through `RaiseStatus(absl::InvalidArgumentError(...))`.
[[noreturn]] void RaiseInvalid(std::string message);

inline void Check(const absl::Status& status) {
  if (!status.ok()) RaiseStatus(status);
}

template <typename T>
T Unwrap(absl::StatusOr<T> value) {
  if (!value.ok()) RaiseStatus(value.status());
  return *std::move(value);
}

// "a dict", "a list", "an int"… of the Python type of `value`, for messages.
std::string TypeName(py::handle value);

// Joins a field path: Child("arrivals[0]", "patience") == "arrivals[0].patience",
// Child("", "seed") == "seed".
std::string Child(const std::string& path, const std::string& key);
std::string Index(const std::string& path, size_t i);

// Scalar conversions with a field path for the message. Numbers accept any
// Python number except bool; integers also accept integral floats (JSON).
double ToDouble(py::handle value, const std::string& path);
int64_t ToInt(py::handle value, const std::string& path);
bool ToBool(py::handle value, const std::string& path);
std::string ToString(py::handle value, const std::string& path);
// Seconds to a duration: finite and >= 0; `allow_infinite` also takes None,
// float("inf") and math.inf as "never".
absl::Duration ToDuration(py::handle value, const std::string& path,
                          bool allow_infinite = false);
// Seconds since the engine's epoch (Unix epoch 0) to a time; finite.
absl::Time ToTime(double seconds, const std::string& path);
double SecondsSinceEpoch(absl::Time t);
double Seconds(absl::Duration d);  // inf for the infinite duration

Channel ToChannel(py::handle value, const std::string& path);
// A service level definition by name (kpi.h); ValueError naming `path`.
ServiceLevelDefinition ToServiceLevelDefinition(const std::string& name,
                                                const std::string& path);
// A ratio, or None where there is nothing to measure (NaN): dicts stay equal
// to themselves and JSON-ready; pandas reads None as NaN.
py::object RatioOrNone(double x);

// A list (or tuple) of items; anything else is an error naming `path`.
py::list ToList(py::handle value, const std::string& path);

// Reads a plain-data dict strictly: every getter records the key it read, and
// `Finish()` rejects the keys nobody read ("arrivals[0]: unknown key 'rate'
// (did you mean 'rate_per_s'?)"), which catches typos in scenarios.
class DictReader {
 public:
  // `what` names the dict in messages when `path` is empty (top level).
  DictReader(py::handle value, std::string path, std::string what = "");

  bool Has(const char* key);        // present and not None
  bool Contains(const char* key);   // present, None included
  py::object Get(const char* key);  // None if absent
  std::string Path(const char* key) const { return Child(path_, key); }
  const std::string& path() const { return path_; }

  double Double(const char* key, double fallback);
  int64_t Int(const char* key, int64_t fallback);
  bool Bool(const char* key, bool fallback);
  std::string String(const char* key, std::string fallback);
  // Raises "<path>: missing required key '<key>'" when absent.
  py::object Require(const char* key);

  // Raises on keys that no getter asked for.
  void Finish() const;

 private:
  py::dict dict_;
  std::string path_;
  std::string what_;
  std::set<std::string> known_;
};

// Parses a capacity: either {channel: max concurrent} (channels not listed
// take none) or the full form {"max_per_channel": {...}, "load_per_contact":
// {...}, "load_budget": n, "exclusive": {channel: bool}}, whose unlisted
// entries keep the defaults of `ccengine::Capacity` (except max_per_channel,
// where unlisted channels take none).
Capacity ToCapacity(py::handle value, const std::string& path);
// {"occupancy_cap", "max_occupancy_spread", "exploration"} over the defaults;
// None: the defaults (no guard).
FairnessGuards ToGuards(py::handle value, const std::string& path);
py::dict CapacityToDict(const Capacity& capacity);

void RegisterErlang(py::module_& m);
void RegisterEngine(py::module_& m);
void RegisterSim(py::module_& m);
void RegisterStaffing(py::module_& m);
void RegisterTickets(py::module_& m);
void RegisterKnowledge(py::module_& m);
void RegisterCompliance(py::module_& m);
void RegisterAccess(py::module_& m, py::object engine_class);  // register_access.cc
void RegisterConfig(py::module_& m);

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_COMMON_H_
