// -----------------------------------------------------------------------------
// File: ccengine/core/types.h
// -----------------------------------------------------------------------------
//
// The vocabulary every other header uses: strong ids for agents, contacts,
// queues and skills; the channels a contact can arrive on; skill requirements;
// and the conversions between the engine's internal time (integer
// microseconds) and `absl::Time` / `absl::Duration`.
//
// Agent and contact ids are chosen by the embedding product (a PBX call id,
// an employee number); skill and queue ids are dense and handed out by the
// engine when a name is registered. Names appear only at the edges.
//
// Thread safety: all types here are plain values; thread-compatible.
//
// Example:
//   ccengine::AgentId a{1001};
//   ccengine::SkillRequirement need{policy_skill, /*min_level=*/5};
//   if (a == ccengine::AgentId{1001}) { ... }

#ifndef CCENGINE_CORE_TYPES_H_
#define CCENGINE_CORE_TYPES_H_

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

#include "absl/time/time.h"

namespace ccengine {

// A strong integer id: ids of different kinds do not mix, and do not convert
// from or to bare integers silently.
template <typename Tag, typename Rep>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}
  constexpr Rep value() const { return value_; }
  friend constexpr bool operator==(StrongId a, StrongId b) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>.
  friend constexpr auto operator<=>(StrongId a, StrongId b) = default;
  template <typename H>
  friend H AbslHashValue(H h, StrongId id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  Rep value_ = 0;
};

struct AgentTag {};
struct ContactTag {};
struct QueueTag {};
struct SkillTag {};
struct StrategyTag {};

using AgentId = StrongId<AgentTag, uint64_t>;      // chosen by the product
using ContactId = StrongId<ContactTag, uint64_t>;  // chosen by the product
using QueueId = StrongId<QueueTag, uint32_t>;      // dense, from the engine
using SkillId = StrongId<SkillTag, uint32_t>;      // dense, from the engine
using StrategyId = StrongId<StrategyTag, uint32_t>;

// The media a contact arrives on. Agents have a concurrency limit per channel.
enum class Channel : uint8_t {
  kVoice = 0,
  kChat,
  kEmail,
  kVideo,
  kCallback,  // a web callback: the agent calls the customer
  kMessage,   // social / SMS message
  kTicket,    // back-office work item (工单)
};
inline constexpr int kChannelCount = 7;
inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kVoice,    Channel::kChat,    Channel::kEmail, Channel::kVideo,
    Channel::kCallback, Channel::kMessage, Channel::kTicket};

// "voice", "chat", ... ; parsing accepts exactly these names.
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);

inline constexpr int kMinProficiency = 1;
inline constexpr int kMaxProficiency = 10;

// A skill with a proficiency level 1..10. On an agent: what the agent has;
// on a queue or contact: the minimum the agent needs.
struct SkillLevel {
  SkillId skill;
  uint8_t level = kMinProficiency;
  friend bool operator==(const SkillLevel&, const SkillLevel&) = default;
};
using SkillRequirement = SkillLevel;

// Internal time: microseconds since the Unix epoch, on the injected clock.
using Micros = int64_t;
inline constexpr Micros kNever = std::numeric_limits<Micros>::max();

inline Micros ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline Micros ToMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }
inline absl::Time TimeFromMicros(Micros us) { return absl::FromUnixMicros(us); }

// The engine accepts times within ±10,000 years of the Unix epoch and finite
// durations up to 100 years, so that no sum of the two overflows Micros.
inline constexpr absl::Duration kMaxDuration = absl::Hours(24 * 365 * 100);
inline bool InTimeRange(absl::Time t) {
  return t > absl::UnixEpoch() - absl::Hours(24 * 365 * 10000) &&
         t < absl::UnixEpoch() + absl::Hours(24 * 365 * 10000);
}
inline bool InTimeRangeMicros(Micros us) {
  constexpr Micros kRange = Micros{24} * 365 * 10000 * 3600 * 1000000;
  return us > -kRange && us < kRange;
}
inline absl::Duration DurationFromMicros(Micros us) { return absl::Microseconds(us); }

}  // namespace ccengine

template <typename Tag, typename Rep>
struct std::hash<ccengine::StrongId<Tag, Rep>> {
  size_t operator()(ccengine::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};

#endif  // CCENGINE_CORE_TYPES_H_
