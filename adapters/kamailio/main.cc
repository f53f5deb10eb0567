// ccengine-kamailio: routes Kamailio's inbound calls with a ccengine Engine.
//
//   ccengine-kamailio --config agents.json [--routing routing.json] [--port 8448]
//                     [--http 127.0.0.1:9464 | --http off] [--metrics-db FILE]
//                     [--audit-log FILE --audit-key PEM]
//
// Connects to Kamailio's evapi on 127.0.0.1 (see examples/kamailio/), runs an
// Engine on a RouterLoop, and answers each suspended INVITE with the agent
// the engine offers it to (an rtjson route), or with the queue's "no agent"
// SIP response. Agents are a static directory in the config file:
//
//   {"evapi": {"host": "127.0.0.1", "port": 8448},
//    "skills": ["sales", "support"],
//    "queues": [{"name": "sales", "skills": [{"skill": "sales", "level": 1}],
//                "max_wait_ms": 20000, "wrap_up_ms": 1000,
//                "no_agent_code": 480, "no_agent_reason": "No Agent"}],
//    "agents": [{"id": 1, "uri": "sip:alice@127.0.0.1:5080",
//                "skills": [{"skill": "sales", "level": 5}]}]}
//
// Live numbers are served over HTTP (ccengine/http/server.h: /metrics for
// Prometheus) on loopback port 9464 unless --http names another address
// (ADDR:PORT, port 0 for any free one) or turns it off; a metrics
// collector counts every queue and agent and the router loop publishes a
// snapshot each second. With --metrics-db, the collector's 15-minute rows
// are written to that SQLite file each minute and at shutdown, and read
// back at start, so a restart keeps the day (reports: ccengine-report).
//
// With --routing, skills, strategies and queues come from a routing file
// (docs/routing-config.md; YAML when it ends in .yaml or .yml) instead of
// the config, whose agents may then name an agent "profile" of the file
// instead of their skills (and follow it across reloads). The INVITE's
// request-URI user names an entry flow of the file (or a queue), whose
// rules also read the caller's X-CC-Facts header (an IVR's "ivr.choice=9").
// SIGHUP (or POST /-/reload on a loopback --http) reloads the file (a burst
// of requests before the load begins makes one load): it is read and checked
// on a thread of its own, then made the next version on the router thread (waiting calls
// re-evaluated), with one "LOG routing: ..." line saying which version runs
// or why the file was refused (the running version stays). With
// --audit-log, each version put in force is also an entry of that audit
// trail (daemon_audit.h); a log whose chain does not verify stops the start.
// The routing file's roles are attached to the engine (ccengine/kamailio/
// access.h): the bridge's commands are actor "ccengine-kamailio"'s (role
// system), a refused call is answered at once, and with --audit-log the
// refusals (only) are entries of the trail; each version brings its own
// roles.
//
// The INVITE's request-URI user names the queue. Every engine event is
// printed on stdout as "EV <description>"; adapter diagnostics as "LOG ...";
// on SIGINT/SIGTERM a "SUMMARY ..." line, then exit 0.
#include <semaphore.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "ccengine/ccengine.h"
#include "ccengine/http/server.h"
#include "ccengine/kamailio/access.h"
#include "ccengine/kamailio/evapi.h"
#include "ccengine/kamailio/routing.h"
#include "ccengine/sqlite/interval_store.h"
#include "ccengine/telephony/telephony.h"
#include "daemon_audit.h"
#include "daemon_output.h"
#include "daemon_port.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace {

using ccengine::kamailio::EvapiEvent;
using ccengine::kamailio::KamailioPort;
using ccengine::kamailio::Line;
using ccengine::kamailio::LogLines;

struct QueueInfo {
  ccengine::QueueId id;
  int no_agent_code = 480;
  std::string no_agent_reason = "No Agent Available";
};

// A POSIX semaphore, because POSIX lists sem_post as async-signal-safe
// (std::counting_semaphore promises nothing of the kind). Counting: a
// SIGHUP during a load queues one more load; a second stop signal is
// harmless.
class SignalSemaphore {
 public:
  SignalSemaphore() { sem_init(&sem_, 0, 0); }
  ~SignalSemaphore() { sem_destroy(&sem_); }
  SignalSemaphore(const SignalSemaphore&) = delete;
  SignalSemaphore& operator=(const SignalSemaphore&) = delete;
  void release() {
    const int saved = errno;  // a signal handler leaves errno as it found it
    sem_post(&sem_);
    errno = saved;
  }
  void acquire() {
    // A signal handled on this thread interrupts the wait: wait again.
    while (sem_wait(&sem_) != 0 && errno == EINTR) {
    }
  }

 private:
  sem_t sem_;
};

SignalSemaphore g_stop;
void OnSignal(int) { g_stop.release(); }
SignalSemaphore g_reload;
// Set while a reload is asked for and not yet begun: requests that arrive
// before the reloader wakes (a burst of SIGHUPs or POSTs) share one load.
std::atomic<bool> g_reload_pending{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // used from a handler
void RequestReload() {
  if (!g_reload_pending.exchange(true)) g_reload.release();
}
void OnHangup(int) { RequestReload(); }

// An agent's skills: its own list, or (with a routing file) its profile's,
// with the profile's capacity.
absl::Status LoadAgentSkills(ccengine::Engine& engine, const nlohmann::json& a,
                             ccengine::kamailio::DaemonRouting* routing,
                             ccengine::AgentConfig* out);

absl::Status LoadSkills(ccengine::Engine& engine, const nlohmann::json& list,
                        std::vector<ccengine::SkillLevel>* out) {
  for (const auto& s : list) {
    auto skill = engine.FindSkill(s.at("skill").get<std::string>());
    if (!skill.ok()) return skill.status();
    out->push_back({*skill, static_cast<uint8_t>(s.value("level", 1))});
  }
  return absl::OkStatus();
}

absl::Status LoadAgentSkills(ccengine::Engine& engine, const nlohmann::json& a,
                             ccengine::kamailio::DaemonRouting* routing,
                             ccengine::AgentConfig* out) {
  if (!a.contains("profile")) return LoadSkills(engine, a.at("skills"), &out->skills);
  if (routing == nullptr) {
    return absl::InvalidArgumentError("an agent \"profile\" needs --routing");
  }
  const std::string name = a.at("profile").get<std::string>();
  const auto current = routing->versions().current();
  const ccengine::config::AgentProfile* profile = current->FindProfile(name);
  if (profile == nullptr) {
    return absl::NotFoundError(
        fmt::format("agent profile '{}' is not in {}", name, routing->path()));
  }
  out->skills = profile->skills;
  out->capacity = profile->capacity;
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  // From the start, so that a SIGHUP sent while the daemon starts (or one
  // without --routing) never ends it; loads asked for before the reloader
  // runs are made once it does.
  std::signal(SIGHUP, OnHangup);
  std::string config_path;
  std::string routing_path;
  int port_override = 0;
  std::string http = "127.0.0.1:9464";
  std::string metrics_db;
  std::string audit_log_path;
  std::string audit_key_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--config") config_path = argv[i + 1];
    else if (a == "--routing")
      routing_path = argv[i + 1];
    else if (a == "--port")
      port_override = std::atoi(argv[i + 1]);
    else if (a == "--http")
      http = argv[i + 1];
    else if (a == "--metrics-db")
      metrics_db = argv[i + 1];
    else if (a == "--audit-log")
      audit_log_path = argv[i + 1];
    else if (a == "--audit-key")
      audit_key_path = argv[i + 1];
  }
  std::optional<ccengine::http::ServerOptions> http_options;
  if (http != "off") {
    const size_t colon = http.rfind(':');
    char* end = nullptr;
    const long http_port =
        colon == std::string::npos ? -1 : std::strtol(http.c_str() + colon + 1, &end, 10);
    if (colon == std::string::npos || colon == 0 || end == nullptr || *end != '\0' ||
        http_port < 0 || http_port > 65535) {
      std::cerr << "--http: want ADDR:PORT or off, got '" << http << "'\n";
      return 2;
    }
    http_options.emplace();
    http_options->bind_address = http.substr(0, colon);
    http_options->port = static_cast<int>(http_port);
  }
  if (config_path.empty()) {
    std::cerr << "usage: ccengine-kamailio --config FILE [--routing FILE] [--port N] "
                 "[--http ADDR:PORT|off] [--metrics-db FILE] "
                 "[--audit-log FILE --audit-key PEM]\n";
    return 2;
  }
  if (audit_log_path.empty() != audit_key_path.empty()) {
    std::cerr << "--audit-log and --audit-key go together\n";
    return 2;
  }
  std::ifstream in(config_path);
  nlohmann::json cfg = nlohmann::json::parse(in, nullptr, false);
  if (cfg.is_discarded() || !cfg.is_object()) {
    std::cerr << "config " << config_path << ": not a JSON object\n";
    return 2;
  }

  ccengine::EngineOptions eo;
  eo.rona_limit = 0;
  ccengine::RealClock clock;
  eo.start = clock.Now();
  auto engine = ccengine::Engine::Create(eo).value();
  // Before any agent logs in, so every agent's time is counted.
  std::unique_ptr<ccengine::metrics::Collector> collector =
      ccengine::metrics::Collector::Attach(*engine, {}).value();
  absl::flat_hash_map<std::string, QueueInfo> queues;
  std::unique_ptr<ccengine::kamailio::DaemonRouting> routing;
  if (!routing_path.empty()) {
    if (cfg.contains("skills") || cfg.contains("queues")) {
      std::cerr << "config " << config_path
                << ": with --routing the skills and queues come from the routing file; "
                   "remove \"skills\" and \"queues\"\n";
      return 2;
    }
    auto started = ccengine::kamailio::DaemonRouting::Start(*engine, routing_path);
    if (!started.ok()) {
      std::cerr << "routing " << routing_path << ":\n"
                << started.status().message() << "\n";
      return 2;
    }
    routing = std::move(*started);
    Line(fmt::format("LOG routing: version 1 ({}) from {}",
                     routing->versions().current()->content_hash(), routing_path));
  }
  // The routing version in force, as the audit trail records it.
  auto version_text = [&] {
    return fmt::format("version {} ({})", routing->versions().version(),
                       routing->versions().current()->content_hash());
  };
  std::string routing_in_force = routing != nullptr ? version_text() : "";
  std::unique_ptr<ccengine::kamailio::DaemonAudit> audit;
  if (!audit_log_path.empty()) {
    auto opened = ccengine::kamailio::DaemonAudit::Open(audit_log_path, audit_key_path);
    if (!opened.ok()) {
      std::cerr << "audit log " << audit_log_path << ": " << opened.status() << "\n";
      return 2;
    }
    audit = *std::move(opened);
    if (routing != nullptr) {
      if (absl::Status st =
              audit->RoutingVersion("routing.load", routing_path, "", routing_in_force);
          !st.ok()) {
        std::cerr << "audit log " << audit_log_path << ": " << st << "\n";
        return 2;
      }
    }
    Line(fmt::format("LOG audit: recording to {}", audit_log_path));
  }
  try {
    for (const auto& s :
         routing != nullptr ? nlohmann::json::array() : cfg.at("skills")) {
      auto st = engine->AddSkill(s.get<std::string>());
      if (!st.ok()) throw std::runtime_error(st.status().ToString());
    }
    for (const auto& q :
         routing != nullptr ? nlohmann::json::array() : cfg.at("queues")) {
      ccengine::QueueConfig qc;
      qc.name = q.at("name").get<std::string>();
      absl::Status st =
          LoadSkills(*engine, q.value("skills", nlohmann::json::array()), &qc.skills);
      if (!st.ok()) throw std::runtime_error(st.ToString());
      if (q.contains("max_wait_ms")) {
        qc.max_wait = absl::Milliseconds(q.at("max_wait_ms").get<int64_t>());
      }
      qc.wrap_up = absl::Milliseconds(q.value("wrap_up_ms", int64_t{0}));
      qc.offer_timeout = absl::InfiniteDuration();  // Kamailio rings out
      auto id = engine->AddQueue(qc);
      if (!id.ok()) throw std::runtime_error(id.status().ToString());
      queues[qc.name] =
          QueueInfo{*id, q.value("no_agent_code", 480),
                    q.value("no_agent_reason", std::string("No Agent Available"))};
    }
  } catch (const std::exception& e) {
    std::cerr << "config " << config_path << ": " << e.what() << "\n";
    return 2;
  }

  // The kept interval rows go back once the queues exist (rows are matched
  // by queue name) and before any agent logs in.
  std::unique_ptr<ccengine::metrics::IntervalStore> interval_store;
  if (!metrics_db.empty()) {
    ccengine::sqlite::SqliteIntervalStoreOptions so;
    so.path = metrics_db;
    auto opened = ccengine::sqlite::OpenSqliteIntervalStore(so);
    absl::StatusOr<ccengine::metrics::IntervalBatch> kept =
        opened.ok() ? (*opened)->Read(eo.start - collector->options().retain,
                                      eo.start + absl::Hours(1))
                    : opened.status();
    absl::StatusOr<size_t> restored =
        kept.ok() ? collector->RestoreIntervals(*kept) : kept.status();
    if (restored.ok()) {
      interval_store = std::move(*opened);
      Line(fmt::format("LOG metrics: {} interval rows restored from {}", *restored,
                       metrics_db));
    } else {
      // Routing does not depend on it; writing on top of rows that could not
      // be read would overwrite them, so the file is left as it is.
      Line(fmt::format("LOG metrics: --metrics-db {} not used: {}", metrics_db,
                       restored.status().ToString()));
    }
  }

  // The routing file's roles: the bridge's commands are the daemon's actor's.
  std::unique_ptr<ccengine::kamailio::DaemonAccess> access;
  if (routing != nullptr) {
    auto attached = ccengine::kamailio::DaemonAccess::Attach(
        *engine, routing->versions().current()->access_policy(),
        audit != nullptr ? audit->Decisions() : nullptr);
    if (!attached.ok()) {
      std::cerr << "routing " << routing_path << ": " << attached.status() << "\n";
      return 2;
    }
    access = *std::move(attached);
    Line(
        fmt::format("LOG access: calls handled as actor '{}' (role system) under {}'s "
                    "roles{}",
                    ccengine::kamailio::kDaemonActor, routing_path,
                    audit != nullptr ? "; refusals recorded in the audit trail" : ""));
  }
  KamailioPort port;
  ccengine::TelephonyBridgeOptions bridge_options;
  bridge_options.actor = access != nullptr ? access->actor() : 0;
  ccengine::TelephonyBridge bridge(engine.get(), &port, bridge_options);
  try {
    for (const auto& a : cfg.at("agents")) {
      ccengine::AgentConfig ac;
      ac.id = ccengine::AgentId{a.at("id").get<uint64_t>()};
      ac.name = a.at("uri").get<std::string>();
      absl::Status st = LoadAgentSkills(*engine, a, routing.get(), &ac);
      if (st.ok()) st = engine->AddAgent(ac);
      if (st.ok() && a.contains("profile")) {
        routing->FollowProfile(ac.id, a.at("profile").get<std::string>());
      }
      if (st.ok()) st = engine->Login(ac.id);
      if (st.ok()) st = bridge.MapAgent(ac.id, ac.name);
      if (!st.ok()) throw std::runtime_error(st.ToString());
    }
  } catch (const std::exception& e) {
    std::cerr << "config " << config_path << ": " << e.what() << "\n";
    return 2;
  }
  engine->Subscribe(
      [](const ccengine::Event& e) { Line("EV " + ccengine::DescribeEvent(e)); });

  ccengine::kamailio::EvapiClientOptions co;
  if (cfg.contains("evapi")) {
    co.host = cfg["evapi"].value("host", co.host);
    co.port = cfg["evapi"].value("port", co.port);
  }
  if (port_override > 0) co.port = static_cast<uint16_t>(port_override);

  ccengine::kamailio::EvapiClient* client_ptr = nullptr;
  ccengine::kamailio::EvapiCallbacks cb;
  uint64_t bad_frames = 0;
  cb.on_connected = [] { Line("LOG evapi connected"); };
  cb.on_disconnected = [&] {
    size_t n = bridge.OnDisconnected();
    {
      std::lock_guard<std::mutex> lock(port.mu_);
      port.calls_.clear();
    }
    Line(fmt::format("LOG evapi disconnected; {} calls ended", n));
  };
  cb.on_error = [](const std::string& reason) { Line("LOG evapi: " + reason); };
  cb.on_message = [&](const std::string& payload) {
    auto parsed = ccengine::kamailio::ParseEvent(payload);
    if (!parsed.ok()) {
      ++bad_frames;
      Line(fmt::format("LOG rejected frame: {}", std::string(parsed.status().message())));
      return;
    }
    const EvapiEvent& e = *parsed;
    absl::Status st;
    switch (e.kind) {
      case EvapiEvent::Kind::kInvite: {
        ccengine::InboundCall call;
        QueueInfo
            sip;  // the "no agent" response; a routing file's queues use the default
        if (routing != nullptr) {
          if (!e.facts_error.empty()) {
            Line(fmt::format("LOG routing: call {}: facts ignored: {}", e.call_id,
                             e.facts_error));
          }
          std::string ignored;
          std::optional<ccengine::config::FlowTarget> target =
              routing->Route(e.queue, clock.Now(), e.facts, &ignored);
          if (!ignored.empty()) {
            Line(fmt::format("LOG routing: call {}: facts ignored: {}", e.call_id,
                             ignored));
          }
          if (!target.has_value()) {
            port.Send(ccengine::kamailio::RejectReply(e.tindex, e.tlabel, 404,
                                                      "Unknown Queue"));
            return;
          }
          call.queue = target->queue;
          call.priority = target->priority;
          call.skills = target->skills;
          call.preferred_agents = target->preferred_agents;
          call.prefer_last_agent = target->prefer_last_agent;
          call.preferred_wait = target->preferred_wait;
          call.fallbacks = target->fallbacks;
        } else {
          auto q = queues.find(e.queue);
          if (q == queues.end()) {
            port.Send(ccengine::kamailio::RejectReply(e.tindex, e.tlabel, 404,
                                                      "Unknown Queue"));
            return;
          }
          sip = q->second;
          call.queue = q->second.id;
        }
        {
          std::lock_guard<std::mutex> lock(port.mu_);
          if (port.calls_.contains(e.call_id)) {
            Line(fmt::format("LOG duplicate invite {}", e.call_id));
            return;
          }
          KamailioPort::CallInfo& c = port.calls_[e.call_id];
          c.tindex = e.tindex;
          c.tlabel = e.tlabel;
          c.from_tag = e.from_tag;
          c.no_agent_code = sip.no_agent_code;
          c.no_agent_reason = sip.no_agent_reason;
        }
        call.call_ref = e.call_id;
        call.caller = e.from_tag;
        auto id = bridge.OnInbound(std::move(call));
        if (!id.ok()) {
          {
            std::lock_guard<std::mutex> lock(port.mu_);
            port.calls_.erase(e.call_id);
          }
          port.Send(
              ccengine::kamailio::RejectReply(e.tindex, e.tlabel, 503, "Busy Here"));
          st = id.status();
        }
        break;
      }
      case EvapiEvent::Kind::kAnswered: {
        std::string agent;
        {
          std::lock_guard<std::mutex> lock(port.mu_);
          auto it = port.calls_.find(e.call_id);
          if (it != port.calls_.end()) {
            agent = it->second.last_rung;
            it->second.connected = true;
          }
        }
        st = bridge.OnAnswered(e.call_id, agent);
        break;
      }
      case EvapiEvent::Kind::kFailed: {
        std::string agent;
        bool known = false;
        {
          std::lock_guard<std::mutex> lock(port.mu_);
          auto it = port.calls_.find(e.call_id);
          if (it != port.calls_.end()) {
            known = true;
            agent = it->second.last_rung;
            it->second.tindex = e.tindex;
            it->second.tlabel = e.tlabel;
            it->second.suspended = true;
          }
        }
        st = e.code == 408 ? bridge.OnNoAnswer(e.call_id, agent)
                           : bridge.OnRejected(e.call_id, agent);
        if (!known) {
          // Kamailio suspended a call the engine no longer holds: release it.
          port.Send(ccengine::kamailio::RejectReply(e.tindex, e.tlabel, 480,
                                                    "Temporarily Unavailable"));
        }
        break;
      }
      case EvapiEvent::Kind::kCancel: {
        std::optional<KamailioPort::CallInfo> info = port.Forget(e.call_id);
        st = bridge.OnCallerHangup(e.call_id);
        if (info && info->suspended) {
          port.Send(ccengine::kamailio::RejectReply(info->tindex, info->tlabel, 487,
                                                    "Request Terminated"));
        }
        break;
      }
      case EvapiEvent::Kind::kExpired: {
        // Kamailio's wait limit passed: it answered the caller itself and no
        // longer holds the suspension. The caller did not give up: the
        // contact is withdrawn (by the host), not abandoned.
        port.Forget(e.call_id);
        st = bridge.OnWithdrawn(e.call_id);
        if (st.ok()) {
          Line(fmt::format("LOG call {} reached Kamailio's wait limit: withdrawn",
                           e.call_id));
        }
        break;
      }
      case EvapiEvent::Kind::kBye: {
        std::optional<KamailioPort::CallInfo> info = port.Forget(e.call_id);
        if (!info) {
          st = absl::NotFoundError("bye for unknown call");
        } else if (e.from_tag == info->from_tag) {
          st = bridge.OnCallerHangup(e.call_id);
        } else {
          st = bridge.OnAgentHangup(e.call_id, info->last_rung);
        }
        break;
      }
    }
    if (!st.ok()) {
      Line(fmt::format("LOG report dropped: {}", st.ToString()));
    }
  };

  auto client = ccengine::kamailio::EvapiClient::Create(co, cb);
  if (!client.ok()) {
    std::cerr << client.status() << "\n";
    return 2;
  }
  client_ptr = client->get();
  port.set_client(client_ptr);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  ccengine::metrics::SnapshotPublisher published;
  ccengine::RouterLoopOptions loop_options;
  // Changed interval rows are taken on the router thread each minute and
  // written by a thread of their own, so SQLite never holds up routing.
  std::mutex rows_mu;
  std::condition_variable rows_ready;
  std::vector<ccengine::metrics::IntervalBatch> rows_to_write;
  bool writer_stop = false;
  absl::Time next_flush = clock.Now() + absl::Minutes(1);
  loop_options.on_tick = [&] {
    if (routing != nullptr) {
      if (std::optional<std::string> applied = routing->ApplyPending()) {
        LogLines("routing: ", *applied);
        if (std::string now_in_force = version_text(); now_in_force != routing_in_force) {
          if (absl::Status st =
                  access->Reload(routing->versions().current()->access_policy());
              !st.ok()) {
            Line(fmt::format(
                "LOG access: {}'s roles not put in force, the previous stay: {}",
                now_in_force, st.ToString()));
          }
          if (audit != nullptr) {
            if (absl::Status st = audit->RoutingVersion("routing.reload", routing->path(),
                                                        routing_in_force, now_in_force);
                !st.ok()) {
              Line(fmt::format("LOG audit: the change to routing {} was not recorded: {}",
                               now_in_force, st.ToString()));
            }
          }
          routing_in_force = std::move(now_in_force);
        }
      }
    }
    published.Publish(collector->TakeSnapshot());
    if (interval_store != nullptr && clock.Now() >= next_flush) {
      next_flush = clock.Now() + absl::Minutes(1);
      ccengine::metrics::IntervalBatch batch = collector->TakeChangedIntervals();
      std::lock_guard<std::mutex> lock(rows_mu);
      rows_to_write.push_back(std::move(batch));
      rows_ready.notify_one();
    }
  };
  // Batches are written oldest first (a later batch's rows replace an
  // earlier one's); one that fails stays, with those after it, for the next
  // pass, up to an hour of them.
  std::deque<ccengine::metrics::IntervalBatch> unwritten;
  auto write_rows = [&](ccengine::metrics::IntervalBatch batch) {
    unwritten.push_back(std::move(batch));
    while (!unwritten.empty()) {
      if (absl::Status st = interval_store->Write(unwritten.front()); !st.ok()) {
        Line(fmt::format("LOG metrics: interval rows not written, kept for a retry: {}",
                         st.ToString()));
        break;
      }
      unwritten.pop_front();
    }
    if (unwritten.size() > 60) {
      unwritten.pop_front();
      Line(
          "LOG metrics: an hour of interval rows could not be written; the oldest "
          "dropped");
    }
  };
  ccengine::RouterLoop loop(engine.get(), &clock, loop_options);
  if (absl::Status st = loop.Start(); !st.ok()) {
    std::cerr << st << "\n";
    return 1;
  }
  // SIGHUP: the routing file is read again off the router thread; the
  // router loop's tick applies it.
  std::atomic<bool> reloader_stop{false};
  std::thread reloader([&] {
    while (true) {
      g_reload.acquire();
      if (reloader_stop.load()) return;
      g_reload_pending.store(false);  // one asked for now begins a load after this
      if (routing == nullptr) {
        Line("LOG routing: SIGHUP ignored: no --routing file to reload");
      } else if (absl::Status st = routing->LoadPending(); !st.ok()) {
        LogLines(fmt::format("routing: reload of {} refused: ", routing->path()),
                 std::string(st.message()));
      }
    }
  });
  std::thread writer([&] {
    std::unique_lock<std::mutex> lock(rows_mu);
    while (true) {
      rows_ready.wait(lock, [&] { return writer_stop || !rows_to_write.empty(); });
      std::vector<ccengine::metrics::IntervalBatch> batches;
      batches.swap(rows_to_write);
      lock.unlock();
      for (auto& b : batches) write_rows(std::move(b));
      lock.lock();
      if (writer_stop && rows_to_write.empty()) return;
    }
  });
  std::unique_ptr<ccengine::http::Server> http_server;
  if (http_options.has_value() && routing != nullptr) {
    // An admin request beside SIGHUP, on loopback only: anyone who reaches
    // the port could otherwise make the daemon read its file again.
    const std::string& bind = http_options->bind_address;
    if (bind == "localhost" || bind == "::1" || absl::StartsWith(bind, "127.")) {
      http_options->on_reload = [] {
        RequestReload();
        return std::string("reload of the routing file requested; the outcome is logged");
      };
    } else {
      Line(
          fmt::format("LOG http: POST /-/reload not served on {} (loopback only)", bind));
    }
  }
  if (http_options.has_value()) {
    // Routing does not depend on it: a port already taken is reported, not
    // fatal.
    auto started = ccengine::http::Server::Start(published, *http_options);
    if (started.ok()) {
      http_server = std::move(*started);
      Line(fmt::format("LOG http serving http://{}:{}/metrics",
                       http_options->bind_address, http_server->port()));
    } else {
      Line(fmt::format("LOG http not serving: {}", started.status().ToString()));
    }
  }
  client_ptr->Start();
  Line(fmt::format("LOG ccengine-kamailio up: evapi {}:{}, {} agents, {} queues", co.host,
                   co.port, engine->agent_count(), queues.size()));
  g_stop.acquire();
  client_ptr->Stop();
  if (http_server != nullptr) http_server->Stop();
  loop.Stop();
  reloader_stop.store(true);
  g_reload.release();
  reloader.join();
  {
    std::lock_guard<std::mutex> lock(rows_mu);
    writer_stop = true;
    rows_ready.notify_one();
  }
  writer.join();
  if (interval_store != nullptr) {
    write_rows(collector->TakeChangedIntervals());
    if (!unwritten.empty()) {
      Line(fmt::format("LOG metrics: {} batches of interval rows lost at shutdown",
                       unwritten.size()));
    }
  }
  if (audit != nullptr) {
    if (absl::Status st = audit->Close(); !st.ok()) {
      Line(fmt::format("LOG audit: closing {}: {}", audit_log_path, st.ToString()));
    }
  }
  ccengine::Accounting acc = engine->GetAccounting();
  ccengine::TelephonyStats ts = bridge.stats();
  absl::Status inv = engine->CheckInvariants();
  Line(
      fmt::format("SUMMARY entered={} completed={} abandoned={} overflowed={} "
                  "withdrawn={} in_flight={} rings={} reports_accepted={} "
                  "reports_dropped={} commands_failed={} bad_frames={} invariants={}",
                  acc.entered, acc.completed, acc.abandoned, acc.overflowed,
                  acc.withdrawn, acc.waiting + acc.offered + acc.in_service, ts.rings,
                  ts.reports_accepted, ts.reports_dropped, ts.commands_failed, bad_frames,
                  inv.ok() ? std::string("ok") : inv.ToString()));
  return inv.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {  // a bug, or memory exhausted
    std::cerr << "ccengine-kamailio: " << e.what() << "\n";
    return 1;
  }
}
