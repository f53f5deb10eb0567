// -----------------------------------------------------------------------------
// File: ccengine/journal/command_codec.h
// -----------------------------------------------------------------------------
//
// The bytes of one engine command in the journal: `EncodeCommand` turns every
// `ccengine::Command` into a record payload and `DecodeCommand` gives back the
// same command. The encoding is exact (decode(encode(c)) equals c field by
// field, a double's bits included) and canonical (one byte string per
// command), so a replayed command is the command the router applied.
//
// Layout: u8 codec version (3), u8 command tag (the variant's index plus
// one, pinned: new commands take new tags), the command's origin (producer, sequence: CommandOrigin,
// 0 and 0 when it has none), then the fields in declaration order: integers as LEB128
// varints (signed ones zigzag-coded, minimal length), strings and lists as a
// varint count then the items, optionals and booleans as one byte 0/1, enums
// as one byte, a double as its 8 bytes little-endian, times as Unix
// nanoseconds and durations as nanoseconds (zigzag varints).
//
// Errors: EncodeCommand refuses (InvalidArgument) a time or duration that is
// infinite or not a whole number of nanoseconds in int64 range — the engine
// would refuse the command too, and a journal must not hold a command it
// cannot give back exactly. DecodeCommand refuses anything that is not an
// encoding of a command: InvalidArgument naming the byte offset and what was
// expected (a truncated field, a varint that is not minimal, a tag, enum or
// boolean out of range, a count larger than the bytes left, bytes after the
// command), FailedPrecondition for a codec version other than 1 to 3. Decoding allocates
// in proportion to the input: a list's count is checked against the bytes left
// before anything is reserved (at most 64 bytes of memory per input byte; a
// journal record is at most 16 MiB).
//
// Thread safety: plain functions of their arguments.

#ifndef CCENGINE_JOURNAL_COMMAND_CODEC_H_
#define CCENGINE_JOURNAL_COMMAND_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/core/commands.h"

namespace ccengine::journal {

// Version 1 (the first build's) lacked the origin and the offer ids of
// AcceptOffer and RejectOffer; versions 1 and 2 lacked AddContact's fallback
// targets. Both are still read (origin none, offers 0, no fallbacks).
inline constexpr uint8_t kCommandCodecVersion = 3;

// A command as the journal holds it: with the origin it was applied with.
struct JournaledCommand {
  Command command;
  CommandOrigin origin;
};

absl::StatusOr<std::string> EncodeCommand(const Command& command);
// The same into `out` (its old contents replaced; on error left empty), for a
// caller that keeps one buffer and so allocates nothing per command.
absl::Status EncodeCommandTo(const Command& command, std::string* out);
absl::Status EncodeCommandTo(const Command& command, const CommandOrigin& origin,
                             std::string* out);
// The same after what `out` holds (on error `out` is as it was): a journal
// encodes straight into its write buffer (CommandLog::AppendEncoded).
absl::Status AppendCommandTo(const Command& command, const CommandOrigin& origin,
                             std::string* out);
absl::StatusOr<JournaledCommand> DecodeJournaledCommand(std::string_view payload);
// The command alone.
absl::StatusOr<Command> DecodeCommand(std::string_view payload);

// The command's name as in `cmd::` ("AddContact"): ccengine::CommandName.
using ::ccengine::CommandName;

}  // namespace ccengine::journal

#endif  // CCENGINE_JOURNAL_COMMAND_CODEC_H_
