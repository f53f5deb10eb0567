// libFuzzer target for the journal's command codec
// (ccengine/journal/command_codec.h).
//
// Input: a record payload. Invariants checked (a violation aborts, reported as
// a crash):
//   - no crash, no sanitizer report, no allocation out of proportion;
//   - DecodeCommand ends OK, InvalidArgument (naming a byte offset) or
//     FailedPrecondition (another codec version, only when the first byte is
//     not the current version);
//   - when OK, the encoding is canonical: EncodeCommand gives back exactly the
//     input, and decoding that again gives the same command name.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh journal_command 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ccengine/journal/command_codec.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  absl::StatusOr<ccengine::Command> command = ccengine::journal::DecodeCommand(input);
  if (!command.ok()) {
    const absl::StatusCode code = command.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument ||
                   code == absl::StatusCode::kFailedPrecondition,
               "decoding fails with InvalidArgument or FailedPrecondition");
    if (code == absl::StatusCode::kFailedPrecondition) {
      FUZZ_CHECK(!input.empty() && static_cast<uint8_t>(input[0]) !=
                                       ccengine::journal::kCommandCodecVersion,
                 "FailedPrecondition only for another version");
    } else {
      FUZZ_CHECK(command.status().message().find("byte offset") != std::string_view::npos,
                 "an InvalidArgument names the byte offset");
    }
    return 0;
  }
  absl::StatusOr<std::string> again = ccengine::journal::EncodeCommand(*command);
  FUZZ_CHECK(again.ok(), "a decoded command encodes");
  FUZZ_CHECK(*again == input, "the encoding is canonical");
  absl::StatusOr<ccengine::Command> twice = ccengine::journal::DecodeCommand(*again);
  FUZZ_CHECK(twice.ok() && ccengine::journal::CommandName(*twice) ==
                               ccengine::journal::CommandName(*command),
             "the same command decodes twice");
  return 0;
}
