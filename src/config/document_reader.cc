// Typed values and located errors out of a configuration document
// (document_reader.h).

#include "config/document_reader.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ccengine/config/document.h"
#include "ccengine/config/routing_file.h"
#include "common/edit_distance.h"
#include "fmt/format.h"

namespace ccengine::config::internal {
namespace {

// The longest duration a document may write, in seconds (about 31 years).
constexpr double kMaxSeconds = 1e9;

// "; did you mean \"x\"?" for the closest of `known` within a few edits, or
// "". Each distance is computed only up to the best so far, and `budget`
// (steps of the distance tables) bounds the work of a whole load: a file of
// many long names cannot make suggestions slow, only fewer.
std::string SuggestAmong(std::string_view name,
                         const std::vector<std::string_view>& known, size_t* budget) {
  if (name.size() > kMaxRoutingNameBytes) return "";
  const size_t allowed = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3));
  std::string_view best;
  size_t best_distance = allowed + 1;
  for (std::string_view k : known) {
    if (k.size() > kMaxRoutingNameBytes) continue;
    const size_t limit = std::min(allowed, best_distance - 1);
    const size_t cost = (std::min(name.size(), k.size()) + 1) * (2 * limit + 1);
    if (cost > *budget) break;
    *budget -= cost;
    const size_t d =
        common::BoundedEditDistance(name, k, limit, /*fold_ascii_case=*/true);
    if (d <= limit) {
      best = k;
      best_distance = d;
      if (d == 0) break;
    }
  }
  if (best_distance > allowed) return "";
  return fmt::format("; did you mean \"{}\"?", best);
}

// `text` with control characters escaped (so that an error stays one line)
// and cut to about 1 KiB at a character boundary.
std::string Printable(std::string_view text) {
  constexpr size_t kMaxBytes = 1024;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= kMaxBytes && (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      out += "…";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Index(std::string_view pointer, size_t i) {
  return fmt::format("{}/{}", pointer, i);
}

void DocumentReader::Error(const Node& at, std::string_view pointer,
                           std::string_view message) {
  if (!Wanted(at)) {
    ++dropped_;
    return;
  }
  Found found{
      at.place.offset, sequence_++,
      Printable(fmt::format("{}:{}:{}: {}: {}", source_, at.place.line, at.place.column,
                            pointer.empty() ? "/" : pointer, message))};
  if (errors_.size() == kMaxRoutingErrors) {
    std::pop_heap(errors_.begin(), errors_.end(), Earlier);
    errors_.pop_back();
    ++dropped_;
  }
  errors_.push_back(std::move(found));
  std::push_heap(errors_.begin(), errors_.end(), Earlier);
}

bool DocumentReader::Wanted(const Node& at) const {
  return errors_.size() < kMaxRoutingErrors || at.place.offset < errors_.front().offset;
}

std::string DocumentReader::Suggest(const Node& at, std::string_view name,
                                    const std::vector<std::string_view>& known) {
  return Wanted(at) ? SuggestAmong(name, known, &suggest_budget_) : std::string();
}

bool DocumentReader::Expect(const Node& n, std::string_view pointer, Node::Kind kind) {
  if (n.kind == kind) return true;
  Error(n, pointer, fmt::format("expected {}, got {}", KindName(kind), KindName(n.kind)));
  return false;
}

bool DocumentReader::Number(const Node* n, std::string_view pointer, double lo, double hi,
                            double* out) {
  if (n == nullptr) return true;
  if (!Expect(*n, pointer, Node::Kind::kNumber)) return false;
  if (!(n->number >= lo && n->number <= hi)) {
    Error(*n, pointer, fmt::format("must be in {}..{}, got {}", lo, hi, n->number));
    return false;
  }
  *out = n->number;
  return true;
}

bool DocumentReader::Seconds(const Node* n, std::string_view pointer, bool positive,
                             bool null_is_infinite, absl::Duration* out) {
  if (n == nullptr) return true;
  if (null_is_infinite && n->kind == Node::Kind::kNull) {
    *out = absl::InfiniteDuration();
    return true;
  }
  if (n->kind != Node::Kind::kNumber) {
    Error(*n, pointer,
          fmt::format("expected a number of seconds{}, got {}",
                      null_is_infinite ? " or null (none)" : "", KindName(n->kind)));
    return false;
  }
  if (positive ? !(n->number > 0) : !(n->number >= 0)) {
    Error(*n, pointer,
          fmt::format("must be {} 0 seconds, got {}", positive ? ">" : ">=", n->number));
    return false;
  }
  if (n->number > kMaxSeconds) {
    Error(*n, pointer,
          fmt::format("must be at most {} seconds, got {}", kMaxSeconds, n->number));
    return false;
  }
  *out = absl::Seconds(n->number);
  return true;
}

bool DocumentReader::Bool(const Node* n, std::string_view pointer, bool* out) {
  if (n == nullptr) return true;
  if (!Expect(*n, pointer, Node::Kind::kBool)) return false;
  *out = n->boolean;
  return true;
}

bool DocumentReader::String(const Node* n, std::string_view pointer, std::string* out) {
  if (n == nullptr) return true;
  if (!Expect(*n, pointer, Node::Kind::kString)) return false;
  *out = n->text;
  return true;
}

bool DocumentReader::Name(const Node* n, const Node& missing, std::string_view pointer,
                          std::string* out) {
  if (n == nullptr) {
    Error(missing, pointer, "missing \"name\"");
    return false;
  }
  if (!String(n, pointer, out)) return false;
  if (out->empty() || out->size() > kMaxRoutingNameBytes) {
    Error(*n, pointer,
          fmt::format("a name must have 1..{} bytes, got {}", kMaxRoutingNameBytes,
                      out->size()));
    return false;
  }
  for (char c : *out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      Error(*n, pointer,
            fmt::format("a name may not hold control characters (byte 0x{:02x})",
                        static_cast<unsigned char>(c)));
      return false;
    }
  }
  return true;
}

bool DocumentReader::Earlier(const Found& a, const Found& b) {
  return a.offset != b.offset ? a.offset < b.offset : a.sequence < b.sequence;
}

absl::Status DocumentReader::Finish(std::vector<std::string>* errors) {
  std::sort(errors_.begin(), errors_.end(), Earlier);
  std::vector<std::string> lines;
  for (Found& e : errors_) lines.push_back(std::move(e.line));
  if (errors != nullptr) *errors = lines;
  if (lines.empty()) return absl::OkStatus();
  if (dropped_ > 0) {
    lines.push_back(fmt::format("{}: {} more errors not shown", source_, dropped_));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

DocumentReader::Fields::Fields(DocumentReader& reader, const Node& node,
                               std::string pointer,
                               std::initializer_list<std::string_view> known)
    : node_(node), pointer_(std::move(pointer)) {
  if (node.kind != Node::Kind::kObject) {
    reader.Error(node, pointer_,
                 fmt::format("expected an object, got {}", KindName(node.kind)));
    ok_ = false;
    return;
  }
  const std::vector<std::string_view> names(known);
  for (const auto& [key, value] : node.members) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      reader.Error(
          value, Child(pointer_, key),
          fmt::format("unknown key \"{}\"{}", key, reader.Suggest(value, key, names)));
    }
  }
}

}  // namespace ccengine::config::internal
