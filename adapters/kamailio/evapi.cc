// Netstring framing, message validation and the evapi TCP client.
#include "ccengine/kamailio/evapi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace ccengine::kamailio {

namespace {

constexpr size_t kMaxHeaderDigits = 9;

absl::Status Bad(const std::string& reason) { return absl::InvalidArgumentError(reason); }

// Reads a required string field; rejects a missing or non-string one.
absl::Status GetString(const nlohmann::json& j, const char* key, std::string* out,
                       bool allow_empty = false) {
  auto it = j.find(key);
  if (it == j.end()) return Bad(fmt::format("field '{}' missing", key));
  if (!it->is_string()) return Bad(fmt::format("field '{}' not a string", key));
  *out = it->get<std::string>();
  if (!allow_empty && out->empty()) {
    return Bad(fmt::format("field '{}' empty", key));
  }
  return absl::OkStatus();
}

// Reads a required integer field within [lo, hi]. Kamailio's config may
// render numbers as JSON numbers or as decimal strings: both are accepted.
absl::Status GetInt(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi,
                    int64_t* out) {
  auto it = j.find(key);
  if (it == j.end()) return Bad(fmt::format("field '{}' missing", key));
  int64_t v = 0;
  if (it->is_number_integer()) {
    v = it->get<int64_t>();
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad(fmt::format("field '{}' not an integer", key));
    }
    v = std::stoll(s);
  } else {
    return Bad(fmt::format("field '{}' not an integer", key));
  }
  if (v < lo || v > hi) {
    return Bad(fmt::format("field '{}' out of range: {}", key, v));
  }
  *out = v;
  return absl::OkStatus();
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header text for a message: printable, at most 64 bytes shown.
std::string Escaped(std::string_view s) {
  return absl::CHexEscape(absl::string_view(s.data(), std::min<size_t>(s.size(), 64)));
}

}  // namespace

std::string EncodeNetstring(std::string_view payload) {
  return fmt::format("{}:{},", payload.size(), payload);
}

absl::Status NetstringDecoder::Feed(std::string_view bytes,
                                    std::vector<std::string>* frames) {
  buffer_.append(bytes.data(), bytes.size());
  size_t pos = 0;
  absl::Status status;
  while (pos < buffer_.size()) {
    size_t colon = buffer_.find(':', pos);
    size_t digits_end = colon == std::string::npos ? buffer_.size() : colon;
    size_t digits = digits_end - pos;
    bool all_digits = std::all_of(buffer_.begin() + pos, buffer_.begin() + digits_end,
                                  [](char c) { return c >= '0' && c <= '9'; });
    if (!all_digits) {
      status = Bad("netstring: length is not a decimal number");
      break;
    }
    if (digits > kMaxHeaderDigits) {
      status = Bad("netstring: length has too many digits");
      break;
    }
    if (colon == std::string::npos) break;  // header incomplete
    if (digits == 0) {
      status = Bad("netstring: empty length");
      break;
    }
    size_t length = std::stoul(buffer_.substr(pos, digits));
    if (length > max_payload_) {
      status = Bad(fmt::format("netstring: payload of {} bytes over the {} limit", length,
                               max_payload_));
      break;
    }
    size_t end = colon + 1 + length;   // where the comma must be
    if (end >= buffer_.size()) break;  // payload incomplete
    if (buffer_[end] != ',') {
      status = Bad("netstring: payload not followed by ','");
      break;
    }
    frames->push_back(buffer_.substr(colon + 1, length));
    pos = end + 1;
  }
  if (!status.ok()) {
    buffer_.clear();  // resynchronise on the bytes that come next
  } else {
    buffer_.erase(0, pos);
  }
  return status;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseFactsHeader(
    std::string_view header) {
  if (header.size() > kMaxFactsBytes) {
    return Bad(
        fmt::format("X-CC-Facts: {} bytes, more than {}", header.size(), kMaxFactsBytes));
  }
  std::vector<std::pair<std::string, std::string>> facts;
  for (size_t start = 0; start <= header.size();) {
    const size_t end = std::min(header.find(';', start), header.size());
    const std::string_view pair = TrimSpace(header.substr(start, end - start));
    start = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Bad(fmt::format("X-CC-Facts: '{}' is not name=value", Escaped(pair)));
    }
    const std::string_view name = TrimSpace(pair.substr(0, eq));
    const std::string_view value = TrimSpace(pair.substr(eq + 1));
    const bool name_ok =
        !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                 c == '_' || c == '-';
        });
    if (!name_ok) {
      return Bad(
          fmt::format("X-CC-Facts: '{}' is not a name (letters, digits, '.', '_', '-')",
                      Escaped(name)));
    }
    if (std::any_of(value.begin(), value.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        })) {
      return Bad(
          fmt::format("X-CC-Facts: the value of '{}' holds a control character", name));
    }
    for (const auto& [seen, unused] : facts) {
      if (seen == name) return Bad(fmt::format("X-CC-Facts: '{}' twice", name));
    }
    if (facts.size() == kMaxFacts) {
      return Bad(fmt::format("X-CC-Facts: more than {} pairs", kMaxFacts));
    }
    facts.emplace_back(std::string(name), std::string(value));
  }
  return facts;
}

absl::StatusOr<EvapiEvent> ParseEvent(std::string_view json) {
  // nlohmann keeps the last of two equal keys; a frame that names a field
  // twice is refused instead, so no text pasted into one field can override
  // another. The keys of each open object are kept on a stack.
  std::vector<std::vector<std::string>> keys;
  std::string repeated;
  const auto note_keys = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                             nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      keys.emplace_back();
    } else if (event == Event::object_end && !keys.empty()) {
      keys.pop_back();
    } else if (event == Event::key && !keys.empty() && repeated.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (std::find(keys.back().begin(), keys.back().end(), key) != keys.back().end()) {
        repeated = key;
      } else {
        keys.back().push_back(key);
      }
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), note_keys,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (!repeated.empty()) return Bad(fmt::format("field '{}' twice", Escaped(repeated)));
  if (!j.is_object()) return Bad("not a JSON object");
  EvapiEvent e;
  std::string event;
  if (absl::Status st = GetString(j, "event", &event); !st.ok()) return st;
  if (absl::Status st = GetString(j, "callid", &e.call_id); !st.ok()) return st;
  constexpr int64_t kMaxId = (int64_t{1} << 32) - 1;
  auto transaction = [&]() -> absl::Status {
    if (absl::Status st = GetInt(j, "tindex", 0, kMaxId, &e.tindex); !st.ok()) {
      return st;
    }
    return GetInt(j, "tlabel", 0, kMaxId, &e.tlabel);
  };
  if (event == "invite") {
    e.kind = EvapiEvent::Kind::kInvite;
    if (absl::Status st = transaction(); !st.ok()) return st;
    if (absl::Status st = GetString(j, "queue", &e.queue); !st.ok()) return st;
    if (absl::Status st = GetString(j, "from_tag", &e.from_tag, true); !st.ok()) {
      return st;
    }
    // What the IVR sent never costs the caller the call: a "facts" field
    // that is not a base64 string is noted like a header that does not parse.
    std::string header;
    const auto facts = j.find("facts");
    if (facts != j.end() && !facts->is_string()) {
      e.facts_error = "X-CC-Facts: the \"facts\" field is not a string";
    } else if (facts != j.end() &&
               !absl::Base64Unescape(facts->get_ref<const std::string&>(), &header)) {
      e.facts_error = "X-CC-Facts: the \"facts\" field is not base64";
    } else if (auto parsed = ParseFactsHeader(header); !parsed.ok()) {
      e.facts_error = std::string(parsed.status().message());
    } else {
      e.facts = *std::move(parsed);
    }
  } else if (event == "answered") {
    e.kind = EvapiEvent::Kind::kAnswered;
  } else if (event == "failed") {
    e.kind = EvapiEvent::Kind::kFailed;
    int64_t code = 0;
    if (absl::Status st = GetInt(j, "code", 300, 699, &code); !st.ok()) {
      return st;
    }
    e.code = static_cast<int>(code);
    if (absl::Status st = transaction(); !st.ok()) return st;
  } else if (event == "cancel") {
    e.kind = EvapiEvent::Kind::kCancel;
  } else if (event == "expired") {
    e.kind = EvapiEvent::Kind::kExpired;
  } else if (event == "bye") {
    e.kind = EvapiEvent::Kind::kBye;
    if (absl::Status st = GetString(j, "from_tag", &e.from_tag, true); !st.ok()) {
      return st;
    }
  } else {
    return Bad(fmt::format("unknown event '{}'", event));
  }
  return e;
}

std::string RouteReply(int64_t tindex, int64_t tlabel, std::string_view uri) {
  nlohmann::json j = {{"tindex", tindex},    {"tlabel", tlabel},
                      {"action", "route"},   {"version", "1.0"},
                      {"routing", "serial"}, {"routes", {{{"uri", std::string(uri)}}}}};
  return j.dump();
}

std::string RejectReply(int64_t tindex, int64_t tlabel, int code,
                        std::string_view reason) {
  nlohmann::json j = {{"tindex", tindex},
                      {"tlabel", tlabel},
                      {"action", "reply"},
                      {"code", code},
                      {"reason", std::string(reason)}};
  return j.dump();
}

// --- EvapiClient ---------------------------------------------------------------

absl::StatusOr<std::unique_ptr<EvapiClient>> EvapiClient::Create(
    EvapiClientOptions options, EvapiCallbacks callbacks) {
  in_addr addr{};
  if (inet_pton(AF_INET, options.host.c_str(), &addr) != 1) {
    return Bad(fmt::format("evapi host '{}' is not an IPv4 address", options.host));
  }
  if ((ntohl(addr.s_addr) >> 24) != 127) {
    return Bad(fmt::format("evapi host '{}' is not a loopback address", options.host));
  }
  if (options.port == 0) return Bad("evapi port is 0");
  return std::unique_ptr<EvapiClient>(
      new EvapiClient(std::move(options), std::move(callbacks), addr.s_addr));
}

EvapiClient::EvapiClient(EvapiClientOptions options, EvapiCallbacks callbacks,
                         uint32_t address)
    : options_(std::move(options)), callbacks_(std::move(callbacks)), address_(address) {}

EvapiClient::~EvapiClient() { Stop(); }

void EvapiClient::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void EvapiClient::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EvapiClient::Error(std::string reason) const {
  if (callbacks_.on_error) callbacks_.on_error(std::move(reason));
}

absl::Status EvapiClient::Send(std::string_view payload) {
  std::string frame = EncodeNetstring(payload);
  std::lock_guard<std::mutex> lock(write_mu_);
  int fd = fd_.load();
  if (fd < 0) return absl::FailedPreconditionError("evapi not connected");
  size_t off = 0;
  while (off < frame.size()) {
    ssize_t n = ::send(fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::shutdown(fd, SHUT_RDWR);  // the reader sees it and reconnects
      return absl::UnavailableError(
          fmt::format("evapi write failed: {}", std::strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

void EvapiClient::Run() {
  absl::Duration backoff = options_.min_backoff;
  auto sleep_interruptible = [this](absl::Duration d) {
    absl::Time until = absl::Now() + d;
    while (!stop_ && absl::Now() < until) {
      absl::SleepFor(std::min(absl::Milliseconds(20), until - absl::Now()));
    }
  };
  while (!stop_) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(options_.port);
    sa.sin_addr.s_addr = address_;
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      Error(fmt::format("connect to {}:{} failed: {}; retry in {}", options_.host,
                        options_.port, std::strerror(errno),
                        absl::FormatDuration(backoff)));
      if (fd >= 0) ::close(fd);
      sleep_interruptible(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    backoff = options_.min_backoff;
    fd_ = fd;
    if (callbacks_.on_connected) callbacks_.on_connected();
    NetstringDecoder decoder;
    std::vector<std::string> frames;
    char buf[8192];
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) continue;
      ssize_t n = r < 0 ? -1 : ::recv(fd, buf, sizeof(buf), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (decoder.buffered() > 0) {
          Error(
              fmt::format("connection closed inside a frame; {} bytes "
                          "dropped",
                          decoder.buffered()));
        }
        break;
      }
      frames.clear();
      absl::Status st = decoder.Feed(std::string_view(buf, n), &frames);
      for (std::string& f : frames) {
        if (callbacks_.on_message) callbacks_.on_message(std::move(f));
      }
      if (!st.ok()) Error(std::string(st.message()));
    }
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      fd_ = -1;
      ::close(fd);
    }
    if (callbacks_.on_disconnected) callbacks_.on_disconnected();
    if (!stop_) sleep_interruptible(backoff);
  }
}

}  // namespace ccengine::kamailio
