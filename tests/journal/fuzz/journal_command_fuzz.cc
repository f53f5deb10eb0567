// libFuzzer target for the journal's command codec
// (ccengine/journal/command_codec.h).
//
// Input: a record payload. Invariants checked (a violation aborts, reported as
// a crash):
//   - no crash, no sanitizer report, no allocation out of proportion;
//   - DecodeJournaledCommand ends OK, InvalidArgument (naming a byte offset)
//     or FailedPrecondition (only when the first byte is neither version 1
//     nor the current version);
//   - when OK, the encoding is canonical: for the current version, encoding
//     gives back exactly the input; for version 1, the command encodes in the
//     current version, decodes again to the same command and origin, and
//     encodes to the same bytes.
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
  using ccengine::journal::CommandName;
  using ccengine::journal::DecodeJournaledCommand;
  using ccengine::journal::EncodeCommandTo;
  using ccengine::journal::JournaledCommand;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  absl::StatusOr<JournaledCommand> decoded = DecodeJournaledCommand(input);
  if (!decoded.ok()) {
    const absl::StatusCode code = decoded.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument ||
                   code == absl::StatusCode::kFailedPrecondition,
               "decoding fails with InvalidArgument or FailedPrecondition");
    if (code == absl::StatusCode::kFailedPrecondition) {
      const uint8_t version = input.empty() ? 0 : static_cast<uint8_t>(input[0]);
      FUZZ_CHECK(!input.empty() &&
                     (version < 1 || version > ccengine::journal::kCommandCodecVersion),
                 "FailedPrecondition only for another version");
    } else {
      FUZZ_CHECK(decoded.status().message().find("byte offset") != std::string_view::npos,
                 "an InvalidArgument names the byte offset");
    }
    return 0;
  }
  std::string again;
  FUZZ_CHECK(EncodeCommandTo(decoded->command, decoded->origin, &again).ok(),
             "a decoded command encodes");
  if (static_cast<uint8_t>(input[0]) == ccengine::journal::kCommandCodecVersion) {
    FUZZ_CHECK(again == input, "the encoding is canonical");
  }
  absl::StatusOr<JournaledCommand> twice = DecodeJournaledCommand(again);
  FUZZ_CHECK(twice.ok() && CommandName(twice->command) == CommandName(decoded->command) &&
                 twice->origin == decoded->origin,
             "the same command decodes twice");
  std::string third;
  FUZZ_CHECK(EncodeCommandTo(twice->command, twice->origin, &third).ok() &&
                 third == again,
             "and encodes the same");
  return 0;
}
