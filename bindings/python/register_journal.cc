// ccengine.Engine's command journal: open_journal (recover, then journal every
// command), checkpoint, close_journal, journal, and state_bytes. Built with the
// journal module when ISA-L was found (CCENGINE_PY_HAVE_JOURNAL); without it,
// open_journal raises UNIMPLEMENTED.

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine_binding.h"
#include "fmt/format.h"

#ifdef CCENGINE_PY_HAVE_JOURNAL
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "ccengine/journal/snapshot.h"
#endif

namespace ccengine::python {

using namespace pybind11::literals;

namespace {

void RegisterStateBytes(py::class_<PyEngine>& cls) {
  cls.def(
      "state_bytes",
      [](const PyEngine& e) {
        std::string out;
        e.engine().SaveState(out);
        return py::bytes(out);
      },
      "The engine's whole state as canonical bytes (Engine::SaveState): two "
      "engines configured alike are in the same state exactly when these are "
      "equal.");
}

}  // namespace

#ifdef CCENGINE_PY_HAVE_JOURNAL

struct PyEngine::Journal {
  std::string dir;
  std::string snapshots;
  journal::FsyncPolicy fsync = journal::FsyncPolicy::kAlways;
  std::unique_ptr<journal::FileJournal> log;
  std::unique_ptr<journal::EngineJournal> hook;  // after log: unhooks first
};

namespace {

journal::FsyncPolicy ToFsync(const std::string& name) {
  for (const auto policy : {journal::FsyncPolicy::kAlways, journal::FsyncPolicy::kBatch,
                            journal::FsyncPolicy::kNever}) {
    if (journal::FsyncPolicyName(policy) == name) return policy;
  }
  RaiseInvalid(
      fmt::format("fsync: \"{}\" is not one of \"always\", \"batch\", \"never\"", name));
}

PyEngine::Journal& OpenJournalOf(const PyEngine& e) {
  if (e.journal() == nullptr) Check(absl::FailedPreconditionError("no journal is open"));
  return *e.journal();
}

py::dict OpenJournal(PyEngine& e, const std::string& dir, const std::string& fsync,
                     double batch_interval_s, int64_t segment_bytes,
                     const std::optional<std::string>& snapshots) {
  if (e.journal() != nullptr) {
    Check(absl::FailedPreconditionError(
        fmt::format("a journal is open already, in {}", e.journal()->dir)));
  }
  if (e.commanded()) {
    Check(absl::FailedPreconditionError(
        "open_journal needs an engine that has had no command and no time step yet "
        "(configure it, then open the journal, then route): recovery starts from the "
        "fresh engine"));
  }
  if (segment_bytes <= 0) RaiseInvalid("segment_bytes: must be > 0");
  auto j = std::make_shared<PyEngine::Journal>();
  j->dir = dir;
  j->snapshots = snapshots.value_or(dir + "/snapshots");
  j->fsync = ToFsync(fsync);
  journal::FileJournalOptions options{
      .dir = dir,
      .fsync = j->fsync,
      .batch_interval = ToEngineDuration(batch_interval_s, "batch_interval_s"),
      .segment_bytes = static_cast<size_t>(segment_bytes)};
  journal::OpenReport opened;
  j->log = Unwrap(journal::FileJournal::Open(options, &opened));
  // The snapshot folder, like the journal's, is created when missing.
  if (::mkdir(j->snapshots.c_str(), 0755) != 0 && errno != EEXIST) {
    Check(absl::Status(absl::ErrnoToStatusCode(errno),
                       fmt::format("mkdir {}: {}", j->snapshots, std::strerror(errno))));
  }
  // A failed recovery leaves the engine part-way: it is not to be used.
  const absl::StatusOr<journal::RecoveryReport> recovered =
      journal::Recover(*j->log, j->snapshots, e.engine());
  if (!recovered.ok()) {
    e.set_commanded();
    RaiseStatus(recovered.status());
  }
  j->hook = std::make_unique<journal::EngineJournal>(e.engine(), *j->log);
  e.set_journal(j);
  e.set_commanded();

  py::dict d;
  d["snapshot_sequence"] = recovered->snapshot.has_value()
                               ? py::cast(recovered->snapshot->sequence)
                               : py::object(py::none());
  py::list passed_over;
  for (const std::string& why : recovered->passed_over) passed_over.append(why);
  d["passed_over"] = passed_over;
  d["replayed"] = recovered->replay.records;
  d["last_sequence"] = j->log->last_sequence();
  d["truncated_bytes"] = opened.truncated_bytes;
  d["now"] = SecondsSinceEpoch(e.engine().Now());
  return d;
}

}  // namespace

void RegisterEngineJournal(py::class_<PyEngine>& cls) {
  cls.def("open_journal", &OpenJournal, "dir"_a, py::kw_only(), "fsync"_a = "always",
          "batch_interval_s"_a = 0.01, "segment_bytes"_a = int64_t{64} << 20,
          "snapshots"_a = py::none(),
          R"doc(Journals every router command from now on, after recovering what the
folder holds.

Call it once the engine is configured (skills, strategies, queues) and before
its first command: configuration is the application's start-up and is not in
the journal. A folder that holds a journal is recovered first — the newest
snapshot in ``snapshots`` (default ``dir/snapshots``) loaded and the records
after it replayed — so the engine continues where the crashed one stopped
(its clock at the last record; ``advance_to`` fires the timers due since).
Then every command (``add_agent``, ``login``, ``add_contact``,
``accept_offer``, ``apply``, ``poll`` …) is written before it is applied; a
command that cannot be written is refused (CcengineError UNAVAILABLE) and the
engine does not apply it. After a failed write the journal goes on; after a
failed sync it refuses everything until it is opened again, and the refused
command may still be in the file (its outcome is unknown until then: with a
producer number, its resend says whether it was applied).

fsync: "always" — a call that returned is on disk; "batch" — synced every
``batch_interval_s`` (a crash of the machine may lose that much);
"never" — left to the operating system. A crash of the process alone loses
nothing under "always" and at most one interval under the others.

Returns {"snapshot_sequence", "passed_over", "replayed", "last_sequence",
"truncated_bytes", "now"}. Afterwards, add_skill, add_queue, update_queue,
set_agent_skills and the add_*_strategy calls are refused.
)doc");
  cls.def(
      "checkpoint",
      [](PyEngine& e, int keep, py::handle max_age_s) {
        journal::CheckpointOptions options{.keep = keep};
        options.max_age = ToDuration(max_age_s, "max_age_s", /*allow_infinite=*/true);
        PyEngine::Journal& j = OpenJournalOf(e);
        const journal::SnapshotInfo s =
            Unwrap(journal::Checkpoint(e.engine(), *j.log, j.snapshots, options));
        py::dict d;
        d["sequence"] = s.sequence;
        d["path"] = s.path;
        d["bytes"] = s.bytes;
        return d;
      },
      "keep"_a = 2, "max_age_s"_a = py::none(),
      "Writes the whole engine state as a snapshot (atomically) and drops the "
      "journal segments it covers, keeping the newest `keep` snapshots; with "
      "`max_age_s` (retention by age) also removes kept snapshots older than that in "
      "engine time (never the new one) and starts a new journal segment, so no "
      "journaled command older than the oldest kept snapshot stays; "
      "returns {'sequence', 'path', 'bytes'}.");
  cls.def(
      "close_journal",
      [](PyEngine& e) {
        PyEngine::Journal& j = OpenJournalOf(e);
        const absl::Status synced = j.log->Sync();
        j.hook.reset();
        e.set_journal(nullptr);
        Check(synced);
      },
      "Syncs and closes the journal; commands are no longer journaled. The "
      "journal is closed even when the sync fails (the error is raised after).");
  cls.def_property_readonly(
      "journal",
      [](const PyEngine& e) -> py::object {
        if (e.journal() == nullptr) return py::none();
        const PyEngine::Journal& j = *e.journal();
        py::dict d;
        d["dir"] = j.dir;
        d["snapshots"] = j.snapshots;
        d["fsync"] = std::string(journal::FsyncPolicyName(j.fsync));
        d["first_sequence"] = j.log->first_sequence();
        d["last_sequence"] = j.log->last_sequence();
        d["durable_sequence"] = j.log->durable_sequence();
        return d;
      },
      "The open journal: {'dir', 'snapshots', 'fsync', 'first_sequence', "
      "'last_sequence', 'durable_sequence'}; None when none is open.");
  RegisterStateBytes(cls);
}

#else  // !CCENGINE_PY_HAVE_JOURNAL

void RegisterEngineJournal(py::class_<PyEngine>& cls) {
  RegisterStateBytes(cls);
  cls.def(
      "open_journal",
      [](PyEngine&, py::args, py::kwargs) {
        Check(absl::UnimplementedError(
            "this ccengine was built without the journal module (libisal-dev missing)"));
      },
      "Not available: built without the journal module.");
}

#endif  // CCENGINE_PY_HAVE_JOURNAL

}  // namespace ccengine::python
