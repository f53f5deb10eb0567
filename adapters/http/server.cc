#include "ccengine/http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "ccengine/metrics/prometheus.h"
#include "fmt/format.h"
#include "httplib.h"
#include "wallboard.h"

namespace ccengine::http {

namespace {

constexpr std::string_view kAllow = "GET, HEAD";
constexpr std::string_view kReloadPath = "/-/reload";

absl::Status CheckOptions(const ServerOptions& o) {
  if (o.bind_address.empty()) {
    return absl::InvalidArgumentError("http: bind_address is empty");
  }
  if (o.port < 0 || o.port > 65535) {
    return absl::InvalidArgumentError(
        fmt::format("http: port must be in [0, 65535], got {}", o.port));
  }
  if (o.threads < 1 || o.threads > 64) {
    return absl::InvalidArgumentError(
        fmt::format("http: threads must be in [1, 64], got {}", o.threads));
  }
  if (o.max_streams < 0 || o.max_streams >= o.threads) {
    return absl::InvalidArgumentError(
        fmt::format("http: max_streams must be in [0, threads - 1] = [0, {}], got {}",
                    o.threads - 1, o.max_streams));
  }
  if (o.keep_alive_timeout < absl::Seconds(1) ||
      o.keep_alive_timeout > absl::Minutes(10) ||
      absl::Trunc(o.keep_alive_timeout, absl::Seconds(1)) != o.keep_alive_timeout) {
    return absl::InvalidArgumentError(
        fmt::format("http: keep_alive_timeout must be whole seconds in [1s, 10m], got {}",
                    absl::FormatDuration(o.keep_alive_timeout)));
  }
  const std::pair<std::string_view, absl::Duration> timeouts[] = {
      {"read_timeout", o.read_timeout}, {"write_timeout", o.write_timeout}};
  for (const auto& [name, d] : timeouts) {
    if (d < absl::Milliseconds(1) || d > absl::Minutes(10)) {
      return absl::InvalidArgumentError(fmt::format(
          "http: {} must be in [1ms, 10m], got {}", name, absl::FormatDuration(d)));
    }
  }
  return absl::OkStatus();
}

std::chrono::microseconds Chrono(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsPort(std::string_view s) { return !s.empty() && s.size() <= 5 && AllDigits(s); }

// Whether a Host header names this machine's loopback: 127.a.b.c,
// localhost or [::1], with or without a (decimal) port.
bool IsLoopbackHost(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !IsPort(rest.substr(1)))) return false;
    return host.substr(1, close - 1) == "::1";
  }
  if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
    if (!IsPort(host.substr(colon + 1))) return false;
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  int parts = 0;
  for (size_t start = 0; start <= host.size(); ++parts) {
    const size_t end = std::min(host.find('.', start), host.size());
    const std::string_view part = host.substr(start, end - start);
    if (part.empty() || part.size() > 3 || !AllDigits(part)) return false;
    if (parts == 0 && part != "127") return false;
    start = end + 1;
  }
  return parts == 4;
}

void Plain(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(fmt::format("{}\n", message), "text/plain; charset=utf-8");
}

}  // namespace

struct Server::Impl {
  Impl(const metrics::SnapshotPublisher& p, ServerOptions o)
      : published(p), options(std::move(o)) {}

  // The exposition of the latest snapshot, rendered once per version.
  std::shared_ptr<const std::string> Exposition() {
    std::shared_ptr<const metrics::Snapshot> s = Latest();
    if (s == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(cache_mu);
    // Never back to an older version a slow request still holds.
    if (cached == nullptr || s->version > cached_version) {
      cached = std::make_shared<const std::string>(metrics::RenderPrometheus(*s));
      cached_version = s->version;
    }
    return cached;
  }

  void Routes() {
    // Every endpoint here takes no parameters.
    const auto no_params = [](const httplib::Request& req, httplib::Response& res) {
      if (req.params.empty()) return true;
      Plain(res, 400,
            fmt::format("unknown parameter '{}' ({} takes none)",
                        req.params.begin()->first, req.path));
      return false;
    };
    svr.Get("/metrics", [this, no_params](const httplib::Request& req,
                                          httplib::Response& res) {
      if (!no_params(req, res)) return;
      std::shared_ptr<const std::string> body = Exposition();
      if (body == nullptr) {
        Plain(res, 503,
              "no metrics snapshot has been published yet (or the server is stopping)");
        return;
      }
      res.set_content(*body, std::string(metrics::kPrometheusContentType));
    });
    svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(kWallboardPage), "text/html; charset=utf-8");
    });
    svr.Get("/api/snapshot",
            [this, no_params](const httplib::Request& req, httplib::Response& res) {
              if (!no_params(req, res)) return;
              std::shared_ptr<const metrics::Snapshot> s = Latest();
              if (s == nullptr) {
                Plain(res, 503, "no metrics snapshot has been published yet");
                return;
              }
              res.set_content(WallboardJson(*s), "application/json");
            });
    svr.Get("/events", [this, no_params](const httplib::Request& req,
                                         httplib::Response& res) {
      if (!no_params(req, res)) return;
      // Each stream holds a thread; the rest stay for scrapes.
      if (streams.fetch_add(1) >= options.max_streams) {
        streams.fetch_sub(1);
        res.set_header("Retry-After", "5");
        Plain(res, 503,
              fmt::format("too many live streams (max_streams {})", options.max_streams));
        return;
      }
      Stream(res);
    });
    svr.Get("/healthz", [no_params](const httplib::Request& req, httplib::Response& res) {
      if (!no_params(req, res)) return;
      Plain(res, 200, "ok");
    });

    // Before the library reads a body or builds ranges: only bodiless GET
    // and HEAD get further (and a bodiless POST /-/reload, answered here),
    // so no request can make the server buffer a body (chunked, compressed
    // or declared) or assemble a multi-range answer.
    const bool reload = static_cast<bool>(options.on_reload);
    svr.set_pre_routing_handler(
        [this, reload, no_params](const httplib::Request& req, httplib::Response& res) {
          const auto refuse = [&res](int status, std::string_view why) {
            res.set_header("Connection", "close");
            Plain(res, status, why);
            return httplib::Server::HandlerResponse::Handled;
          };
          const bool reload_request = reload && req.path == kReloadPath;
          if (reload_request ? req.method != "POST"
                             : req.method != "GET" && req.method != "HEAD") {
            const std::string_view allow = reload_request ? "POST" : kAllow;
            res.set_header("Allow", std::string(allow));
            return refuse(405, fmt::format("method {} not allowed (allowed: {})",
                                           req.method, allow));
          }
          // Two Content-Length lines are refused even when the first says
          // 0: a proxy in front may have read the other one.
          if (req.has_header("Transfer-Encoding") ||
              req.get_header_value_count("Content-Length") > 1 ||
              (req.has_header("Content-Length") &&
               req.get_header_value("Content-Length") != "0")) {
            return refuse(400, fmt::format("a {} request carries no body", req.method));
          }
          if (req.has_header("Range")) return refuse(416, "ranges are not served");
          if (reload_request) {
            // A web page must not be able to make the daemon reload: a
            // browser names the page in Origin on every cross-site POST, and
            // a page reached through DNS rebinding still sends its own host
            // name in Host. Admin tools (curl, scripts) send neither.
            if (req.has_header("Origin")) {
              return refuse(403, "POST /-/reload is refused from a web page (Origin)");
            }
            if (!IsLoopbackHost(req.get_header_value("Host"))) {
              return refuse(403,
                            "POST /-/reload needs a loopback Host (127.0.0.1, "
                            "[::1] or localhost)");
            }
            // Answered here, before the library would look for a body a bare
            // `curl -X POST` does not announce.
            if (no_params(req, res)) Plain(res, 202, options.on_reload());
            return httplib::Server::HandlerResponse::Handled;
          }
          return httplib::Server::HandlerResponse::Unhandled;
        });
    // Requests the routes above do not answer (an unknown path, a request
    // the library refuses) get a reason instead of an empty body.
    svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      switch (res.status) {
        case 404: Plain(res, 404, fmt::format("no such path: {}", req.path)); break;
        case 414: Plain(res, 414, "request URI too long"); break;
        default: Plain(res, res.status, "bad request"); break;
      }
    });
  }

  // The publisher is the caller's and may be gone once Stop has returned:
  // every use is counted, and Stop waits for the count to drain after
  // setting `stopping` (a use that starts later sees it and gives up).
  struct Use {
    explicit Use(Impl& i) : impl(i) { impl.uses.fetch_add(1); }
    ~Use() { impl.uses.fetch_sub(1); }
    bool ok() const { return !impl.stopping.load(); }
    Impl& impl;
  };
  std::shared_ptr<const metrics::Snapshot> Latest() {
    Use use(*this);
    return use.ok() ? published.Latest() : nullptr;
  }
  // The next snapshot newer than `seen` within `wait`, or null.
  std::shared_ptr<const metrics::Snapshot> Newer(uint64_t seen, absl::Duration wait) {
    Use use(*this);
    if (!use.ok()) return nullptr;
    std::shared_ptr<const metrics::Snapshot> s = published.WaitNewer(seen, wait);
    return s != nullptr && s->version > seen ? s : nullptr;
  }

  // A live stream of wallboard snapshots (server-sent events) until the
  // client goes or the server stops; a comment every 15 s of quiet lets a
  // dead client be found.
  void Stream(httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");  // a proxy must not hold events back
    auto seen = std::make_shared<uint64_t>(0);
    auto last_write = std::make_shared<absl::Time>(absl::Now());
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, seen, last_write](size_t /*offset*/, httplib::DataSink& sink) {
          if (stopping.load()) {
            sink.done();
            return true;
          }
          // A client that went away frees its stream slot now, not at the
          // next failed write.
          if (!sink.is_writable()) return false;
          std::shared_ptr<const metrics::Snapshot> s =
              Newer(*seen, absl::Milliseconds(250));
          std::string event;
          if (s != nullptr) {
            *seen = s->version;
            event = fmt::format("id: {}\ndata: {}\n\n", s->version, WallboardJson(*s));
          } else if (absl::Now() - *last_write >= absl::Seconds(15)) {
            event = ": keep-alive\n\n";
          }
          if (!event.empty()) {
            if (!sink.write(event.data(), event.size())) return false;
            *last_write = absl::Now();
          }
          return true;
        },
        [this](bool /*success*/) { streams.fetch_sub(1); });
  }

  const metrics::SnapshotPublisher& published;
  ServerOptions options;
  httplib::Server svr;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  std::atomic<int> uses{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> streams{0};
  int port = 0;
  std::mutex cache_mu;
  std::shared_ptr<const std::string> cached;
  uint64_t cached_version = 0;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const metrics::SnapshotPublisher& published, ServerOptions options) {
  if (absl::Status st = CheckOptions(options); !st.ok()) return st;
  auto impl = std::make_unique<Impl>(published, std::move(options));
  Impl& i = *impl;
  const int threads = i.options.threads;
  i.svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  i.svr.set_read_timeout(Chrono(i.options.read_timeout));
  i.svr.set_write_timeout(Chrono(i.options.write_timeout));
  i.svr.set_keep_alive_timeout(absl::ToInt64Seconds(i.options.keep_alive_timeout));
  i.svr.set_payload_max_length(64 * 1024);
  // The library's default adds SO_REUSEPORT, which would let a second
  // server bind the same port and silently take half the scrapes; keep
  // only SO_REUSEADDR (a restart need not wait out TIME_WAIT).
  i.svr.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  i.Routes();
  errno = 0;
  if (i.options.port == 0) {
    i.port = i.svr.bind_to_any_port(i.options.bind_address);
  } else {
    i.port =
        i.svr.bind_to_port(i.options.bind_address, i.options.port) ? i.options.port : -1;
  }
  if (i.port <= 0) {
    const int err = errno;
    return absl::UnavailableError(
        fmt::format("http: cannot listen on {}:{} ({})", i.options.bind_address,
                    i.options.port, err != 0 ? std::strerror(err) : "bind failed"));
  }
  i.thread = std::thread([&i] {
    i.svr.listen_after_bind();
    i.listen_returned.store(true, std::memory_order_release);
  });
  // stop() is only heard once the server runs.
  while (!i.svr.is_running()) {
    if (i.listen_returned.load(std::memory_order_acquire)) {
      i.thread.join();
      return absl::UnavailableError(
          fmt::format("http: could not serve on {}:{}", i.options.bind_address, i.port));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)), port_(impl_->port) {}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (impl_ == nullptr || !impl_->thread.joinable()) return;
  impl_->stopping.store(true);
  while (impl_->uses.load() > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->svr.stop();
  // The library joins its workers, each finishing its request; one whose
  // client trickles bytes would hold that join for ever. Wait a bounded
  // time, then hand the server to a detached thread that frees it once its
  // threads have ended.
  struct Join {
    std::mutex mu;
    bool joined = false;
    bool abandoned = false;
  };
  auto join = std::make_shared<Join>();
  std::thread joiner([impl = impl_.get(), join] {
    impl->thread.join();
    bool free_it = false;
    {
      std::lock_guard<std::mutex> lock(join->mu);
      join->joined = true;
      free_it = join->abandoned;
    }
    if (free_it) delete impl;
  });
  const absl::Time deadline = absl::Now() + impl_->options.read_timeout +
                              impl_->options.write_timeout + absl::Seconds(1);
  while (true) {
    {
      std::lock_guard<std::mutex> lock(join->mu);
      if (join->joined) break;
      if (absl::Now() >= deadline) {
        join->abandoned = true;
        (void)impl_.release();  // the joiner frees it
        joiner.detach();
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  joiner.join();
}

int Server::port() const { return port_; }

}  // namespace ccengine::http
