// -----------------------------------------------------------------------------
// File: tests/kamailio/fuzz/evapi_fuzz.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the wire from Kamailio (ccengine/kamailio/evapi.h),
// over arbitrary bytes taken three ways:
//   - as a netstring stream fed in two parts: every frame is at most the
//     decoder's limit, nothing stays buffered past the limit and a header,
//     and an error leaves nothing buffered;
//   - as one message (ParseEvent): a refusal is InvalidArgument; an invite
//     has its fields, and its facts are valid pairs (or none, with why);
//   - as an X-CC-Facts header (ParseFactsHeader): accepted pairs obey the
//     grammar, and written back as "name=value; …" they parse to the same.
// Built and run by tools/fuzz.sh evapi SECONDS.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh evapi 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/kamailio/evapi.h"
#include "fuzz_check.h"

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

void CheckPairs(const Pairs& pairs) {
  FUZZ_CHECK(pairs.size() <= ccengine::kamailio::kMaxFacts, "too many facts");
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [name, value] = pairs[i];
    FUZZ_CHECK(!name.empty(), "an empty name");
    for (char c : name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      FUZZ_CHECK(ok, "a name outside the grammar");
    }
    FUZZ_CHECK(value.find(';') == std::string::npos, "a value holding ';'");
    for (char c : value) {
      FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
                 "a control character");
    }
    FUZZ_CHECK(value.empty() || (value.front() != ' ' && value.back() != ' '),
               "a value not trimmed");
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(pairs[j].first != name, "a name twice");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // A netstring stream, split where its first byte says.
  constexpr size_t kLimit = 256;
  ccengine::kamailio::NetstringDecoder decoder(kLimit);
  const size_t cut = size == 0 ? 0 : static_cast<uint8_t>(bytes[0]) % (size + 1);
  for (std::string_view part : {bytes.substr(0, cut), bytes.substr(cut)}) {
    std::vector<std::string> frames;
    const absl::Status st = decoder.Feed(part, &frames);
    for (const std::string& f : frames)
      FUZZ_CHECK(f.size() <= kLimit, "a frame past the limit");
    if (!st.ok()) {
      FUZZ_CHECK(st.code() == absl::StatusCode::kInvalidArgument, "netstring error code");
      FUZZ_CHECK(decoder.buffered() == 0, "bytes kept after an error");
    }
    FUZZ_CHECK(decoder.buffered() <= kLimit + 32, "more buffered than one frame");
  }

  // One message.
  auto event = ccengine::kamailio::ParseEvent(bytes);
  if (!event.ok()) {
    FUZZ_CHECK(event.status().code() == absl::StatusCode::kInvalidArgument,
               "event error code");
    FUZZ_CHECK(!event.status().message().empty(), "a refusal without a reason");
  } else {
    FUZZ_CHECK(!event->call_id.empty(), "an event without a call id");
    if (event->kind == ccengine::kamailio::EvapiEvent::Kind::kInvite) {
      FUZZ_CHECK(!event->queue.empty() && event->tindex >= 0 && event->tlabel >= 0,
                 "an invite without its fields");
      FUZZ_CHECK(event->facts.empty() || event->facts_error.empty(),
                 "facts kept beside an error");
      CheckPairs(event->facts);
    } else {
      FUZZ_CHECK(event->facts.empty() && event->facts_error.empty(),
                 "facts off an invite");
    }
  }

  // An X-CC-Facts header.
  auto pairs = ccengine::kamailio::ParseFactsHeader(bytes);
  if (!pairs.ok()) {
    FUZZ_CHECK(pairs.status().code() == absl::StatusCode::kInvalidArgument,
               "header error code");
    return 0;
  }
  CheckPairs(*pairs);
  std::string again;
  for (const auto& [name, value] : *pairs) again += name + "=" + value + "; ";
  auto reread = ccengine::kamailio::ParseFactsHeader(again.substr(0, 4096));
  FUZZ_CHECK(again.size() > ccengine::kamailio::kMaxFactsBytes ||
                 (reread.ok() && *reread == *pairs),
             "a header written back reads differently");
  return 0;
}
