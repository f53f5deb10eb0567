// -----------------------------------------------------------------------------
// File: bindings/python/audit_binding.h
// -----------------------------------------------------------------------------
//
// What other parts of the module need of ccengine.AuditLog
// (register_audit.cc, compiled in with adapters/audit): the C++ log inside a
// Python AuditLog, for the ticket desk's audit trail (register_tickets.cc).
//
// Thread safety: called with the GIL held.

#ifndef CCENGINE_BINDINGS_PYTHON_AUDIT_BINDING_H_
#define CCENGINE_BINDINGS_PYTHON_AUDIT_BINDING_H_

#include <pybind11/pybind11.h>

#include "ccengine/audit/audit_log.h"

namespace ccengine::python {

// The log of `log`, a ccengine.AuditLog; TypeError for anything else,
// ValueError for a log closed already. Valid while `log` lives.
audit::AuditLog& AuditLogOf(pybind11::handle log);

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_AUDIT_BINDING_H_
