// -----------------------------------------------------------------------------
// File: bindings/python/register_audit.cc
// -----------------------------------------------------------------------------
//
// ccengine.AuditLog, verify_audit_log and audit_keygen: the audit trail
// (adapters/audit, ccengine/audit/audit_log.h) from Python. Compiled in when
// the module is built with the adapter (OpenSSL's libcrypto).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "audit_binding.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#include "common.h"
#include "fmt/format.h"

namespace ccengine::python {
namespace {

audit::AuditSync ToSync(const std::string& name) {
  if (name == "every_entry") return audit::AuditSync::kEveryEntry;
  if (name == "at_checkpoint") return audit::AuditSync::kAtCheckpoint;
  if (name == "none") return audit::AuditSync::kNone;
  RaiseInvalid(fmt::format(
      "sync: expected \"every_entry\", \"at_checkpoint\" or \"none\", got \"{}\"", name));
}

// A file's error as Python names it: FileNotFoundError, PermissionError,
// else as any status.
template <typename T>
T UnwrapFile(absl::StatusOr<T> value) {
  if (value.ok()) return *std::move(value);
  if (value.status().code() == absl::StatusCode::kNotFound) {
    RaiseAs(PyExc_FileNotFoundError, value.status());
  }
  if (value.status().code() == absl::StatusCode::kPermissionDenied) {
    RaiseAs(PyExc_PermissionError, value.status());
  }
  RaiseStatus(value.status());
}

std::string PathArg(const py::object& path) {
  return ToString(py::module_::import("os").attr("fspath")(path), "path");
}

// An open audit log; close() (or leaving a `with` block) writes the closing
// checkpoint.
class PyAuditLog {
 public:
  PyAuditLog(const py::object& path, const std::string& private_key_pem,
             int64_t checkpoint_every, const std::string& sync, bool mask_personal_data)
      : path_(PathArg(path)) {
    audit::AuditLogOptions options;
    options.checkpoint_every = checkpoint_every;
    options.sync = ToSync(sync);
    options.mask_personal_data = mask_personal_data;
    audit::SigningKey key = Unwrap(audit::SigningKey::FromPem(private_key_pem));
    absl::StatusOr<std::unique_ptr<audit::AuditLog>> log;
    {
      py::gil_scoped_release unlocked;
      log = audit::AuditLog::Open(path_, std::move(key), std::move(options));
    }
    log_ = UnwrapFile(std::move(log));
  }

  int64_t Append(const audit::AuditEvent& event) {
    absl::StatusOr<int64_t> seq;
    {
      py::gil_scoped_release unlocked;
      seq = Log().Append(event);
    }
    return Unwrap(std::move(seq));
  }

  void Checkpoint() {
    absl::Status status;
    {
      py::gil_scoped_release unlocked;
      status = Log().Checkpoint();
    }
    Check(status);
  }

  void Close() {
    absl::Status status;
    {
      py::gil_scoped_release unlocked;
      status = Log().Close();
    }
    Check(status);
  }

  bool closed() const { return closed_; }
  int64_t last_seq() { return Log().last_seq(); }
  const std::string& path() const { return path_; }
  void MarkClosed() { closed_ = true; }
  audit::AuditLog& Log() { return *log_; }

 private:
  std::string path_;
  std::unique_ptr<audit::AuditLog> log_;
  bool closed_ = false;
};

py::dict RecordDict(const audit::AuditRecord& r) {
  py::dict d;
  d["seq"] = r.seq;
  d["time"] = SecondsSinceEpoch(r.time);
  d["actor"] = r.event.actor;
  d["role"] = r.event.role;
  d["action"] = r.event.action;
  d["subject"] = r.event.subject;
  d["before"] = r.event.before;
  d["after"] = r.event.after;
  d["reason"] = r.event.reason;
  return d;
}

}  // namespace

audit::AuditLog& AuditLogOf(py::handle log) {
  if (!py::isinstance<PyAuditLog>(log)) {
    throw py::type_error("log: expected a ccengine.AuditLog, got " + TypeName(log));
  }
  PyAuditLog& self = log.cast<PyAuditLog&>();
  if (self.closed()) RaiseInvalid(fmt::format("log: {} is closed", self.path()));
  return self.Log();
}

void RegisterAudit(py::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "audit_keygen",
      [] {
        audit::SigningKey key = Unwrap(audit::SigningKey::Generate());
        return py::make_tuple(key.PrivatePem(), key.verify_key().PublicPem());
      },
      R"doc(A new Ed25519 key pair for the audit log: ``(private_pem, public_pem)``.
Keep the private key readable by the writing process only; give the public
key to whoever verifies.)doc");

  py::class_<PyAuditLog>(m, "AuditLog", R"doc(An audit log open for appending
(adapters/audit; docs/compliance.md). Opening an existing log verifies it and
refuses a broken chain (RuntimeError naming the line). Use as a context
manager, or call close().)doc")
      .def(py::init<const py::object&, const std::string&, int64_t, const std::string&,
                    bool>(),
           "path"_a, "private_key_pem"_a, py::kw_only(), "checkpoint_every"_a = 1000,
           "sync"_a = "every_entry", "mask_personal_data"_a = true)
      .def(
          "append",
          [](PyAuditLog& self, const std::string& actor, const std::string& role,
             const std::string& action, const std::string& subject,
             const std::string& before, const std::string& after,
             const std::string& reason) {
            audit::AuditEvent event;
            event.actor = actor;
            event.role = role;
            event.action = action;
            event.subject = subject;
            event.before = before;
            event.after = after;
            event.reason = reason;
            return self.Append(std::move(event));
          },
          py::kw_only(), "actor"_a, "role"_a, "action"_a, "subject"_a = "",
          "before"_a = "", "after"_a = "", "reason"_a = "",
          "Appends one entry; returns its sequence number. ValueError for bad input "
          "(nothing written).")
      .def("checkpoint", &PyAuditLog::Checkpoint, "Writes a signed checkpoint now.")
      .def(
          "close",
          [](PyAuditLog& self) {
            self.MarkClosed();
            self.Close();
          },
          "The closing checkpoint; later calls raise.")
      .def_property_readonly("last_seq", &PyAuditLog::last_seq)
      .def_property_readonly("path", &PyAuditLog::path)
      .def(
          "__enter__", [](PyAuditLog& self) -> PyAuditLog& { return self; },
          py::return_value_policy::reference)
      .def("__exit__",
           [](PyAuditLog& self, const py::object&, const py::object&, const py::object&) {
             if (!self.closed()) {
               self.MarkClosed();
               self.Close();
             }
           });

  m.def(
      "verify_audit_log",
      [](const py::object& path, const std::string& public_key_pem,
         const py::object& head, bool require_head, bool records) {
        const audit::VerifyKey key = Unwrap(audit::VerifyKey::FromPem(public_key_pem));
        audit::AuditVerifyOptions options;
        if (!head.is_none()) options.head_path = PathArg(head);
        options.require_head = require_head;
        std::vector<audit::AuditRecord> kept;
        if (records)
          options.on_record = [&kept](const audit::AuditRecord& r) { kept.push_back(r); };
        const std::string log_path = PathArg(path);
        absl::StatusOr<audit::AuditVerification> report;
        {
          py::gil_scoped_release unlocked;
          report = audit::VerifyAuditLog(log_path, key, options);
        }
        const audit::AuditVerification v = UnwrapFile(std::move(report));
        py::dict d;
        d["intact"] = v.intact;
        d["lines"] = v.lines;
        d["entries"] = v.entries;
        d["checkpoints"] = v.checkpoints;
        d["last_checkpoint_seq"] = v.last_checkpoint_seq;
        d["unsigned_entries"] = v.unsigned_entries;
        d["recovered_entries"] = v.recovered_entries;
        d["incomplete_tail_bytes"] = v.incomplete_tail_bytes;
        d["problem_line"] = v.intact ? py::object(py::none()) : py::int_(v.problem_line);
        d["problem_offset"] =
            v.intact ? py::object(py::none()) : py::int_(v.problem_offset);
        d["problem"] = v.intact ? py::object(py::none()) : py::str(v.problem);
        if (records) {
          py::list out;
          // Only a log that verified: entries read before a problem are not
          // handed out as if they were sound.
          if (v.intact) {
            for (const audit::AuditRecord& r : kept) out.append(RecordDict(r));
          }
          d["records"] = out;
        }
        return d;
      },
      "path"_a, "public_key_pem"_a, py::kw_only(), "head"_a = py::none(),
      "require_head"_a = true, "records"_a = false,
      R"doc(Checks the audit log at ``path``: its hash chain, the checkpoints'
signatures and the head. Returns a dict: ``intact``, counts (``lines``,
``entries``, ``checkpoints``, ``unsigned_entries``, ``recovered_entries``,
``incomplete_tail_bytes``), and when not intact ``problem_line``,
``problem_offset``, ``problem``; with ``records=True`` the entries of an
intact log. FileNotFoundError when the log cannot be read.)doc");
}

}  // namespace ccengine::python
