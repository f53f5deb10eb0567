// The smallest useful embedding: one skill, one queue, one agent, one call.
// A PBX would call Submit() from its signalling threads and Poll() from its
// event loop (or run a ccengine::RouterLoop); here one thread does both.
#include <ccengine/ccengine.h>

#include <cstdio>
#include <cstdlib>

int main() {
  using namespace ccengine;
  auto engine = Engine::Create().value();
  SkillId tax = engine->AddSkill("tax").value();

  QueueConfig q;
  q.name = "tax_hotline";
  q.skills = {{tax, 5}};
  QueueId queue = engine->AddQueue(q).value();

  AgentConfig a;
  a.id = AgentId{7};
  a.skills = {{tax, 8}};
  // a.auto_accept = true;  // a phone set to auto-answer: no AcceptOffer needed
  (void)engine->AddAgent(a);

  // Every decision arrives here; a PBX would ring the agent on kOffered.
  engine->Subscribe(
      [](const Event& e) { std::printf("%s\n", DescribeEvent(e).c_str()); });

  // Submit() is what producer threads call: lock-free, refused when full.
  auto submit = [&](Command c) {
    if (absl::Status st = engine->Submit(std::move(c)); !st.ok()) std::abort();
  };
  ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  ContactSpec call;
  call.id = ContactId{1001};
  call.queue = queue;
  call.customer_id = "caller-1";
  submit(cmd::Login{AgentId{7}});
  submit(cmd::AddContact{call});
  (void)engine->Poll(clock.Now());  // login; the call is offered to agent 7

  clock.Advance(absl::Seconds(3));  // the phone rings for 3 s
  submit(cmd::AcceptOffer{AgentId{7}, ContactId{1001}});
  (void)engine->Poll(clock.Now());
  clock.Advance(absl::Seconds(120));  // a two-minute conversation
  submit(cmd::CompleteContact{AgentId{7}, ContactId{1001}});
  (void)engine->Poll(clock.Now());

  QueueStats s = engine->GetQueueStats(queue).value();
  std::printf("answered=%llu service_level=%.2f asa=%s aht=%s\n",
              static_cast<unsigned long long>(s.answered), s.ServiceLevel(),
              absl::FormatDuration(s.AverageSpeedOfAnswer()).c_str(),
              absl::FormatDuration(s.AverageHandleTime()).c_str());
  // Time in each state since the agent was added: occupancy for reports.
  AgentStateTimes t = engine->GetAgentStateTimes(AgentId{7}).value();
  std::printf("agent 7: ringing %s, busy %s\n",
              absl::FormatDuration(t[static_cast<int>(AgentState::kReserved)]).c_str(),
              absl::FormatDuration(t[static_cast<int>(AgentState::kBusy)]).c_str());
  return engine->CheckInvariants().ok() ? 0 : 1;
}
