// hotline_burst: the morning peak of a 12345-style citizen hotline, routed
// through the real engine on a virtual clock.
//
// Two hours (08:30–10:30) of mixed traffic — voice calls for policy questions,
// complaints and emergencies, Cantonese- and English-speaking callers, VIPs,
// and web chats — meet 180 agents with different skills and levels. Callers
// hang up when they run out of patience, some agents miss a ring, every call
// ends in timed wrap-up. The example plays the telephony side: it answers
// offers after a ring, ends calls after their handle time and abandons
// callers, all by submitting commands, as a PBX adapter would. Then it prints
// the per-queue figures and checks that every contact is accounted for.
//
//   hotline_burst [seed]
//
// This is a hand-rolled driver; the staffing simulator (ccengine.simulate
// from Python) is the general tool for the same job.
#include <ccengine/ccengine.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace ccengine;

// What the telephony side will do, and when.
struct Action {
  absl::Time at;
  uint64_t seq;
  enum Kind { kArrive, kAnswer, kHangupAgent, kCallerGivesUp } kind;
  uint64_t contact;
  uint64_t agent;
  bool operator<(const Action& o) const {  // min-heap on (at, seq)
    return at != o.at ? at > o.at : seq > o.seq;
  }
};

struct Caller {
  uint64_t id;
  std::string queue;
  Channel channel;
  int priority;
  std::vector<std::string> needs;  // own skills (language)
  double arrival_s;
  double handle_s;
  double patience_s;
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 12345;
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return std::uniform_real_distribution<double>(0, 1)(rng); };
  auto expo = [&](double mean) {
    return std::exponential_distribution<double>(1 / mean)(rng);
  };
  auto lognormal = [&](double mean, double cv) {
    double s2 = std::log(1 + cv * cv);
    return std::lognormal_distribution<double>(std::log(mean) - s2 / 2,
                                               std::sqrt(s2))(rng);
  };

  EngineOptions options;
  options.seed = seed;
  const absl::Time start =
      absl::FromCivil(absl::CivilMinute(2026, 11, 23, 8, 30), absl::UTCTimeZone());
  options.start = start;
  auto engine = Engine::Create(options).value();
  auto skill = [&](const char* name) { return engine->FindSkill(name).value(); };
  for (const char* s :
       {"policy", "complaint", "emergency", "cantonese", "english", "chat"}) {
    (void)engine->AddSkill(s).value();
  }

  // --- Queues -----------------------------------------------------------------
  auto add_queue = [&](QueueConfig q) { return engine->AddQueue(std::move(q)).value(); };
  QueueConfig policy;
  policy.name = "policy";  // 政策咨询: experts first, then anyone trained
  policy.skills = {{skill("policy"), 6}};
  policy.relaxation = {{absl::Seconds(10), {{skill("policy"), 4}}},
                       {absl::Seconds(60), {{skill("complaint"), 5}}}};
  policy.wrap_up = absl::Seconds(15);
  policy.strategy = "best_proficiency";
  QueueId policy_q = add_queue(policy);
  QueueConfig complaint;
  complaint.name = "complaint";  // 投诉举报: after 4 min, policy agents help
  complaint.skills = {{skill("complaint"), 5}};
  complaint.max_wait = absl::Minutes(4);
  complaint.overflow_queue = policy_q;
  complaint.wrap_up = absl::Seconds(30);
  complaint.sl_threshold = absl::Seconds(30);
  QueueId complaint_q = add_queue(complaint);
  QueueConfig emergency;
  emergency.name = "emergency";  // 紧急求助: always first, then any senior agent
  emergency.skills = {{skill("emergency"), 5}};
  emergency.relaxation = {{absl::Seconds(10), {{skill("policy"), 8}}}};
  emergency.priority = 2;
  emergency.sl_threshold = absl::Seconds(10);
  emergency.sl_target = 0.95;
  emergency.wrap_up = absl::Seconds(20);
  QueueId emergency_q = add_queue(emergency);
  QueueConfig chat;
  chat.name = "web_chat";  // 网页在线咨询: up to 3 chats per agent
  chat.skills = {{skill("chat"), 1}};
  chat.max_size = 150;
  chat.sl_threshold = absl::Seconds(60);
  chat.strategy = "least_occupied";
  add_queue(chat);

  // --- Agents -----------------------------------------------------------------
  struct Group {
    int count;
    std::vector<std::pair<const char*, std::pair<int, int>>> skills;
    bool chats;
  };
  std::vector<Group> groups = {{80, {{"policy", {4, 9}}, {"emergency", {0, 6}}}, false},
                               {36, {{"complaint", {5, 9}}, {"policy", {3, 6}}}, false},
                               {12, {{"emergency", {6, 10}}, {"policy", {8, 10}}}, false},
                               {18, {{"policy", {5, 8}}, {"cantonese", {6, 10}}}, false},
                               {8, {{"policy", {5, 8}}, {"english", {6, 10}}}, false},
                               {26, {{"chat", {1, 1}}, {"policy", {4, 8}}}, true}};
  uint64_t next_agent = 1;
  for (const Group& g : groups) {
    for (int i = 0; i < g.count; ++i) {
      AgentConfig a;
      a.id = AgentId{next_agent++};
      for (const auto& [name, range] : g.skills) {
        int level =
            range.first + static_cast<int>(uniform() * (range.second - range.first + 1));
        if (level >= 1)
          a.skills.push_back({skill(name), static_cast<uint8_t>(std::min(level, 10))});
      }
      a.capacity.max_per_channel = {static_cast<uint8_t>(g.chats ? 0 : 1),
                                    static_cast<uint8_t>(g.chats ? 3 : 0),
                                    0,
                                    0,
                                    0,
                                    0,
                                    0};
      (void)engine->AddAgent(a);
      (void)engine->Login(a.id);
    }
  }

  // --- Traffic: a rising, peaking, easing morning ------------------------------
  std::vector<Caller> callers;
  double horizon_s = 2 * 3600;
  for (double t = 0; t < horizon_s;) {
    double shape = 0.55 + 0.45 * std::sin(M_PI * t / horizon_s);  // peak at 09:30
    t += expo(1 / (0.62 * shape));
    if (t >= horizon_s) break;
    Caller c{callers.size() + 1,  "policy", Channel::kVoice, 0, {}, t,
             lognormal(210, 0.6), expo(150)};
    double r = uniform();
    if (r < 0.18) {
      c.queue = "complaint";
      c.handle_s = lognormal(330, 0.6);
    } else if (r < 0.21) {
      c.queue = "emergency";
      c.priority = 0;
      c.handle_s = lognormal(150, 0.5);
      c.patience_s = expo(600);
    } else if (r < 0.36) {
      c.queue = "web_chat";
      c.channel = Channel::kChat;
      c.handle_s = lognormal(420, 0.7);
      c.patience_s = expo(400);
    }
    if (c.channel == Channel::kVoice && c.queue != "emergency") {
      double lang = uniform();
      if (lang < 0.08) c.needs = {"cantonese"};
      else if (lang < 0.10)
        c.needs = {"english"};
      if (uniform() < 0.03) c.priority = 1;  // VIP / repeat caller
    }
    callers.push_back(c);
  }
  std::priority_queue<Action> actions;
  uint64_t seq = 0;
  for (const Caller& c : callers) {
    actions.push({start + absl::Seconds(c.arrival_s), ++seq, Action::kArrive, c.id, 0});
  }

  // Offers come out as events; the driver reacts after each engine call.
  std::vector<Event> offers;
  engine->Subscribe([&](const Event& e) {
    if (e.type == EventType::kOffered) offers.push_back(e);
  });
  uint64_t submitted = 0, decisions = 0;
  auto submit = [&](Command c) {
    if (!engine->Submit(std::move(c)).ok()) std::abort();
    ++submitted;
  };

  // The driver reacts to the offers an engine call produced: the agent
  // answers after a ring (or misses it), the call lasts its handle time.
  auto react = [&] {
    for (const Event& e : offers) {
      ++decisions;
      const Caller& oc = callers[e.contact.value() - 1];
      if (uniform() < 0.02) continue;  // the agent misses the ring: RONA after 20 s
      absl::Time answered = e.time + absl::Seconds(2 + 4 * uniform());
      actions.push({answered, ++seq, Action::kAnswer, oc.id, e.agent.value()});
      actions.push({answered + absl::Seconds(oc.handle_s), ++seq, Action::kHangupAgent,
                    oc.id, e.agent.value()});
    }
    offers.clear();
  };

  auto wall0 = std::chrono::steady_clock::now();
  while (!actions.empty() || engine->NextTimerAt().has_value()) {
    // Engine timers (offer timeouts, wrap-up ends, relaxation, max wait) that
    // come before the next telephony action fire first.
    std::optional<absl::Time> timer = engine->NextTimerAt();
    if (timer.has_value() && (actions.empty() || *timer < actions.top().at)) {
      (void)engine->AdvanceTo(*timer);
      react();
      continue;
    }
    Action a = actions.top();
    actions.pop();
    const Caller& c = callers[a.contact - 1];
    switch (a.kind) {
      case Action::kArrive: {
        ContactSpec spec;
        spec.id = ContactId{c.id};
        spec.queue = engine->FindQueue(c.queue).value();
        spec.channel = c.channel;
        spec.priority = c.priority;
        for (const std::string& n : c.needs) spec.skills.push_back({skill(n.c_str()), 5});
        spec.customer_id = "1380013" + std::to_string(1000 + c.id % 9000);
        submit(cmd::AddContact{spec});
        actions.push(
            {a.at + absl::Seconds(c.patience_s), ++seq, Action::kCallerGivesUp, c.id, 0});
        break;
      }
      case Action::kAnswer:
        submit(cmd::AcceptOffer{AgentId{a.agent}, ContactId{a.contact}});
        break;
      case Action::kHangupAgent:
        submit(cmd::CompleteContact{AgentId{a.agent}, ContactId{a.contact}});
        break;
      case Action::kCallerGivesUp: {
        auto snap = engine->GetContact(ContactId{a.contact});
        if (snap.ok() && snap->state != ContactState::kInService)
          submit(cmd::Abandon{ContactId{a.contact}});
        break;
      }
    }
    if (auto polled = engine->Poll(a.at); !polled.ok()) {
      std::fprintf(stderr, "%s\n", polled.status().ToString().c_str());
      return 1;
    }
    react();
  }
  double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  // --- Report -------------------------------------------------------------------
  std::printf(
      "ccengine %s — hotline burst 08:30–10:30, seed %llu: %zu contacts, 180 agents\n\n",
      kVersionString, static_cast<unsigned long long>(seed), callers.size());
  std::printf("%-10s %8s %8s %9s %10s %8s %8s %8s %9s\n", "queue", "entered", "answered",
              "abandoned", "overflowed", "SL", "ASA", "AHT", "target");
  for (QueueId q :
       {policy_q, complaint_q, emergency_q, engine->FindQueue("web_chat").value()}) {
    QueueStats s = engine->GetQueueStats(q).value();
    QueueConfig cfg = engine->GetQueueConfig(q).value();
    std::printf("%-10s %8llu %8llu %9llu %10llu %7.1f%% %7.1fs %7.1fs %3.0f%%/%2.0fs\n",
                cfg.name.c_str(), static_cast<unsigned long long>(s.entered),
                static_cast<unsigned long long>(s.answered),
                static_cast<unsigned long long>(s.abandoned),
                static_cast<unsigned long long>(s.overflowed), 100 * s.ServiceLevel(),
                absl::ToDoubleSeconds(s.AverageSpeedOfAnswer()),
                absl::ToDoubleSeconds(s.AverageHandleTime()), 100 * cfg.sl_target,
                absl::ToDoubleSeconds(cfg.sl_threshold));
  }
  Accounting acc = engine->GetAccounting();
  std::printf(
      "\nSL = answered within the queue's threshold / (answered + abandoned); ASA over "
      "answered\n"
      "contacts, measured from entering the queue; overflowed complaints re-enter "
      "'policy'.\n\n");
  std::printf(
      "accounting: entered %llu = completed %llu + abandoned %llu + overflowed %llu + "
      "withdrawn %llu"
      " + still open %llu -> %s\n",
      static_cast<unsigned long long>(acc.entered),
      static_cast<unsigned long long>(acc.completed),
      static_cast<unsigned long long>(acc.abandoned),
      static_cast<unsigned long long>(acc.overflowed),
      static_cast<unsigned long long>(acc.withdrawn),
      static_cast<unsigned long long>(acc.waiting + acc.offered + acc.in_service),
      acc.Balanced() ? "balanced" : "NOT BALANCED");
  absl::Status inv = engine->CheckInvariants();
  std::printf("invariants: %s\n", inv.ok() ? "ok" : inv.ToString().c_str());
  std::printf(
      "engine: %llu commands, %llu offers in %.3f s of wall time (%.0f commands/s, "
      "driver included)\n",
      static_cast<unsigned long long>(submitted),
      static_cast<unsigned long long>(decisions), wall_s, submitted / wall_s);
  return inv.ok() && acc.Balanced() ? 0 : 1;
}
