// -----------------------------------------------------------------------------
// File: tests/http/server_test.cc
// -----------------------------------------------------------------------------
//
// `ccengine::http::Server` on a loopback port: /metrics serves the latest
// published snapshot (503 before the first), /healthz, and bad input —
// unknown paths, other methods, parameters, a huge header line, a huge URI,
// clients that stop sending — each gets a 4xx or is cut off, while the
// server goes on answering others and the publisher is never held up.
// Several clients scrape while snapshots are published.

#include "ccengine/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/metrics/json.h"
#include "ccengine/metrics/prometheus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "wallboard.h"

namespace ccengine::http {
namespace {

using ::testing::HasSubstr;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = Engine::Create({}).value();
    const SkillId skill = engine_->AddSkill("sales").value();
    QueueConfig q;
    q.name = "sales";
    q.skills = {{skill, 1}};
    queue_ = engine_->AddQueue(q).value();
    collector_ = metrics::Collector::Attach(*engine_, {}).value();
    AgentConfig a;
    a.id = AgentId(1);
    a.skills = {{skill, 1}};
    a.auto_accept = true;
    ASSERT_TRUE(engine_->AddAgent(a).ok());
    ASSERT_TRUE(engine_->Login(a.id).ok());
    for (uint64_t id = 1; id <= 3; ++id) {
      ContactSpec spec;
      spec.id = ContactId(id);
      spec.queue = queue_;
      ASSERT_TRUE(engine_->AddContact(spec).ok());
    }
  }

  std::unique_ptr<Server> Start(ServerOptions options = {}) {
    options.port = 0;
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(published_, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::unique_ptr<Engine> engine_;
  QueueId queue_;
  std::unique_ptr<metrics::Collector> collector_;
  metrics::SnapshotPublisher published_;
};

// Sends `request` on a fresh connection and reads the response's status line
// and headers, or until the server closes the connection or `limit` passes.
std::string Raw(int port, const std::string& request,
                std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "connect failed";
  }
  timeval tv{};
  tv.tv_sec = limit.count() / 1000;
  tv.tv_usec = (limit.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n =
        send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may refuse before reading it all
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos) break;  // the status and headers
  }
  close(fd);
  return out;
}

TEST_F(ServerTest, ServesTheLatestSnapshotAfterTheFirstIsPublished) {
  std::unique_ptr<Server> server = Start();
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto before = client.Get("/metrics");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 503);
  EXPECT_THAT(before->body, HasSubstr("no metrics snapshot"));

  published_.Publish(collector_->TakeSnapshot());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), metrics::kPrometheusContentType);
  EXPECT_THAT(res->body, HasSubstr("ccengine_queue_offered_total{queue=\"sales\"} 3\n"));
  EXPECT_THAT(res->body, HasSubstr("ccengine_queue_waiting{queue=\"sales\"} 2\n"));
  EXPECT_EQ(res->body, metrics::RenderPrometheus(*published_.Latest()));

  // A newer snapshot replaces it.
  ContactSpec spec;
  spec.id = ContactId(4);
  spec.queue = queue_;
  ASSERT_TRUE(engine_->AddContact(spec).ok());
  published_.Publish(collector_->TakeSnapshot());
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("ccengine_queue_offered_total{queue=\"sales\"} 4\n"));

  auto head = client.Head("/metrics");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
}

TEST_F(ServerTest, RefusesBadRequestsWithAReason) {
  published_.Publish(collector_->TakeSnapshot());
  std::unique_ptr<Server> server = Start();
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "no such path: /nope\n");

  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");

  auto param = client.Get("/metrics?window=5m");
  ASSERT_TRUE(param);
  EXPECT_EQ(param->status, 400);
  EXPECT_EQ(param->body, "unknown parameter 'window' (/metrics takes none)\n");

  const std::string huge_header =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
      "\r\n\r\n";
  EXPECT_THAT(Raw(server->port(), huge_header), HasSubstr("HTTP/1.1 400"));
  const std::string huge_uri =
      "GET /metrics?" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_THAT(Raw(server->port(), huge_uri), HasSubstr("HTTP/1.1 414"));
  EXPECT_THAT(Raw(server->port(), "NONSENSE\r\n\r\n"), HasSubstr("HTTP/1.1 400"));
  // Refused before any body is read: a chunked POST that never ends, a GET
  // that declares a body, a Range (no multi-range answers to assemble).
  EXPECT_THAT(
      Raw(server->port(),
          "POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          "100000\r\n" +
              std::string(4096, 'a')),
      HasSubstr("HTTP/1.1 405"));
  EXPECT_THAT(Raw(server->port(),
                  "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
              HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Raw(server->port(),
                  "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                  "Content-Length: 0\r\n\r\n"),
              HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Raw(server->port(),
                  "GET /metrics HTTP/1.1\r\nHost: x\r\nRange: bytes=0-,0-\r\n\r\n"),
              HasSubstr("HTTP/1.1 416"));
  EXPECT_THAT(Raw(server->port(), "TRACE /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
              ::testing::ContainsRegex("HTTP/1.1 4[0-9][0-9]"));

  // Still serving.
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ServerTest, ReloadIsServedOnlyWhenAskedForAndOnlyAsABodilessPost) {
  published_.Publish(collector_->TakeSnapshot());
  // Without on_reload the path is unknown (and POST refused as anywhere).
  std::unique_ptr<Server> plain = Start();
  ASSERT_NE(plain, nullptr);
  httplib::Client plain_client("127.0.0.1", plain->port());
  EXPECT_EQ(plain_client.Get("/-/reload")->status, 404);
  EXPECT_EQ(plain_client.Post("/-/reload", "", "text/plain")->status, 405);
  plain.reset();

  std::atomic<int> asked{0};
  ServerOptions options;
  options.on_reload = [&asked] {
    return "reload " + std::to_string(asked.fetch_add(1) + 1) + " requested";
  };
  std::unique_ptr<Server> server = Start(options);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto ok = client.Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202);
  EXPECT_EQ(ok->body, "reload 1 requested\n");
  auto get = client.Get("/-/reload");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  EXPECT_EQ(client.Post("/-/reload?now=1", "", "text/plain")->status, 400);
  // As `curl -X POST` sends it: no Content-Length at all.
  EXPECT_THAT(Raw(server->port(), "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
              HasSubstr("HTTP/1.1 202"));
  EXPECT_THAT(
      Raw(server->port(),
          "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"),
      HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Raw(server->port(),
                  "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello"),
              HasSubstr("HTTP/1.1 400"));
  EXPECT_EQ(client.Post("/metrics", "", "text/plain")->status, 405);
  EXPECT_EQ(client.Get("/metrics")->status, 200);
  EXPECT_EQ(asked.load(), 2);

  // Not from a web page: a browser's cross-site form or fetch carries Origin,
  // and a page reached by DNS rebinding sends its own name as Host.
  const std::string port = std::to_string(server->port());
  for (const std::string& host : std::vector<std::string>{
           "127.0.0.1", "127.0.0.1:" + port, "127.1.2.3:" + port, "localhost:" + port,
           "localhost", "[::1]:" + port, "[::1]"}) {
    EXPECT_THAT(
        Raw(server->port(), "POST /-/reload HTTP/1.1\r\nHost: " + host + "\r\n\r\n"),
        HasSubstr("HTTP/1.1 202"))
        << host;
  }
  EXPECT_EQ(asked.load(), 9);
  for (const std::string& host : std::vector<std::string>{
           "evil.example", "evil.example:" + port, "127.0.0.1.evil.example",
           "127.0.0.1.5", "10.0.0.1:" + port, "[::2]:" + port, "[::1]x", "",
           "localhost.evil.example", "127.0.0.1:evil",
           "127.0.0.1:", "[::1]:", "[::1]:80x", "localhost:1:2", "[::1]:123456"}) {
    EXPECT_THAT(
        Raw(server->port(), "POST /-/reload HTTP/1.1\r\nHost: " + host + "\r\n\r\n"),
        HasSubstr("HTTP/1.1 403"))
        << host;
  }
  EXPECT_THAT(Raw(server->port(), "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                                      "\r\nOrigin: http://evil.example\r\n\r\n"),
              HasSubstr("HTTP/1.1 403"));
  EXPECT_THAT(Raw(server->port(), "POST /-/reload HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                                      "\r\nOrigin: null\r\n\r\n"),
              HasSubstr("HTTP/1.1 403"));
  EXPECT_EQ(asked.load(), 9);
}

TEST_F(ServerTest, SlowClientsAreCutOffAndNeverHoldThePublisher) {
  published_.Publish(collector_->TakeSnapshot());
  ServerOptions options;
  options.threads = 2;
  options.max_streams = 1;
  options.read_timeout = absl::Milliseconds(300);
  options.keep_alive_timeout = absl::Seconds(1);
  std::unique_ptr<Server> server = Start(options);
  ASSERT_NE(server, nullptr);
  const int port = server->port();

  // Two clients take both threads and then stop sending mid-request.
  std::vector<std::thread> slow;
  std::atomic<int> cut_off{0};
  for (int i = 0; i < 2; ++i) {
    slow.emplace_back([&] {
      const auto t0 = std::chrono::steady_clock::now();
      Raw(port, "GET /metr", std::chrono::milliseconds(10000));
      if (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) cut_off++;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Meanwhile the router side publishes without waiting for anyone.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) published_.Publish(collector_->TakeSnapshot());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << "a request after the slow clients was never answered";
  EXPECT_EQ(res->status, 200);
  for (std::thread& t : slow) t.join();
  EXPECT_EQ(cut_off.load(), 2) << "a client that stopped sending was not cut off";
}

TEST_F(ServerTest, WallboardPageFeedAndStreamLimit) {
  published_.Publish(collector_->TakeSnapshot());
  ServerOptions options;
  options.threads = 3;
  options.max_streams = 1;
  std::unique_ptr<Server> server = Start(options);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(page->body, HasSubstr("坐席监控"));
  EXPECT_THAT(page->body, HasSubstr("EventSource(\"events\")"));
  auto json = client.Get("/api/snapshot");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);
  EXPECT_THAT(json->body, HasSubstr(R"("name":"sales","waiting":2,)"));
  EXPECT_THAT(
      json->body,
      HasSubstr(
          R"("agents":{"not_ready":0,"available":0,"reserved":0,"busy":1,"wrap_up":0})"));

  // One stream takes the only stream slot: its first event is the latest
  // snapshot, and a second stream is refused until it goes.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(req.size()));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string stream;
  char buf[4096];
  while (stream.find("}\n\n") == std::string::npos) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    stream.append(buf, static_cast<size_t>(n));
  }
  EXPECT_THAT(stream, HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(stream, HasSubstr("\r\nid: 1\n"));  // a chunk: the id, then the data
  EXPECT_THAT(stream, HasSubstr(R"(data: {"version":1,)"));
  auto second = client.Get("/events");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(second->body, "too many live streams (max_streams 1)\n");
  // A client that goes away gives its slot back.
  close(fd);
  bool freed = false;
  for (int i = 0; i < 60 && !freed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    freed = Raw(server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
                .find("HTTP/1.1 200") != std::string::npos;
  }
  EXPECT_TRUE(freed) << "the slot of a closed stream was not given back within 3 s";
  server->Stop();  // ends the streams' threads too

  ServerOptions bad;
  bad.threads = 4;
  bad.max_streams = 4;
  EXPECT_EQ(Server::Start(published_, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WallboardJsonTest, EscapesNamesAndWritesNullForNothingMeasured) {
  EXPECT_EQ(metrics::JsonString("a\"b\\c\n\x01 政策"), "\"a\\\"b\\\\c\\n\\u0001 政策\"");
  metrics::Snapshot s;
  s.version = 3;
  s.queues.resize(1);
  s.queues[0].queue = "q\"1";
  s.queues[0].sl_target = 0.8;
  s.queues[0].today = metrics::FiguresOf({}, ServiceLevelDefinition::kWithinOverOffered);
  const std::string json = WallboardJson(s);
  EXPECT_THAT(json, HasSubstr(R"("name":"q\"1")"));
  EXPECT_THAT(json, HasSubstr(R"("sl_today":null,"asa_today_s":null)"));
  EXPECT_THAT(json, HasSubstr(R"("alert":false)"));  // nothing measured: no alert
  EXPECT_EQ(json.find('\n'), std::string::npos);     // one event line
}

TEST(WallboardJsonTest, PersonalDataInAQueueNameIsMasked) {
  metrics::Snapshot s;
  s.queues.resize(1);
  s.queues[0].queue = "回拨 13812345678";
  s.queues[0].today = metrics::FiguresOf({}, ServiceLevelDefinition::kWithinOverOffered);
  const std::string json = WallboardJson(s);
  EXPECT_THAT(json, HasSubstr(R"("name":"回拨 138****5678")"));
  EXPECT_EQ(json.find("13812345678"), std::string::npos);
}

TEST_F(ServerTest, StopIsBoundedWhileAClientTrickles) {
  ServerOptions options;
  options.read_timeout = absl::Milliseconds(200);
  options.write_timeout = absl::Milliseconds(200);
  absl::StatusOr<std::unique_ptr<Server>> started = Server::Start(published_, [&] {
    ServerOptions o = options;
    o.port = 0;
    return o;
  }());
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<Server> server = std::move(*started);
  // A client that sends one header byte every 50 ms, never finishing.
  std::atomic<bool> quit{false};
  std::thread trickler([&, port = server->port()] {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const std::string head = "GET /metrics HTTP/1.1\r\nX-Slow: ";
      (void)send(fd, head.data(), head.size(), MSG_NOSIGNAL);
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
      while (!quit.load() && std::chrono::steady_clock::now() < until &&
             send(fd, "a", 1, MSG_NOSIGNAL) == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    close(fd);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = std::chrono::steady_clock::now();
  server->Stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  quit.store(true);
  trickler.join();
  // read_timeout + write_timeout + 1 s, with room for a loaded machine.
  EXPECT_LT(took, std::chrono::seconds(4)) << "Stop waited for the trickling client";
}

TEST_F(ServerTest, ManyScrapesWhileSnapshotsArePublished) {
  std::unique_ptr<Server> server = Start();
  ASSERT_NE(server, nullptr);
  published_.Publish(collector_->TakeSnapshot());
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    while (!done.load()) published_.Publish(collector_->TakeSnapshot());
  });
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> scrapers;
  for (int t = 0; t < 4; ++t) {
    scrapers.emplace_back([&] {
      httplib::Client client("127.0.0.1", server->port());
      for (int i = 0; i < 25; ++i) {
        auto res = client.Get("/metrics");
        const bool good =
            res && res->status == 200 &&
            res->body.find("ccengine_agents{state=\"busy\"} 1\n") != std::string::npos;
        (good ? ok : bad)++;
      }
    });
  }
  for (std::thread& t : scrapers) t.join();
  done.store(true);
  publisher.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(ServerTest, BadOptionsAndABusyPortAreRefused) {
  ServerOptions o;
  o.threads = 0;
  EXPECT_EQ(Server::Start(published_, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = {};
  o.read_timeout = absl::ZeroDuration();
  absl::Status st = Server::Start(published_, o).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), HasSubstr("read_timeout"));
  o = {};
  o.port = 70000;
  EXPECT_EQ(Server::Start(published_, o).status().code(),
            absl::StatusCode::kInvalidArgument);

  std::unique_ptr<Server> first = Start();
  ASSERT_NE(first, nullptr);
  o = {};
  o.port = first->port();
  st = Server::Start(published_, o).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("cannot listen"));
  first->Stop();
  first->Stop();  // idempotent
}

}  // namespace
}  // namespace ccengine::http
