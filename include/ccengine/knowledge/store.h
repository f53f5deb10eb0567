// -----------------------------------------------------------------------------
// File: ccengine/knowledge/store.h
// -----------------------------------------------------------------------------
//
// `KnowledgeStore`: the port through which the knowledge base keeps and
// searches articles. Stores in this repository:
//
//   memory       this header (NewMemoryKnowledgeStore): in process, lost on
//                exit; the reference the others are held to
//   SQLite FTS5  adapters/sqlite (sqlite::OpenSqliteKnowledgeStore): the
//                embedded default, the tokenizer registered as an FTS5 custom
//                tokenizer
//   PostgreSQL   adapters/postgres (postgres::OpenPostgresKnowledgeStore): the
//                server; the same terms in postings tables, BM25 computed in
//                SQL
//
// Another store (a search server, a vendor's knowledge base) implements this
// interface and passes the conformance suite in tests/knowledge/.
//
// Search semantics, the same in every store (docs/knowledge.md):
//   - the query is tokenized in query mode and expanded with the store's
//     synonyms, and its CJK characters are added (`BuildQuery`, query.h); an
//     article matches when it contains at least one of the query's terms in
//     its title, tags or body;
//   - matches are ranked by BM25 (k1 = 1.2, b = 0.75) over the three columns
//     with the weights of `SearchWeights`, the collection statistics counting
//     every stored article (expired ones and ones the filters drop too), ties
//     broken by id; this is exactly SQLite FTS5's bm25() (`Bm25Score`);
//   - filters then drop articles; at most `k` hits are returned, best first;
//   - query text is always data: quotes, operators, column names or SQL in it
//     are characters like any other.
//
// Errors of every method: InvalidArgument (bad article or request, naming the
// field; nothing written), NotFound (Get/Delete of an unknown id), Aborted (a
// conditional upsert found another version), Unavailable (a server store
// cannot be reached), ResourceExhausted (disk or quota), Internal.
//
// Thread safety: implementations are thread-safe. Methods block (I/O, or a
// search over every matching article): never call them on the engine's router
// thread; `KnowledgeAssistant` (assistant.h) runs them on its own thread.

#ifndef CCENGINE_KNOWLEDGE_STORE_H_
#define CCENGINE_KNOWLEDGE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/text/synonyms.h"

namespace ccengine::knowledge {

inline constexpr size_t kMaxSearchResults = 100;

// Which articles a search may return; every set condition must hold.
struct SearchFilters {
  // The article's language equals this.
  std::optional<std::string> language;
  // The article has at least one of these tags (empty: no condition).
  std::vector<std::string> tags;
  // The article serves one of these skills, or lists no skills (empty: no
  // condition). Likewise queue and department.
  std::vector<std::string> skills;
  std::optional<std::string> queue;
  std::optional<std::string> department;
  // The article is valid at this time (unset: expired and future articles
  // too).
  std::optional<absl::Time> valid_at;
};

struct SearchRequest {
  std::string query;  // at most kMaxQueryBytes (query.h)
  SearchFilters filters;
  size_t k = 10;  // 1..kMaxSearchResults
};

struct SearchHit {
  std::string id;
  // BM25, higher is better (positive).
  double score = 0;
  // The share of the query's places (groups of `BuildQuery`) of which the
  // article contains every term of at least one alternative, 0..1.
  double coverage = 0;
  int64_t version = 0;
  std::string title;
  std::string language;
  std::vector<std::string> tags;
  // Up to `SnippetOptions::max_chars` characters of the body around the best
  // cluster of matches, matches between the markers (snippet.h).
  std::string snippet;
};

// An agent's verdict on a suggested article (KnowledgeAssistant).
enum class FeedbackKind : uint8_t {
  kUsed = 0,        // the agent opened or read out the article
  kHelpful = 1,     // it resolved the contact
  kNotHelpful = 2,  // it did not fit
};

struct Feedback {
  std::string article_id;
  std::string contact;  // the contact's id, as the caller spells it
  std::string agent;
  FeedbackKind kind = FeedbackKind::kUsed;
  absl::Time at;
};

// Every verdict an article has received.
struct FeedbackTally {
  std::string article_id;
  int64_t used = 0;
  int64_t helpful = 0;
  int64_t not_helpful = 0;

  friend bool operator==(const FeedbackTally&, const FeedbackTally&) = default;
};

// Which verdicts `KnowledgeStore::AnonymizeFeedback` unlinks from the
// contact they were given on and the agent who gave them. Exactly one of:
//   given_before  retention: verdicts given before this time;
//   contacts      an erasure request: verdicts on any of these contacts (the
//                 customer's), at most kMaxErasedContacts.
// The verdicts stay, so the tallies (and the ranking they lift) do not change.
inline constexpr size_t kMaxErasedContacts = 10000;
struct FeedbackAnonymization {
  std::optional<absl::Time> given_before;
  std::vector<std::string> contacts;
};

// Checks the request's own fields (InvalidArgument otherwise).
absl::Status ValidateFeedbackAnonymization(const FeedbackAnonymization& request);

// Checks k and the filters' labels (InvalidArgument otherwise). The query
// itself is checked by `BuildQuery`.
absl::Status ValidateSearchRequest(const SearchRequest& request);

// Whether `article` passes `filters`: the reference semantics.
bool PassesFilters(const SearchFilters& filters, const Article& article);

class KnowledgeStore {
 public:
  virtual ~KnowledgeStore() = default;

  // Inserts or replaces the article with this id; returns its new version.
  virtual absl::StatusOr<int64_t> Upsert(const Article& article) = 0;
  // Removes the article; NotFound if there is none.
  virtual absl::Status Delete(std::string_view id) = 0;
  virtual absl::StatusOr<Article> Get(std::string_view id) = 0;
  // How many articles are stored.
  virtual absl::StatusOr<size_t> Count() = 0;
  // Ranked hits, best first. An empty query, or one of punctuation only, is
  // an empty result.
  virtual absl::StatusOr<std::vector<SearchHit>> Search(const SearchRequest& request) = 0;

  // Stores one verdict; NotFound for an unknown article, InvalidArgument for
  // a contact or agent id over kMaxLabelBytes or not UTF-8 or a kind out of
  // range. Deleting an article deletes its verdicts.
  virtual absl::Status RecordFeedback(const Feedback& feedback) = 0;
  // The tallies of `article_ids`, in that order (zeros for an article without
  // verdicts or unknown). At most kMaxSearchResults ids.
  virtual absl::StatusOr<std::vector<FeedbackTally>> Tallies(
      const std::vector<std::string>& article_ids) = 0;
  // Personal data erasure and retention (docs/compliance.md): empties the
  // contact and agent of the verdicts `request` selects that still name
  // either, in one transaction, and returns how many. Tallies are unchanged.
  virtual absl::StatusOr<size_t> AnonymizeFeedback(
      const FeedbackAnonymization& request) = 0;
};

// Checks a verdict's own fields (InvalidArgument), not the article's existence.
absl::Status ValidateFeedback(const Feedback& feedback);

// What every store takes besides its own connection settings.
struct KnowledgeStoreOptions {
  // Query-time synonyms (synonyms.h); empty: none.
  text::SynonymTable synonyms;
  // Match the query's Chinese (CJK) characters one by one as well as in pairs
  // (BuildQuery, query.h): more paraphrases found, at some cost to queries
  // that mix Chinese and English (bench/README.md, "knowledge").
  bool query_characters = true;
  // BM25 weights of the columns. Must be positive.
  double title_weight = 4.0;
  double tags_weight = 2.0;
  double body_weight = 1.0;
  // Highlighting (snippet.h).
  std::string mark_open = "<mark>";
  std::string mark_close = "</mark>";
  size_t snippet_chars = 80;
};

// Checks the weights, markers (at most 32 bytes, valid UTF-8) and snippet
// length (16..1000).
absl::Status ValidateStoreOptions(const KnowledgeStoreOptions& options);

// An in-memory store; InvalidArgument for bad options.
absl::StatusOr<std::unique_ptr<KnowledgeStore>> NewMemoryKnowledgeStore(
    KnowledgeStoreOptions options = {});

}  // namespace ccengine::knowledge

#endif  // CCENGINE_KNOWLEDGE_STORE_H_
