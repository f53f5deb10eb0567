// Satisfaction-weighted routing with an explanation record: two agents with
// the same skill; the outcomes of their past contacts (survey score, first-
// contact resolution) teach the engine that agent 2 serves better; the next
// contact goes to agent 2, and the engine says why — every candidate, its
// score terms, and the rule that fired.
//
// Build: part of the examples (cmake --build build/release --target
// explain_decision); run: ./build/release/examples/explain_decision

#include <cstdio>
#include <memory>

#include "ccengine/ccengine.h"

using ccengine::AgentId;
using ccengine::ContactId;

ccengine::ContactSpec Contact(uint64_t id, ccengine::QueueId queue) {
  ccengine::ContactSpec c;
  c.id = ContactId{id};
  c.queue = queue;
  return c;
}

int main() {
  auto engine = ccengine::Engine::Create().value();
  ccengine::SkillId tax = engine->AddSkill("tax").value();
  ccengine::QueueConfig q;
  q.name = "tax";
  q.skills = {{tax, 1}};
  q.strategy = "satisfaction";
  q.guards.occupancy_cap = 0.9;  // never load an agent past 90% of the window
  ccengine::QueueId queue = engine->AddQueue(q).value();
  for (uint64_t id : {1, 2}) {
    ccengine::AgentConfig a;
    a.id = AgentId{id};
    a.skills = {{tax, 6}};
    if (!engine->AddAgent(a).ok() || !engine->Login(a.id).ok()) return 1;
  }
  // History: agent 1 leaves customers unhappy, agent 2 solves their issue.
  uint64_t next = 100;
  for (uint64_t agent : {1, 2}) {
    AgentId other{3 - agent};
    for (int i = 0; i < 5; ++i) {
      ContactId c{next++};
      if (!engine->SetNotReady(other).ok() ||
          !engine->AddContact(Contact(c.value(), queue)).ok() ||
          !engine->AcceptOffer(AgentId{agent}, c).ok()) {
        return 1;
      }
      ccengine::ContactOutcome outcome{.csat = agent == 1 ? 2 : 5,
                                       .resolved = agent == 2};
      if (!engine->CompleteContact(AgentId{agent}, c, outcome).ok() ||
          !engine->SetReady(other).ok()) {
        return 1;
      }
    }
  }
  engine->Subscribe(
      [](const ccengine::Event& e) {
        const ccengine::Explanation& x = *e.explanation;
        std::printf("contact %llu -> agent %llu (%s): %s\n",
                    static_cast<unsigned long long>(x.contact.value()),
                    static_cast<unsigned long long>(x.agent.value()), x.strategy.c_str(),
                    x.rule.c_str());
        for (const ccengine::ExplainedCandidate& c : x.candidates) {
          std::printf("  agent %llu %-8s",
                      static_cast<unsigned long long>(c.agent.value()),
                      c.verdict.c_str());
          for (const ccengine::ScoreTerm& t : c.terms)
            std::printf(" %s=%.3f", t.name, t.value);
          std::printf("\n");
        }
      },
      ccengine::EventBit(ccengine::EventType::kDecisionExplained));
  if (!engine->AddContact(Contact(1, queue)).ok()) return 1;
  auto quality = engine->GetQuality(AgentId{2}, tax).value();
  std::printf("agent 2 on tax: CSAT %.2f, FCR %.2f from %.0f surveys\n", quality.csat,
              quality.fcr, quality.csat_weight);
  return engine->CheckInvariants().ok() ? 0 : 1;
}
