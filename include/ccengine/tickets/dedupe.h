// -----------------------------------------------------------------------------
// File: ccengine/tickets/dedupe.h
// -----------------------------------------------------------------------------
//
// Duplicate detection for tickets (避免重复处理): is a new ticket about the
// same problem at the same place as an open one — three neighbours calling
// about the same noise, a caller calling again? A wrong merge (someone's
// problem silently attached to another) is worse than a missed one, so the
// default rules are conservative: on the labelled set
// (tests/data/tickets/dedupe_pairs.jsonl) they merge no wrong pair on either
// half, and they catch most repeat callers but few reports of the same problem
// by other callers, whose wording shares too little with the first report
// (docs/tickets.md has the figures).
//
// Features of a ticket, from the shared tokenizer (ccengine/text):
//   text terms     the kQuery terms of its text (CJK bigrams, words stemmed,
//                  numbers), each weighted by its rarity among the indexed
//                  tickets (inverse document frequency), so boilerplate
//                  (反映, 投诉, please) counts little and 烧烤 or "streetlight" much;
//   address terms  the address's terms without its numbers;
//   address numbers the numbers of the address (building 88, unit 3).
//
// A pair (`PairScore`):
//   text      weighted Dice overlap of the text terms, 0..1;
//   address   containment of the address terms (shared / the shorter's), 0..1;
//   conflict  both addresses carry numbers and neither set contains the
//             other (88号 vs 86号; 3号楼 vs 5号楼 of the same 88号) — never a
//             duplicate;
//   duplicate when not in conflict and one of:
//     same customer and text >= same_customer_text,
//     both have addresses, address >= address_match and text >= with_address_text,
//     an address is missing and text >= without_address_text.
//
// `DuplicateIndex` holds the open tickets' features with postings per term;
// `Find` gathers candidates from the new ticket's customer, its address terms
// and numbers and its rarest text terms (skipping postings longer than
// `max_posting`), scores at most `max_candidates` of them fully and returns
// the best duplicate. Its cost is bounded by those two options, not by the
// number of open tickets.
//
// Thread safety: thread-compatible (the desk guards it with its lock); const
// methods may run concurrently with each other.

#ifndef CCENGINE_TICKETS_DEDUPE_H_
#define CCENGINE_TICKETS_DEDUPE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::tickets {

struct DedupeOptions {
  double same_customer_text = 0.2;
  double address_match = 0.9;
  double with_address_text = 0.5;
  double without_address_text = 0.6;
  // Tickets filed under different categories must be this similar (1: the
  // same text).
  double other_category_text = 1.0;
  // Candidates scored fully per lookup, and rarest text terms whose postings
  // are gathered.
  size_t max_candidates = 64;
  size_t rare_text_terms = 6;
  // Postings longer than this are skipped when gathering candidates (or, when
  // a ticket has nothing rarer, only their newest entries are read).
  size_t max_posting = 1024;
};

struct PairScore {
  double text = 0;
  double address = 0;
  bool both_addresses = false;
  bool conflict = false;
  bool same_customer = false;
  bool same_category = false;
  bool duplicate = false;
};

struct DuplicateMatch {
  TicketId ticket = 0;
  PairScore score;
};

class DuplicateIndex {
 public:
  explicit DuplicateIndex(DedupeOptions options = {});
  ~DuplicateIndex();
  DuplicateIndex(DuplicateIndex&&) noexcept;
  DuplicateIndex& operator=(DuplicateIndex&&) noexcept;

  // Indexes an open ticket (replacing an earlier entry with its id).
  // InvalidArgument for text the tokenizer refuses; the index is unchanged.
  absl::Status Add(const Ticket& ticket);
  void Remove(TicketId id);
  bool Contains(TicketId id) const;

  // The best duplicate of `ticket` among the indexed tickets created at or
  // after `since` (other than `ticket.id`), or nullopt.
  absl::StatusOr<std::optional<DuplicateMatch>> Find(const Ticket& ticket,
                                                     absl::Time since) const;

  // The pair judgement of `ticket` against the indexed ticket `indexed`
  // (NotFound when it is not indexed), with the index's term weights.
  absl::StatusOr<PairScore> Score(TicketId indexed, const Ticket& ticket) const;

  const DedupeOptions& options() const;
  size_t size() const;
  // Bytes held: features, postings, the term dictionary.
  size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccengine::tickets

#endif  // CCENGINE_TICKETS_DEDUPE_H_
