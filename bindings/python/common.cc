// -----------------------------------------------------------------------------
// File: bindings/python/common.cc
// -----------------------------------------------------------------------------
//
// Conversions shared by the register_*.cc files; see common.h.

#include "common.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/edit_distance.h"
#include "fmt/format.h"

namespace ccengine::python {
namespace {

std::string Where(const std::string& path) {
  return path.empty() ? std::string("value") : path;
}

bool IsNumber(py::handle value) {
  if (PyBool_Check(value.ptr())) return false;
  return PyFloat_Check(value.ptr()) || PyLong_Check(value.ptr()) ||
         PyIndex_Check(value.ptr()) || PyObject_HasAttrString(value.ptr(), "__float__");
}

}  // namespace

std::string TypeName(py::handle value) {
  if (value.is_none()) return "None";
  std::string name = py::str(value.get_type().attr("__name__"));
  return fmt::format("'{}'", name);
}

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : fmt::format("{}.{}", path, key);
}

std::string Index(const std::string& path, size_t i) {
  return fmt::format("{}[{}]", path, i);
}

double ToDouble(py::handle value, const std::string& path) {
  if (!IsNumber(value) || PyUnicode_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected a number, got {}", Where(path), TypeName(value)));
  }
  double d = PyFloat_AsDouble(value.ptr());
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    RaiseInvalid(
        fmt::format("{}: expected a number, got {}", Where(path), TypeName(value)));
  }
  return d;
}

int64_t ToInt(py::handle value, const std::string& path) {
  if (PyBool_Check(value.ptr())) {
    RaiseInvalid(fmt::format("{}: expected an integer, got a bool", Where(path)));
  }
  if (PyFloat_Check(value.ptr())) {
    double d = PyFloat_AsDouble(value.ptr());
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) {
      RaiseInvalid(fmt::format("{}: expected an integer, got {}", Where(path),
                               py::str(py::repr(value)).cast<std::string>()));
    }
    return static_cast<int64_t>(d);
  }
  if (!PyIndex_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected an integer, got {}", Where(path), TypeName(value)));
  }
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0) {
    RaiseInvalid(fmt::format("{}: integer {} is out of range", Where(path),
                             py::str(index).cast<std::string>()));
  }
  return static_cast<int64_t>(v);
}

bool ToBool(py::handle value, const std::string& path) {
  if (!PyBool_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected True or False, got {}", Where(path), TypeName(value)));
  }
  return value.ptr() == Py_True;
}

std::string ToString(py::handle value, const std::string& path) {
  if (!PyUnicode_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected a string, got {}", Where(path), TypeName(value)));
  }
  return value.cast<std::string>();
}

absl::Duration ToDuration(py::handle value, const std::string& path,
                          bool allow_infinite) {
  if (allow_infinite && value.is_none()) return absl::InfiniteDuration();
  double s = ToDouble(value, path);
  if (allow_infinite && std::isinf(s) && s > 0) return absl::InfiniteDuration();
  if (!std::isfinite(s) || s < 0) {
    RaiseInvalid(fmt::format("{}: seconds must be finite and >= 0{}, got {}", Where(path),
                             allow_infinite ? " (or None / inf for never)" : "", s));
  }
  return absl::Seconds(s);
}

absl::Time ToTime(double seconds, const std::string& path) {
  // Microseconds since the epoch must fit an int64 (±292,000 years).
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.0e12) {
    RaiseInvalid(
        fmt::format("{}: time must be finite seconds since the engine's epoch, got {}",
                    Where(path), seconds));
  }
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

double SecondsSinceEpoch(absl::Time t) {
  return absl::ToDoubleSeconds(t - absl::UnixEpoch());
}

ServiceLevelDefinition ToServiceLevelDefinition(const std::string& name,
                                                const std::string& path) {
  absl::StatusOr<ServiceLevelDefinition> d = ParseServiceLevelDefinition(name);
  if (!d.ok())
    RaiseInvalid(fmt::format("{}: {}", path, std::string(d.status().message())));
  return *d;
}

py::object RatioOrNone(double x) {
  return std::isnan(x) ? py::object(py::none()) : py::object(py::float_(x));
}

double Seconds(absl::Duration d) {
  if (d == absl::InfiniteDuration()) {
    return std::numeric_limits<double>::infinity();
  }
  return absl::ToDoubleSeconds(d);
}

Channel ToChannel(py::handle value, const std::string& path) {
  std::string name = ToString(value, path);
  std::optional<Channel> channel = ParseChannel(name);
  if (!channel.has_value()) {
    std::string known;
    for (Channel c : kAllChannels) {
      if (!known.empty()) known += ", ";
      known += std::string(ChannelName(c));
    }
    RaiseInvalid(
        fmt::format("{}: unknown channel '{}' (known: {})", Where(path), name, known));
  }
  return *channel;
}

py::list ToList(py::handle value, const std::string& path) {
  if (PyList_Check(value.ptr())) return py::reinterpret_borrow<py::list>(value);
  if (PyTuple_Check(value.ptr())) {
    return py::reinterpret_steal<py::list>(PySequence_List(value.ptr()));
  }
  RaiseInvalid(fmt::format("{}: expected a list, got {}", Where(path), TypeName(value)));
}

// --- DictReader ----------------------------------------------------------------

DictReader::DictReader(py::handle value, std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)) {
  if (!PyDict_Check(value.ptr())) {
    RaiseInvalid(fmt::format("{}: expected a dict, got {}",
                             path_.empty() ? (what_.empty() ? "value" : what_) : path_,
                             TypeName(value)));
  }
  dict_ = py::reinterpret_borrow<py::dict>(value);
  for (auto item : dict_) {
    if (!PyUnicode_Check(item.first.ptr())) {
      RaiseInvalid(fmt::format("{}: keys must be strings, got {}",
                               path_.empty() ? what_ : path_, TypeName(item.first)));
    }
  }
}

py::object DictReader::Get(const char* key) {
  known_.insert(key);
  if (!dict_.contains(key)) return py::none();
  return dict_[key];
}

bool DictReader::Has(const char* key) { return !Get(key).is_none(); }

bool DictReader::Contains(const char* key) {
  known_.insert(key);
  return dict_.contains(key);
}

py::object DictReader::Require(const char* key) {
  py::object v = Get(key);
  if (v.is_none()) {
    // A typo of the key is the likely cause: say so.
    std::string hint;
    for (auto item : dict_) {
      std::string other = item.first.cast<std::string>();
      if (known_.count(other) == 0 && common::EditDistance(other, key) < 3) {
        hint = fmt::format(" (found unknown key '{}': a typo?)", other);
        break;
      }
    }
    RaiseInvalid(fmt::format("{}: missing required key '{}'{}",
                             path_.empty() ? what_ : path_, key, hint));
  }
  return v;
}

double DictReader::Double(const char* key, double fallback) {
  py::object v = Get(key);
  return v.is_none() ? fallback : ToDouble(v, Path(key));
}

int64_t DictReader::Int(const char* key, int64_t fallback) {
  py::object v = Get(key);
  return v.is_none() ? fallback : ToInt(v, Path(key));
}

bool DictReader::Bool(const char* key, bool fallback) {
  py::object v = Get(key);
  return v.is_none() ? fallback : ToBool(v, Path(key));
}

std::string DictReader::String(const char* key, std::string fallback) {
  py::object v = Get(key);
  return v.is_none() ? fallback : ToString(v, Path(key));
}

void DictReader::Finish() const {
  for (auto item : dict_) {
    std::string key = item.first.cast<std::string>();
    if (known_.count(key) != 0) continue;
    std::string best;
    size_t best_distance = 3;  // suggest only close matches
    std::string all;
    for (const std::string& k : known_) {
      if (!all.empty()) all += ", ";
      all += k;
      size_t d = common::EditDistance(key, k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    std::string hint = best.empty() ? fmt::format(" (known keys: {})", all)
                                    : fmt::format(" (did you mean '{}'?)", best);
    RaiseInvalid(
        fmt::format("{}: unknown key '{}'{}", path_.empty() ? what_ : path_, key, hint));
  }
}

// --- Capacity --------------------------------------------------------------------

namespace {

template <typename T>
void ReadPerChannel(py::handle value, const std::string& path,
                    std::array<T, kChannelCount>& out, int64_t max) {
  DictReader r(value, path);
  for (Channel c : kAllChannels) {
    const std::string name(ChannelName(c));
    py::object v = r.Get(name.c_str());
    if (v.is_none()) continue;
    if constexpr (std::is_same_v<T, bool>) {
      out[static_cast<int>(c)] = ToBool(v, r.Path(name.c_str()));
    } else {
      int64_t n = ToInt(v, r.Path(name.c_str()));
      if (n < 0 || n > max) {
        RaiseInvalid(
            fmt::format("{}: must be in 0..{}, got {}", r.Path(name.c_str()), max, n));
      }
      out[static_cast<int>(c)] = static_cast<T>(n);
    }
  }
  r.Finish();
}

}  // namespace

FairnessGuards ToGuards(py::handle value, const std::string& path) {
  FairnessGuards g;
  if (value.is_none()) return g;
  DictReader r(value, path);
  g.occupancy_cap = r.Double("occupancy_cap", g.occupancy_cap);
  g.max_occupancy_spread = r.Double("max_occupancy_spread", g.max_occupancy_spread);
  g.exploration = r.Double("exploration", g.exploration);
  r.Finish();
  return g;
}

Capacity ToCapacity(py::handle value, const std::string& path) {
  Capacity capacity;
  if (!PyDict_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected a dict, got {}", Where(path), TypeName(value)));
  }
  py::dict d = py::reinterpret_borrow<py::dict>(value);
  bool full = d.contains("max_per_channel") || d.contains("load_per_contact") ||
              d.contains("load_budget") || d.contains("exclusive");
  if (!full) {
    capacity.max_per_channel.fill(0);
    ReadPerChannel(value, path, capacity.max_per_channel, 255);
    return capacity;
  }
  DictReader r(value, path);
  if (py::object v = r.Get("max_per_channel"); !v.is_none()) {
    capacity.max_per_channel.fill(0);
    ReadPerChannel(v, r.Path("max_per_channel"), capacity.max_per_channel, 255);
  }
  if (py::object v = r.Get("load_per_contact"); !v.is_none()) {
    ReadPerChannel(v, r.Path("load_per_contact"), capacity.load_per_contact, 65535);
  }
  if (py::object v = r.Get("exclusive"); !v.is_none()) {
    ReadPerChannel(v, r.Path("exclusive"), capacity.exclusive, 1);
  }
  int64_t budget = r.Int("load_budget", capacity.load_budget);
  if (budget < 0 || budget > 65535) {
    RaiseInvalid(
        fmt::format("{}: must be in 0..65535, got {}", r.Path("load_budget"), budget));
  }
  capacity.load_budget = static_cast<uint16_t>(budget);
  r.Finish();
  return capacity;
}

py::dict CapacityToDict(const Capacity& capacity) {
  py::dict max_per_channel, load_per_contact, exclusive;
  for (Channel c : kAllChannels) {
    const int i = static_cast<int>(c);
    py::str name(std::string(ChannelName(c)));
    max_per_channel[name] = int{capacity.max_per_channel[i]};
    load_per_contact[name] = int{capacity.load_per_contact[i]};
    exclusive[name] = bool{capacity.exclusive[i]};
  }
  py::dict out;
  out["max_per_channel"] = max_per_channel;
  out["load_per_contact"] = load_per_contact;
  out["load_budget"] = int{capacity.load_budget};
  out["exclusive"] = exclusive;
  return out;
}

}  // namespace ccengine::python
