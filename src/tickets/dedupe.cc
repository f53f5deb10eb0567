// The duplicate index: interned terms, per-ticket features, postings per term
// and the pair judgement of dedupe.h.

#include "ccengine/tickets/dedupe.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ccengine/text/tokenizer.h"
#include "fmt/format.h"

namespace ccengine::tickets {
namespace {

using TermId = uint32_t;
using WeightCache = absl::flat_hash_map<TermId, double>;

// The features of one ticket; term lists sorted and unique.
struct Features {
  std::vector<TermId> text;
  std::vector<TermId> address;
  std::vector<TermId> numbers;  // of the address
  std::string customer;
  std::string category;
  absl::Time created_at;
};

size_t VectorBytes(const std::vector<TermId>& v) { return v.capacity() * sizeof(TermId); }

void SortUnique(std::vector<TermId>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Calls `f(term)` for every term of both sorted lists.
template <typename F>
void ForEachShared(const std::vector<TermId>& a, const std::vector<TermId>& b, F f) {
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      f(a[i]);
      ++i, ++j;
    }
  }
}

size_t CountShared(const std::vector<TermId>& a, const std::vector<TermId>& b) {
  size_t n = 0;
  ForEachShared(a, b, [&](TermId) { ++n; });
  return n;
}

bool IsSubset(const std::vector<TermId>& small, const std::vector<TermId>& large) {
  return CountShared(small, large) == small.size();
}

}  // namespace

struct DuplicateIndex::Impl {
  DedupeOptions options;
  text::Tokenizer tokenizer;
  // Terms seen so far; an id is never reused (the dictionary only grows).
  absl::flat_hash_map<std::string, TermId> terms;
  size_t term_bytes = 0;
  absl::flat_hash_map<TicketId, Features> tickets;
  // Tickets per term (text and address terms share the ids; a term that is
  // in both lists of one ticket is posted once).
  absl::flat_hash_map<TermId, std::vector<TicketId>> postings;
  absl::flat_hash_map<std::string, std::vector<TicketId>> by_customer;

  // Terms of `text` in query mode; `intern` adds unknown terms to the
  // dictionary, otherwise they get kUnknown (they match nothing indexed).
  static constexpr TermId kUnknown = ~TermId{0};

  absl::Status Extract(std::string_view text, text::TokenizeMode mode, bool intern,
                       std::vector<TermId>* words, std::vector<TermId>* numbers) {
    return tokenizer.ForEachToken(text, mode, [&](const text::TokenView& t) {
      TermId id = kUnknown;
      if (auto it = terms.find(absl::string_view(t.term.data(), t.term.size()));
          it != terms.end()) {
        id = it->second;
      } else if (intern) {
        id = static_cast<TermId>(terms.size());
        terms.emplace(std::string(t.term), id);
        term_bytes += t.term.size() + sizeof(TermId) + 16;
      }
      // In an address every term with a digit names a number: 88, 5th, 3b.
      const bool has_digit = t.term.find_first_of("0123456789") != std::string_view::npos;
      if (numbers != nullptr && has_digit) {
        numbers->push_back(id);
      } else {
        words->push_back(id);
      }
      return absl::OkStatus();
    });
  }

  // For a query the unknown terms stay as kUnknown entries: they count in the
  // query's weight (a word no indexed ticket has makes it less similar).
  absl::StatusOr<Features> Build(const Ticket& ticket, bool intern) {
    Features f;
    if (absl::Status s =
            Extract(ticket.text, text::TokenizeMode::kIndex, intern, &f.text, nullptr);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Extract(ticket.address, text::TokenizeMode::kQuery, intern,
                                 &f.address, &f.numbers);
        !s.ok()) {
      return s;
    }
    SortUnique(f.address);
    SortUnique(f.numbers);
    // The place is judged on the address: its terms in the text (callers
    // repeat it) would make any two tickets about one building look alike.
    if (!f.address.empty() || !f.numbers.empty()) {
      std::vector<TermId> place = f.address;
      place.insert(place.end(), f.numbers.begin(), f.numbers.end());
      SortUnique(place);
      f.text.erase(std::remove_if(f.text.begin(), f.text.end(),
                                  [&](TermId t) {
                                    return t != kUnknown &&
                                           std::binary_search(place.begin(), place.end(),
                                                              t);
                                  }),
                   f.text.end());
    }
    SortUnique(f.text);
    f.category = ticket.category;
    f.customer = ticket.customer_id;
    f.created_at = ticket.created_at;
    return f;
  }

  // Inverse document frequency over the indexed tickets, remembered in
  // `cache` for the length of one lookup (candidates share most terms).
  double Weight(TermId term, WeightCache& cache) const {
    if (auto hit = cache.find(term); hit != cache.end()) return hit->second;
    const double n = static_cast<double>(tickets.size()) + 1;
    size_t df = 0;
    if (term != kUnknown) {
      if (auto it = postings.find(term); it != postings.end()) df = it->second.size();
    }
    const double w = std::log((n + 1) / (static_cast<double>(df) + 1)) + 0.1;
    cache.emplace(term, w);
    return w;
  }

  double WeightedDice(const std::vector<TermId>& a, const std::vector<TermId>& b,
                      WeightCache& cache) const {
    double wa = 0, wb = 0, shared = 0;
    for (TermId t : a) wa += Weight(t, cache);
    for (TermId t : b) wb += Weight(t, cache);
    ForEachShared(a, b, [&](TermId t) {
      if (t != kUnknown) shared += Weight(t, cache);
    });
    return wa + wb > 0 ? 2 * shared / (wa + wb) : 0;
  }

  PairScore Judge(const Features& indexed, const Features& query,
                  WeightCache& cache) const {
    PairScore p;
    p.text = WeightedDice(indexed.text, query.text, cache);
    p.same_customer = !query.customer.empty() && query.customer == indexed.customer;
    p.same_category = query.category == indexed.category;
    p.both_addresses = !indexed.address.empty() || !indexed.numbers.empty();
    p.both_addresses =
        p.both_addresses && (!query.address.empty() || !query.numbers.empty());
    if (p.both_addresses) {
      const size_t shorter = std::min(indexed.address.size(), query.address.size());
      p.address = shorter == 0
                      ? 0
                      : static_cast<double>(CountShared(indexed.address, query.address)) /
                            static_cast<double>(shorter);
      if (!indexed.numbers.empty() && !query.numbers.empty()) {
        p.conflict = !IsSubset(indexed.numbers, query.numbers) &&
                     !IsSubset(query.numbers, indexed.numbers);
      }
    }
    const DedupeOptions& o = options;
    const bool topic = p.same_category || p.text >= o.other_category_text;
    p.duplicate = !p.conflict && topic &&
                  ((p.same_customer && p.text >= o.same_customer_text) ||
                   (p.both_addresses && p.address >= o.address_match &&
                    p.text >= o.with_address_text) ||
                   (!p.both_addresses && p.text >= o.without_address_text));
    return p;
  }

  // The terms a ticket is posted under: text, address and address numbers.
  static std::vector<TermId> AllTerms(const Features& f) {
    std::vector<TermId> all = f.text;
    all.insert(all.end(), f.address.begin(), f.address.end());
    all.insert(all.end(), f.numbers.begin(), f.numbers.end());
    SortUnique(all);
    return all;
  }

  void Post(TicketId id, const Features& f) {
    for (TermId t : AllTerms(f)) postings[t].push_back(id);
    if (!f.customer.empty()) by_customer[f.customer].push_back(id);
  }

  // Keeps the order of insertion (oldest first), which `Find` relies on.
  static void Unpost(std::vector<TicketId>& list, TicketId id) {
    auto it = std::find(list.begin(), list.end(), id);
    if (it != list.end()) list.erase(it);
  }

  void Erase(TicketId id) {
    auto it = tickets.find(id);
    if (it == tickets.end()) return;
    const Features& f = it->second;
    for (TermId t : AllTerms(f)) {
      auto p = postings.find(t);
      if (p == postings.end()) continue;
      Unpost(p->second, id);
      if (p->second.empty()) postings.erase(p);
    }
    if (!f.customer.empty()) {
      auto c = by_customer.find(f.customer);
      if (c != by_customer.end()) {
        Unpost(c->second, id);
        if (c->second.empty()) by_customer.erase(c);
      }
    }
    tickets.erase(it);
  }
};

DuplicateIndex::DuplicateIndex(DedupeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
DuplicateIndex::~DuplicateIndex() = default;
DuplicateIndex::DuplicateIndex(DuplicateIndex&&) noexcept = default;
DuplicateIndex& DuplicateIndex::operator=(DuplicateIndex&&) noexcept = default;

absl::Status DuplicateIndex::Add(const Ticket& ticket) {
  absl::StatusOr<Features> f = impl_->Build(ticket, /*intern=*/true);
  if (!f.ok()) return f.status();
  impl_->Erase(ticket.id);
  impl_->Post(ticket.id, *f);
  impl_->tickets.emplace(ticket.id, *std::move(f));
  return absl::OkStatus();
}

void DuplicateIndex::Remove(TicketId id) { impl_->Erase(id); }

bool DuplicateIndex::Contains(TicketId id) const { return impl_->tickets.contains(id); }

absl::StatusOr<PairScore> DuplicateIndex::Score(TicketId indexed,
                                                const Ticket& ticket) const {
  auto it = impl_->tickets.find(indexed);
  if (it == impl_->tickets.end()) {
    return absl::NotFoundError(
        fmt::format("ticket {} is not in the duplicate index", indexed));
  }
  absl::StatusOr<Features> q = impl_->Build(ticket, /*intern=*/false);
  if (!q.ok()) return q.status();
  WeightCache cache;
  return impl_->Judge(it->second, *q, cache);
}

absl::StatusOr<std::optional<DuplicateMatch>> DuplicateIndex::Find(
    const Ticket& ticket, absl::Time since) const {
  absl::StatusOr<Features> q = impl_->Build(ticket, /*intern=*/false);
  if (!q.ok()) return q.status();
  const Impl& m = *impl_;
  // Hits per candidate from the customer's tickets, the address's terms and
  // numbers, and the rarest text terms. A list longer than `max_posting` (a
  // street everybody lives on, a word every ticket has) says little and costs
  // much: it is skipped, unless a group has nothing shorter, and then only its
  // newest `max_posting` entries count.
  absl::flat_hash_map<TicketId, int> hits;
  const size_t cap = std::max<size_t>(1, m.options.max_posting);
  auto gather = [&](const std::vector<TicketId>& list, int weight) {
    const size_t from = list.size() > cap ? list.size() - cap : 0;
    for (size_t i = from; i < list.size(); ++i) {
      if (list[i] != ticket.id) hits[list[i]] += weight;
    }
  };
  if (!q->customer.empty()) {
    if (auto c = m.by_customer.find(q->customer); c != m.by_customer.end()) {
      gather(c->second, 4);
    }
  }
  auto gather_group = [&](const std::vector<TermId>& terms, size_t most) {
    std::vector<std::pair<size_t, TermId>> known;
    for (TermId t : terms) {
      if (t == Impl::kUnknown) continue;
      if (auto p = m.postings.find(t); p != m.postings.end()) {
        known.emplace_back(p->second.size(), t);
      }
    }
    if (known.empty()) return;
    std::sort(known.begin(), known.end());
    size_t used = 0;
    for (const auto& [df, t] : known) {
      if (used == most || (df > cap && used > 0)) break;
      gather(m.postings.at(t), 1);
      ++used;
    }
  };
  gather_group(q->text, m.options.rare_text_terms);
  std::vector<TermId> place = q->address;
  place.insert(place.end(), q->numbers.begin(), q->numbers.end());
  gather_group(place, place.size());

  std::vector<std::pair<int, TicketId>> ranked;
  ranked.reserve(hits.size());
  for (const auto& [id, n] : hits) {
    if (m.tickets.at(id).created_at >= since) ranked.emplace_back(-n, id);
  }
  const size_t keep = std::min(ranked.size(), m.options.max_candidates);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                    ranked.end());
  std::optional<DuplicateMatch> best;
  WeightCache cache;
  for (size_t i = 0; i < keep; ++i) {
    const TicketId id = ranked[i].second;
    const PairScore p = m.Judge(m.tickets.at(id), *q, cache);
    if (!p.duplicate) continue;
    if (!best || p.text > best->score.text ||
        (p.text == best->score.text && id < best->ticket)) {
      best = DuplicateMatch{id, p};
    }
  }
  return best;
}

const DedupeOptions& DuplicateIndex::options() const { return impl_->options; }

size_t DuplicateIndex::size() const { return impl_->tickets.size(); }

size_t DuplicateIndex::MemoryBytes() const {
  const Impl& m = *impl_;
  size_t bytes = m.term_bytes;
  for (const auto& [id, f] : m.tickets) {
    bytes += sizeof(id) + sizeof(Features) + VectorBytes(f.text) +
             VectorBytes(f.address) + VectorBytes(f.numbers) + f.customer.capacity();
  }
  for (const auto& [t, list] : m.postings) {
    bytes +=
        sizeof(t) + sizeof(std::vector<TicketId>) + list.capacity() * sizeof(TicketId);
  }
  for (const auto& [c, list] : m.by_customer) {
    bytes +=
        c.capacity() + sizeof(std::vector<TicketId>) + list.capacity() * sizeof(TicketId);
  }
  return bytes;
}

}  // namespace ccengine::tickets
