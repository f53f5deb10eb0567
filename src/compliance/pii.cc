#include "ccengine/compliance/pii.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fmt/format.h"

namespace ccengine::compliance {

namespace {

// A number longer than this is nothing the detectors know.
constexpr size_t kMaxDigits = 19;
// No layout has more groups than this.
constexpr size_t kMaxWindowGroups = 5;
// Groups read from a run at a time: a longer run is read in overlapping
// pieces, so memory stays small whatever the input.
constexpr size_t kMaxRunGroups = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsDigit(c) || IsAsciiAlpha(c); }

// --- numbers -------------------------------------------------------------------

// One group of digits of a run; the last group of a run may end in X
// (an identity card's check digit).
struct Group {
  size_t begin = 0;
  size_t end = 0;  // past the last digit (or the X)
  bool star_before = false;
  bool star_after = false;
};

struct Kind {
  PiiKind kind;
  uint8_t keep_front;
  uint8_t keep_back;
};

bool IsMobile(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

std::optional<Kind> Landline(std::string_view d) {
  if (d.size() < 10 || d[0] != '0') return std::nullopt;
  size_t area = 0;
  if (d[1] == '1') {
    area = d[2] == '0' ? 3 : 0;  // 010; no other area code starts 01
  } else if (d[1] == '2') {
    area = 3;
  } else if (d[1] >= '3' && d[1] <= '9') {
    area = 4;
  }
  if (area == 0) return std::nullopt;
  const size_t local = d.size() - area;
  if ((local != 7 && local != 8) || d[area] < '2') return std::nullopt;
  return Kind{PiiKind::kLandline, static_cast<uint8_t>(area), 4};
}

// What a window of digits (an X possibly last) is, if anything.
std::optional<Kind> Classify(std::string_view d) {
  if (IsResidentId(d)) return Kind{PiiKind::kResidentId, 3, 4};
  if (d.back() == 'X' || d.back() == 'x') return std::nullopt;
  if (d.size() >= 13 && d[0] >= '3' && d[0] <= '6' && PassesLuhn(d)) {
    return Kind{PiiKind::kBankCard, 6, 4};
  }
  if (IsMobile(d)) return Kind{PiiKind::kMobile, 3, 4};
  if (d.size() == 13 && d.substr(0, 2) == "86" && IsMobile(d.substr(2))) {
    return Kind{PiiKind::kMobile, 5, 4};
  }
  if (d.size() == 15 && d.substr(0, 4) == "0086" && IsMobile(d.substr(4))) {
    return Kind{PiiKind::kMobile, 7, 4};
  }
  if (d.size() == 12 && d[0] == '0' && IsMobile(d.substr(1))) {
    return Kind{PiiKind::kMobile, 4, 4};
  }
  return Landline(d);
}

// Bytes taken by e-mail addresses and domains, which the number scanner
// skips; empty when the text has none.
class Blocked {
 public:
  explicit Blocked(const std::vector<bool>& bytes) : bytes_(bytes) {}
  bool operator[](size_t i) const { return !bytes_.empty() && bytes_[i]; }

 private:
  const std::vector<bool>& bytes_;
};

using Groups = absl::InlinedVector<Group, 8>;

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == ')'; }

// Whether a mask ("*") is right before `at` or right after `end`, with up to
// two separators between: the digits a mask kept are never joined to others.
bool MaskBefore(std::string_view text, size_t at) {
  for (size_t k = 1; k <= 3 && k <= at; ++k) {
    if (text[at - k] == '*') return true;
    if (!IsSeparator(text[at - k])) return false;
  }
  return false;
}
bool MaskAfter(std::string_view text, size_t end) {
  for (size_t k = end; k < end + 3 && k < text.size(); ++k) {
    if (text[k] == '*') return true;
    if (!IsSeparator(text[k])) return false;
  }
  return false;
}

// Whether groups of `sizes` digits are a way people write a number of kind
// `k` (`d` its digits): one group always; else the usual layouts — a mobile
// 3-4-4 or 3-8 after an optional country or trunk prefix, a landline's area
// code then 7-8 digits or 3-4 / 4-4 / 4-3, an identity card 6-8-4 or
// 6-4-4-4, a card in fours (the last shorter) or 4-6-5 / 4-6-4. Anything else
// (a list of small numbers, a table row) is not one number.
bool Fits(const Kind& k, std::string_view d, const size_t* sizes, size_t count) {
  if (count == 1) return true;
  auto is = [&](std::initializer_list<size_t> want, size_t from) {
    if (count - from != want.size()) return false;
    size_t i = from;
    for (size_t w : want) {
      if (sizes[i++] != w) return false;
    }
    return true;
  };
  switch (k.kind) {
    case PiiKind::kMobile: {
      const size_t prefix = d.size() - 11;
      size_t first = sizes[0], from = 0;
      if (prefix > 0) {
        if (first == prefix) {
          from = 1;
          first = sizes[1];
        } else if (first > prefix) {
          first -= prefix;
        } else {
          return false;
        }
      }
      if (count - from == 1) return first == 11;
      return first == 3 &&
             (count - from == 2
                  ? sizes[from + 1] == 8
                  : count - from == 3 && sizes[from + 1] == 4 && sizes[from + 2] == 4);
    }
    case PiiKind::kLandline:
      return sizes[0] == k.keep_front &&
             (count == 2 || is({3, 4}, 1) || is({4, 4}, 1) || is({4, 3}, 1));
    case PiiKind::kResidentId: return is({6, 8, 4}, 0) || is({6, 4, 4, 4}, 0);
    case PiiKind::kBankCard: {
      if (is({4, 6, 5}, 0) || is({4, 6, 4}, 0)) return true;
      for (size_t i = 0; i + 1 < count; ++i) {
        if (sizes[i] != 4) return false;
      }
      return sizes[count - 1] >= 1 && sizes[count - 1] <= 4;
    }
    case PiiKind::kEmail: break;
  }
  return false;
}

// The groups of the run that starts at `i` (a digit after a non-digit);
// `blocked` marks bytes already taken by an e-mail. Returns where the run
// ends.
size_t ReadRun(std::string_view text, size_t i, const Blocked& blocked, Groups& groups) {
  groups.clear();
  const size_t n = text.size();
  while (groups.size() < kMaxRunGroups) {
    Group g;
    g.begin = i;
    g.star_before = MaskBefore(text, i);
    while (i < n && IsDigit(text[i]) && !blocked[i]) ++i;
    bool last = false;
    // A check digit X ends the run (and must not run into a word).
    if (i < n && (text[i] == 'X' || text[i] == 'x') && !blocked[i] &&
        (i + 1 == n || !IsAsciiAlnum(text[i + 1]))) {
      ++i;
      last = true;
    }
    g.end = i;
    g.star_after = MaskAfter(text, i);
    groups.push_back(g);
    if (last || i >= n) return i;
    // One separator between groups: a space, a hyphen, or the ")" after an
    // area code written "(0755)", with or without a space after it.
    size_t sep = 0;
    if (text[i] == ' ' || text[i] == '-') {
      sep = 1;
    } else if (text[i] == ')' && g.begin > 0 && text[g.begin - 1] == '(') {
      sep = i + 1 < n && text[i + 1] == ' ' ? 2 : 1;
    }
    if (sep == 0 || i + sep >= n || !IsDigit(text[i + sep]) || blocked[i + sep]) return i;
    i += sep;
  }
  return i;  // cut: the run goes on at `i`
}

// The match of the longest window of groups [s, e] that fits a layout, if
// any. A window ending in an X that is not an identity card is tried
// without the X (a number followed by a letter).
std::optional<PiiMatch> LongestFrom(std::string_view text, const Groups& groups, size_t s,
                                    size_t* last) {
  std::optional<PiiMatch> best;
  std::array<char, kMaxDigits> digits;  // of groups [s, e]
  std::array<size_t, kMaxWindowGroups> sizes;
  size_t len = 0;
  for (size_t e = s; e < groups.size() && e - s < kMaxWindowGroups; ++e) {
    // A group next to a "*" (masked text) is never joined to others.
    if (e > s && (groups[s].star_before || groups[e].star_after)) break;
    const size_t size = groups[e].end - groups[e].begin;
    if (len + size > kMaxDigits) break;
    text.copy(digits.data() + len, size, groups[e].begin);
    len += size;
    sizes[e - s] = size;
    std::string_view d(digits.data(), len);
    size_t end = groups[e].end;
    std::optional<Kind> k = Classify(d);
    if (!k.has_value() && (d.back() == 'X' || d.back() == 'x') && size > 1) {
      d.remove_suffix(1);
      --sizes[e - s];
      --end;
      k = Classify(d);
    }
    if (k.has_value() && Fits(*k, d, sizes.data(), e - s + 1)) {
      best = PiiMatch{groups[s].begin, end, k->kind, k->keep_front, k->keep_back};
      *last = e;
    }
  }
  return best;
}

// The longest match in each run, from each group on.
void FindNumbers(std::string_view text, const Blocked& blocked,
                 std::vector<PiiMatch>& out) {
  Groups groups;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (!IsDigit(text[i]) || blocked[i] ||
        (i > 0 && IsDigit(text[i - 1]) && !blocked[i - 1])) {
      ++i;
      continue;
    }
    const size_t run_end = ReadRun(text, i, blocked, groups);
    const bool cut =
        groups.size() == kMaxRunGroups && run_end < n && IsDigit(text[run_end]);
    // A cut run is taken up again at the first group whose windows it could
    // not see whole.
    const size_t stop = cut ? groups.size() - kMaxWindowGroups : groups.size();
    size_t s = 0;
    while (s < stop) {
      size_t last = s;
      if (std::optional<PiiMatch> m = LongestFrom(text, groups, s, &last)) {
        out.push_back(*m);
        s = last + 1;
      } else {
        ++s;
      }
    }
    i = s < groups.size() ? groups[s].begin : std::max(run_end, i + 1);
  }
}

// --- e-mail --------------------------------------------------------------------

bool IsLocalChar(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainChar(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-'; }

bool ValidDomain(std::string_view d) {
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = d.find('.', start);
    const std::string_view label = d.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    ++labels;
    if (dot == std::string_view::npos) {
      if (labels < 2 || label.size() < 2) return false;
      return std::all_of(label.begin(), label.end(), IsAsciiAlpha);
    }
    start = dot + 1;
  }
}

// Addresses into `out`; into `domains` the byte ranges of every domain after
// an "@", address or not (masking an address's local part must not free its
// domain's digits for the number scanner).
void FindEmails(std::string_view text, std::vector<PiiMatch>& out,
                std::vector<std::pair<size_t, size_t>>& domains) {
  const size_t n = text.size();
  size_t floor = 0;  // the end of the last match: nothing before it is reused
  for (size_t at = text.find('@'); at != std::string_view::npos;
       at = text.find('@', at + 1)) {
    size_t e = at + 1;
    while (e < n && IsDomainChar(text[e])) ++e;
    while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) --e;
    if (!ValidDomain(text.substr(at + 1, e - at - 1))) continue;
    domains.emplace_back(at + 1, e);
    if (at < floor) continue;
    size_t b = at;
    while (b > floor && IsLocalChar(text[b - 1])) --b;
    while (b < at && text[b] == '.') ++b;
    // a@b@c is not an address, and one that runs into a mask is its edge.
    if (b == at || text[at - 1] == '.' ||
        (b > 0 && (text[b - 1] == '@' || text[b - 1] == '*')) ||
        (e < n && (text[e] == '@' || text[e] == '*'))) {
      continue;
    }
    out.push_back(PiiMatch{b, e, PiiKind::kEmail, 1, 0});
    floor = e;
  }
}

void MaskMatch(std::string_view text, const PiiMatch& m, std::string& out) {
  if (m.kind == PiiKind::kEmail) {
    const size_t at = text.find('@', m.begin);
    out.append(text.substr(m.begin, m.keep_front));
    out.append("***");
    out.append(text.substr(at, m.end - at));
    return;
  }
  // The digits kept at the front come from the first group only, those at
  // the back from the last: every kept digit then stands next to a mask,
  // which the scanner never joins to other digits (so masked text holds no
  // match).
  size_t first_group = 0;
  while (m.begin + first_group < m.end && IsAsciiAlnum(text[m.begin + first_group])) {
    ++first_group;
  }
  size_t last_group = 0;
  while (last_group < m.end - m.begin && IsAsciiAlnum(text[m.end - 1 - last_group])) {
    ++last_group;
  }
  const size_t front = std::min<size_t>(m.keep_front, first_group);
  const size_t back = std::min<size_t>(m.keep_back, last_group);
  for (size_t i = m.begin; i < m.end; ++i) {
    const bool kept = i < m.begin + front || i >= m.end - back || !IsAsciiAlnum(text[i]);
    out.push_back(kept ? text[i] : '*');
  }
}

// The length of the UTF-8 character at the front of `s`, 0 if it is not
// one (overlong forms and surrogates included).
size_t FirstCharLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(0);
  if (b < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  }
  if (len == 0 || s.size() < len || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return len;
}

}  // namespace

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kMobile: return "mobile";
    case PiiKind::kLandline: return "landline";
    case PiiKind::kResidentId: return "resident_id";
    case PiiKind::kBankCard: return "bank_card";
    case PiiKind::kEmail: return "email";
  }
  return "unknown";
}

bool IsResidentId(std::string_view id) {
  if (id.size() != 18) return false;
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(id[i])) return false;
  }
  const auto num = [&](size_t from, size_t len) {
    int v = 0;
    for (size_t i = from; i < from + len; ++i) v = v * 10 + (id[i] - '0');
    return v;
  };
  if (id[0] == '0') return false;  // no region code starts 0
  const int year = num(6, 4), month = num(10, 2), day = num(12, 2);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  static constexpr char kCheck[] = "10X98765432";
  const char want = kCheck[sum % 11];
  const char got = id[17] == 'x' ? 'X' : id[17];
  return got == want;
}

bool PassesLuhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!IsDigit(digits[i])) return false;
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::vector<PiiMatch> FindPii(std::string_view text) {
  std::vector<PiiMatch> emails;
  std::vector<std::pair<size_t, size_t>> domains;
  FindEmails(text, emails, domains);
  std::vector<bool> blocked;
  if (!domains.empty()) blocked.assign(text.size(), false);
  auto block = [&](size_t begin, size_t end) {
    std::fill(blocked.begin() + static_cast<std::ptrdiff_t>(begin),
              blocked.begin() + static_cast<std::ptrdiff_t>(end), true);
  };
  for (const PiiMatch& m : emails) block(m.begin, m.end);
  for (const auto& [begin, end] : domains) block(begin, end);
  std::vector<PiiMatch> numbers;
  FindNumbers(text, Blocked(blocked), numbers);
  std::vector<PiiMatch> out;
  out.reserve(emails.size() + numbers.size());
  std::merge(emails.begin(), emails.end(), numbers.begin(), numbers.end(),
             std::back_inserter(out),
             [](const PiiMatch& a, const PiiMatch& b) { return a.begin < b.begin; });
  return out;
}

std::string MaskPii(std::string_view text) {
  // Every match holds a digit or an "@".
  if (std::none_of(text.begin(), text.end(),
                   [](char c) { return IsDigit(c) || c == '@'; })) {
    return std::string(text);
  }
  const std::vector<PiiMatch> matches = FindPii(text);
  if (matches.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (const PiiMatch& m : matches) {
    out.append(text.substr(at, m.begin - at));
    MaskMatch(text, m, out);
    at = m.end;
  }
  out.append(text.substr(at));
  return out;
}

std::string MaskWhole(std::string_view value) {
  if (value.empty()) return "";
  const size_t first = FirstCharLength(value);
  if (first == 0) return "**";
  if (first == value.size()) return "*";
  return fmt::format("{}**", value.substr(0, first));
}

absl::StatusOr<Masker> Masker::Create(const std::vector<std::string>& personal_fields) {
  Masker m;
  for (size_t i = 0; i < personal_fields.size(); ++i) {
    if (personal_fields[i].empty()) {
      return absl::InvalidArgumentError(
          fmt::format("personal_fields[{}]: empty field name", i));
    }
    if (!m.personal_.insert(personal_fields[i]).second) {
      return absl::InvalidArgumentError(
          fmt::format("personal_fields[{}]: '{}' listed twice", i, personal_fields[i]));
    }
  }
  return m;
}

bool Masker::IsPersonal(std::string_view field) const {
  return personal_.contains(absl::string_view(field.data(), field.size()));
}

std::string Masker::Mask(std::string_view field, std::string_view value) const {
  return IsPersonal(field) ? MaskWhole(value) : MaskPii(value);
}

}  // namespace ccengine::compliance
