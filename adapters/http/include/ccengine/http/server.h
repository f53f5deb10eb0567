// -----------------------------------------------------------------------------
// File: ccengine/http/server.h
// -----------------------------------------------------------------------------
//
// `ccengine::http::Server` serves a center's live numbers over HTTP for the
// monitoring tools operators already run:
//
//   GET /metrics   the latest metrics snapshot in Prometheus' text format
//                  (ccengine/metrics/prometheus.h); 503 until the first
//                  snapshot is published
//   GET /          the wallboard: queue tiles (waiting, longest wait,
//                  service level today against target, ASA, offered and
//                  abandoned today), agents by state, alerts for queues
//                  below target; Chinese and English labels; updated live
//   GET /events    the wallboard's feed: server-sent events, one JSON
//                  snapshot each time the router publishes (at most
//                  `max_streams` at once, then 503)
//   GET /api/snapshot  the latest snapshot as that JSON
//   GET /healthz   200 "ok" while the server runs
//   POST /-/reload only when `ServerOptions::on_reload` is set (a daemon's
//                  admin request to read its configuration again, as
//                  Prometheus' own): calls it and answers 202 with the line
//                  it returns; the outcome goes where the daemon reports
//                  reloads (its log). Refused (403) with an Origin header
//                  (a web page's request) or a Host that is not loopback
//                  (127.x.y.z, localhost, [::1]; DNS rebinding), so a
//                  browser on the host cannot be made to ask for it
//
// HEAD works wherever GET does. Anything else is refused with a 4xx and a
// one-line reason, before any body is read: another method 405, a request
// with a body (or two Content-Length lines) 400, a Range 416, an unknown path 404, a query parameter 400,
// a header line or URI over 8 KiB 400/414 (the HTTP library's limits). A
// client that stops sending is cut off after `read_timeout`.
//
// Limits of the library (cpp-httplib 0.11): `read_timeout` bounds each
// read, not a whole request, so a client that trickles bytes holds a
// server thread for as long as it trickles, and a request line or header
// line is buffered whole before its length is checked. The default bind
// is loopback; to expose the endpoint beyond the host, put it behind a
// reverse proxy that bounds requests (or a firewall that admits only the
// Prometheus servers).
//
// The server never touches the engine: it reads the snapshots the router
// thread publishes to a `metrics::SnapshotPublisher` (e.g. from
// `RouterLoopOptions::on_tick`), so a slow or hostile client can hold at
// most the server's own threads, never the router. The exposition of a
// snapshot is rendered once and shared by every scrape of that version.
//
// Built on cpp-httplib (Debian `libcpp-httplib-dev`): a small, well-kept
// HTTP/1.1 server with a thread pool, timeouts and request limits; the
// exposition format is simple enough that prometheus-cpp (not packaged in
// Debian 12) would add a registry the engine does not need.
//
// Thread safety: `Start` returns a running server; `Stop` (or the
// destructor) from one thread. `port` from any thread.
//
// Example:
//   ccengine::metrics::SnapshotPublisher published;
//   auto server = ccengine::http::Server::Start(published, {}).value();
//   // curl http://127.0.0.1:9464/metrics
#ifndef CCENGINE_HTTP_SERVER_H_
#define CCENGINE_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/metrics/snapshot.h"

namespace ccengine::http {

struct ServerOptions {
  // Loopback by default: exposing the numbers is the operator's choice.
  std::string bind_address = "127.0.0.1";
  int port = 9464;  // 0: any free port (see Server::port)
  int threads = 8;  // in [1, 64]
  // Live wallboard streams at once, each holding a thread; in
  // [0, threads - 1], so scrapes always have a thread.
  int max_streams = 4;
  // Each in [1 ms, 10 min].
  absl::Duration read_timeout = absl::Seconds(5);
  absl::Duration write_timeout = absl::Seconds(5);
  // Whole seconds in [1 s, 10 min]: how long an idle kept-alive connection
  // (which holds a thread) is kept.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  // Serves POST /-/reload (no body, no parameters) when set. Called on a
  // server thread, once per request: it must be quick and thread-safe (ask
  // for the reload, do not make it), and outlive the server.
  std::function<std::string()> on_reload;
};

class Server {
 public:
  // Binds and starts serving on threads of its own. `published` must
  // outlive the server. InvalidArgument for bad options, Unavailable when
  // the address cannot be bound (the system's reason in the message).
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const metrics::SnapshotPublisher& published, ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops accepting, finishes the requests in progress and joins the
  // threads, waiting at most read_timeout + write_timeout + 1 s: threads
  // still held by a trickling client then finish on their own, and the
  // server's memory is freed when they have. Idempotent.
  void Stop();
  // The bound port (the one chosen when options.port was 0).
  int port() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace ccengine::http

#endif  // CCENGINE_HTTP_SERVER_H_
