// The labelled duplicate-ticket pairs (tests/data/tickets/dedupe_pairs.jsonl)
// and their evaluation against a DuplicateIndex, shared by the quality test
// and bench/ticket_dedupe_eval.

#ifndef CCENGINE_TESTS_TICKETS_DEDUPE_PAIRS_H_
#define CCENGINE_TESTS_TICKETS_DEDUPE_PAIRS_H_

#include <cstddef>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/dedupe.h"
#include "ccengine/tickets/ticket.h"
#include "nlohmann/json.hpp"

namespace ccengine::tickets::testing {

struct LabelledPair {
  std::string id;
  std::string lang;  // zh, en, mixed
  std::string kind;
  Ticket a;
  Ticket b;
  bool duplicate = false;
};

inline absl::StatusOr<std::vector<LabelledPair>> LoadPairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot open " + path);
  std::vector<LabelledPair> pairs;
  std::string line;
  const absl::Time t0 = absl::FromUnixSeconds(1796000000);
  auto ticket = [&](const nlohmann::json& j) {
    Ticket t;
    t.category = j.at("category").get<std::string>();
    t.text = j.at("text").get<std::string>();
    t.address = j.value("address", "");
    t.customer_id = j.value("customer_id", "");
    t.created_at = t0;
    t.state = TicketState::kQueued;
    return t;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return absl::InvalidArgumentError("bad JSON line in " + path);
    LabelledPair p;
    p.id = j.at("id").get<std::string>();
    p.lang = j.at("lang").get<std::string>();
    p.kind = j.at("kind").get<std::string>();
    p.duplicate = j.at("duplicate").get<bool>();
    p.a = ticket(j.at("a"));
    p.b = ticket(j.at("b"));
    pairs.push_back(std::move(p));
  }
  return pairs;
}

// Confusion counts of one evaluation.
struct Confusion {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  double Precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double Recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
};

// Every pair's a is indexed (as open tickets, ids 1..n, so the term weights
// are those of a desk holding all of them); then each b is judged against its
// own a (`DuplicateIndex::Score`, the judgement `Find` applies to every
// candidate). The set labels pairs only: two pairs about one restaurant are
// not labelled against each other, so a whole-index lookup could not be
// scored. Counts per language and kind in `by`.
inline absl::StatusOr<Confusion> Evaluate(
    const std::vector<LabelledPair>& pairs, const DedupeOptions& options,
    std::map<std::string, Confusion>* by = nullptr) {
  DuplicateIndex index(options);
  for (size_t i = 0; i < pairs.size(); ++i) {
    Ticket a = pairs[i].a;
    a.id = static_cast<TicketId>(i + 1);
    if (absl::Status s = index.Add(a); !s.ok()) return s;
  }
  Confusion all;
  for (size_t i = 0; i < pairs.size(); ++i) {
    absl::StatusOr<PairScore> score =
        index.Score(static_cast<TicketId>(i + 1), pairs[i].b);
    if (!score.ok()) return score.status();
    Confusion one;
    if (pairs[i].duplicate) {
      (score->duplicate ? one.tp : one.fn) = 1;
    } else {
      (score->duplicate ? one.fp : one.tn) = 1;
    }
    auto add = [&](Confusion& c) {
      c.tp += one.tp, c.fp += one.fp, c.fn += one.fn, c.tn += one.tn;
    };
    add(all);
    if (by != nullptr) {
      add((*by)["lang=" + pairs[i].lang]);
      add((*by)["kind=" + pairs[i].kind]);
    }
  }
  return all;
}

}  // namespace ccengine::tickets::testing

#endif  // CCENGINE_TESTS_TICKETS_DEDUPE_PAIRS_H_
