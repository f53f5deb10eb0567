// -----------------------------------------------------------------------------
// File: bindings/python/module.cc
// -----------------------------------------------------------------------------
//
// The `ccengine._ccengine` extension module: creates `CcengineError`, holds the
// one place where an `absl::Status` becomes a Python exception, and calls the
// `register_*.cc` files. The public package is `ccengine` (bindings/python/
// ccengine/__init__.py), which re-exports what is here.

#include <pybind11/pybind11.h>

#include <string>

#include "absl/status/status.h"
#include "ccengine/version.h"
#include "common.h"
#include "metrics_binding.h"

namespace ccengine::python {
namespace {

// ccengine.CcengineError; created once at import and never freed (the module
// lives as long as the interpreter).
PyObject* g_ccengine_error = nullptr;

}  // namespace

[[noreturn]] void RaiseStatus(const absl::Status& status) {
  PyObject* type = g_ccengine_error;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: type = PyExc_ValueError; break;
    case absl::StatusCode::kNotFound: type = PyExc_KeyError; break;
    default: break;
  }
  if (status.ok() || type == nullptr) type = PyExc_RuntimeError;  // defensive
  RaiseAs(type, status);
}

[[noreturn]] void RaiseAs(PyObject* type, const absl::Status& status) {
  // The message exactly as the engine wrote it (bytes that are not UTF-8,
  // e.g. from a user's name, are replaced rather than lost).
  const std::string message(status.message());
  py::object text = py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(
      message.data(), static_cast<Py_ssize_t>(message.size()), "replace"));
  if (!text) throw py::error_already_set();
  py::object exc = py::reinterpret_steal<py::object>(
      PyObject_CallFunctionObjArgs(type, text.ptr(), nullptr));
  if (!exc) throw py::error_already_set();
  exc.attr("code") = py::str(absl::StatusCodeToString(status.code()));
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

[[noreturn]] void RaiseInvalid(std::string message) {
  RaiseStatus(absl::InvalidArgumentError(std::move(message)));
}

#ifdef CCENGINE_PY_HAVE_AUDIT
// register_audit.cc, compiled in with adapters/audit.
void RegisterAudit(py::module_& m);
#endif

}  // namespace ccengine::python

PYBIND11_MODULE(_ccengine, m) {
  namespace py = pybind11;
  using namespace ccengine::python;
  m.doc() =
      "Compiled core of the ccengine package: the routing Engine, the Erlang "
      "analytics and the simulator. Import `ccengine`, not this module.";
  m.attr("__version__") = ccengine::kVersionString;

  g_ccengine_error = PyErr_NewExceptionWithDoc(
      "ccengine.CcengineError",
      "An engine error that is neither bad input (ValueError) nor an unknown\n"
      "id or name (KeyError): a state that does not allow the call\n"
      "(FAILED_PRECONDITION), a duplicate (ALREADY_EXISTS), a full intake\n"
      "(RESOURCE_EXHAUSTED)... The message is the engine's; the status code\n"
      "name is in the `code` attribute, as on every exception ccengine raises.",
      PyExc_RuntimeError, nullptr);
  if (g_ccengine_error == nullptr) throw py::error_already_set();
  m.attr("CcengineError") = py::handle(g_ccengine_error);

  RegisterErlang(m);
  RegisterEngine(m);
  RegisterConfig(m);
  RegisterReports(m);
  RegisterCompliance(m);
  RegisterAccess(m, m.attr("Engine"));
#ifdef CCENGINE_PY_HAVE_AUDIT
  RegisterAudit(m);
#endif
  RegisterSim(m);
  RegisterStaffing(m);
  RegisterTickets(m);
  RegisterKnowledge(m);
}
