// ccengine-http-demo: a small hotline on the wall clock, served over HTTP.
//
//   ccengine-http-demo [--port 9464] [--bind 127.0.0.1] [--port-file FILE]
//                      [--duration SECONDS] [--rate PER_SECOND] [--agents N]
//                      [--seed N]
//
// Three queues (policy, complaints, billing) and N auto-answering agents in
// two teams run on a RouterLoop. Callers arrive at random (Poisson, `rate`
// per second), talk 5-40 s, hang up after 10-60 s of waiting, and an agent
// now and then takes a short break; a metrics::Collector counts it all and
// the loop publishes a snapshot five times a second. /metrics serves it —
// something to point Prometheus or a browser at without a PBX, and the
// load generator of the HTTP tests. With --port 0 the system picks the
// port; --port-file writes it once the server listens. Runs until
// --duration passes (0: until SIGINT or SIGTERM).

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ccengine/ccengine.h"
#include "ccengine/http/server.h"
#include "fmt/format.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

struct Args {
  ccengine::http::ServerOptions server;
  std::string port_file;
  double duration_s = 0;
  double rate = 2;
  int agents = 24;
  uint64_t seed = 1;
};

bool Parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    char* end = nullptr;
    if (k == "--port") a.server.port = static_cast<int>(std::strtol(v, &end, 10));
    else if (k == "--bind")
      a.server.bind_address = v;
    else if (k == "--port-file")
      a.port_file = v;
    else if (k == "--duration")
      a.duration_s = std::strtod(v, &end);
    else if (k == "--rate")
      a.rate = std::strtod(v, &end);
    else if (k == "--agents")
      a.agents = static_cast<int>(std::strtol(v, &end, 10));
    else if (k == "--seed")
      a.seed = std::strtoull(v, &end, 10);
    else
      return false;
    if (end != nullptr && *end != '\0') return false;
  }
  return a.rate > 0 && a.rate <= 1000 && a.agents >= 1 && a.agents <= 100000 &&
         a.duration_s >= 0;
}

// Something the caller side does later: hang up, or end the talk.
struct Due {
  std::chrono::steady_clock::time_point at;
  ccengine::Command command;
  bool operator>(const Due& o) const { return at > o.at; }
};

// Submits, retrying while the intake is full.
void Send(ccengine::Engine& engine, ccengine::Command command) {
  while (engine.Submit(command).code() == absl::StatusCode::kResourceExhausted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, args)) {
    std::cerr << "usage: ccengine-http-demo [--port N] [--bind ADDR] [--port-file FILE] "
                 "[--duration S] [--rate PER_S (0,1000]] [--agents N] [--seed N]\n";
    return 2;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  ccengine::RealClock clock;
  ccengine::EngineOptions options;
  options.start = clock.Now();
  std::unique_ptr<ccengine::Engine> engine = ccengine::Engine::Create(options).value();
  std::vector<ccengine::QueueId> queues;
  std::vector<ccengine::SkillId> skills;
  for (const char* name : {"policy", "complaints", "billing"}) {
    skills.push_back(engine->AddSkill(name).value());
    ccengine::QueueConfig q;
    q.name = name;
    q.skills = {{skills.back(), 1}};
    q.sl_threshold = absl::Seconds(20);
    q.wrap_up = absl::Seconds(3);
    queues.push_back(engine->AddQueue(q).value());
  }
  auto collector = ccengine::metrics::Collector::Attach(*engine, {}).value();
  for (int i = 1; i <= args.agents; ++i) {
    ccengine::AgentConfig a;
    a.id = ccengine::AgentId(static_cast<uint64_t>(i));
    // Team A takes policy and complaints, team B billing and policy.
    a.skills = i % 2 == 1
                   ? std::vector<ccengine::SkillLevel>{{skills[0], 5}, {skills[1], 5}}
                   : std::vector<ccengine::SkillLevel>{{skills[2], 5}, {skills[0], 3}};
    a.auto_accept = true;
    (void)engine->AddAgent(a);
    collector->AssignGroup(a.id, i % 2 == 1 ? "team A" : "team B");
  }

  // Answered calls end after their talk time: the router thread tells the
  // caller side through this list.
  std::mutex answered_mu;
  std::vector<std::pair<ccengine::AgentId, ccengine::ContactId>> answered;
  engine->Subscribe(
      [&](const ccengine::Event& e) {
        std::lock_guard<std::mutex> lock(answered_mu);
        answered.emplace_back(e.agent, e.contact);
      },
      ccengine::EventBit(ccengine::EventType::kAccepted));

  ccengine::metrics::SnapshotPublisher published;
  ccengine::RouterLoopOptions loop_options;
  loop_options.tick_interval = absl::Milliseconds(200);
  loop_options.on_tick = [&] { published.Publish(collector->TakeSnapshot()); };
  ccengine::RouterLoop loop(engine.get(), &clock, loop_options);
  if (absl::Status st = loop.Start(); !st.ok()) {
    std::cerr << st << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<ccengine::http::Server>> server =
      ccengine::http::Server::Start(published, args.server);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    loop.Stop();
    return 1;
  }
  if (!args.port_file.empty()) {
    const std::string tmp = args.port_file + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::rename(tmp.c_str(), args.port_file.c_str());
  }
  std::cout << fmt::format("serving http://{}:{}/metrics\n", args.server.bind_address,
                           (*server)->port())
            << std::flush;
  for (int i = 1; i <= args.agents; ++i) {
    Send(*engine, ccengine::cmd::Login{ccengine::AgentId(static_cast<uint64_t>(i))});
  }

  std::mt19937_64 rng(args.seed);
  std::exponential_distribution<double> gap(args.rate);
  std::uniform_real_distribution<double> talk_s(5, 40), patience_s(10, 60);
  std::discrete_distribution<size_t> pick_queue({5, 3, 2});
  std::bernoulli_distribution takes_break(0.02);
  std::uniform_int_distribution<int> reason(1, 3);
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const Clock::time_point start = Clock::now();
  Clock::time_point next_arrival = start + seconds(gap(rng));
  uint64_t next_contact = 1;
  while (!g_stop.load()) {
    const Clock::time_point now = Clock::now();
    if (args.duration_s > 0 && now - start >= seconds(args.duration_s)) break;
    while (next_arrival <= now) {
      ccengine::ContactSpec spec;
      spec.id = ccengine::ContactId(next_contact++);
      spec.queue = queues[pick_queue(rng)];
      Send(*engine, ccengine::cmd::AddContact{spec});
      due.push(
          {next_arrival + seconds(patience_s(rng)), ccengine::cmd::Abandon{spec.id}});
      next_arrival += seconds(gap(rng));
    }
    {
      std::lock_guard<std::mutex> lock(answered_mu);
      for (const auto& [agent, contact] : answered) {
        due.push(
            {now + seconds(talk_s(rng)), ccengine::cmd::CompleteContact{agent, contact}});
        // Now and then the agent takes a short break after this call.
        if (takes_break(rng)) {
          due.push({now + seconds(talk_s(rng) + 4),
                    ccengine::cmd::SetNotReady{agent, reason(rng)}});
          due.push({now + seconds(talk_s(rng) + 30), ccengine::cmd::SetReady{agent}});
        }
      }
      answered.clear();
    }
    // A hang-up after the answer, or a break of an agent still talking, is
    // refused by the engine: that is the caller side being late, not a fault.
    while (!due.empty() && due.top().at <= now) {
      Send(*engine, due.top().command);
      due.pop();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (*server)->Stop();
  loop.Stop();
  return 0;
}
