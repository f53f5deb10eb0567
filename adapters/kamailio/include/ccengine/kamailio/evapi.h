// -----------------------------------------------------------------------------
// File: adapters/kamailio/include/ccengine/kamailio/evapi.h
// -----------------------------------------------------------------------------
//
// The wire between ccengine and Kamailio's `evapi` module: netstring framing
// (`<decimal length>:<payload>,`, Kamailio's `netstring_format=1`), the JSON
// messages examples/kamailio/kamailio.cfg sends and expects, and a TCP client
// that keeps one connection to evapi on the IPv4 loopback, reconnecting with
// exponential backoff.
//
// Messages from Kamailio (every field is checked; a frame that is not valid
// JSON, misses a field, has one of the wrong type or names one twice is
// rejected with a reason and changes nothing):
//   {"event":"invite","callid":S,"tindex":N,"tlabel":N,"queue":S,"from_tag":S,
//    "facts":S}      "facts" (optional): the caller's X-CC-Facts header in
//                    base64, as the IVR set it (ParseFactsHeader)
//   {"event":"answered","callid":S}                         200 from the agent
//   {"event":"failed","callid":S,"code":N,"tindex":N,"tlabel":N}
//        the agent's branch failed (486 busy, 408 no answer …); Kamailio
//        suspended the transaction again and waits for the next decision
//   {"event":"cancel","callid":S}                   the caller gave up (CANCEL)
//   {"event":"expired","callid":S}
//        the call waited the config's limit (CC_WAIT_LIMIT_MS) for a decision;
//        Kamailio answered the caller itself (480) and forgot the suspension
//   {"event":"bye","callid":S,"from_tag":S}         in-dialog BYE
// Replies to Kamailio (resume the suspended INVITE with t_continue):
//   {"tindex":N,"tlabel":N,"action":"route","version":"1.0",
//    "routing":"serial","routes":[{"uri":S}]}       an rtjson document
//   {"tindex":N,"tlabel":N,"action":"reply","code":N,"reason":S}
//
// Thread safety: `NetstringDecoder` and the free functions are
// thread-compatible. `EvapiClient` is thread-safe: `Send` from any thread;
// its callbacks run on its own I/O thread, one at a time, never under a lock.
//
// Example:
//   ccengine::kamailio::EvapiClient client({.port = 8448}, callbacks);
//   client.Start();
//   client.Send(ccengine::kamailio::RouteReply(1, 2, "sip:a1@127.0.0.1:5080"));

#ifndef CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_EVAPI_H_
#define CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_EVAPI_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ccengine::kamailio {

std::string EncodeNetstring(std::string_view payload);

// Splits a byte stream into netstring payloads. A malformed or oversized
// header, or a missing trailing comma, is an error: the bytes buffered so far
// are discarded (the stream is then re-read from the next byte on), and the
// error names the reason. Frames completed before the error are kept.
class NetstringDecoder {
 public:
  explicit NetstringDecoder(size_t max_payload = 1 << 16) : max_payload_(max_payload) {}
  absl::Status Feed(std::string_view bytes, std::vector<std::string>* frames);
  size_t buffered() const { return buffer_.size(); }
  void Reset() { buffer_.clear(); }

 private:
  size_t max_payload_;
  std::string buffer_;
};

// The X-CC-Facts header an IVR sets on the INVITE, for the routing file's
// entry flows: `name=value` pairs separated by ';', e.g.
//   X-CC-Facts: ivr.choice=9; customer.tier=gold
// Names are ASCII letters, digits, '.', '_' and '-'; a value is any text
// but ';' and control characters (possibly empty); spaces around both are
// trimmed; an empty pair (a trailing ';') is skipped. At most kMaxFacts
// pairs in kMaxFactsBytes bytes, each name once. InvalidArgument naming the
// pair otherwise.
inline constexpr size_t kMaxFacts = 32;
inline constexpr size_t kMaxFactsBytes = 4096;
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseFactsHeader(
    std::string_view header);

struct EvapiEvent {
  enum class Kind : uint8_t { kInvite, kAnswered, kFailed, kCancel, kBye, kExpired };
  Kind kind = Kind::kInvite;
  std::string call_id;
  std::string queue;     // invite
  std::string from_tag;  // invite, bye
  // Invite: the X-CC-Facts pairs. A "facts" field that is not a string,
  // not base64 or not a valid header leaves them empty and says why in `facts_error`:
  // the call is still routed (on its channel and time alone).
  std::vector<std::pair<std::string, std::string>> facts;
  std::string facts_error;
  int code = 0;         // failed
  int64_t tindex = -1;  // invite, failed
  int64_t tlabel = -1;
};

// InvalidArgument with the reason when `json` is not a valid message.
absl::StatusOr<EvapiEvent> ParseEvent(std::string_view json);

std::string RouteReply(int64_t tindex, int64_t tlabel, std::string_view uri);
std::string RejectReply(int64_t tindex, int64_t tlabel, int code,
                        std::string_view reason);

struct EvapiClientOptions {
  std::string host = "127.0.0.1";  // must be an IPv4 loopback address
  uint16_t port = 8448;
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

struct EvapiCallbacks {
  std::function<void()> on_connected;
  std::function<void()> on_disconnected;
  std::function<void(std::string payload)> on_message;  // one frame
  // A reason to log: a bad frame, a failed connect. The library never logs.
  std::function<void(std::string reason)> on_error;
};

class EvapiClient {
 public:
  // InvalidArgument when the host is not an IPv4 loopback address.
  static absl::StatusOr<std::unique_ptr<EvapiClient>> Create(EvapiClientOptions options,
                                                             EvapiCallbacks callbacks);
  ~EvapiClient();  // stops
  EvapiClient(const EvapiClient&) = delete;
  EvapiClient& operator=(const EvapiClient&) = delete;

  void Start();
  void Stop();
  // Frames and writes `payload`. FailedPrecondition when not connected;
  // Unavailable when the write fails (the I/O thread then reconnects).
  absl::Status Send(std::string_view payload);
  bool connected() const { return fd_.load() >= 0; }

 private:
  EvapiClient(EvapiClientOptions options, EvapiCallbacks callbacks, uint32_t address);
  void Run();
  void Error(std::string reason) const;

  EvapiClientOptions options_;
  EvapiCallbacks callbacks_;
  uint32_t address_;  // network order
  std::atomic<bool> stop_{false};
  std::atomic<int> fd_{-1};
  std::mutex write_mu_;
  std::thread thread_;
};

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_EVAPI_H_
