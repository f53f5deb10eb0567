#include "ccengine/journal/engine_journal.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/journal/command_codec.h"
#include "fmt/format.h"

namespace ccengine::journal {

EngineJournal::EngineJournal(Engine& engine, CommandLog& log)
    : engine_(engine), log_(log) {
  engine_.SetCommandHook(
      [this](const Command& command, const CommandOrigin& origin) -> absl::Status {
        absl::StatusOr<uint64_t> sequence =
            log_.AppendEncoded(engine_.Now(), [&](std::string* out) {
              return AppendCommandTo(command, origin, out);
            });
        if (!sequence.ok()) {
          ++refused_;
          return sequence.status();
        }
        ++appended_;
        return absl::OkStatus();
      });
}

EngineJournal::~EngineJournal() { engine_.SetCommandHook(nullptr); }

absl::StatusOr<ReplayReport> ReplayJournal(const CommandLog& log, Engine& engine,
                                           uint64_t first_sequence) {
  if (log.first_sequence() > first_sequence) {
    return absl::FailedPreconditionError(fmt::format(
        "the journal starts at sequence {}, after {}: the records before it were dropped "
        "and no snapshot covers them",
        log.first_sequence(), first_sequence));
  }
  if (engine.HasCommandHook()) {
    return absl::FailedPreconditionError(
        "the engine has a command hook (a journal attached?): replay first, then attach");
  }
  if (engine.HasAuthorizer()) {
    // Journaled commands were authorized when first applied; the journal does
    // not keep who sent them.
    return absl::FailedPreconditionError(
        "the engine has an authorizer (access control attached?): replay first, then "
        "attach");
  }
  ReplayReport report;
  report.first_sequence = first_sequence;
  report.last_sequence = first_sequence - 1;
  absl::Status s = log.Read(first_sequence, [&](const LogRecord& record) -> absl::Status {
    absl::StatusOr<JournaledCommand> command = DecodeJournaledCommand(record.payload);
    if (!command.ok()) {
      return absl::Status(command.status().code(),
                          fmt::format("journal record {}: {}", record.sequence,
                                      std::string(command.status().message())));
    }
    if (record.engine_time < engine.Now()) {
      return absl::InvalidArgumentError(fmt::format(
          "journal record {} was applied at {}, before the engine's clock {}: not the "
          "engine this journal belongs to",
          record.sequence, absl::FormatTime(record.engine_time),
          absl::FormatTime(engine.Now())));
    }
    if (absl::Status advanced = engine.AdvanceTo(record.engine_time); !advanced.ok()) {
      return advanced;
    }
    if (!engine.Apply(command->command, command->origin).ok()) ++report.refused;
    ++report.records;
    report.last_sequence = record.sequence;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  report.engine_time = engine.Now();
  return report;
}

}  // namespace ccengine::journal
