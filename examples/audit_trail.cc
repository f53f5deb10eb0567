// The audit trail (adapters/audit): a supervisor's actions written to a
// hash-chained, signed log, verified, and a changed byte found on its line.
//
//   build/release/adapters/audit/audit_trail [FOLDER]
//
// Writes audit.log and audit.log.head into FOLDER (default: a new folder
// under /tmp). In production the signing key is read from a file only the
// writing process can read (ccengine-audit keygen makes one).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"

namespace audit = ccengine::audit;

int main(int argc, char** argv) {
  std::string folder;
  if (argc > 1) {
    folder = argv[1];
  } else {
    char pattern[] = "/tmp/ccengine-audit-example-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return 1;
    folder = pattern;
  }
  const std::string path = folder + "/audit.log";
  absl::StatusOr<audit::SigningKey> key = audit::SigningKey::Generate();
  if (!key.ok()) return 1;

  {
    absl::StatusOr<std::unique_ptr<audit::AuditLog>> log =
        audit::AuditLog::Open(path, *key);
    if (!log.ok()) {
      std::cerr << log.status() << "\n";
      return 1;
    }
    audit::AuditEvent forced;
    forced.actor = "wang.li";
    forced.role = "supervisor";
    forced.action = "agent.force_state";
    forced.subject = "agent:1007";
    forced.before = "busy";
    forced.after = "away";
    forced.reason = "stuck call from 13812345678";  // masked on the way in
    audit::AuditEvent published;
    published.actor = "root";
    published.role = "administrator";
    published.action = "routing.publish";
    published.subject = "routing.json";
    published.after = "version 8";
    for (const audit::AuditEvent& event : {forced, published}) {
      absl::StatusOr<int64_t> seq = (*log)->Append(event);
      if (!seq.ok()) return 1;
      std::cout << "entry " << *seq << ": " << event.actor << " " << event.action << "\n";
    }
    if (!(*log)->Close().ok()) return 1;
  }

  audit::AuditVerifyOptions options;
  options.on_record = [](const audit::AuditRecord& r) {
    std::cout << "  " << r.seq << " " << r.event.action << " " << r.event.subject << ": "
              << r.event.reason << "\n";
  };
  absl::StatusOr<audit::AuditVerification> report =
      audit::VerifyAuditLog(path, key->verify_key(), options);
  if (!report.ok()) return 1;
  std::cout << (report->intact ? "intact" : "broken") << ": " << report->entries
            << " entries, " << report->checkpoints << " signed checkpoints\n";

  // Someone edits the published version in the file.
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t at = text.find("version 8");
  text[at + 8] = '9';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  report = audit::VerifyAuditLog(path, key->verify_key());
  if (!report.ok()) return 1;
  std::cout << "after the edit: " << (report->intact ? "intact" : "broken") << " at line "
            << report->problem_line << ": " << report->problem << "\n";
  if (argc <= 1) std::filesystem::remove_all(folder);
  return 0;
}
