#include "ccengine/journal/command_codec.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/internal/value_fields.h"
#include "common/byte_io.h"
#include "fmt/format.h"

namespace ccengine::journal {
namespace {

using ccengine::internal::CapacityFields;
using ccengine::internal::SkillFields;
using Reader = internal::ByteReader;
using Writer = internal::ByteWriter;

// The tag of a command is its index in `Command` plus one: pinned here, so
// that reordering the variant breaks the build instead of old journals.
template <size_t I, typename T>
constexpr bool kAt = std::is_same_v<std::variant_alternative_t<I, Command>, T>;
static_assert(std::variant_size_v<Command> == 18);
static_assert(kAt<0, cmd::AddAgent> && kAt<1, cmd::RemoveAgent> && kAt<2, cmd::Login> &&
              kAt<3, cmd::Logout> && kAt<4, cmd::SetReady> && kAt<5, cmd::SetNotReady> &&
              kAt<6, cmd::AddContact> && kAt<7, cmd::AcceptOffer> &&
              kAt<8, cmd::RejectOffer> && kAt<9, cmd::CompleteContact> &&
              kAt<10, cmd::EndWrapUp> && kAt<11, cmd::Abandon> &&
              kAt<12, cmd::RequestCallback> && kAt<13, cmd::Transfer> &&
              kAt<14, cmd::Withdraw> && kAt<15, cmd::SetPriority> &&
              kAt<16, cmd::ForceAgentState> && kAt<17, cmd::EraseCustomer>);

// --- the fields of each type, for both directions ------------------------------

template <typename Io, typename A>
void AgentConfigFields(Io& io, A& a) {
  io.Id(a.id);
  io.String(a.name);
  io.List(a.skills, [&](auto& s) { SkillFields(io, s); });
  CapacityFields(io, a.capacity);
  io.Double(a.weight);
  io.Bool(a.auto_accept);
}

template <typename Io, typename S>
void ContactSpecFields(Io& io, S& s, uint8_t version) {
  io.Id(s.id);
  io.Id(s.queue);
  io.Enum(s.channel, kChannelCount);
  io.Signed(s.priority);
  io.List(s.skills, [&](auto& k) { SkillFields(io, k); });
  io.String(s.customer_id);
  io.List(s.attributes, [&](auto& kv) {
    io.String(kv.first);
    io.String(kv.second);
  });
  io.Optional(s.arrived_at, [&](auto& t) { io.Time(t); });
  io.List(s.preferred_agents, [&](auto& a) { io.Id(a); });
  io.Bool(s.prefer_last_agent);
  io.Duration(s.preferred_wait);
  if (version >= 3) {
    io.List(s.fallbacks, [&](auto& f) {
      io.Duration(f.after);
      io.Id(f.queue);
      io.Signed(f.priority);
      io.List(f.skills, [&](auto& k) { SkillFields(io, k); });
    });
  }
}

// `version`: the codec version of the bytes (1 lacks the offer ids, 1 and 2
// the fallback targets).
template <typename Io, typename C>
void Fields(Io& io, C& c, uint8_t version) {
  using T = std::remove_const_t<C>;
  if constexpr (std::is_same_v<T, cmd::AddAgent>) {
    AgentConfigFields(io, c.config);
  } else if constexpr (std::is_same_v<T, cmd::RemoveAgent> ||
                       std::is_same_v<T, cmd::Logout> ||
                       std::is_same_v<T, cmd::SetReady> ||
                       std::is_same_v<T, cmd::EndWrapUp>) {
    io.Id(c.agent);
  } else if constexpr (std::is_same_v<T, cmd::Login>) {
    io.Id(c.agent);
    io.Bool(c.ready);
    io.Signed(c.reason);
  } else if constexpr (std::is_same_v<T, cmd::SetNotReady>) {
    io.Id(c.agent);
    io.Signed(c.reason);
  } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
    ContactSpecFields(io, c.spec, version);
  } else if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                       std::is_same_v<T, cmd::RejectOffer>) {
    io.Id(c.agent);
    io.Id(c.contact);
    if (version >= 2) io.Unsigned(c.offer);
  } else if constexpr (std::is_same_v<T, cmd::CompleteContact>) {
    io.Id(c.agent);
    io.Id(c.contact);
    io.Optional(c.outcome.csat, [&](auto& v) { io.Signed(v); });
    io.Optional(c.outcome.resolved, [&](auto& v) { io.Bool(v); });
  } else if constexpr (std::is_same_v<T, cmd::Abandon> ||
                       std::is_same_v<T, cmd::RequestCallback> ||
                       std::is_same_v<T, cmd::Withdraw>) {
    io.Id(c.contact);
  } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
    io.Id(c.contact);
    io.Id(c.to);
    io.Bool(c.keep_age);
  } else if constexpr (std::is_same_v<T, cmd::SetPriority>) {
    io.Id(c.contact);
    io.Signed(c.priority);
  } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
    io.Id(c.agent);
    io.Enum(c.state, kAgentStateCount);
    io.Signed(c.reason);
  } else {
    static_assert(std::is_same_v<T, cmd::EraseCustomer>);
    io.String(c.customer_id);
  }
}

template <size_t I = 0>
absl::StatusOr<Command> DecodeAlternative(size_t index, Reader& reader, uint8_t version) {
  if constexpr (I < std::variant_size_v<Command>) {
    if (index != I) return DecodeAlternative<I + 1>(index, reader, version);
    std::variant_alternative_t<I, Command> alternative;
    Fields(reader, alternative, version);
    if (!reader.ok()) return reader.status();
    return Command(std::in_place_index<I>, std::move(alternative));
  } else {
    return absl::InternalError("unreachable");
  }
}

}  // namespace

absl::Status AppendCommandTo(const Command& command, const CommandOrigin& origin,
                             std::string* out) {
  const size_t start = out->size();
  absl::Status status;
  {
    Writer writer(out, Writer::Append{});
    writer.Byte(kCommandCodecVersion);
    writer.Byte(static_cast<uint8_t>(command.index() + 1));
    writer.Unsigned(origin.producer);
    writer.Unsigned(origin.producer == 0 ? 0 : origin.sequence);
    std::visit([&](const auto& c) { Fields(writer, c, kCommandCodecVersion); }, command);
    status = writer.status();
  }
  if (!status.ok()) {
    out->resize(start);
    return absl::InvalidArgumentError(fmt::format("{} cannot be journaled: {}",
                                                  CommandName(command),
                                                  std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::Status EncodeCommandTo(const Command& command, const CommandOrigin& origin,
                             std::string* out) {
  out->clear();
  return AppendCommandTo(command, origin, out);
}

absl::Status EncodeCommandTo(const Command& command, std::string* out) {
  return EncodeCommandTo(command, CommandOrigin{}, out);
}

absl::StatusOr<std::string> EncodeCommand(const Command& command) {
  std::string out;
  if (absl::Status s = EncodeCommandTo(command, &out); !s.ok()) return s;
  return out;
}

absl::StatusOr<JournaledCommand> DecodeJournaledCommand(std::string_view payload) {
  Reader reader(payload, "command record");
  const uint8_t version = reader.Byte();
  if (!reader.ok()) return reader.status();
  if (version < 1 || version > kCommandCodecVersion) {
    return absl::FailedPreconditionError(fmt::format(
        "command record of codec version {}; this build reads versions 1 to {}", version,
        kCommandCodecVersion));
  }
  const uint8_t tag = reader.Byte();
  if (!reader.ok()) return reader.status();
  if (tag == 0 || tag > std::variant_size_v<Command>) {
    reader.Fail(1,
                fmt::format("command tag {} (1..{})", tag, std::variant_size_v<Command>));
    return reader.status();
  }
  JournaledCommand out;
  if (version >= 2) {
    reader.Unsigned(out.origin.producer);
    const size_t at = reader.at();
    reader.Unsigned(out.origin.sequence);
    if (reader.ok() && out.origin.producer == 0 && out.origin.sequence != 0) {
      reader.Fail(at, "a command sequence without a producer");
      return reader.status();
    }
  }
  absl::StatusOr<Command> command = DecodeAlternative(tag - 1, reader, version);
  if (!command.ok()) return command.status();
  if (!reader.done()) {
    reader.Fail(reader.at(), "bytes after the command");
    return reader.status();
  }
  out.command = *std::move(command);
  return out;
}

absl::StatusOr<Command> DecodeCommand(std::string_view payload) {
  absl::StatusOr<JournaledCommand> decoded = DecodeJournaledCommand(payload);
  if (!decoded.ok()) return decoded.status();
  return std::move(decoded->command);
}

}  // namespace ccengine::journal
