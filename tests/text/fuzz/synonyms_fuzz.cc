// libFuzzer target: SynonymTable::Parse on arbitrary text, then expansions with
// the parsed table (tools/fuzz.sh synonyms). A parse error must be
// InvalidArgument naming a line; a parsed table must honour its limits and
// expand any valid query into groups inside it, in order.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ccengine/text/synonyms.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = ccengine::text::SynonymTable::Parse(text);
  if (!table.ok()) {
    FUZZ_CHECK(table.status().code() == absl::StatusCode::kInvalidArgument,
               "parse errors are InvalidArgument");
    FUZZ_CHECK(std::string(table.status().message()).rfind("synonyms", 0) == 0,
               "parse errors say where");
    return 0;
  }
  FUZZ_CHECK(table->group_count() <= ccengine::text::kMaxSynonymGroups, "group limit");
  for (size_t g = 0; g < table->group_count(); ++g) {
    FUZZ_CHECK(table->group_terms(g).size() >= 2, "two terms a group");
    FUZZ_CHECK(table->group_terms(g).size() <= ccengine::text::kMaxSynonymTermsPerGroup,
               "terms limit");
  }
  for (std::string_view query :
       {text, std::string_view("个税怎么交 VAT发票"), std::string_view("a b c ab")}) {
    auto groups = table->Expand(query);
    if (!groups.ok()) continue;  // the text itself may be too long
    bool first = true;
    uint32_t last_start = 0;
    for (const auto& g : *groups) {
      FUZZ_CHECK(g.start < g.end && g.end <= query.size() &&
                     (first || g.start > last_start),
                 "groups inside the query, starts increasing");
      first = false;
      last_start = g.start;
      FUZZ_CHECK(!g.alternatives.empty(), "a group has alternatives");
      FUZZ_CHECK(g.synonym_group < static_cast<int>(table->group_count()), "group index");
    }
  }
  return 0;
}
