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
#include "fmt/format.h"

namespace ccengine::journal {
namespace {

// The tag of a command is its index in `Command` plus one: pinned here, so
// that reordering the variant breaks the build instead of old journals.
template <size_t I, typename T>
constexpr bool kAt = std::is_same_v<std::variant_alternative_t<I, Command>, T>;
static_assert(std::variant_size_v<Command> == 17);
static_assert(kAt<0, cmd::AddAgent> && kAt<1, cmd::RemoveAgent> && kAt<2, cmd::Login> &&
              kAt<3, cmd::Logout> && kAt<4, cmd::SetReady> && kAt<5, cmd::SetNotReady> &&
              kAt<6, cmd::AddContact> && kAt<7, cmd::AcceptOffer> &&
              kAt<8, cmd::RejectOffer> && kAt<9, cmd::CompleteContact> &&
              kAt<10, cmd::EndWrapUp> && kAt<11, cmd::Abandon> &&
              kAt<12, cmd::RequestCallback> && kAt<13, cmd::Transfer> &&
              kAt<14, cmd::Withdraw> && kAt<15, cmd::SetPriority> &&
              kAt<16, cmd::ForceAgentState>);

constexpr std::array<std::string_view, 17> kNames = {
    "AddAgent",    "RemoveAgent",    "Login",           "Logout",      "SetReady",
    "SetNotReady", "AddContact",     "AcceptOffer",     "RejectOffer", "CompleteContact",
    "EndWrapUp",   "Abandon",        "RequestCallback", "Transfer",    "Withdraw",
    "SetPriority", "ForceAgentState"};

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Writes fields. Its methods have the names of Reader's, so one `Fields`
// function per type serves both directions.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(*out) { out_.clear(); }

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }

  template <typename T>
  void Unsigned(const T& v) {
    Varint(v);
  }
  template <typename T>
  void Signed(const T& v) {
    Varint(ZigZag(v));
  }
  template <typename Tag, typename Rep>
  void Id(const StrongId<Tag, Rep>& id) {
    Varint(id.value());
  }
  void Bool(const bool& v) { Byte(v ? 1 : 0); }
  template <typename E>
  void Enum(const E& v, int /*count*/) {
    Byte(static_cast<uint8_t>(v));
  }
  void Double(const double& v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>((bits >> (8 * i)) & 0xFF));
  }
  void String(const std::string& s) {
    Varint(s.size());
    out_ += s;
  }
  void Time(const absl::Time& t) {
    const int64_t ns = absl::ToUnixNanos(t);
    if (t == absl::InfiniteFuture() || t == absl::InfinitePast() ||
        absl::FromUnixNanos(ns) != t) {
      Fail(fmt::format("time {} is not a whole number of nanoseconds in range",
                       absl::FormatTime(t)));
    }
    Signed(ns);
  }
  void Duration(const absl::Duration& d) {
    const int64_t ns = absl::ToInt64Nanoseconds(d);
    if (d == absl::InfiniteDuration() || d == -absl::InfiniteDuration() ||
        absl::Nanoseconds(ns) != d) {
      Fail(fmt::format("duration {} is not a whole number of nanoseconds in range",
                       absl::FormatDuration(d)));
    }
    Signed(ns);
  }
  template <typename T, typename F>
  void Optional(const std::optional<T>& v, F field) {
    Bool(v.has_value());
    if (v.has_value()) field(*v);
  }
  template <typename T, typename F>
  void List(const std::vector<T>& v, F item) {
    Varint(v.size());
    for (const T& x : v) item(x);
  }

  absl::Status status() const { return status_; }

 private:
  void Fail(const std::string& message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(message);
  }
  std::string& out_;
  absl::Status status_;
};

// Reads fields; the first error sticks and later reads do nothing.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint64_t Varint() {
    uint64_t v = 0;
    const size_t start = at_;
    for (int shift = 0; ok(); shift += 7) {
      if (at_ >= in_.size()) {
        Fail(start, "a varint runs past the end");
        return 0;
      }
      const uint8_t b = static_cast<uint8_t>(in_[at_++]);
      if (shift == 63 && b > 1) {
        Fail(start, "a varint longer than 64 bits");
        return 0;
      }
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) Fail(start, "a varint that is not minimal");
        return v;
      }
    }
    return 0;
  }
  uint8_t Byte() {
    if (!ok()) return 0;
    if (at_ >= in_.size()) {
      Fail(at_, "a byte past the end");
      return 0;
    }
    return static_cast<uint8_t>(in_[at_++]);
  }

  template <typename T>
  void Unsigned(T& v) {
    const size_t start = at_;
    const uint64_t x = Varint();
    if (x > std::numeric_limits<T>::max()) Fail(start, "an unsigned field out of range");
    v = static_cast<T>(x);
  }
  template <typename T>
  void Signed(T& v) {
    const size_t start = at_;
    const int64_t x = UnZigZag(Varint());
    if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
      Fail(start, "a signed field out of range");
    }
    v = static_cast<T>(x);
  }
  template <typename Tag, typename Rep>
  void Id(StrongId<Tag, Rep>& id) {
    Rep v = 0;
    Unsigned(v);
    id = StrongId<Tag, Rep>(v);
  }
  void Bool(bool& v) {
    const size_t start = at_;
    const uint8_t b = Byte();
    if (b > 1) Fail(start, "a boolean that is neither 0 nor 1");
    v = b == 1;
  }
  template <typename E>
  void Enum(E& v, int count) {
    const size_t start = at_;
    const uint8_t b = Byte();
    if (b >= count) Fail(start, fmt::format("an enumeration value {} of {}", b, count));
    v = static_cast<E>(b);
  }
  void Double(double& v) {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(Byte()) << (8 * i);
    std::memcpy(&v, &bits, sizeof(v));
  }
  void String(std::string& s) {
    const size_t start = at_;
    const uint64_t n = Varint();
    if (!ok()) return;
    if (n > in_.size() - at_) {
      Fail(start, fmt::format("a string of {} bytes with {} left", n, in_.size() - at_));
      return;
    }
    s.assign(in_.substr(at_, n));
    at_ += n;
  }
  void Time(absl::Time& t) {
    int64_t ns = 0;
    Signed(ns);
    t = absl::FromUnixNanos(ns);
  }
  void Duration(absl::Duration& d) {
    int64_t ns = 0;
    Signed(ns);
    d = absl::Nanoseconds(ns);
  }
  template <typename T, typename F>
  void Optional(std::optional<T>& v, F field) {
    bool present = false;
    Bool(present);
    if (!ok() || !present) {
      v.reset();
      return;
    }
    field(v.emplace());
  }
  template <typename T, typename F>
  void List(std::vector<T>& v, F item) {
    const size_t start = at_;
    const uint64_t n = Varint();
    if (!ok()) return;
    // Every item takes at least one byte.
    if (n > in_.size() - at_) {
      Fail(start,
           fmt::format("a list of {} items with {} bytes left", n, in_.size() - at_));
      return;
    }
    v.clear();
    v.reserve(n);
    for (uint64_t i = 0; i < n && ok(); ++i) item(v.emplace_back());
  }

  bool ok() const { return status_.ok(); }
  size_t at() const { return at_; }
  bool done() const { return at_ == in_.size(); }
  absl::Status status() const { return status_; }
  void Fail(size_t offset, std::string_view what) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          fmt::format("command record at byte offset {}: {}", offset, what));
    }
  }

 private:
  std::string_view in_;
  size_t at_ = 0;
  absl::Status status_;
};

// --- the fields of each type, for both directions ------------------------------

template <typename Io, typename S>
void SkillFields(Io& io, S& s) {
  io.Id(s.skill);
  io.Unsigned(s.level);
}

template <typename Io, typename C>
void CapacityFields(Io& io, C& c) {
  for (auto& v : c.max_per_channel) io.Unsigned(v);
  for (auto& v : c.load_per_contact) io.Unsigned(v);
  io.Unsigned(c.load_budget);
  for (auto& v : c.exclusive) io.Bool(v);
}

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
void ContactSpecFields(Io& io, S& s) {
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
}

template <typename Io, typename C>
void Fields(Io& io, C& c) {
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
    ContactSpecFields(io, c.spec);
  } else if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                       std::is_same_v<T, cmd::RejectOffer>) {
    io.Id(c.agent);
    io.Id(c.contact);
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
  } else {
    static_assert(std::is_same_v<T, cmd::ForceAgentState>);
    io.Id(c.agent);
    io.Enum(c.state, kAgentStateCount);
    io.Signed(c.reason);
  }
}

template <size_t I = 0>
absl::StatusOr<Command> DecodeAlternative(size_t index, Reader& reader) {
  if constexpr (I < std::variant_size_v<Command>) {
    if (index != I) return DecodeAlternative<I + 1>(index, reader);
    std::variant_alternative_t<I, Command> alternative;
    Fields(reader, alternative);
    if (!reader.ok()) return reader.status();
    return Command(std::in_place_index<I>, std::move(alternative));
  } else {
    return absl::InternalError("unreachable");
  }
}

}  // namespace

std::string_view CommandName(const Command& command) { return kNames[command.index()]; }

absl::Status EncodeCommandTo(const Command& command, std::string* out) {
  Writer writer(out);
  writer.Byte(kCommandCodecVersion);
  writer.Byte(static_cast<uint8_t>(command.index() + 1));
  std::visit([&](const auto& c) { Fields(writer, c); }, command);
  if (!writer.status().ok()) {
    out->clear();
    return absl::InvalidArgumentError(
        fmt::format("{} cannot be journaled: {}", CommandName(command),
                    std::string(writer.status().message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodeCommand(const Command& command) {
  std::string out;
  if (absl::Status s = EncodeCommandTo(command, &out); !s.ok()) return s;
  return out;
}

absl::StatusOr<Command> DecodeCommand(std::string_view payload) {
  Reader reader(payload);
  const uint8_t version = reader.Byte();
  if (!reader.ok()) return reader.status();
  if (version != kCommandCodecVersion) {
    return absl::FailedPreconditionError(
        fmt::format("command record of codec version {}; this build reads version {}",
                    version, kCommandCodecVersion));
  }
  const uint8_t tag = reader.Byte();
  if (!reader.ok()) return reader.status();
  if (tag == 0 || tag > std::variant_size_v<Command>) {
    reader.Fail(1,
                fmt::format("command tag {} (1..{})", tag, std::variant_size_v<Command>));
    return reader.status();
  }
  absl::StatusOr<Command> command = DecodeAlternative(tag - 1, reader);
  if (!command.ok()) return command.status();
  if (!reader.done()) {
    reader.Fail(reader.at(), "bytes after the command");
    return reader.status();
  }
  return command;
}

}  // namespace ccengine::journal
