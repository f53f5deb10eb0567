// libFuzzer target: the parser of PostgreSQL's text[] text form
// (adapters/postgres/text_array.h), which reads what the server sends back for
// a ticket's free fields. For any input: no crash, no sanitizer report; when
// it parses, writing the elements again and parsing that gives the same
// elements. The input split at NUL bytes is also taken as elements: their
// literal must parse back to them.
//
//   tools/fuzz.sh text_array 30

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "text_array.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ccengine::postgres::ParseTextArray(text);
  if (parsed.ok()) {
    bool has_nul = false;
    for (const std::string& e : *parsed)
      has_nul = has_nul || e.find('\0') != std::string::npos;
    if (!has_nul) {
      auto again = ccengine::postgres::ParseTextArray(
          ccengine::postgres::TextArrayLiteral(*parsed));
      FUZZ_CHECK(again.ok(), "the literal of parsed elements does not parse");
      FUZZ_CHECK(*again == *parsed, "the literal of parsed elements parses to others");
    }
  }
  std::vector<std::string> elements;
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0) {
      elements.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  auto round =
      ccengine::postgres::ParseTextArray(ccengine::postgres::TextArrayLiteral(elements));
  FUZZ_CHECK(round.ok(), "a literal does not parse");
  FUZZ_CHECK(*round == elements, "a literal parses to other elements");
  return 0;
}
