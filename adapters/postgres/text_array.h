// PostgreSQL's text[] in its text form, for the ticket's free fields: the
// literal the store sends and the parser for what the server returns. Kept
// apart from the store (no libpq) so the parser can be fuzzed on its own
// (tests/postgres/fuzz/text_array_fuzz.cc).
//
// Thread safety: functions without state; thread-safe.

#ifndef CCENGINE_ADAPTERS_POSTGRES_TEXT_ARRAY_H_
#define CCENGINE_ADAPTERS_POSTGRES_TEXT_ARRAY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ccengine::postgres {

// A text[] parameter: {"a","b\"c"} (every element quoted, `"` and `\`
// escaped). Elements must not hold a NUL byte.
std::string TextArrayLiteral(absl::Span<const std::string> elements);

// Parses a text[] as the server writes it (one dimension, no NULL elements);
// InvalidArgument naming the first fault otherwise. For any elements without a
// NUL byte, ParseTextArray(TextArrayLiteral(elements)) gives them back.
absl::StatusOr<std::vector<std::string>> ParseTextArray(std::string_view text);

}  // namespace ccengine::postgres

#endif  // CCENGINE_ADAPTERS_POSTGRES_TEXT_ARRAY_H_
