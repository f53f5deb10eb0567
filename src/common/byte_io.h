// -----------------------------------------------------------------------------
// File: src/common/byte_io.h
// -----------------------------------------------------------------------------
//
// The field encoding shared by the journal's command records and the engine's
// state snapshots: integers as LEB128 varints (signed ones zigzag-coded,
// minimal length), strings and lists as a varint count then the items,
// optionals and booleans as one byte 0/1, enums as one byte, a double as its
// 8 bytes little-endian, times as Unix nanoseconds and durations as
// nanoseconds. Exact (a double's bits, a time's nanoseconds) and canonical (one
// byte string per value). The reader refuses anything else, naming the byte
// offset, and allocates in proportion to its input: a list's count is checked
// against the bytes left before anything is reserved.
//
// Thread safety: a writer or reader is used by one thread; no shared state.

#ifndef CCENGINE_SRC_COMMON_BYTE_IO_H_
#define CCENGINE_SRC_COMMON_BYTE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::internal {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Writes fields. Its methods have the names of ByteReader's, so one function
// per type serves both directions. Errors (a time that is not a whole number
// of nanoseconds) stick: `status()` holds the first.
//
// Fields gather in a small buffer of the writer's own and go to `out` a
// buffer at a time, so that a field costs no call into the string. `out`
// holds every byte written once Finish() is called or the writer is
// destroyed; read it only then.
class ByteWriter {
 public:
  // Replaces `out`'s contents.
  explicit ByteWriter(std::string* out) : out_(*out) { out_.clear(); }
  // Appends after what `out` holds.
  struct Append {};
  ByteWriter(std::string* out, Append /*tag*/) : out_(*out) {}
  ~ByteWriter() { Finish(); }
  ByteWriter(const ByteWriter&) = delete;
  ByteWriter& operator=(const ByteWriter&) = delete;

  // Moves what the writer holds to `out`; writing may go on after it.
  void Finish() {
    out_.append(buffer_, used_);
    used_ = 0;
  }

  void Varint(uint64_t v) {
    char* at = Room(10);
    size_t n = 0;
    while (v >= 0x80) {
      at[n++] = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    at[n++] = static_cast<char>(v);
    used_ += n;
  }
  void Byte(uint8_t v) {
    *Room(1) = static_cast<char>(v);
    ++used_;
  }
  template <typename T>
  void Unsigned(const T& v) {
    Varint(v);
  }
  template <typename T>
  void Signed(const T& v) {
    Varint(ZigZag(v));
  }
  // A strong id (ccengine::StrongId): its value.
  template <typename IdType>
  void Id(const IdType& id) {
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
    Fixed(bits, 8);
  }
  void Float(const float& v) {
    uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    Fixed(bits, 4);
  }
  void String(const std::string& s) {
    Varint(s.size());
    if (s.size() > kBufferBytes - used_) {
      Finish();
      out_ += s;
      return;
    }
    std::memcpy(buffer_ + used_, s.data(), s.size());
    used_ += s.size();
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
  // The number of items that follow (ByteReader::Count checks it).
  void Count(uint64_t n) { Varint(n); }
  // Any sequence container (std::vector, absl::InlinedVector).
  template <typename V, typename F>
  void List(const V& v, F item) {
    Varint(v.size());
    for (const auto& x : v) item(x);
  }

  absl::Status status() const { return status_; }

 private:
  static constexpr size_t kBufferBytes = 256;

  // Where the next `n` (at most kBufferBytes) bytes go.
  char* Room(size_t n) {
    if (kBufferBytes - used_ < n) Finish();
    return buffer_ + used_;
  }
  // The low `n` bytes of `bits`, little-endian.
  void Fixed(uint64_t bits, int n) {
    char* at = Room(8);
    for (int i = 0; i < n; ++i) at[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
    used_ += static_cast<size_t>(n);
  }
  void Fail(const std::string& message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(message);
  }
  std::string& out_;
  char buffer_[kBufferBytes];
  size_t used_ = 0;  // bytes in `buffer_`, not yet in `out`
  absl::Status status_;
};

// Reads fields; the first error sticks and later reads do nothing. Errors
// are InvalidArgument "<what> at byte offset N: ...", `what` naming the
// encoded thing ("command record").
class ByteReader {
 public:
  ByteReader(std::string_view in, std::string_view what) : in_(in), what_(what) {}

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
  template <typename IdType>
  void Id(IdType& id) {
    std::remove_cvref_t<decltype(id.value())> v = 0;
    Unsigned(v);
    id = IdType(v);
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
  void Float(float& v) {
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= static_cast<uint32_t>(Byte()) << (8 * i);
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
  template <typename V, typename F>
  void List(V& v, F item) {
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

  // A number of items that follow, each at least one byte: more than the
  // bytes left is an error (and 0 is returned), so that a caller may reserve.
  uint64_t Count() {
    const size_t start = at_;
    const uint64_t n = Varint();
    if (!ok()) return 0;
    if (n > in_.size() - at_) {
      Fail(start, fmt::format("a count of {} with {} bytes left", n, in_.size() - at_));
      return 0;
    }
    return n;
  }

  bool ok() const { return status_.ok(); }
  size_t at() const { return at_; }
  bool done() const { return at_ == in_.size(); }
  absl::Status status() const { return status_; }
  void Fail(size_t offset, std::string_view what) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          fmt::format("{} at byte offset {}: {}", what_, offset, what));
    }
  }

 private:
  std::string_view in_;
  std::string_view what_;
  size_t at_ = 0;
  absl::Status status_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_COMMON_BYTE_IO_H_
