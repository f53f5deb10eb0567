// -----------------------------------------------------------------------------
// File: src/config/document_reader.h (private to ccengine::config)
// -----------------------------------------------------------------------------
//
// Reads typed values out of a configuration document (document.h) and keeps
// every error with its place: `source:line:column: /json/pointer: message`,
// one line each, control characters escaped. The routing file's loader
// (routing_loader.cc) is built on it; its sections call the typed readers,
// which report what they expected and return false, and go on reading.
//
// Errors kept: the kMaxRoutingErrors that come first in the text, in the
// text's order (ties in the order found); `Finish` adds a line counting the
// rest. A did-you-mean suggestion is computed only for an error that will be
// shown, within a budget for the whole document.
//
// Thread safety: a reader is used by one thread; the free functions are pure.
//
// Example:
//   internal::DocumentReader reader("routing.json");
//   internal::DocumentReader::Fields f(reader, root, "", {"format", "queues"});
//   int format = 1;
//   reader.Integer(f.Get("format"), f.Path("format"), 1, 1, &format);
//   std::vector<std::string> lines;
//   absl::Status status = reader.Finish(&lines);  // OK, or every error found

#ifndef CCENGINE_SRC_CONFIG_DOCUMENT_READER_H_
#define CCENGINE_SRC_CONFIG_DOCUMENT_READER_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/config/document.h"
#include "fmt/format.h"

namespace ccengine::config::internal {

// JSON pointers (RFC 6901): `pointer` with a member `key` (escaped) or an
// array index appended.
std::string Child(std::string_view pointer, std::string_view key);
std::string Index(std::string_view pointer, size_t i);

class DocumentReader {
 public:
  // `source` names the document in every error line.
  explicit DocumentReader(std::string_view source) : source_(source) {}

  const std::string& source() const { return source_; }

  // Records an error at `at`, whose JSON pointer is `pointer`.
  void Error(const Node& at, std::string_view pointer, std::string_view message);

  // Whether an error at `at` would be shown: work for its message (a
  // suggestion) is spent only then.
  bool Wanted(const Node& at) const;

  // "; did you mean \"x\"?" for the closest of `known` to `name`, or "".
  std::string Suggest(const Node& at, std::string_view name,
                      const std::vector<std::string_view>& known);

  // The errors recorded so far, shown or not.
  size_t error_count() const { return errors_.size() + dropped_; }

  // Ends the reading (call it once, last): `*errors` (when not null) gets
  // the lines of the errors kept, first in the text first. OK when there
  // were none, else InvalidArgument with those lines and one counting the
  // errors not shown.
  absl::Status Finish(std::vector<std::string>* errors);

  // An object's members, with unknown keys reported once (with a
  // did-you-mean among `known`); not an object: an error, and every Get is
  // null.
  class Fields {
   public:
    Fields(DocumentReader& reader, const Node& node, std::string pointer,
           std::initializer_list<std::string_view> known);
    bool ok() const { return ok_; }
    const Node* Get(std::string_view key) const {
      return ok_ ? node_.Find(key) : nullptr;
    }
    std::string Path(std::string_view key) const { return Child(pointer_, key); }
    const Node& node() const { return node_; }
    const std::string& pointer() const { return pointer_; }

   private:
    const Node& node_;
    std::string pointer_;
    bool ok_ = true;
  };

  // --- typed values -----------------------------------------------------

  // Whether `n` is of `kind`; if not, an error naming both kinds.
  bool Expect(const Node& n, std::string_view pointer, Node::Kind kind);

  // Each reads `n` into `*out` and returns true; null `n` (the key absent)
  // changes nothing and returns true, except for Name. A value of another
  // kind or out of range is an error, and false.
  bool Number(const Node* n, std::string_view pointer, double lo, double hi, double* out);

  template <typename Int>
  bool Integer(const Node* n, std::string_view pointer, int64_t lo, int64_t hi,
               Int* out) {
    if (n == nullptr) return true;
    if (!Expect(*n, pointer, Node::Kind::kNumber)) return false;
    if (n->number != std::floor(n->number)) {
      Error(*n, pointer, fmt::format("expected a whole number, got {}", n->number));
      return false;
    }
    if (!(n->number >= static_cast<double>(lo) && n->number <= static_cast<double>(hi))) {
      Error(*n, pointer, fmt::format("must be in {}..{}, got {}", lo, hi, n->number));
      return false;
    }
    *out = static_cast<Int>(n->number);
    return true;
  }

  // Seconds as a number (> 0 when `positive`, else >= 0; at most about 31
  // years); null means "never" where `null_is_infinite`.
  bool Seconds(const Node* n, std::string_view pointer, bool positive,
               bool null_is_infinite, absl::Duration* out);
  bool Bool(const Node* n, std::string_view pointer, bool* out);
  bool String(const Node* n, std::string_view pointer, std::string* out);

  // A name of something the document declares: non-empty, at most
  // kMaxRoutingNameBytes, no control characters. `missing` is the node to
  // blame when it is absent (an error).
  bool Name(const Node* n, const Node& missing, std::string_view pointer,
            std::string* out);

 private:
  struct Found {
    uint32_t offset = 0;
    uint64_t sequence = 0;  // ties in place keep the order they were found in
    std::string line;
  };
  static bool Earlier(const Found& a, const Found& b);

  std::string source_;
  std::vector<Found> errors_;  // a heap, the latest in the text on top
  uint64_t sequence_ = 0;
  size_t dropped_ = 0;
  size_t suggest_budget_ = size_t{200} << 20;
};

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_DOCUMENT_READER_H_
