// -----------------------------------------------------------------------------
// File: ccengine/audit/audit_log.h
// -----------------------------------------------------------------------------
//
// The audit trail (审计留痕): an append-only file of who did what, to what,
// when and why — supervisor and admin actions, routing and configuration
// changes, permission changes, unmasked reads, logins and logouts, ticket
// state changes — that shows any later change to it.
//
// Every line is a link of a SHA-256 hash chain: a line ends with
// SHA-256(previous line's hash ‖ this line's text), so changing, inserting,
// deleting or reordering a line breaks the chain at that line. Checkpoint
// lines carry an Ed25519 signature of the chain so far: one when the log is
// created, every `checkpoint_every` entries, when it is closed, and when a
// writer opens it again (a reopening after a close, a recovery after a
// writer that stopped without closing). After a closing checkpoint only a
// signed reopening may follow. The latest checkpoint is named, with a
// signature of its own, in a head file beside the log (`<log>.head`,
// replaced atomically): a log cut short — even at a line boundary — no longer
// reaches it. The format, and what verification cannot see (lines after the
// checkpoint the head names when the writer did not close; a log and head
// replaced together by older genuine copies, or both deleted), are in
// docs/compliance.md. The files
// must be writable by the writer alone, and the private key readable by it
// alone.
//
// Personal data: by default `Append` masks the subject, before, after and
// reason with compliance::MaskPii, because an audit log cannot be edited
// later to honour an erasure request. Actor, role and action are identifiers
// and are written as given.
//
// Durability: `sync` chooses when entries are flushed to disk (fdatasync).
// Checkpoints are flushed under every policy, before the head names them, so
// a crash never leaves a head that points past the log. Only one AuditLog
// may have a file open (an exclusive flock); a second Open fails.
//
// Errors: InvalidArgument for an event without actor, role or action, an
// action outside [A-Za-z0-9_.:-], or a line over kMaxAuditLineBytes — nothing
// is written. FailedPrecondition from Open when the existing log does not
// verify (the message names the line and what is wrong: the log is never
// appended to past a break), when the log is empty or missing but its head
// exists (history would be lost), or when another process holds it. When a
// write fails, the errno's status (e.g. ResourceExhausted for a full disk):
// the file is cut back to where the chain ended and the next call continues
// it; when a flush fails or the file changed size behind the writer's back
// (checked before every checkpoint), the AuditLog stops: every later call
// returns FailedPrecondition. A head that could not be written is retried
// by the next call.
//
// Thread safety: AuditLog is safe to use from many threads (calls are
// serialized inside); VerifyAuditLog is a pure function of the files.
//
// Example:
//   auto key = ccengine::audit::SigningKey::ReadPemFile("/etc/ccengine/audit.pem");
//   auto log = ccengine::audit::AuditLog::Open("/var/lib/ccengine/audit.log", *key);
//   (*log)->Append({.actor = "wang.li", .role = "supervisor",
//                   .action = "agent.force_state", .subject = "agent:1007",
//                   .before = "busy", .after = "away", .reason = "stuck call"});
//   ...
//   auto report = ccengine::audit::VerifyAuditLog("/var/lib/ccengine/audit.log",
//                                                 key->verify_key());
//   // report->intact, or report->problem_line and report->problem

#ifndef CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_AUDIT_LOG_H_
#define CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/audit/keys.h"

namespace ccengine::audit {

// The longest line the log writes or reads (escaped fields, hash and all).
inline constexpr size_t kMaxAuditLineBytes = 64 * 1024;

// What happened. Any bytes are allowed in the text fields (control
// characters are escaped in the file).
struct AuditEvent {
  std::string actor;    // who: a user or system name ("wang.li", "sim")
  std::string role;     // the role they acted in ("supervisor")
  std::string action;   // what: "agent.force_state", "routing.publish", ...
  std::string subject;  // on what: "agent:1007", "queue:billing", "ticket:T-42"
  std::string before;   // the state before, when there is one
  std::string after;    // the state after
  std::string reason;   // why, as the actor gave it
};

// An entry as read back from the log.
struct AuditRecord {
  int64_t seq = 0;  // the line's sequence number (the header is 0)
  absl::Time time;  // when the log wrote it (UTC, microseconds)
  AuditEvent event;
};

enum class AuditSync {
  kEveryEntry,  // fdatasync after every line: an acknowledged entry survives power loss
  kAtCheckpoint,  // fdatasync at checkpoints; entries since the last may be lost on power loss
  kNone,  // entries left to the operating system (a process crash loses nothing written);
          // checkpoints are still flushed
};

struct AuditLogOptions {
  AuditSync sync = AuditSync::kEveryEntry;
  // Entries between signed checkpoints (>= 1). A log is also checkpointed
  // when it is created and when it is closed.
  int64_t checkpoint_every = 1000;
  // Mask personal data in subject, before, after and reason.
  bool mask_personal_data = true;
  // The time written on each line; absl::Now when empty.
  std::function<absl::Time()> clock;
  // The head file; "<path>.head" when empty.
  std::string head_path;
};

class AuditLog {
 public:
  // Opens `path` for appending, creating it (with its header, a first
  // checkpoint and the head) when neither it nor its head exists (or the
  // log is empty, or holds no more than an unfinished creation, and no
  // head names it). An existing log must verify with `key`'s public key and
  // its head; a last line torn by a crash is cut off, and a signed
  // reopening (after a close) or recovery (after a writer that did not
  // close) is written before the first entry.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                        SigningKey key,
                                                        AuditLogOptions options = {});
  // Closes (with a closing checkpoint) when Close was not called; errors are
  // dropped: call Close to see them.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `event`; returns its sequence number. A checkpoint follows when
  // `checkpoint_every` entries have been written since the last one.
  absl::StatusOr<int64_t> Append(const AuditEvent& event);
  // Writes a signed checkpoint now, flushes it and updates the head.
  absl::Status Checkpoint();
  // A closing checkpoint, then the file is released. Later calls fail.
  absl::Status Close();

  // The sequence number of the last line written.
  int64_t last_seq() const;

 private:
  AuditLog(std::string path, SigningKey key, AuditLogOptions options, int fd);
  // With mu_ held. CheckpointLocked's `state` is a
  // internal::CheckpointState.
  absl::Status UsableLocked() const;
  absl::Status WriteLineLocked(std::string_view body);
  absl::Status CheckpointLocked(int state);
  absl::Status WriteHeadLocked();

  const std::string path_;
  const SigningKey key_;
  const AuditLogOptions options_;
  // Guards everything below (std::mutex: Debian's Abseil is not
  // instrumented for ThreadSanitizer).
  mutable std::mutex mu_;
  int fd_;
  bool broken_ = false;
  bool opened_ = false;  // Open succeeded: the destructor closes with a checkpoint
  int64_t size_ = 0;     // bytes in the file
  int64_t seq_ = 0;      // of the last line
  std::string link_;     // its 32-byte hash
  int64_t since_checkpoint_ = 0;
  std::string pending_head_;  // a head not yet written, when the last write failed
};

// Where a verified chain ends: enough to verify later only what has been
// appended since (a monitor checking a growing log every minute). What lies
// before the cursor is not read again, so a change there is seen only by a
// verification from the start.
struct AuditCursor {
  int64_t offset = 0;  // bytes verified: the next line starts here
  int64_t seq = 0;     // the last verified line's sequence number
  std::string link;    // its link hash (32 bytes)
  int64_t last_checkpoint_seq = 0;
  std::string last_checkpoint_link;  // that checkpoint line's link (32 bytes)
  bool closed = false;               // the last line closed the log
  int64_t unsigned_entries = 0;
};

struct AuditVerifyOptions {
  // The head file; "<path>.head" when empty.
  std::string head_path;
  // When false, a missing head is not a problem: the log alone is checked,
  // and a cut at a line boundary after a checkpoint goes unseen.
  bool require_head = true;
  // Verify from here (a cursor from an earlier verification of the same
  // log) instead of from the header. A head older than the cursor's last
  // checkpoint is a problem (rolled back).
  std::optional<AuditCursor> resume_from;
  // Called with every entry in order, up to the first problem; an entry
  // passed here may still be followed by a problem (see `intact`).
  std::function<void(const AuditRecord&)> on_record;
};

// What VerifyAuditLog found.
struct AuditVerification {
  bool intact = false;
  // Lines, entries and checkpoints that verified (those after the cursor
  // when resuming).
  int64_t lines = 0;
  int64_t entries = 0;
  int64_t checkpoints = 0;
  int64_t last_checkpoint_seq = 0;
  // Entries after the last checkpoint: chained, but no signature covers
  // them — a writer that stopped without closing wrote them, or someone
  // without the key added them. A cut among them goes unseen.
  int64_t unsigned_entries = 0;
  // Entries that were signed only by a later writer's recovery checkpoint
  // (they were unsigned when the writer before it stopped): the same doubt.
  int64_t recovered_entries = 0;
  // Bytes of a last line without its newline (a write in progress, or one a
  // crash tore); not verified, and not a problem by itself.
  int64_t incomplete_tail_bytes = 0;
  // When intact: where the chain ends, to resume from.
  AuditCursor cursor;
  // The first problem, when not intact: the 1-based line it is on (one past
  // the last line when the log ends too early), that line's byte offset, and
  // what is wrong.
  int64_t problem_line = 0;
  int64_t problem_offset = 0;
  std::string problem;
};

// Checks the chain of `path` against `key` and the head, stopping at the
// first problem. The Status is an error only when the files cannot be read
// (NotFound, PermissionDenied, ...) or `resume_from` is not a cursor
// (InvalidArgument); a tampered log is a verification with intact == false.
absl::StatusOr<AuditVerification> VerifyAuditLog(const std::string& path,
                                                 const VerifyKey& key,
                                                 const AuditVerifyOptions& options = {});

}  // namespace ccengine::audit

#endif  // CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_AUDIT_LOG_H_
