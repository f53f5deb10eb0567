// -----------------------------------------------------------------------------
// File: ccengine/text/synonyms.h
// -----------------------------------------------------------------------------
//
// Query-time synonyms: groups of equivalent terms the operator maintains
// ({个税, 个人所得税}, {医保, 医疗保险}, {VAT, 增值税}). `Expand` turns a query into
// a sequence of term groups, each with its alternatives, and every alternative is
// a sequence of query tokens (the `kQuery` terms of `Tokenizer`), so a store
// builds (a1 AND a2) OR (b1 AND b2 ...) per group and ANDs the groups:
//
//   "个税怎么交" -> [ {[个税], [个人, 人所, 所得, 得税]}, {[怎么]}, {[么交]} ]
//
// Matching works on units: the words and numbers and the single CJK characters
// of the tokenized text. A synonym term matches a run of consecutive query units
// with the same terms (after folding and stemming) and, between two CJK
// characters, the same break or none: as the tokenizer forms no bigram across
// a space or punctuation in a CJK run, "社。保" does not match 社保, while Latin
// words match across spaces ("value added tax"). At each place the longest
// match wins, then matching resumes after it. Query text that no synonym
// matches gives the query tokens it would give alone (CJK bigrams are formed
// inside each unmatched stretch, so a bigram never straddles a match: "医保报销"
// with {医保, 医疗保险} gives {[医保], [医疗, 疗保, 保险]}, {[报销]}).
//
// The text format (`Parse`): one group per line, terms separated by `,` or `=`
// (also the full-width `，` `＝` and the enumeration comma `、`); `#` starts a
// comment to the end of the line; blank lines are skipped; a UTF-8 byte-order
// mark at the start and `\r` before `\n` are ignored. Errors name the line:
// invalid UTF-8, an empty term, a term with no word or CJK character, a group
// with fewer than two distinct terms, a term already in another group, or a
// limit below exceeded. Terms that are equal after tokenization within one group
// are merged.
//
// Thread safety: a `SynonymTable` is immutable after it is built; all its const
// methods may be called from any number of threads at once.
//
// Example:
//   absl::StatusOr<ccengine::text::SynonymTable> table =
//       ccengine::text::SynonymTable::Parse("个税 = 个人所得税\nVAT, 增值税  # tax\n");
//   if (!table.ok()) return table.status();  // "synonyms line 2: ..."
//   absl::StatusOr<std::vector<ccengine::text::QueryTermGroup>> groups =
//       table->Expand("个税怎么交");

#ifndef CCENGINE_TEXT_SYNONYMS_H_
#define CCENGINE_TEXT_SYNONYMS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/text/tokenizer.h"

namespace ccengine::text {

// Limits of a table.
inline constexpr size_t kMaxSynonymTextBytes = size_t{4} << 20;  // Parse's input
inline constexpr size_t kMaxSynonymGroups = 100'000;
inline constexpr size_t kMaxSynonymTermsPerGroup = 32;
inline constexpr size_t kMaxSynonymTermBytes = 256;
// Words, numbers and CJK characters in one term.
inline constexpr size_t kMaxSynonymTermUnits = 16;

// One place in an expanded query.
struct QueryTermGroup {
  // Each alternative is a sequence of query-mode terms; a store requires all
  // terms of one alternative, and one alternative of every group.
  std::vector<std::vector<std::string>> alternatives;
  uint32_t start = 0;  // byte range in the query
  uint32_t end = 0;
  int synonym_group = -1;  // the matched group's index, or -1 (no synonym)

  friend bool operator==(const QueryTermGroup&, const QueryTermGroup&) = default;
};

class SynonymTable {
 public:
  // An empty table: `Expand` gives each query token its own group.
  SynonymTable() = default;

  // A table of `groups`, each a list of terms; errors as `Parse` ("group N").
  static absl::StatusOr<SynonymTable> Create(
      const std::vector<std::vector<std::string>>& groups,
      const Tokenizer& tokenizer = Tokenizer());

  // A table from the text format above; InvalidArgument "synonyms line N: ...".
  static absl::StatusOr<SynonymTable> Parse(std::string_view text,
                                            const Tokenizer& tokenizer = Tokenizer());

  // The expansion of `query`; InvalidArgument for a query the tokenizer
  // rejects. An empty query (or one of punctuation only) gives no groups.
  absl::StatusOr<std::vector<QueryTermGroup>> Expand(std::string_view query) const;

  size_t group_count() const { return groups_.size(); }
  // The terms of group `i` as they were given (merged duplicates dropped).
  const std::vector<std::string>& group_terms(size_t i) const { return groups_[i].terms; }

 private:
  struct Group {
    std::vector<std::string> terms;
    std::vector<std::vector<std::string>> alternatives;  // one per term
  };

  absl::Status AddGroup(const std::vector<std::string_view>& terms);

  Tokenizer tokenizer_;
  std::vector<Group> groups_;
  // Unit keys (units joined by '\x1f') and all their prefixes: the group a key
  // belongs to, or -1 for a prefix that is no key.
  absl::flat_hash_map<std::string, int> keys_;
};

}  // namespace ccengine::text

#endif  // CCENGINE_TEXT_SYNONYMS_H_
