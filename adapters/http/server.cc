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

namespace ccengine::http {

namespace {

constexpr std::string_view kAllow = "GET, HEAD";

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
  const std::pair<std::string_view, absl::Duration> timeouts[] = {
      {"read_timeout", o.read_timeout},
      {"write_timeout", o.write_timeout},
      {"keep_alive_timeout", o.keep_alive_timeout}};
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
    std::shared_ptr<const metrics::Snapshot> s = published.Latest();
    if (s == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(cache_mu);
    if (cached == nullptr || cached_version != s->version) {
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
    svr.Get("/metrics",
            [this, no_params](const httplib::Request& req, httplib::Response& res) {
              if (!no_params(req, res)) return;
              std::shared_ptr<const std::string> body = Exposition();
              if (body == nullptr) {
                Plain(res, 503, "no metrics snapshot has been published yet");
                return;
              }
              res.set_content(*body, std::string(metrics::kPrometheusContentType));
            });
    svr.Get("/healthz", [no_params](const httplib::Request& req, httplib::Response& res) {
      if (!no_params(req, res)) return;
      Plain(res, 200, "ok");
    });
    const auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", std::string(kAllow));
      Plain(res, 405,
            fmt::format("method {} not allowed (allowed: {})", req.method, kAllow));
    };
    svr.Post(".*", not_allowed);
    svr.Put(".*", not_allowed);
    svr.Delete(".*", not_allowed);
    svr.Patch(".*", not_allowed);
    svr.Options(".*", not_allowed);
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

  const metrics::SnapshotPublisher& published;
  ServerOptions options;
  httplib::Server svr;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
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
  i.svr.set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(i.options.keep_alive_timeout)));
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

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->svr.stop();
  impl_->thread.join();
}

int Server::port() const { return impl_->port; }

}  // namespace ccengine::http
