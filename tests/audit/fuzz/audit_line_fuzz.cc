// libFuzzer target for the audit log's line reader (adapters/audit/record.cc):
// any bytes as a line and as a head file. What the reader accepts is exactly
// what the writer writes — writing a parsed line again gives the same bytes —
// so a line cannot mean two things; hex reads back as written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "record.h"

namespace audit = ccengine::audit::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto parsed = audit::ParseLine(input); parsed.ok()) {
    std::string body;
    switch (parsed->kind) {
      case audit::LineKind::kHeader:
        body = audit::HeaderBody(parsed->time, parsed->public_key);
        break;
      case audit::LineKind::kEntry:
        body = audit::EntryBody(parsed->seq, parsed->time, parsed->event);
        break;
      case audit::LineKind::kCheckpoint:
        body = audit::CheckpointBody(parsed->seq, parsed->time, parsed->state,
                                     parsed->signature);
        break;
    }
    FUZZ_CHECK(body.size() == parsed->body_size, "the body's size");
    FUZZ_CHECK(audit::FormatLine(body, parsed->link) == std::string(input) + "\n",
               "a line written again differs");
  }
  if (auto head = audit::ParseHead(input); head.ok()) {
    FUZZ_CHECK(audit::FormatHead(*head) == input, "a head written again differs");
  }
  if (auto raw = audit::FromHex(input); raw.ok()) {
    FUZZ_CHECK(audit::ToHex(*raw) == input, "hex written again differs");
  }
  return 0;
}
